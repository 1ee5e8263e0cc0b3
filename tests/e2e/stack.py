"""The whole product on loopback: the sandbox, gunicorn, a Celery worker and beat.

The sandbox runs in the test process (so the test reads its writes and request log from
Python); gunicorn, the worker and beat are real processes on the real settings, pointed at the
sandbox the way `make demo` points the app at it, with DEBUG off and keys of their own. They
share the test database (the test is transactional), Redis, and a Celery queue no other test
uses (tests/e2e/journey_settings.py). Each process writes its output to test-output/journey/.
"""

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
import requests

from sandbox.server import Sandbox, SandboxOptions, build_sandbox
from sandbox.testing import running_google_ads, running_sandbox
from tests.child_processes import child_database_url, wait_until

ROOT = Path(__file__).resolve().parents[2]
STAFF_DOMAIN = "flux-engineering.example"
START_SECONDS = 60


@dataclass(frozen=True)
class Stack:
    """What a journey needs to know about the running product."""

    url: str  # gunicorn
    sandbox: Sandbox
    sandbox_url: str
    queue: str
    logs: Path


def free_port() -> int:
    """Return a loopback port nobody listens on (the child binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sandbox_env(sandbox: str, google_ads: tuple[str, str]) -> dict[str, str]:
    """Point every outside API and the staff sign-in at the sandbox (as DEMO_ENV does)."""
    endpoint, ca_file = google_ads
    # The consent screens live on other sites than the sign-in provider, as the real ones do.
    consent = sandbox.replace("127.0.0.1", "localhost")
    return {
        "OIDC_SERVER_URL": f"{sandbox}/oidc",
        "SQUARESPACE_API_URL": f"{sandbox}/squarespace",
        "SQUARESPACE_OAUTH_URL": f"{consent}/squarespace",
        "SQUARESPACE_CLIENT_ID": "flux-squarespace",
        "SQUARESPACE_CLIENT_SECRET": "sandbox-squarespace-secret",
        "SHIPPO_API_URL": f"{sandbox}/shippo",
        "META_GRAPH_URL": f"{sandbox}/meta",
        "META_DIALOG_URL": f"{consent}/meta",
        "META_APP_ID": "1405925561102717",
        "META_APP_SECRET": "sandbox-meta-secret",
        "GOOGLE_OAUTH_URL": f"{sandbox}/google",
        "GOOGLE_ACCOUNTS_URL": f"{consent}/google",
        "GOOGLE_CLIENT_ID": "flux-sandbox.apps.googleusercontent.com",
        "GOOGLE_CLIENT_SECRET": "sandbox-google-secret",
        "GOOGLE_ADS_DEVELOPER_TOKEN": "sandbox-developer-token",
        "GOOGLE_ADS_ENDPOINT": endpoint,
        "GOOGLE_ADS_CA_FILE": ca_file,
        "SEARCH_CONSOLE_URL": f"{sandbox}/search_console/",
        "ANTHROPIC_BASE_URL": f"{sandbox}/anthropic",
    }


def app_env(*, url: str, queue: str, redis_url: str) -> dict[str, str]:
    """Settings as production has them where loopback HTTP allows: no DEBUG, fresh keys."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return {
        "DJANGO_SETTINGS_MODULE": "tests.e2e.journey_settings",
        "FLUX_JOURNEY_QUEUE": queue,
        "DATABASE_URL": child_database_url(),
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FLUX_KEYS": f"journey1:{key}",
        "FLUX_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "FLUX_PUBLIC_URL": url,
        "FLUX_STAFF_DOMAINS": STAFF_DOMAIN,
        "FLUX_ALLOW_PASSWORD_LOGIN": "false",
        "GRPC_VERBOSITY": "ERROR",
        "LOG_LEVEL": "INFO",
    }


def commands(*, port: int, queue: str, logs: Path) -> dict[str, list[str]]:
    """The three processes, by name."""
    python = sys.executable
    return {
        "gunicorn": [
            python, "-m", "gunicorn", "flux.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--access-logfile", "-",
        ],
        "worker": [
            python, "-m", "celery", "-A", "flux", "worker", "-Q", queue, "--concurrency", "2",
            "-n", f"{queue}@%h", "--without-mingle", "--without-gossip", "--loglevel", "INFO",
        ],
        "beat": [
            python, "-m", "celery", "-A", "flux", "beat", "--loglevel", "INFO",
            "--schedule", str(logs / "beat-schedule"),
        ],
    }  # fmt: skip


@contextmanager
def child(
    name: str, command: list[str], env: dict[str, str], logs: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run one process in its own group, output in logs/<name>.log; stop the whole group."""
    with (logs / f"{name}.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading the app
        return False


@contextmanager
def running_stack(*, redis_url: str, logs: Path) -> Iterator[Stack]:
    """Start the sandbox, gunicorn, the worker and beat; stop them all on the way out."""
    logs.mkdir(parents=True, exist_ok=True)
    sandbox = build_sandbox(SandboxOptions(scale="demo"))
    queue = f"journey-{uuid.uuid4().hex[:8]}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with ExitStack() as stack:
        sandbox_url = stack.enter_context(running_sandbox(sandbox))
        google_ads = stack.enter_context(running_google_ads(sandbox))
        env = {
            # The browser tests allow async-unsafe ORM calls in this process; the app never does.
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **sandbox_env(sandbox_url, google_ads),
            **app_env(url=url, queue=queue, redis_url=redis_url),
        }
        stack.callback(_redis_forget, redis_url, queue)  # once the processes have stopped
        processes = {
            name: stack.enter_context(child(name, command, env, logs))
            for name, command in commands(port=port, queue=queue, logs=logs).items()
        }
        wait_until(lambda: _answers(url), seconds=START_SECONDS, what="gunicorn")
        dead = [name for name, process in processes.items() if process.poll() is not None]
        assert dead == [], f"{dead} stopped at start: see {logs}/<name>.log"
        yield Stack(url, sandbox, sandbox_url, queue, logs)


def _redis_forget(redis_url: str, queue: str) -> None:
    """Delete the journey's queue, its bindings and its cache keys: each is named after it."""
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"*{queue}*"))
    if keys:
        client.delete(*keys)
