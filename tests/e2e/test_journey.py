"""One staff journey through the whole product, in Chromium, against the real stack.

gunicorn, a Celery worker and beat, Redis, PostgreSQL and the sandbox run as they do in
production (tests/e2e/stack.py). A staff admin signs in through the sandbox's identity
provider, connects every platform through its own screens, watches the first syncs, reads
every dashboard, approves and undoes Claude's budget change, publishes a post, resolves a
reconciliation case, handles a deletion request and disconnects a platform. Each step leaves
a screenshot in test-output/journey/; any console error or 5xx response fails the test.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from flux.accounts.roles import Role
from tests.e2e.conftest import OUTPUT
from tests.e2e.stack import STAFF_DOMAIN, Stack, running_stack, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = OUTPUT / "journey"
SYNC_SECONDS = 240
KEYS = {"shippo": "shippo_test_demo", "anthropic": "sk-ant-sandbox-demo"}
OAUTH = ("squarespace", "meta", "google_ads", "search_console")
FIRST_SYNCS = 13  # every stream of the five data platforms (Anthropic has none)


class Journey:
    """The browser pages of the journey, the stack under them and what went wrong so far."""

    def __init__(self, stack: Stack, chromium: Any) -> None:
        self.stack = stack
        self.chromium = chromium
        self.problems: list[str] = []
        self.step = 0
        self.contexts: list[Any] = []

    def context(self) -> Any:
        """Open a browser context whose console errors and 5xx responses are recorded."""
        context = self.chromium.new_context()
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"page error: {error.error}"))
        context.on("response", self._response)
        self.contexts.append(context)
        return context

    def close(self) -> None:
        """Keep a picture of every page still open (where a failure stopped), then close."""
        for number, context in enumerate(self.contexts):
            for page in context.pages:
                page.screenshot(path=str(SHOTS / f"last-{number}.png"), full_page=True)
            context.close()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            where = message.location.get("url") or message.page.url
            self.problems.append(f"console error at {where}: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.url}")

    def shot(self, page: Any, name: str) -> None:
        """Save the next numbered screenshot of the journey."""
        self.step += 1
        page.screenshot(path=str(SHOTS / f"{self.step:02d}-{name}.png"), full_page=True)

    def go(self, page: Any, path: str) -> None:
        """Open an app page and check it answered 200."""
        response = page.goto(f"{self.stack.url}{path}")
        assert response is not None
        assert response.status == 200, f"{path} answered {response.status}"


@pytest.fixture
def journey(transactional_db: None, chromium: Any) -> Iterator[Journey]:
    for role in Role:  # the transactional flush removed the migration-made role groups
        Group.objects.get_or_create(name=role.group_name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    with running_stack(redis_url=settings.REDIS_URL, logs=SHOTS) as stack:
        journey = Journey(stack, chromium)
        yield journey
        journey.close()


def staff(username: str, role: Role) -> User:
    """Create the staff member the identity provider will sign in, holding `role`."""
    user = User.objects.create_user(username=username, email=f"{username}@{STAFF_DOMAIN}")
    user.groups.add(Group.objects.get(name=role.group_name))
    return user


def sign_in(journey: Journey, page: Any, who: User) -> None:
    """Sign in through the sandbox's OpenID provider as the identity with `who`'s address."""
    journey.go(page, "/")
    page.click("#staff-sso")
    page.click(f"a.button:has-text('<{who.email}>')")
    page.wait_for_url(f"{journey.stack.url}/")
    assert who.get_username() in page.inner_text("nav")


def connect_all(journey: Journey, page: Any) -> None:
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


def runs_shown(page: Any) -> list[list[str]]:
    """Return the cells (started, connection, stream, status, ...) of the runs on the page."""
    rows: list[list[str]] = page.eval_on_selector_all(
        "#runs tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    return rows


def first_syncs_finished(journey: Journey, page: Any) -> bool:
    """Reload the connections page; say whether every first run succeeded (fail on an error)."""
    journey.go(page, "/connections/")
    runs = runs_shown(page)
    failed = [run for run in runs if run[3] not in ("Running", "Succeeded")]
    assert failed == [], f"a first sync did not succeed: {failed}"
    return len(runs) == FIRST_SYNCS and all(run[3] == "Succeeded" for run in runs)


def sync_all(journey: Journey, page: Any) -> None:
    """Press "Sync now" on every connection, then watch the runs until all have succeeded."""
    journey.go(page, "/connections/")
    for row in range(page.locator("tr[id^=connection-]").count()):
        page.locator("tr[id^=connection-]").nth(row).locator("button:has-text('Sync now')").click()
        page.wait_for_selector(".alert-info:has-text('queued')")
    wait_for(
        lambda: first_syncs_finished(journey, page), seconds=SYNC_SECONDS, what="the first syncs"
    )


def test_a_staff_admin_goes_through_the_whole_product(journey: Journey) -> None:
    started = time.monotonic()
    admin = staff("riley.park", Role.ADMIN)
    context = journey.context()
    page = context.new_page()

    sign_in(journey, page, admin)
    journey.shot(page, "signed-in")

    connect_all(journey, page)
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == len(KEYS) + len(OAUTH)
    journey.shot(page, "connected")

    sync_all(journey, page)
    print(f"synced after {time.monotonic() - started:.0f} s")
    journey.shot(page, "first-syncs")

    assert journey.problems == []
    print(f"journey took {time.monotonic() - started:.0f} s")
