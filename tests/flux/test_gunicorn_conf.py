"""The web container's gunicorn (flux/gunicorn_conf.py) logs paths, never query strings.

A real gunicorn runs the production settings in a child process; an OAuth-callback-shaped
request carries a code and a state in its query string, and the access log must name the
path and the status without them.
"""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.bench.harness import free_port
from tests.child_processes import wait_until
from tests.flux.test_settings import ROOT, strong_production_env

CODE, STATE = "one-time-code-4711", "signed-state-0815"
HEADERS = {"Host": "flux.example.ts.net", "X-Forwarded-Proto": "https"}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, headers=HEADERS, timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or a worker still starting
        return False


def _lines(log: Path) -> list[str]:
    return log.read_text().splitlines()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Start gunicorn with the container's config on loopback; yield its URL and access log."""
    port, log = free_port(), tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLUX_", "DJANGO_ALLOW"))}
    env |= {**strong_production_env(), "DATABASE_URL": "sqlite://:memory:"}
    args = [
        sys.executable, "-m", "gunicorn", "flux.wsgi:application",
        "--config", "python:flux.gunicorn_conf",
        "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/healthz"), seconds=120, what="gunicorn")
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_the_access_log_names_the_path_and_status_but_not_the_query(
    gunicorn: tuple[str, Path],
) -> None:
    url, log = gunicorn
    before = len(_lines(log))  # the readiness probes' lines
    # /healthz: every other page renders static files, which this checkout may not have built.
    answer = requests.get(f"{url}/healthz?code={CODE}&state={STATE}", headers=HEADERS, timeout=30)
    assert answer.status_code == 200
    wait_until(lambda: len(_lines(log)) > before, seconds=10, what="the access log line")
    line = _lines(log)[before]
    assert '"GET /healthz HTTP/1.1" 200' in line
    assert CODE not in log.read_text()
    assert STATE not in log.read_text()
    assert "?" not in line
