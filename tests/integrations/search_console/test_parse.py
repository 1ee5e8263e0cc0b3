"""Parsing Search Console answers on owned fixtures: keys arrays, missing rows, bad numbers."""

import json
from pathlib import Path
from typing import Any

import pytest

from integrations.http import PermanentError
from integrations.search_console.oauth import property_choose
from integrations.search_console.parse import (
    MalformedAnswer,
    SearchRowRecord,
    rows_parse,
    sites_parse,
)
from integrations.search_console.sync import row_key

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_rows_follow_the_dimensions_and_counts_become_integers():
    first, second = rows_parse(fixture("rows.json"))
    assert first == SearchRowRecord(
        query="best newtons cradle",
        page="https://www.fluxengineering.example/shop/p/newtons-cradle-desk-toy",
        country="usa",
        device="MOBILE",
        clicks=3,
        impressions=412,
        position=12.4,
    )
    assert (second.country, second.device, second.position) == ("gbr", "DESKTOP", 1.0)


def test_an_answer_without_a_rows_key_has_no_rows():
    assert rows_parse(fixture("no_rows.json")) == []


@pytest.mark.parametrize(
    "name",
    [
        "missing_clicks.json",
        "nan_position.json",
        "infinite_impressions.json",
        "short_keys.json",
        "fractional_clicks.json",
    ],
)
def test_a_row_with_a_missing_or_impossible_value_is_refused(name: str):
    with pytest.raises(MalformedAnswer):
        rows_parse(fixture(name))


@pytest.mark.parametrize("answer", ["<html>", ["rows"], {"rows": {"keys": []}}, None])
def test_an_answer_that_is_not_the_documented_shape_is_refused(answer: Any):
    with pytest.raises(MalformedAnswer):
        rows_parse(answer)


def test_the_first_verified_property_is_chosen_unless_one_is_named():
    sites = sites_parse(fixture("sites.json"))
    assert property_choose(sites, account="").site_url == "sc-domain:fluxengineering.example"
    with pytest.raises(PermanentError):  # not verified: it cannot be queried
        property_choose(sites, account="https://www.fluxengineering.example/")


def test_row_keys_are_sha1_and_tell_apart_text_that_joins_alike():
    a = SearchRowRecord("a|b", "c", "usa", "MOBILE", 0, 1, 1.0)
    b = SearchRowRecord("a", "b|c", "usa", "MOBILE", 0, 1, 1.0)
    assert len(row_key(a)) == 40
    assert row_key(a) != row_key(b)
