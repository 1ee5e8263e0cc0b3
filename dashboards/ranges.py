"""The date range and comparison every dashboard page reads from its URL.

Presets end yesterday in the brand's time zone: today is incomplete, so it is never mixed
into totals. The state lives in the query string (range, start, end, compare), so any view
can be shared as a link.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import QueryDict

PRESETS: dict[str, tuple[str, int]] = {
    "last_7": ("Last 7 days", 7),
    "last_28": ("Last 28 days", 28),
    "last_90": ("Last 90 days", 90),
    "last_365": ("Last 365 days", 365),
}
DEFAULT_PRESET = "last_28"
COMPARISONS = {"prev": "Previous period", "yoy": "Same period last year", "none": "No comparison"}
DEFAULT_COMPARISON = "prev"
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of brand-local days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def previous(self) -> "DateRange":
        """The period of equal length just before this one."""
        end = self.start - timedelta(days=1)
        return DateRange(end - timedelta(days=self.days - 1), end)

    def year_before(self) -> "DateRange":
        """The same calendar days one year earlier (Feb 29 falls back to Feb 28)."""
        return DateRange(_year_before(self.start), _year_before(self.end))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def brand_today() -> date:
    """Today in the brand's time zone."""
    return datetime.now(ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)).date()


@dataclass(frozen=True)
class Period:
    """What a page shows: the range, its comparison range (if any), and how they were chosen."""

    current: DateRange
    comparison: DateRange | None
    preset: str  # a PRESETS key, or "custom"
    compare: str  # a COMPARISONS key
    error: str = ""

    @property
    def label(self) -> str:
        if self.preset in PRESETS:
            return PRESETS[self.preset][0]
        return f"{self.current.start:%d %b %Y} to {self.current.end:%d %b %Y}"

    def query(self, **overrides: str) -> str:
        """The query string that reproduces this period, with optional overrides."""
        params = {"range": self.preset, "compare": self.compare}
        if self.preset == "custom":
            params |= {"start": self.current.start.isoformat(), "end": self.current.end.isoformat()}
        return urlencode(params | overrides)


def period_from_query(query: QueryDict, *, today: date | None = None) -> Period:
    """Read the period from a query string; anything malformed falls back with a message."""
    today = today or brand_today()
    compare = query.get("compare", DEFAULT_COMPARISON)
    if compare not in COMPARISONS:
        compare = DEFAULT_COMPARISON
    preset = query.get("range", DEFAULT_PRESET)
    current, error = _range(preset, query, today)
    if error:
        preset = DEFAULT_PRESET
    return Period(current, _comparison(current, compare), preset, compare, error)


def _range(preset: str, query: QueryDict, today: date) -> tuple[DateRange, str]:
    if preset in PRESETS:
        return _preset(preset, today), ""
    if preset == "custom":
        return _custom(query, today)
    return _preset(DEFAULT_PRESET, today), "Unknown range; showing the last 28 days."


def _preset(preset: str, today: date) -> DateRange:
    days = PRESETS[preset][1]
    end = today - timedelta(days=1)
    return DateRange(end - timedelta(days=days - 1), end)


def _custom(query: QueryDict, today: date) -> tuple[DateRange, str]:
    fallback = _preset(DEFAULT_PRESET, today)
    try:
        start = date.fromisoformat(query.get("start", ""))
        end = date.fromisoformat(query.get("end", ""))
    except ValueError:
        return fallback, "Dates must look like 2026-01-31; showing the last 28 days."
    if start > end:
        return fallback, "The start date is after the end date; showing the last 28 days."
    if (end - start).days >= MAX_DAYS:
        return fallback, "Ranges are limited to three years; showing the last 28 days."
    return DateRange(start, end), ""


def _comparison(current: DateRange, compare: str) -> DateRange | None:
    if compare == "prev":
        return current.previous()
    if compare == "yoy":
        return current.year_before()
    return None
