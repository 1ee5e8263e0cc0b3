"""The Meta sandbox speaks the Graph API the way the official SDK expects it to."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from facebook_business.adobjects.adaccount import AdAccount
from facebook_business.adobjects.campaign import Campaign
from facebook_business.api import FacebookAdsApi
from facebook_business.exceptions import FacebookRequestError

from sandbox.platforms.meta import SYSTEM_USER_TOKEN, MetaApp, MetaPlatform
from sandbox.server import Sandbox, SandboxOptions
from sandbox.testing import running_sandbox

ANCHOR = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.fixture
def meta() -> MetaPlatform:
    return MetaPlatform(SandboxOptions(seed=3), anchor=ANCHOR)


@pytest.fixture
def graph(meta: MetaPlatform) -> Iterator[str]:
    with running_sandbox(Sandbox([meta])) as url:
        yield f"{url}/meta"


@pytest.fixture
def api(graph: str) -> FacebookAdsApi:
    app = MetaApp()
    api = FacebookAdsApi.init(app.app_id, app.app_secret, SYSTEM_USER_TOKEN, crash_log=False)
    api._session.GRAPH = graph
    return api


def usd(meta: MetaPlatform) -> AdAccount:
    return AdAccount(meta.brand.accounts[0].act_id)


def test_the_sdk_pages_campaigns_until_the_last_page_drops_next(
    meta: MetaPlatform, api: FacebookAdsApi
):
    cursor = usd(meta).get_campaigns(fields=["id", "name", "daily_budget"], params={"limit": 5})
    campaigns = list(cursor)
    assert len(campaigns) == 12
    assert len({c["id"] for c in campaigns}) == 12
    assert all(isinstance(c.get("daily_budget", ""), str) for c in campaigns)


def test_node_reads_and_updates_tolerate_the_sdks_trailing_slash(
    meta: MetaPlatform, api: FacebookAdsApi
):
    campaign_id = meta.brand.campaigns[0].campaign_id
    Campaign(campaign_id).api_update(params={"status": "PAUSED", "daily_budget": 7500})
    read = Campaign(campaign_id).api_get(fields=["status", "daily_budget"])
    assert read["status"] == "PAUSED"
    assert read["daily_budget"] == "7500"
    assert [w.route for w in meta.writes] == ["campaign_update"]


def test_daily_insights_match_the_brand_for_sync_and_async_reads(
    meta: MetaPlatform, api: FacebookAdsApi
):
    account = meta.brand.accounts[0]
    since, until = date(2026, 10, 1), date(2026, 10, 31)
    params = {
        "level": "campaign",
        "time_increment": 1,
        "time_range": {"since": since.isoformat(), "until": until.isoformat()},
        "limit": 100,
    }
    fields = ["campaign_id", "impressions", "spend", "actions"]
    rows = list(usd(meta).get_insights(fields=fields, params=params))
    truth = meta.brand.insights_truth(account, since, until)
    assert len(rows) == truth.rows
    assert sum(int(r["impressions"]) for r in rows) == truth.impressions
    job = usd(meta).get_insights(fields=fields, params=params, is_async=True)
    while job.api_get()["async_status"] != "Job Completed":
        pass
    assert len(list(job.get_result(params={"limit": 500}))) == truth.rows


def test_late_conversions_arrive_when_now_moves_forward(meta: MetaPlatform):
    account = meta.brand.accounts[0]
    day = meta.brand.last_reported_day(account) - timedelta(days=2)
    before = meta.brand.insights_truth(account, day, day)
    meta.brand.advance(timedelta(days=10))
    after = meta.brand.insights_truth(account, day, day)
    assert after.purchases > before.purchases
    assert after.spend_minor == before.spend_minor
    old = day - timedelta(days=40)
    assert meta.brand.insights_truth(account, old, old).purchases > 0


def test_a_throttle_is_an_http_400_with_the_usage_header(meta: MetaPlatform, api: FacebookAdsApi):
    meta.faults.arm("campaigns", "throttle_17")
    with pytest.raises(FacebookRequestError) as raised:
        list(usd(meta).get_campaigns(fields=["id"]))
    error = raised.value
    assert error.http_status() == 400
    assert error.api_error_code() == 17
    assert "X-Business-Use-Case-Usage" in error.http_headers()


def test_usage_rises_until_the_platform_throttles(meta: MetaPlatform, graph: str):
    meta.call_limit = 4
    url = f"{graph}/v26.0/{meta.brand.accounts[0].act_id}"
    seen = []
    for _ in range(5):
        answer = requests.get(url, params={"access_token": SYSTEM_USER_TOKEN}, timeout=5)
        usage = json.loads(answer.headers["X-Business-Use-Case-Usage"])
        seen.append((answer.status_code, next(iter(usage.values()))[0]["call_count"]))
    assert seen == [(200, 25), (200, 50), (200, 75), (200, 100), (400, 100)]


def test_a_wrong_appsecret_proof_is_refused(meta: MetaPlatform, graph: str):
    answer = requests.get(
        f"{graph}/v25.0/me",
        params={"access_token": SYSTEM_USER_TOKEN, "appsecret_proof": "00"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


def test_login_codes_become_short_then_long_lived_tokens_once(meta: MetaPlatform, graph: str):
    app = MetaApp()
    redirect = "http://127.0.0.1/cb"
    consent = requests.get(
        f"{graph}/v26.0/dialog/oauth",
        params={"client_id": app.app_id, "redirect_uri": redirect, "state": "s"},
        allow_redirects=False,
        timeout=5,
    )
    code = parse_qs(urlsplit(consent.headers["Location"]).query)["code"][0]
    ask = {"client_id": app.app_id, "client_secret": app.app_secret, "redirect_uri": redirect}
    url = f"{graph}/v26.0/oauth/access_token"
    short = requests.get(url, params={**ask, "code": code}, timeout=5).json()
    assert short["expires_in"] == 7200
    assert requests.get(url, params={**ask, "code": code}, timeout=5).status_code == 400
    exchange = {
        **ask,
        "grant_type": "fb_exchange_token",
        "fb_exchange_token": short["access_token"],
    }
    long = requests.get(url, params=exchange, timeout=5).json()
    assert long["expires_in"] == 60 * 86_400
    meta.expire_token(short["access_token"])
    refused = requests.get(url, params=exchange, timeout=5)
    assert refused.json()["error"]["code"] == 190


def test_instagram_publishing_waits_for_the_container(meta: MetaPlatform, graph: str):
    ig = meta.brand.ig_user_id
    token = {"access_token": SYSTEM_USER_TOKEN}
    made = requests.post(
        f"{graph}/v26.0/{ig}/media",
        params=token,
        data={"image_url": "https://example.com/a.jpg", "caption": "Hi"},
        timeout=5,
    ).json()
    publish = f"{graph}/v26.0/{ig}/media_publish"
    status = f"{graph}/v26.0/{made['id']}"
    first = requests.get(status, params={**token, "fields": "status_code"}, timeout=5).json()
    assert first["status_code"] == "IN_PROGRESS"
    early = requests.post(publish, params=token, data={"creation_id": made["id"]}, timeout=5)
    assert early.status_code == 400
    second = requests.get(status, params={**token, "fields": "status_code"}, timeout=5).json()
    assert second["status_code"] == "FINISHED"
    done = requests.post(publish, params=token, data={"creation_id": made["id"]}, timeout=5)
    assert done.status_code == 200
    assert "id" in done.json()
    limit = requests.get(f"{graph}/v26.0/{ig}/content_publishing_limit", params=token, timeout=5)
    assert limit.json()["data"][0]["quota_usage"] == 1
