"""Browser fixtures: Debian's Chromium through Playwright, signed-in pages, console errors fail.

Never downloads a browser: tests skip when /usr/bin/chromium is missing (install the Debian
`chromium` package).
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

# Playwright's sync API runs an event loop in this thread; the ORM calls here stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Launch Debian's Chromium once per session."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: object) -> Iterator[object]:
    """Open a fresh page; any console error or page error fails the test."""
    context = chromium.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


@pytest.fixture
def sign_in(live_server: object) -> Callable[[object, User], None]:
    """Return a helper that gives `page` a signed-in session for `user`."""

    def signed_in(page: object, user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        url = live_server.url  # type: ignore[attr-defined]
        page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": url}])  # type: ignore[attr-defined]

    return signed_in


@pytest.fixture
def screenshot() -> Callable[[object, str], Path]:
    """Return a helper that saves a full-page screenshot under test-output/."""

    def save(page: object, name: str) -> Path:
        OUTPUT.mkdir(exist_ok=True)
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        return path

    return save
