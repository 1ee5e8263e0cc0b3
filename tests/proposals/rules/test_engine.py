"""Rules turn matches into proposals with their evidence, notify, skip, and dry-run safely."""

from datetime import date
from decimal import Decimal

import pytest

from flux.audit.models import AuditEvent
from integrations.models import Campaign
from proposals.models import Proposal, ProposalStatus, RuleNotification
from proposals.rules.drafts import budget_target
from proposals.rules.engine import rule_dry_run, rule_run
from tests.proposals.rules.factories import NOW, campaign_make, cond, day_add, rule_make

SPEND_OVER_100 = cond("spend", 7, "gt", "100")


def run(rule):
    return rule_run(rule=rule, now=NOW)


def test_a_matching_rule_stores_a_pending_pause_with_its_evidence(gear_clock):
    rule = rule_make("High CPA", conditions=[cond("cpa", 7, "gt", "30"), SPEND_OVER_100])
    [proposal] = run(rule).proposals
    assert (proposal.status, proposal.kind, proposal.source) == ("pending", "pause", "rule")
    assert (proposal.rule, proposal.campaign) == (rule, gear_clock)
    assert (proposal.current_value, proposal.proposed_value) == ("ACTIVE", "PAUSED")
    assert 'Rule "High CPA"' in proposal.rationale
    assert "CPA over 7 days is 40.00 USD (> 30.00 USD)" in proposal.rationale
    metrics = proposal.evidence["metrics"]
    assert [(m["name"], m["window_days"], m["value"]) for m in metrics] == [
        ("cpa", 7, "40"), ("spend", 7, "200"),
    ]  # fmt: skip
    assert len(proposal.evidence["chart"]["labels"]) == 7
    assert proposal.assumptions["attribution_window"] == "7d_click_1d_view"
    assert proposal.assumptions["settling_days_left_out"] == 2
    assert Decimal(0) < proposal.confidence <= Decimal(1)
    assert proposal.expected_impact


def test_a_rule_that_does_not_match_proposes_nothing(gear_clock):
    assert run(rule_make(conditions=[cond("cpa", 7, "gt", "41")])).proposals == []
    assert not Proposal.objects.exists()


def test_minimum_data_holds_the_rule_back(gear_clock):
    # The 7-day window holds 3 days and 100 clicks.
    short_days = rule_make("Days", conditions=[SPEND_OVER_100], min_data={"days": 4})
    short_clicks = rule_make("Clicks", conditions=[SPEND_OVER_100], min_data={"clicks": 101})
    enough = rule_make("Enough", conditions=[SPEND_OVER_100], min_data={"days": 3, "clicks": 100})
    assert run(short_days).proposals == []
    assert run(short_clicks).proposals == []
    assert "3 days and 100 clicks" in rule_dry_run(rule=short_days, now=NOW).results[0].shortfall
    assert len(run(enough).proposals) == 1


def test_scope_limits_the_platform_and_the_campaigns(gear_clock):
    google = campaign_make("Search | Gear Clock", platform="google_ads")
    day_add(google, date(2026, 3, 9), spend="150.00")
    only_google = rule_make("Google", conditions=[SPEND_OVER_100], scope_platform="google_ads")
    assert [p.campaign for p in run(only_google).proposals] == [google]
    picked = rule_make("Picked", conditions=[SPEND_OVER_100], action={"type": "notify"})
    picked.scope_campaigns.set([gear_clock])
    assert [n.campaign for n in run(picked).notifications] == [gear_clock]


@pytest.mark.parametrize(
    ("budget", "pct", "target"),
    [(1999, 15, 2299), (1999, -15, 1699), (1010, 15, 1162), (1250, 10, 1375), (10_000, -90, 1000)],
)
def test_budget_changes_round_to_the_minor_unit(budget, pct, target):
    # 1999 × 1.15 = 2298.85; 1999 × 0.85 = 1699.15; 1010 × 1.15 = 1161.5 rounds half up.
    assert budget_target(budget, pct) == target


