"""Every page carries a strict Content-Security-Policy and contains no inline script or style."""

import re

import pytest

from catalog.models import Product
from proposals.models import Rule

# An executable script without src; JSON data blocks (json_script) are data, not code.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)

PUBLIC_PAGES = ["/privacy", "/data-deletion", "/accounts/login/"]
STAFF_PAGES = [
    "/",
    "/connections/",
    "/catalog/",
    "/catalog/new/",
    "/dashboards/overview/",
    "/dashboards/ads/",
    "/dashboards/search/",
    "/dashboards/sales/",
    "/dashboards/inventory/",
    "/dashboards/social/",
    "/dashboards/changes/",
    "/proposals/",
    "/proposals/ai/",
    "/proposals/rules/",
    "/proposals/rules/new/",
    "/proposals/guardrails/",
    "/proposals/roi/",
    "/reconciliation/",
    "/reconciliation/?status=&sort=bucket",
    "/sandbox/",
    "/audit/",
    "/data-deletion/requests/",
]


def assert_strict(response):
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, INLINE_HANDLER):
        found = pattern.search(body)
        assert found is None, body[found.start() : found.start() + 200]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_a_strict_policy_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_have_a_strict_policy_and_no_inline_code(client, operator, path):
    client.force_login(operator)
    response = client.get(path)
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_catalog_product_pages_have_a_strict_policy(client, operator, suffix):
    Product.objects.create(name="Gear Clock", slug="gear-clock", price=8999, unit_cost=3000)
    client.force_login(operator)
    response = client.get(f"/catalog/gear-clock/{suffix}")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_a_proposal_page_has_a_strict_policy(client, operator, make_user):
    from tests.proposals.factories import budget_proposal, campaign_with_data

    proposal = budget_proposal(campaign_with_data(), 11_000, by=make_user("author", "operator"))
    client.force_login(operator)
    for suffix in ("", "log/"):
        response = client.get(f"/proposals/{proposal.pk}/{suffix}")
        assert response.status_code == 200
        assert_strict(response)


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_rule_pages_have_a_strict_policy(client, operator, suffix):
    conditions = [{"metric": "cpa", "window_days": 28, "op": "gt", "threshold": "40"}]
    rule = Rule.objects.create(name="Pause losers", conditions=conditions, action={"type": "pause"})
    client.force_login(operator)
    response = client.get(f"/proposals/rules/{rule.pk}/{suffix}")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_an_ai_call_page_has_a_strict_policy(client, operator):
    from django.utils import timezone

    from proposals.models import AICall

    call = AICall.objects.create(
        model="claude-sonnet-4-6", status="ok", started_at=timezone.now(),
        messages=[{"role": "user", "content": '<data name="x">{"a": "<script>"}</data>'}],
    )  # fmt: skip
    client.force_login(operator)
    response = client.get(f"/proposals/ai/{call.pk}/")
    assert response.status_code == 200
    assert_strict(response)
