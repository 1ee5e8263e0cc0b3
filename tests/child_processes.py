"""What tests that start other processes (Celery workers, manage.py) need to share."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def child_database_url() -> str:
    """Return a URL for the test database, so a child process writes where the test reads."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextmanager
def celery_worker(
    queue: str, env: Mapping[str, str], *, pool: str = "solo"
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a real Celery worker that listens on `queue` only; stop it on the way out.

    A queue of its own keeps other tests' workers from taking the test's tasks.
    """
    command = [
        sys.executable, "-m", "celery", "-A", "flux", "worker", f"--pool={pool}",
        "--concurrency=1", "-Q", queue, "--without-mingle", "--without-gossip",
        "--loglevel=WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def wait_until(
    condition: Callable[[], bool], *, seconds: float, what: str, every: float = 0.1
) -> None:
    """Poll `condition` every `every` s; fail naming `what` if it is still false after `seconds`.

    Polling a page in a browser costs the machine a page load: poll it every second or so.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def enqueueing_for_real() -> Iterator[None]:
    """Send tasks to the broker instead of running them in-process (the suite's default)."""
    from flux.celery import app

    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
