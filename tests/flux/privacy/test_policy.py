"""/privacy renders PRIVACY.md, which states every commitment the app makes."""

import html
import os
import re
from datetime import date

import pytest
from django.test import Client

from flux.privacy.policy import PolicyFormatError, policy_path, policy_render, policy_rendered

# One or more key phrases per commitment of the app's privacy promises.
COMMITMENTS = {
    "operator": ["Flux Engineering", "operator"],
    "contact": ["brandonhalterman@gmail.com"],
    "deletion instructions": ['href="/data-deletion"'],
    "single tenant": ["Single tenant", "no customer tenants", "no sign-up"],
    "own assets": [
        "Meta ad accounts",
        "Facebook Page",
        "Instagram account",
        "Squarespace store",
        "Shippo account",
        "Google Ads accounts",
        "Search Console properties",
    ],
    "staff only": ["signed-in, authorised staff user", "OpenID Connect"],
    "public surface": [
        "Tailscale Funnel",
        "OAuth callbacks",
        "Meta's crawler",
        "/privacy",
        "data-deletion callback",
        "status page",
        "health check",
        "static assets",
    ],
    "tokens encrypted": [
        "OAuth credentials and access tokens",
        "AES-256-GCM",
        "envelope encryption",
        "data key, IV and auth tag",
        "key encryption key that is not stored in the database",
    ],
    "token providers": ["Facebook Login", "Instagram Graph API", "Marketing API", "Anthropic"],
    "ad data": ["campaign names", "daily budgets", "targeting", "impressions", "spend"],
    "search data": ["queries", "average position", "page URLs"],
    "orders": ["order numbers", "line items", "fulfillment status", "city, state and ZIP"],
    "email hash": [
        "SHA-256-based hash",
        "repeat-customer analytics",
        "never written to the database, logs or task queues",
    ],
    "inventory": ["SKU", "variant descriptors", "quantities"],
    "shipments": ["tracking numbers", "carrier", "recipient name", "ZIP and country"],
    "catalog": ["product catalog", "target keywords", "target audiences"],
    "ai decisions": ["prompt, the model output, token counts, cost", "timing"],
    "uses": [
        "Dashboards for staff",
        "reviews and approves each one",
        "on behalf of the signed-in user",
        "QuickBooks",
    ],
    "sharing": [
        "back to the platform it came from",
        "to Anthropic for proposals",
        "never a customer's email, name, address",
        "Nothing is sold or shared for marketing",
    ],
    "retention": ["kept while the app is in use"],
    "revocation": ["stops all fetching from it at once", "history stays", "deleted within 30 days"],
    "deletion requests": ["processed within 30 days", "check its status", "Meta's data-deletion"],
    "children": ["not directed at children under 13"],
}


def _page_text(client: Client) -> str:
    response = client.get("/privacy")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
@pytest.mark.parametrize("commitment", sorted(COMMITMENTS))
def test_the_public_policy_states_each_commitment(client, commitment):
    page = _normalised(_page_text(client))
    missing = [p for p in COMMITMENTS[commitment] if _normalised(p) not in page]
    assert missing == []


@pytest.mark.django_db
def test_the_date_shown_is_the_last_updated_date_in_the_file(client):
    in_file = re.search(r"^Last updated: (\d{4}-\d{2}-\d{2})$", policy_path().read_text(), re.M)
    assert in_file is not None
    page = _page_text(client)
    shown = re.search(r'id="last-updated">.*?<time datetime="([0-9-]+)">([^<]+)</time>', page)
    assert shown is not None
    assert shown.group(1) == in_file.group(1)
    assert shown.group(2) == date.fromisoformat(in_file.group(1)).strftime("%-d %B %Y")


def test_an_anonymous_visitor_sees_the_policy_without_the_staff_navigation(client, db):
    response = client.get("/privacy")
    assert response.status_code == 200
    assert b"public-page" in response.content
    assert b"Dashboards</a>" not in response.content


def test_markup_outside_plain_text_tags_is_stripped():
    rendered = policy_render(
        "# Title\n\nLast updated: 2026-01-02\n\n<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(1)"> [a](javascript:alert(1)) <b style="x">bold</b>\n'
    )
    assert rendered.title == "Title"
    assert rendered.last_updated == date(2026, 1, 2)
    for forbidden in ("<script", "<img", "onerror", "javascript:", "style="):
        assert forbidden not in rendered.body_html
    assert "Last updated" not in rendered.body_html


def test_a_policy_without_a_last_updated_line_is_refused():
    with pytest.raises(PolicyFormatError):
        policy_render("# Policy\n\nNo date here.\n")


def test_the_rendering_is_reused_until_the_file_changes(tmp_path):
    path = tmp_path / "PRIVACY.md"
    path.write_text("# P\n\nLast updated: 2026-01-01\n\nfirst\n")
    first = policy_rendered(path)
    assert policy_rendered(path) is first
    path.write_text("# P\n\nLast updated: 2026-02-01\n\nsecond\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = policy_rendered(path)
    assert second.last_updated == date(2026, 2, 1)
    assert "second" in second.body_html
