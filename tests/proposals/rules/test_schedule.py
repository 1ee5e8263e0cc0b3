"""Rules run when due: every N hours, or on a cron-like schedule, and never twice per tick."""

from datetime import UTC, datetime, timedelta

import pytest

from proposals.models import Proposal
from proposals.rules.runner import rules_run_due
from proposals.rules.schedule import ScheduleInvalid, cron_due, cron_parse, rule_is_due
from proposals.rules.tasks import rules_run_due_task
from tests.proposals.rules.factories import NOW, cond, rule_make

SPEND = [cond("spend", 7, "gt", "100")]


def test_a_rule_that_never_ran_is_due(db):
    assert rule_is_due(rule_make(conditions=SPEND), NOW)


def test_an_interval_rule_is_due_once_its_hours_have_passed(db):
    rule = rule_make(conditions=SPEND, interval_hours=24, last_run_at=NOW)
    assert not rule_is_due(rule, NOW + timedelta(hours=23))
    # A beat tick a few seconds early still counts as the next day's run.
    assert rule_is_due(rule, NOW + timedelta(hours=24) - timedelta(seconds=3))


def test_a_disabled_rule_is_never_due(db):
    assert not rule_is_due(rule_make(conditions=SPEND, enabled=False), NOW)


def test_a_cron_rule_is_due_when_a_scheduled_minute_passed_since_its_last_run(db, settings):
    settings.FLUX_BRAND_TIME_ZONE = "America/New_York"
    # 07:00 New York on 2026-03-10 (a Tuesday) is 11:00 UTC.
    rule = rule_make(conditions=SPEND, schedule="0 7 * * 1-5",
                     last_run_at=datetime(2026, 3, 10, 10, 0, tzinfo=UTC))  # fmt: skip
    assert not rule_is_due(rule, datetime(2026, 3, 10, 10, 59, tzinfo=UTC))
    assert rule_is_due(rule, datetime(2026, 3, 10, 11, 0, tzinfo=UTC))
    rule.last_run_at = datetime(2026, 3, 10, 11, 0, 5, tzinfo=UTC)
    assert not rule_is_due(rule, datetime(2026, 3, 10, 23, 0, tzinfo=UTC))


def test_a_weekday_schedule_skips_the_weekend(settings):
    settings.FLUX_BRAND_TIME_ZONE = "UTC"
    friday = datetime(2026, 3, 13, 8, 0, tzinfo=UTC)  # Monday 07:00 is 2 days 23 hours on
    cron = cron_parse("0 7 * * 1-5")
    assert not cron_due(cron, since=friday, now=friday + timedelta(days=2, hours=22))
    assert cron_due(cron, since=friday, now=friday + timedelta(days=3))


@pytest.mark.parametrize("text", ["0 7 * *", "61 * * * *", "0 7 * * moonday", "x"])
def test_a_malformed_schedule_is_refused(text):
    with pytest.raises(ScheduleInvalid):
        cron_parse(text)


def test_run_due_runs_each_due_rule_once_and_records_the_run(gear_clock):
    due = rule_make("Due", conditions=SPEND)
    rule_make("Not due", conditions=SPEND, last_run_at=NOW - timedelta(hours=1))
    rule_make("Off", conditions=SPEND, enabled=False)
    reports = rules_run_due(now=NOW)
    assert [r.rule for r in reports] == [due]
    assert Proposal.objects.get().rule == due
    due.refresh_from_db()
    assert due.last_run_at == NOW
    assert rules_run_due(now=NOW + timedelta(minutes=15)) == []


def test_a_rule_with_a_broken_schedule_does_not_stop_the_others(gear_clock):
    rule_make("Broken", conditions=SPEND, schedule="99 * * * *", last_run_at=NOW)
    fine = rule_make("Fine", conditions=SPEND)
    assert [r.rule for r in rules_run_due(now=NOW)] == [fine]


def test_the_beat_task_runs_the_due_rules(gear_clock):
    rule_make(conditions=SPEND)
    assert rules_run_due_task.delay().get() == 1
