"""The Search Console imitation, driven by the real Google API client over loopback."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import google.oauth2.credentials
import pytest
import requests
from googleapiclient.discovery import build  # type: ignore[import-untyped]
from googleapiclient.errors import HttpError  # type: ignore[import-untyped]

from sandbox.brand.catalog import catalog_build
from sandbox.brand.search import DOMAIN_PROPERTY, PREFIX_PROPERTY, SearchData
from sandbox.platforms.google_oauth import GoogleOAuth
from sandbox.platforms.search_console import DEMO_ACCESS_TOKEN, SearchConsole
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

ANCHOR = date(2026, 11, 20)
DAY = ANCHOR - timedelta(days=10)


@pytest.fixture(scope="module")
def search() -> SearchConsole:
    options = SandboxOptions(seed=5)
    return SearchConsole(options, GoogleOAuth(options), anchor=ANCHOR, rows_per_day=40)


@pytest.fixture(scope="module")
def service(search: SearchConsole) -> Iterator[Any]:
    with running_sandbox(Sandbox([search])) as url:
        yield service_for(url, DEMO_ACCESS_TOKEN)


def service_for(url: str, token: str) -> Any:
    credentials = google.oauth2.credentials.Credentials(token)
    return build("searchconsole", "v1", credentials=credentials, static_discovery=True,
                 client_options={"api_endpoint": f"{url}/search_console/"},
                 cache_discovery=False)  # fmt: skip


def query(service: Any, site: str = DOMAIN_PROPERTY, **body: Any) -> Any:
    body = {"startDate": DAY.isoformat(), "endDate": DAY.isoformat(), **body}
    return service.searchanalytics().query(siteUrl=site, body=body).execute()


def test_sites_lists_a_verified_domain_and_an_unverified_prefix_property(service: Any):
    entries = service.sites().list().execute()["siteEntry"]
    assert {e["siteUrl"]: e["permissionLevel"] for e in entries} == {
        PREFIX_PROPERTY: "siteUnverifiedUser",
        DOMAIN_PROPERTY: "siteOwner",
    }


def test_a_day_by_all_four_dimensions_matches_the_truth(service: Any, search: SearchConsole):
    rows = query(service, dimensions=["query", "page", "country", "device"])["rows"]
    truth = search.data.day_truth(DAY)
    assert len(rows) == truth.rows
    assert sum(r["clicks"] for r in rows) == truth.clicks
    assert [r["clicks"] for r in rows] == sorted((r["clicks"] for r in rows), reverse=True)
    assert all(len(r["keys"]) == 4 for r in rows)


def test_grouping_by_date_sums_the_same_clicks(service: Any, search: SearchConsole):
    (row,) = query(service, dimensions=["date"])["rows"]
    assert row["keys"] == [DAY.isoformat()]
    assert row["impressions"] == search.data.day_truth(DAY).impressions


def test_past_the_last_row_the_answer_has_no_rows_key(service: Any):
    answer = query(service, dimensions=["query"], startRow=100_000)
    assert "rows" not in answer


def test_final_data_leaves_out_the_newest_days_and_all_adds_them_fresh(
    service: Any, search: SearchConsole
):
    week: dict[str, Any] = {"startDate": (ANCHOR - timedelta(days=6)).isoformat(),
            "endDate": ANCHOR.isoformat(), "dimensions": ["date"]}  # fmt: skip
    final = {r["keys"][0] for r in query(service, **week)["rows"]}
    everything = query(service, dataState="all", **week)
    fresh = {r["keys"][0] for r in everything["rows"]} - final
    newest = {(ANCHOR - timedelta(days=n)).isoformat() for n in (1, 2)}
    assert fresh == newest
    assert everything["metadata"]["firstIncompleteDate"] == min(newest)
    fresh_day = ANCHOR - timedelta(days=2)
    assert search.data.day_truth(fresh_day, "fresh") != search.data.day_truth(fresh_day)


@pytest.mark.parametrize(
    ("site", "body", "status"),
    [
        (PREFIX_PROPERTY, {}, 403),
        (DOMAIN_PROPERTY, {"rowLimit": 25_001}, 400),
        (DOMAIN_PROPERTY, {"dataState": "hourly_all"}, 400),
    ],
)
def test_bad_queries_are_refused_with_google_errors(
    service: Any, site: str, body: Any, status: int
):
    with pytest.raises(HttpError) as caught:
        query(service, site=site, **body)
    assert caught.value.resp.status == status
    assert caught.value.error_details[0]["reason"]


def test_an_unknown_token_is_refused(search: SearchConsole):
    with running_sandbox(Sandbox([search])) as url:
        sites = f"{url}/search_console/webmasters/v3/sites"
        answer = requests.get(sites, headers={"Authorization": "Bearer ya29.unknown"}, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["status"] == "UNAUTHENTICATED"


def test_a_rate_limit_fault_answers_429_with_a_rate_reason(service: Any, search: SearchConsole):
    search.faults.arm("query", "rate_limited")
    with pytest.raises(HttpError) as caught:
        query(service)
    assert caught.value.resp.status == 429
    assert caught.value.error_details[0]["reason"] == "rateLimitExceeded"


def test_the_brand_data_is_deterministic_and_has_the_interesting_queries():
    one = SearchData(seed=3, catalog=catalog_build(seed=3), anchor=ANCHOR)
    two = SearchData(seed=3, catalog=catalog_build(seed=3), anchor=ANCHOR)
    assert one.day_rows(DAY) == two.day_rows(DAY)
    rows = [r for n in range(60) for r in one.day_rows(ANCHOR - timedelta(days=3 + n))]
    striking = [r for r in rows if r.query.startswith("best ")]
    assert striking
    assert all(8 <= r.position <= 20 for r in striking)
    branded = [r for r in rows if r.query.startswith("flux engineering")]
    assert branded
    assert all(r.position <= 3 for r in branded)
    gift_pages = {r.page for r in rows if r.query.endswith(" gift")}
    assert len(gift_pages) >= 2


def test_decaying_guides_lose_traffic_over_the_months():
    data = SearchData(seed=3, catalog=catalog_build(seed=3), anchor=ANCHOR)
    spec = next(q for q in data.queries_of_kind("guide") if q.pages[0][0] in data.decaying_pages)
    early = data.start + timedelta(days=30)
    assert data._decay(spec, spec.pages[0][0], ANCHOR) < data._decay(spec, spec.pages[0][0], early)


def test_bench_scale_holds_about_two_million_rows():
    data = SearchData(seed=3, catalog=catalog_build(seed=3), anchor=ANCHOR, scale="bench")
    total = sum(data.row_count(data.start + timedelta(days=n)) for n in range(548))
    assert 1_900_000 <= total <= 2_100_000
