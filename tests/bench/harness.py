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


# ---- the one report `make bench` ends with -----------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    """One figure of the closing report: what was measured, against what, and whether it held."""

    name: str
    value: float
    unit: str
    target: str
    met: bool | None  # None: a reference figure (a ceiling, a baseline) with no target of its own
    ratio: float | None = None
    against: str = ""


REPORT: list[ReportLine] = []


def bench_report(
    name: str,
    value: float,
    unit: str,
    target: str,
    *,
    met: bool | None,
    ratio: float | None = None,
    against: str = "",
) -> None:
    """Record one figure for the table printed when `make bench` ends.

    Call it before asserting, so a missed target still shows in the table. `ratio` compares the
    figure with a reference measured in the same run, named by `against` ("ceiling", "baseline").
    """
    REPORT.append(ReportLine(name, value, unit, target, met, ratio, against))


def report_lines(lines: list[ReportLine]) -> list[str]:
    """Render the report as a Markdown table (readable in a terminal, pasteable into docs)."""
    rows = [("benchmark", "value", "target", "ratio", "met")]
    for line in lines:
        ratio = f"{line.ratio:.2f}x {line.against}".strip() if line.ratio is not None else ""
        met = {True: "yes", False: "NO", None: "-"}[line.met]
        rows.append((line.name, _figure(line.value, line.unit), line.target, ratio, met))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    rendered = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
                for row in rows]  # fmt: skip
    rendered.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return rendered


def _figure(value: float, unit: str) -> str:
    digits = 0 if abs(value) >= 100 or float(value).is_integer() else 2 if abs(value) < 10 else 1
    return f"{value:,.{digits}f} {unit}".strip()
