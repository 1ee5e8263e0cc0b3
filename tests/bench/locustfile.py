"""The load test's users, run headless by tests/bench/test_load.py (`locust -f` this file).

Twenty staff users browse the dashboards (every page, changing the range through htmx as the
period form does) and the queues; one public client reads /privacy. Staff carry a session made
server-side by the test (no OIDC or TOTP round trip). Every request says it came through the
TLS-terminating proxy (X-Forwarded-Proto: https), as production's settings expect; anything
but a 200 counts as a failure. Each request's name, time and status go to a JSON-lines file,
so the test computes exact percentiles itself.

FLUX_LOAD_PLAN names a JSON file: {"cookie", "sessions", "proposals", "cases", "samples"}.
"""

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import HttpUser, between, constant_pacing, events, task

from tests.bench.load_paths import (
    COMPARES,
    DASHBOARDS,
    HTMX,
    PRIVACY,
    PROXY,
    QUEUES,
    RANGES,
    dashboard_path,
    item_path,
)

PLAN: dict[str, Any] = json.loads(Path(os.environ["FLUX_LOAD_PLAN"]).read_text())
_sessions = itertools.cycle(PLAN["sessions"])
_samples: list[tuple[str, float, int]] = []


@events.request.add_listener
def _record(name: str, response_time: float, response: Any, **_: Any) -> None:
    # A refused connection still has a response object, with status 0.
    _samples.append((name, response_time, int(getattr(response, "status_code", 0) or 0)))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    with Path(PLAN["samples"]).open("w") as out:
        out.writelines(json.dumps(sample) + "\n" for sample in _samples)


class Staff(HttpUser):
    """A signed-in staff member reading dashboards and working through the queues."""

    fixed_count = int(PLAN["staff"])
    wait_time = between(1, 4)  # reading time between clicks

    def on_start(self) -> None:
        self.headers = {**PROXY, "Cookie": f"{PLAN['cookie']}={next(_sessions)}"}

    @task(3)
    def dashboard(self) -> None:
        """Open a dashboard, then change its period the way the form does (an htmx GET)."""
        slug = random.choice(DASHBOARDS)
        self._get(dashboard_path(slug), f"dashboards: {slug}")
        period = dashboard_path(slug, random.choice(RANGES), random.choice(COMPARES))
        self._get(period, f"dashboards: {slug}", HTMX)

    @task(2)
    def queue(self) -> None:
        """Open a queue, sometimes one of its items."""
        name, paths = random.choice(list(QUEUES.items()))
        self._get(random.choice(paths), name)
        item = item_path(name, PLAN, random.randrange(1_000_000))
        if item:
            self._get(item, name)

    def _get(self, path: str, name: str, extra: dict[str, str] | None = None) -> None:
        headers = {**self.headers, **(extra or {})}
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class PublicClient(HttpUser):
    """Someone (or something) reading the public privacy policy, twice a second."""

    fixed_count = 1
    wait_time = constant_pacing(0.5)

    @task
    def privacy(self) -> None:
        name, path = PRIVACY
        with self.client.get(
            path, name=name, headers=PROXY, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