def test_a_budget_rule_proposes_the_absolute_target(gear_clock):
    Campaign.objects.filter(pk=gear_clock.pk).update(daily_budget=1999)
    rule = rule_make(conditions=[SPEND_OVER_100], action={"type": "budget_pct", "pct": 15})
    [proposal] = run(rule).proposals
    assert (proposal.kind, proposal.field) == ("budget", "daily_budget")
    assert (proposal.current_value, proposal.proposed_value, proposal.currency) == (
        1999,
        2299,
        "USD",
    )


def test_pause_and_resume_only_apply_to_campaigns_in_the_opposite_state(gear_clock):
    resume = rule_make("Resume", conditions=[SPEND_OVER_100], action={"type": "resume"})
    assert run(resume).proposals == []
    assert "not PAUSED" in rule_dry_run(rule=resume, now=NOW).results[0].skipped
    Campaign.objects.filter(pk=gear_clock.pk).update(status="PAUSED")
    [proposal] = run(resume).proposals
    assert (proposal.current_value, proposal.proposed_value) == ("PAUSED", "ACTIVE")


@pytest.mark.parametrize("status", ["pending", "approved", "executing"])
def test_a_campaign_with_an_open_proposal_is_skipped(gear_clock, status):
    rule = rule_make(conditions=[SPEND_OVER_100])
    [first] = run(rule).proposals
    Proposal.objects.filter(pk=first.pk).update(status=status)
    assert run(rule).proposals == []
    assert f"#{first.pk}" in rule_dry_run(rule=rule, now=NOW).results[0].skipped


def test_a_closed_proposal_does_not_stop_a_new_one(gear_clock):
    rule = rule_make(conditions=[SPEND_OVER_100])
    [first] = run(rule).proposals
    Proposal.objects.filter(pk=first.pk).update(status=ProposalStatus.REJECTED)
    assert len(run(rule).proposals) == 1


def test_a_guardrail_break_is_stored_blocked_and_shown_in_the_dry_run(gear_clock, loose_guardrails):
    loose_guardrails.protected_campaigns.add(gear_clock)
    rule = rule_make(conditions=[SPEND_OVER_100])
    [verdict] = rule_dry_run(rule=rule, now=NOW).results
    assert verdict.guardrails == ("Gear Clock is a protected campaign.",)
    [proposal] = run(rule).proposals
    assert proposal.status == "blocked"
    assert "protected" in proposal.blocked_reason


def test_notify_leaves_a_notification_and_an_audit_event_but_no_proposal(gear_clock):
    rule = rule_make("Watch CTR", conditions=[cond("ctr", 7, "lt", "3")], action={"type": "notify"})
    report = run(rule)
    assert report.proposals == []
    assert not Proposal.objects.exists()
    [notice] = RuleNotification.objects.all()
    assert notice.campaign == gear_clock
    assert "CTR (%) over 7 days is 2.50%" in notice.message
    event = AuditEvent.objects.get(action="rule.notify")
    assert event.target_id == str(rule.pk)
    assert event.after is not None
    assert event.after["campaign_id"] == gear_clock.pk


def test_a_dry_run_writes_nothing(gear_clock, loose_guardrails):
    rule = rule_make(conditions=[SPEND_OVER_100])
    notify = rule_make("N", conditions=[SPEND_OVER_100], action={"type": "notify"})
    counts = (
        Proposal.objects.count(),
        AuditEvent.objects.count(),
        RuleNotification.objects.count(),
    )
    report = rule_dry_run(rule=rule, now=NOW)
    rule_dry_run(rule=notify, now=NOW)
    assert report.results[0].draft is not None
    assert report.results[0].acts
    assert counts == (0, AuditEvent.objects.count(), 0) == (
        Proposal.objects.count(), AuditEvent.objects.count(), RuleNotification.objects.count(),
    )  # fmt: skip
    rule.refresh_from_db()
    assert rule.last_run_at is None


def test_a_run_records_when_it_ran(gear_clock):
    rule = rule_make(conditions=[SPEND_OVER_100])
    run(rule)
    rule.refresh_from_db()
    assert rule.last_run_at == NOW


def test_a_rule_with_broken_json_reports_why_and_stores_nothing(gear_clock):
    rule = rule_make(conditions=[cond("cpm", 7, "gt", "1")])
    assert "unknown metric" in run(rule).error
    assert "unknown metric" in rule_dry_run(rule=rule, now=NOW).error
    assert not Proposal.objects.exists()
