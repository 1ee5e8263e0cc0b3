"""Date ranges and comparisons read from the URL; presets end yesterday; bad input falls back."""

from datetime import date

import pytest
from django.http import QueryDict

from dashboards.ranges import DateRange, period_from_query

TODAY = date(2026, 11, 27)


def period(query: str):
    return period_from_query(QueryDict(query), today=TODAY)


def test_the_default_is_the_last_28_complete_days_against_the_previous_28():
    chosen = period("")
    assert chosen.current == DateRange(date(2026, 10, 30), date(2026, 11, 26))
    assert chosen.comparison == DateRange(date(2026, 10, 2), date(2026, 10, 29))
    assert chosen.current.days == 28


def test_presets_exclude_today():
    assert period("range=last_7").current.end == date(2026, 11, 26)


def test_same_period_last_year():
    chosen = period("range=custom&start=2024-02-01&end=2024-02-29&compare=yoy")
    assert chosen.comparison == DateRange(date(2023, 2, 1), date(2023, 2, 28))


def test_no_comparison():
    assert period("compare=none").comparison is None


@pytest.mark.parametrize(
    "query",
    [
        "range=custom&start=2026-13-01&end=2026-11-01",
        "range=custom&start=2026-11-10&end=2026-11-01",
        "range=custom&start=2020-01-01&end=2026-11-01",
        "range=forever",
    ],
)
def test_malformed_ranges_fall_back_with_a_message(query):
    chosen = period(query)
    assert chosen.error
    assert chosen.current.days == 28


def test_the_query_string_reproduces_a_custom_period():
    chosen = period("range=custom&start=2026-01-01&end=2026-01-31&compare=yoy")
    again = period(chosen.query())
    assert again == chosen
