"""One staff journey through the whole product, in Chromium, against the real stack.

gunicorn, a Celery worker and beat, Redis, PostgreSQL and the sandbox run as they do in
production (tests/e2e/stack.py). A staff admin signs in through the sandbox's identity
provider, connects every platform through its own screens, watches the first syncs, reads
every dashboard, approves and undoes Claude's budget change, publishes a post, resolves a
reconciliation case, handles a deletion request and disconnects a platform. Each step leaves
a screenshot in test-output/journey/; any console error or 5xx response fails the test.
"""

import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, WebError

from dashboards.views.base import PAGES
from flux.accounts.roles import Role
from flux.celery import app
from sandbox.platforms.squarespace import Squarespace
from social.forms import brand_zone
from tests.child_processes import enqueueing_for_real, wait_until
from tests.e2e.conftest import OUTPUT
from tests.e2e.stack import STAFF_DOMAIN, Stack, running_stack
from tests.social.conftest import ImageHost, images  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = OUTPUT / "journey"
POLL = 1.0  # seconds between two loads of a page being watched
SYNC_SECONDS = 240
WORK_SECONDS = 60  # an agent run, an execution, a publish
PUBLISH_SECONDS = 150  # beat publishes due posts at each whole minute
KEYS = {"shippo": "shippo_test_demo", "anthropic": "sk-ant-sandbox-demo"}
OAUTH = ("squarespace", "meta", "google_ads", "search_console")
FIRST_SYNCS = {  # every stream of the five data platforms (Anthropic has none)
    "Squarespace": {"orders", "inventory"},
    "Shippo": {"shipments", "labels", "shippo_orders"},
    "Meta": {"campaigns", "insights", "page_posts", "instagram_media"},
    "Google Ads": {"campaigns", "metrics", "search_terms"},
    "Search Console": {"search_analytics"},
}


