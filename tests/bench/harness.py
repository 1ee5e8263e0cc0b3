"""What every benchmark shares: a sandbox subprocess, timing, peak memory and the table."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from django.db import connection, transaction
from django.db.models import Model

from integrations.models import SyncRun
from tests.child_processes import child_database_url

ROOT = Path(__file__).resolve().parents[2]
INGEST_SHARE_TARGET = 0.5  # the ingest stage, as a share of the PostgreSQL ceiling
PEAK_MEMORY_TARGET_MB = 300  # the sync process's peak resident memory
T = TypeVar("T")


def analyze(*models: type[Model]) -> None:
    """Give the planner the rows a sync just stored. Statistics outlive the truncation between
    benchmarks, so without this a benchmark plans against the previous one's data (reading
    back a page once took seconds); production's autovacuum keeps them current."""
    tables = ", ".join(model._meta.db_table for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class SandboxServices:
    """A running sandbox process: its HTTP base URL and its Google Ads gRPC endpoint."""

    url: str
    google_ads_endpoint: str
    google_ads_ca_file: str

    def app_env(self) -> dict[str, str]:
        """Return the settings that point the app's Meta and Google clients at this sandbox."""
        from sandbox.platforms.google_ads import DEMO_DEVELOPER_TOKEN
        from sandbox.platforms.google_oauth import GoogleApp
        from sandbox.platforms.meta import MetaApp

        google = GoogleApp()
        return {
            "META_GRAPH_URL": f"{self.url}/meta",
            "META_DIALOG_URL": f"{self.url}/meta",
            "META_APP_ID": MetaApp.app_id,
            "META_APP_SECRET": MetaApp.app_secret,
            "GOOGLE_OAUTH_URL": f"{self.url}/google",
            "GOOGLE_ACCOUNTS_URL": f"{self.url}/google",
            "GOOGLE_CLIENT_ID": google.client_id,
            "GOOGLE_CLIENT_SECRET": google.client_secret,
            "GOOGLE_ADS_DEVELOPER_TOKEN": DEMO_DEVELOPER_TOKEN,
            "GOOGLE_ADS_ENDPOINT": self.google_ads_endpoint,
            "GOOGLE_ADS_CA_FILE": self.google_ads_ca_file,
            "GRPC_VERBOSITY": "ERROR",
            "SEARCH_CONSOLE_URL": f"{self.url}/search_console/",
        }

    def child_env(self) -> dict[str, str]:
        """Return the environment of a `manage.py` child: these settings, the test database."""
        return {**self.app_env(), "DATABASE_URL": child_database_url(), "REDIS_URL": ""}


@contextmanager
def sandbox_services(
    *,
    scale: str,
    warm_path: str,
    auth: str = "",
    warm_body: dict[str, Any] | None = None,
    warm_seconds: float = 600,
) -> Iterator[SandboxServices]:
    """Run `manage.py sandbox` (HTTP and gRPC) in its own process until `warm_path` answers.

    The warm-up is a GET, or a POST of `warm_body` when given.
    """
    port = free_port()
    command = ["manage.py", "sandbox", "--scale", scale, "--port", str(port), "--json",
               "--google-ads-port", "0"]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        summary = json.loads(process.stdout.readline() or "null")  # printed once both serve
        if not summary:
            raise RuntimeError("the sandbox stopped before serving")
        services = SandboxServices(
            summary["url"], summary["google_ads_endpoint"], summary["google_ads_ca_file"]
        )
        _wait_for(f"{services.url}{warm_path}", warm_seconds, auth, warm_body)
        yield services
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def sandbox_process(
    *, scale: str, warm_path: str, auth: str = "", warm_seconds: float = 600
) -> Iterator[str]:
    """Run `manage.py sandbox` in its own process, wait until `warm_path` answers; yield its URL."""
    with sandbox_services(
        scale=scale, warm_path=warm_path, auth=auth, warm_seconds=warm_seconds
    ) as services:
        yield services.url


def _wait_for(url: str, seconds: float, auth: str, body: dict[str, Any] | None = None) -> None:
    # The first answer builds the brand (a minute at bench scale): warm it before timing.
    headers = {"User-Agent": "bench", "Authorization": f"Bearer {auth}"}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if body is None:
                requests.get(url, timeout=seconds, headers=headers)
            else:
                requests.post(url, timeout=seconds, headers=headers, json=body)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


@dataclass
class ChildRun:
    seconds: float
    peak_rss_mb: float
    stdout: str


# Runs the command as its own child and writes that child's peak resident memory to a file.
# A child forked (or vforked) straight from this process would carry this process's own peak
# into its ru_maxrss, since Linux keeps the high-water mark across exec: late in `make bench`,
# after the loaders, that alone was about 260 MB. This wrapper is small (about 10 MB), so the
# figure is the command's own.
PEAK_WRAPPER = """
import os, subprocess, sys
peak_file, *command = sys.argv[1:]
child = subprocess.Popen([sys.executable, *command])
_, status, usage = os.wait4(child.pid, 0)
with open(peak_file, "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(args: list[str], env: dict[str, str]) -> ChildRun:
    """Run `manage.py <args>` and report its wall time and its own peak resident memory."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        started = time.perf_counter()
        process = subprocess.run(  # noqa: S603
            [sys.executable, "-c", PEAK_WRAPPER, peak.name, "manage.py", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=err,
            check=False,
        )
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        peak_kb = int(peak.read() or 0)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args, stdout, stderr[-4000:])
    return ChildRun(seconds, peak_kb / 1024, stdout)


@dataclass
class SyncedEndToEnd:
    """What `manage.py sync <provider>` did in its own process."""

    child: ChildRun
    runs: list[dict[str, Any]]

    def stream_row(self, stream: str, what: str, note: str) -> "Row":
        """Return one stream's rows read and the time its run took (claim to finish)."""
        found = next(run for run in self.runs if run["stream"] == stream)
        run = SyncRun.objects.get(pk=found["run_id"])
        assert run.finished_at is not None
        seconds = (run.finished_at - run.started_at).total_seconds()
        return Row(what, run.rows_read, seconds, note)


def sync_end_to_end(
    provider: str, api_key: str, env: dict[str, str], *, account: str = ""
) -> SyncedEndToEnd:
    """Connect `provider` with a sandbox key and sync it in a child process; every run succeeds."""
    chosen = ["--account", account] if account else []
    run_child(["connect", provider, "--api-key", api_key, *chosen, "--json"], env)
    child = run_child(["sync", provider, "--json"], env)
    runs = json.loads(child.stdout)["runs"]
    assert all(run["status"] == "succeeded" for run in runs), runs
    return SyncedEndToEnd(child, runs)


def timed_pages(
    pages: Iterable[T], writers: Mapping[str, Callable[[T], object]]
) -> dict[str, float]:
    """Write each page with every writer in turn, one transaction each; return seconds by writer.

    Taking turns page by page, the writers see the same table sizes and the same machine load.
    """
    spent = dict.fromkeys(writers, 0.0)
    for page in pages:
        for name, write in writers.items():
            started = time.perf_counter()
            with transaction.atomic():
                write(page)
            spent[name] += time.perf_counter() - started
    return spent


def copy_upsert(
    table: str, key: Sequence[str], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> None:
    """Write one page the fastest way PostgreSQL offers: COPY into a staging table, one upsert.

    `rows` hold the key columns then the others; a key must appear once per page.
    """
    names = ", ".join([*key, *columns])
    stage = f"ceiling_{table}"
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "  # noqa: S608 - names from the bench
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"TRUNCATE {stage}")


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


def ingest_report(
    title: str,
    name: str,
    *,
    end_to_end: Row,
    ingest: Row,
    ceiling: Row,
    peak_mb: float,
    references: Sequence[Row] = (),
    notes: Sequence[str] = (),
) -> list[str]:
    """Print an ingest bench's table, record its figures for the closing report, return misses.

    Every rate is also given as a share of the ceiling measured in the same run; the targets
    are the ingest stage's share and the sync process's peak memory.
    """
    share = ingest.rate / ceiling.rate
    met_share, met_memory = share >= INGEST_SHARE_TARGET, peak_mb < PEAK_MEMORY_TARGET_MB
    print_table(
        title,
        [end_to_end, ingest, ceiling, *references],
        [
            *notes,
            f"ingest / ceiling: {share:.0%} (target >= {INGEST_SHARE_TARGET:.0%})",
            f"peak memory of the sync process: {peak_mb:.0f} MB (target < {PEAK_MEMORY_TARGET_MB})",
        ],
    )
    for label, row, target, met in (
        (f"end to end ({end_to_end.note})", end_to_end, "-", None),
        ("ingest stage", ingest, f">= {INGEST_SHARE_TARGET:.0%} of ceiling", met_share),
        *((reference.what, reference, "reference", None) for reference in references),
    ):
        bench_report(f"{name}: {label}", row.rate, "rows/s", target, met=met,
                     ratio=row.rate / ceiling.rate, against="ceiling")  # fmt: skip
    bench_report(f"{name}: PostgreSQL ceiling (COPY + upsert)", ceiling.rate, "rows/s",
                 "reference", met=None)  # fmt: skip
    bench_report(f"{name}: peak memory of the sync", peak_mb, "MB",
                 f"< {PEAK_MEMORY_TARGET_MB} MB", met=met_memory)  # fmt: skip
    missed = [] if met_share else [f"{name}: ingest at {share:.0%} of the ceiling"]
    return missed + ([] if met_memory else [f"{name}: peak memory {peak_mb:.0f} MB"])


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
