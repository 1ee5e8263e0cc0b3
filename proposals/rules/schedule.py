"""When a rule is due: every `interval_hours`, or on a five-field cron-like schedule.

The cron fields are minute, hour, day of month, month and day of week (0 = Sunday), read in
the brand's time zone, with `*`, lists, ranges and steps (e.g. "0 7 * * 1-5"). The beat checks
every 15 minutes, so a rule is due when a scheduled minute passed since its last run.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery.schedules import ParseException, crontab_parser
from django.conf import settings

from proposals.models import Rule

# A beat tick comes a few seconds later or earlier each time; an interval rule that ran at
# 07:00:05 is still due at 07:00:02 the next day rather than slipping one whole tick.
INTERVAL_SLACK = timedelta(minutes=5)
# Look back at most this far for a missed cron minute (a long-stopped beat runs a rule once).
CRON_LOOKBACK = timedelta(days=8)


class ScheduleInvalid(ValueError):
    """A cron-like schedule that does not parse."""


@dataclass(frozen=True)
class Cron:
    """A parsed five-field schedule: the allowed values of each field."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    def fires_at(self, moment: datetime) -> bool:
        """Say whether the schedule fires in the minute of `moment` (a local time)."""
        weekday = (moment.weekday() + 1) % 7  # Python's Monday=0; cron's Sunday=0
        return (
            moment.minute in self.minutes and moment.hour in self.hours
            and moment.day in self.days and moment.month in self.months
            and weekday in self.weekdays
        )  # fmt: skip


def cron_parse(text: str) -> Cron:
    """Parse "minute hour day month weekday", or raise ScheduleInvalid."""
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleInvalid("A schedule has five fields: minute hour day month weekday.")
    limits = ((60, 0), (24, 0), (31, 1), (12, 1), (7, 0))
    try:
        sets = [
            frozenset(crontab_parser(m, lo).parse(f))
            for f, (m, lo) in zip(fields, limits, strict=True)
        ]
    except (ParseException, ValueError) as error:
        raise ScheduleInvalid(f"Not a schedule: {error}") from error
    return Cron(*sets)


def rule_is_due(rule: Rule, now: datetime) -> bool:
    """Say whether an enabled rule should run now."""
    if not rule.enabled:
        return False
    if rule.last_run_at is None:
        return True
    if rule.schedule.strip():
        return cron_due(cron_parse(rule.schedule), since=rule.last_run_at, now=now)
    return now - rule.last_run_at >= timedelta(hours=rule.interval_hours) - INTERVAL_SLACK


def cron_due(cron: Cron, *, since: datetime, now: datetime) -> bool:
    """Say whether the schedule fired in a minute after `since` and up to `now`."""
    zone = ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)
    start = max(since, now - CRON_LOOKBACK).astimezone(zone).replace(second=0, microsecond=0)
    moment = start + timedelta(minutes=1)
    end = now.astimezone(zone)
    while moment <= end:
        if cron.fires_at(moment):
            return True
        moment += timedelta(minutes=1)
    return False
