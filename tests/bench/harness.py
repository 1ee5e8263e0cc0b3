"""What every benchmark shares: a sandbox subprocess, timing, peak memory and the table."""

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def sandbox_process(
    *, scale: str, warm_path: str, auth: str = "", warm_seconds: float = 600
) -> Iterator[str]:
    """Run `manage.py sandbox` in its own process and wait until `warm_path` answers."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "sandbox", "--scale", scale, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}{warm_path}", warm_seconds, auth)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(url: str, seconds: float, auth: str) -> None:
    # The first answer builds the brand (a minute at bench scale): warm it before timing.
    headers = {"User-Agent": "bench", "Authorization": f"Bearer {auth}"}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=seconds, headers=headers)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_child(args: list[str], env: dict[str, str]) -> ChildRun:
    """Run `manage.py <args>` and report its wall time and peak resident memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss covers the largest child so far; a smaller earlier child does not hide this one.
    return ChildRun(seconds, max(peak_kb, before) / 1024, result.stdout)


@dataclass
class Row:
    what: str
    rows: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def print_table(title: str, rows: list[Row], extra: list[str]) -> None:
    """Print one benchmark's figures as a fixed-width table."""
    lines = [f"\n== {title} ==", f"{'stage':<44}{'rows':>10}{'seconds':>10}{'rows/s':>12}  note"]
    for row in rows:
        lines.append(
            f"{row.what:<44}{row.rows:>10,}{row.seconds:>10.2f}{row.rate:>12,.0f}  {row.note}"
        )
    lines += extra
    print("\n".join(lines), flush=True)
