"""Every fault class a platform can answer a write with, through an approved change or a post.

The hard ones are those that hide whether the write landed: a timeout, a garbled or cut-off
answer. For each class (tests/reliability/fault_classes.py) the write is made once: the
sandbox's write log shows exactly one, or none when the platform refused the token, and the
proposal's or the post's page says how it ended.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from integrations.connections import connection_sync
from integrations.google_ads.client import GoogleAdsApi
from integrations.models import Campaign, Connection
from proposals.approval import proposal_approve
from proposals.models import Proposal
from social.approval import post_approve, post_schedule, post_submit
from social.models import Post
from social.publishing import post_publish
from tests.integrations.google_ads.conftest import Ads, ads
from tests.proposals.conftest import Graph, graph, key_connection, loose_guardrails, meta_campaign
from tests.proposals.factories import budget_proposal
from tests.reliability.fault_classes import FaultClass, written
from tests.reliability.pages import element_text, staff_page
from tests.reliability.sync_cases import SLOW_SECONDS
from tests.social.conftest import Meta, approver, author, compose, connection, images, meta

__all__ = [
    "ads", "approver", "author", "compose", "connection", "graph", "images", "key_connection",
    "loose_guardrails", "meta", "meta_campaign",
]  # fmt: skip
pytestmark = pytest.mark.django_db
REFUSED = (FaultClass.EXPIRED_TOKEN,)  # the platform refuses; nothing may be written


def ids(pairs: list[tuple[FaultClass, str]]) -> list[Any]:
    return [
        pytest.param(fault_class, fault, id=fault_class.name.lower())
        for fault_class, fault in pairs
    ]


def approve(proposal: Proposal, operator: User, capture: Any) -> None:
    with capture(execute=True):  # the execution task runs in-process, retries included
        proposal_approve(proposal=proposal, user=operator, note="fault test")


def assert_proposal_page_says(viewer: User, proposal: Proposal, status: str, run: str) -> None:
    page = staff_page(viewer, f"/proposals/{proposal.pk}/")
    assert element_text(page, "data-testid", "proposal-status") == status
    assert element_text(page, "data-testid", "execution-status") == run
    error = proposal.executions.get().error
    assert error in page


@pytest.mark.parametrize(("fault_class", "fault"), ids(written("meta")))
def test_a_meta_budget_write_meets_a_fault_and_lands_once(
    graph: Graph, meta_campaign: Campaign, operator: User, viewer: User, make_user: Any,
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any,
    fault_class: FaultClass, fault: str,
) -> None:  # fmt: skip
    # Wait for real (capped): a retry must come after a slow write has landed, as in production.
    monkeypatch.setattr("integrations.meta.client.pause", lambda s: time.sleep(min(s, 2.0)))
    found = graph.brand.campaign(meta_campaign.external_id)
    assert found is not None
    old = int(graph.platform.campaign_json(found)["daily_budget"])
    proposal = budget_proposal(meta_campaign, old + 700, by=make_user("author", "operator"))
    graph.platform.faults.arm("campaign_update", fault)

    approve(proposal, operator, django_capture_on_commit_callbacks)

    time.sleep(SLOW_SECONDS if fault_class == FaultClass.SLOW else 0)  # let a late write land
    proposal.refresh_from_db()
    writes = [w.body for w in graph.platform.writes]
    if fault_class in REFUSED:
        assert writes == []
        assert_proposal_page_says(viewer, proposal, "Failed", "Failed")
    else:
        assert writes == [f"daily_budget={old + 700}"]
        assert_proposal_page_says(viewer, proposal, "Executed", "Succeeded")


@pytest.fixture
def google_campaign(ads: Ads, loose_guardrails: object) -> Campaign:
    token = ads.google.issue_refresh_token()
    call_command("connect", "google_ads", "--api-key", token, "--account", ads.platform.customer_id)
    connection_sync(connection_id=Connection.objects.get().pk, streams=["campaigns"])
    return Campaign.objects.filter(status="ACTIVE", daily_budget__gt=0).order_by("pk")[0]


@pytest.mark.parametrize(("fault_class", "fault"), ids(written("google_ads")))
def test_a_google_ads_budget_write_meets_a_fault_and_lands_once(
    ads: Ads, google_campaign: Campaign, operator: User, viewer: User, make_user: Any,
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any,
    fault_class: FaultClass, fault: str,
) -> None:  # fmt: skip
    # Back off well past a slow write (its call may set off late on a loaded machine), so the
    # retry's read sees it land; otherwise do not wait.
    wait = 2 * SLOW_SECONDS if fault_class == FaultClass.SLOW else 0.0
    monkeypatch.setattr(GoogleAdsApi, "_wait", lambda self, error, attempt: time.sleep(wait))
    monkeypatch.setattr("integrations.google_ads.client.CALL_TIMEOUT_SECONDS", 1.0)
    ads.platform.slow_seconds = SLOW_SECONDS
    old = google_campaign.daily_budget or 0
    proposal = budget_proposal(google_campaign, old + 100, by=make_user("author", "operator"))
    ads.platform.faults.arm("MutateCampaignBudgets", fault)

    approve(proposal, operator, django_capture_on_commit_callbacks)

    time.sleep(wait)  # let a late write land before counting
    proposal.refresh_from_db()
    assert [w.route for w in ads.platform.writes] == ["MutateCampaignBudgets"]
    assert_proposal_page_says(viewer, proposal, "Executed", "Succeeded")


def publish_until_settled(post: Post, attempts: int = 3) -> Post:
    """Run the publisher as the every-minute beat would, until the post stops being retried."""
    assert post.scheduled_at is not None
    for minute in range(attempts):
        post = post_publish(post_id=post.pk, now=post.scheduled_at + timedelta(minutes=minute + 1))
        if post.status not in ("scheduled", "publishing"):
            return post
        time.sleep(SLOW_SECONDS)  # a timed-out write lands before the next try looks for it
    return post


@pytest.mark.parametrize("route", ["feed", "media_publish"])
@pytest.mark.parametrize(("fault_class", "fault"), ids(written("meta")))
def test_a_post_meets_a_fault_on_each_channel_and_is_published_once(
    meta: Meta, connection: Connection, compose: Callable[..., Post], author: User,
    approver: User, viewer: User, monkeypatch: pytest.MonkeyPatch, route: str,
    fault_class: FaultClass, fault: str,
) -> None:  # fmt: skip
    monkeypatch.setattr("integrations.meta.client.TIMEOUT_SECONDS", 0.5)
    meta.platform.slow_seconds = 1.0
    post = compose()
    post_submit(post=post, user=author)
    post_approve(post=post, user=approver)
    post_schedule(post=post, user=approver)
    meta.platform.faults.arm(route, fault)

    post = publish_until_settled(post)

    refused = fault_class in REFUSED
    assert len(meta.writes(route)) == (0 if refused else 1)
    assert len(meta.writes("feed" if route == "media_publish" else "media_publish")) == 1
    page = staff_page(viewer, f"/social/{post.pk}/")
    channel = element_text(
        page, "id", "channel-facebook" if route == "feed" else "channel-instagram"
    )
    if refused:
        assert element_text(page, "id", "post-status") == "Partly published"
        assert "Failed" in channel
        assert "access token" in channel
    else:
        assert element_text(page, "id", "post-status") == "Published"
        assert "Published" in channel