class Journey:
    """The browser pages of the journey, the stack under them and what went wrong so far."""

    def __init__(self, stack: Stack, chromium: Browser) -> None:
        self.stack = stack
        self.chromium = chromium
        self.problems: list[str] = []
        self.step = 0
        self.contexts: list[BrowserContext] = []

    def context(self) -> BrowserContext:
        """Open a browser context whose console errors and 5xx responses are recorded."""
        context = self.chromium.new_context()
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        context.on("response", self._response)
        self.contexts.append(context)
        return context

    def close(self, *, failed: bool) -> None:
        """Close every page; after a failure, keep a picture of each one where it stopped."""
        for number, context in enumerate(self.contexts):
            for page in context.pages if failed else []:
                page.screenshot(path=str(SHOTS / f"failed-{number}.png"), full_page=True)
            context.close()

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or (message.page.url if message.page else "?")
            self.problems.append(f"console error at {where}: {message.text}")

    def _web_error(self, error: WebError) -> None:
        self.problems.append(f"page error: {error.error}")

    def _response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")

    def shot(self, page: Page, name: str) -> None:
        """Save the next numbered screenshot of the journey."""
        self.step += 1
        page.screenshot(path=str(SHOTS / f"{self.step:02d}-{name}.png"), full_page=True)

    def go(self, page: Page, path: str) -> None:
        """Open an app page and check it answered 200."""
        response = page.goto(f"{self.stack.url}{path}")
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, transactional_db: None, chromium: Browser
) -> Iterator[Journey]:
    for role in Role:  # the transactional flush removed the migration-made role groups
        Group.objects.get_or_create(name=role.group_name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    failures = request.session.testsfailed
    with running_stack(redis_url=settings.REDIS_URL, logs=SHOTS) as stack:
        journey = Journey(stack, chromium)
        yield journey
        failed = request.session.testsfailed > failures
        if failed:  # a 500 or a script error is often the cause of what failed
            print("browser problems:", *journey.problems, sep="\n  ")
        journey.close(failed=failed)


def watch(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    """Check a page (each check loads it) once a second until `condition` holds."""
    wait_until(condition, seconds=seconds, what=what, every=POLL)


def staff(username: str, role: Role) -> User:
    """Create the staff member the identity provider will sign in, holding `role`."""
    user = User.objects.create_user(username=username, email=f"{username}@{STAFF_DOMAIN}")
    user.groups.add(Group.objects.get(name=role.group_name))
    return user


def sign_in(journey: Journey, page: Page, who: User) -> None:
    """Sign in through the sandbox's OpenID provider as the identity with `who`'s address."""
    journey.go(page, "/")
    page.click("#staff-sso")
    page.click(f"a.button:has-text('<{who.email}>')")
    page.wait_for_url(f"{journey.stack.url}/")
    assert who.get_username() in page.inner_text("nav")


def connect_all(journey: Journey, page: Page) -> None:
    """Connect the key platforms on their forms and the OAuth ones through their consent."""
    for provider, key in KEYS.items():
        journey.go(page, "/connections/")
        page.fill(f"#key-{provider}", key)
        page.click(f"#connect-{provider} button:has-text('Connect')")
        page.wait_for_selector(".alert-success")
    for provider in OAUTH:
        journey.go(page, "/connections/")
        page.click(f"#connect-{provider} button:has-text('Connect with')")
        page.wait_for_url(f"{journey.stack.url}/connections/")
        assert "Connected" in page.inner_text(".alert-success")


def connection_runs(journey: Journey, page: Page, label: str) -> list[list[str]]:
    """Open a connection's page from the connections list; return its runs' cells."""
    journey.go(page, "/connections/")
    link = page.locator(f"tr[id^=connection-] a:text-is('{label}')").get_attribute("href")
    journey.go(page, str(link))
    rows: list[list[str]] = page.eval_on_selector_all(
        "table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return rows  # started, finished, stream, trigger, status, ...


def first_syncs_finished(journey: Journey, page: Page, label: str) -> bool:
    """Say whether every stream of the connection has synced (fail on a failed run)."""
    runs = connection_runs(journey, page, label)
    failed = [run for run in runs if run[4] not in ("Running", "Succeeded")]
    assert failed == [], f"a first sync of {label} did not succeed: {failed}"
    synced = {run[2] for run in runs if run[4] == "Succeeded"}
    return synced >= FIRST_SYNCS[label] and all(run[4] == "Succeeded" for run in runs)


def sync_all(journey: Journey, page: Page) -> None:
    """Press "Sync now" on every connection, then watch each one's runs until all succeeded."""
    journey.go(page, "/connections/")
    for row in range(page.locator("tr[id^=connection-]").count()):
        page.locator("tr[id^=connection-]").nth(row).locator("button:has-text('Sync now')").click()
        page.wait_for_selector(".alert-info:has-text('queued')")
    deadline = time.monotonic() + SYNC_SECONDS
    for label in FIRST_SYNCS:
        finished = partial(first_syncs_finished, journey, page, label)
        left = max(deadline - time.monotonic(), 1.0)
        watch(finished, seconds=left, what=f"the first syncs of {label}")
    journey.go(page, "/connections/")


def orders_counted(journey: Journey, page: Page) -> bool:
    """Reload the overview; say whether it counts orders (its rollups follow each sync)."""
    journey.go(page, "/dashboards/overview/")
    orders = page.locator(".metric .card-body").filter(
        has=page.locator("div.small", has_text=re.compile(r"^Orders$"))
    )
    return orders.locator(".fs-4").inner_text() not in ("0", "–")


def dashboards(journey: Journey, page: Page) -> None:
    """Open every dashboard from the dashboards' own navigation, once they show the orders."""
    watch(lambda: orders_counted(journey, page), seconds=WORK_SECONDS, what="the rollups")
    for slug, label, _icon in PAGES:
        page.click(f"ul[aria-label=Dashboards] a:has-text('{label}')")
        page.wait_for_function(
            "label => document.querySelector('#dashboard-body h1')?.innerText === label", arg=label
        )
        page.wait_for_load_state("networkidle")
        journey.shot(page, f"dashboard-{slug}")


def agent_run(journey: Journey, page: Page) -> str:
    """Run the agent from the AI call log; return the path of the budget change it proposed."""
    journey.go(page, "/proposals/ai/")
    page.click("button:has-text('Run the agent now')")
    page.wait_for_selector(".alert-success:has-text('queued')")

    call = "td a[href^='/proposals/ai/']"

    def call_listed() -> bool:
        journey.go(page, "/proposals/ai/")
        return page.locator(call).count() > 0

    watch(call_listed, seconds=WORK_SECONDS, what="the agent's call")
    page.click(call)
    assert page.inner_text("dt:has-text('Status') + dd") == "OK"
    journey.shot(page, "agent-call")
    link = page.locator("li a:has-text('Budget change')").first
    path = str(link.get_attribute("href"))
    assert "(Pending)" in link.locator("xpath=..").inner_text()
    return path


def approve_and_undo(journey: Journey, page: Page, path: str) -> None:
    """Approve the budget change, watch it write once, then undo it with one more write."""
    journey.go(page, path)
    target = page.inner_text(".proposal-diff tr:has(th:text-is('Target')) td")
    named = re.search(r"\((\w+)\)$", target)  # the platform, as in "Sales | 008 (meta)"
    assert named is not None
    writes = journey.stack.sandbox.platforms[named[1]].writes
    before = len(writes)
    journey.shot(page, "budget-proposal")
    page.fill("#id_note", "Worth a try at this CPA")
    page.click("button:has-text('Approve')")
    status = page.locator("[data-testid=proposal-status]")
    status.filter(has_text="Executed").wait_for(timeout=WORK_SECONDS * 1000)  # htmx polls
    assert len(writes) == before + 1, f"one write to {named[1]}, not {writes[before:]}"
    journey.shot(page, "budget-executed")

    page.click("button:has-text('Undo')")
    status.filter(has_text="Undone").wait_for(timeout=WORK_SECONDS * 1000)
    assert len(writes) == before + 2, f"one write to undo it, not {writes[before + 1 :]}"
    forward, undo = writes[before:]
    assert (undo.route, undo.path) == (forward.route, forward.path)
    assert undo.body != forward.body
    executions = page.locator("[data-testid=execution-status]").all_inner_texts()
    assert executions == ["Succeeded", "Succeeded"]
    journey.shot(page, "budget-undone")


def publish_time(*, margin: int = 15) -> datetime:
    """Return the first whole minute at least `margin` seconds away, in the brand's zone."""
    soon = timezone.now() + timedelta(seconds=margin + 60)
    return soon.replace(second=0, microsecond=0).astimezone(brand_zone())


def post_schedule(journey: Journey, author: Page, approver: Page, image: str) -> str:
    """Compose a post as `author`; `approver` approves and schedules it. Return its path."""
    journey.go(author, "/social/new/")
    author.fill("#id_title", "Workshop open day")
    author.check("input[name=channels][value=facebook]")
    author.fill("#id_caption_facebook", "The workshop is open on Saturday: come and see.")
    author.fill("#id_image_urls", image)
    author.fill("#id_scheduled_at", publish_time().strftime("%Y-%m-%dT%H:%M"))
    author.click("text=Create draft")
    author.wait_for_url("**/edit/")
    author.click("button[value=submit]")
    author.wait_for_selector("text=Awaiting approval")
    path = author.url.removeprefix(journey.stack.url)

    journey.go(approver, path)
    approver.fill("#id_note", "Good to go")
    approver.click("button:has-text('Approve')")
    approver.wait_for_selector("#post-status:has-text('Approved')")
    approver.click("button:has-text('Schedule')")
    approver.wait_for_selector("#post-status:has-text('Scheduled')")
    journey.shot(approver, "post-scheduled")
    return path


def post_published(journey: Journey, page: Page, path: str) -> None:
    """Watch the post's page until beat and the worker have published it."""

    def published() -> bool:
        journey.go(page, path)
        return page.inner_text("#post-status") == "Published"

    watch(published, seconds=PUBLISH_SECONDS, what="the post to be published")
    journey.shot(page, "post-published")


def case_resolve(journey: Journey, page: Page, owner: User) -> None:
    """Open the first exception whose problem still stands, take it and resolve it."""
    journey.go(page, "/reconciliation/")
    journey.shot(page, "reconciliation-exceptions")
    cases = page.locator("#case-table tbody tr")
    cases.filter(has_not=page.locator(".badge", has_text="cleared")).first.locator("a").click()
    page.select_option("#id_owner", str(owner.pk))
    page.click("#assign-form button[type=submit]")
    page.wait_for_selector(f"#case-owner:text-is('{owner.get_username()}')")
    page.fill("#close-form input[name=reason]", "Reshipped; the customer has the parcel")
    page.click("#close-form button[value=resolved]")
    page.wait_for_selector("#case-status:has-text('Resolved')")
    journey.shot(page, "reconciliation-case-resolved")


def customer_email(stack: Stack) -> str:
    """Return the email of a customer whose orders the first sync stored."""
    shop = stack.sandbox.platforms["squarespace"]
    assert isinstance(shop, Squarespace)
    emails = (shop.brand.order_json(shop.brand.plan(n))["customerEmail"] for n in range(50))
    return str(next(email for email in emails if email))


def deletion_request(journey: Journey, staff_page: Page) -> None:
    """A customer asks on the public page; staff erase their data; the status page says so."""
    visitor = journey.context().new_page()
    journey.go(visitor, "/data-deletion")
    visitor.fill("#id_email", customer_email(journey.stack))
    visitor.click("button:has-text('Send deletion request')")
    code = visitor.inner_text("#confirmation-code")
    journey.shot(visitor, "deletion-requested")

    journey.go(staff_page, "/data-deletion/requests/")
    staff_page.click("table tbody tr a")
    staff_page.click("button:has-text('Erase and complete')")
    erased = re.search(r"completed: (\d+) rows erased", staff_page.inner_text(".alert-success"))
    assert erased is not None
    assert int(erased[1]) > 0, "the customer's orders were erased"
    journey.shot(staff_page, "deletion-processed")

    journey.go(visitor, f"/data-deletion/status/{code}")
    assert visitor.inner_text("#status") == "Completed"


def disconnect(journey: Journey, page: Page, provider: str, label: str) -> None:
    """Disconnect `provider`; the next scheduled sync skips it and sends it no request."""
    journey.go(page, "/connections/")
    row = page.locator(f"tr[id^=connection-]:has(a:text-is('{label}'))")
    row.locator("summary:has-text('Disconnect')").click()
    row.locator("button:has-text('Yes, disconnect')").click()
    page.wait_for_selector(f".alert-success:has-text('Disconnected {label}')")
    assert row.locator(".badge").inner_text() == "Revoked"
    assert row.locator("button:has-text('Sync now')").count() == 0
    journey.shot(page, "disconnected")
    after = time.time()

    runs = len(connection_runs(journey, page, label))
    shop_runs = len(connection_runs(journey, page, "Squarespace"))
    tick: dict[str, Any] = settings.CELERY_BEAT_SCHEDULE["sync-orders-and-shipments"]
    app.loader.import_default_modules()
    with enqueueing_for_real():  # send the entry the way beat does
        app.tasks[tick["task"]].apply_async(kwargs=tick["kwargs"], queue=journey.stack.queue)

    def shop_synced() -> bool:
        shop = connection_runs(journey, page, "Squarespace")
        return len(shop) > shop_runs and all(run[4] != "Running" for run in shop)

    watch(shop_synced, seconds=WORK_SECONDS, what="the scheduled sync of the shop")
    journey.shot(page, "scheduled-sync")
    assert len(connection_runs(journey, page, label)) == runs, "the schedule skipped it"
    fetched = [r for r in journey.stack.sandbox.platforms[provider].request_log if r.at > after]
    assert fetched == [], f"{label} was still fetched after disconnecting: {fetched}"


def test_a_staff_admin_goes_through_the_whole_product(
    journey: Journey,
    images: ImageHost,  # noqa: F811 - the fixture
) -> None:
    started = time.monotonic()
    admin = staff("riley.park", Role.ADMIN)
    operator = staff("morgan.lee", Role.OPERATOR)
    context = journey.context()
    page = context.new_page()

    sign_in(journey, page, admin)
    journey.shot(page, "signed-in")

    connect_all(journey, page)
    assert page.locator("tr[id^=connection-]").count() == len(KEYS) + len(OAUTH)
    journey.shot(page, "connected")

    sync_all(journey, page)
    print(f"synced after {time.monotonic() - started:.0f} s")
    journey.shot(page, "first-syncs")

    dashboards(journey, page)
    approve_and_undo(journey, page, agent_run(journey, page))
    print(f"undone after {time.monotonic() - started:.0f} s")

    colleague = journey.context().new_page()
    sign_in(journey, colleague, operator)
    post = post_schedule(journey, page, colleague, images("square.jpg"))
    case_resolve(journey, page, admin)  # while the post waits for its minute
    deletion_request(journey, page)
    post_published(journey, page, post)
    print(f"published after {time.monotonic() - started:.0f} s")

    disconnect(journey, page, "shippo", "Shippo")

    assert journey.problems == []
    print(f"journey took {time.monotonic() - started:.0f} s")
