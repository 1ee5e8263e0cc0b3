"""Print one table of every benchmark's figures when `make bench` ends (and keep a copy)."""

import pytest

from tests.bench.harness import REPORT, ROOT, report_lines

REPORT_COPY = ROOT / "test-output" / "bench-report.md"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the figures the benchmarks recorded, then each bench that failed or skipped."""
    if not REPORT and not terminalreporter.stats:
        return
    lines = report_lines(REPORT)
    for outcome in ("failed", "error", "skipped"):
        lines += [f"{outcome.upper()}: {r.nodeid}" for r in terminalreporter.stats.get(outcome, [])]
    terminalreporter.section("benchmark report")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT_COPY.parent.mkdir(exist_ok=True)
    REPORT_COPY.write_text("\n".join(lines) + "\n")
    terminalreporter.write_line(f"(a copy is in {REPORT_COPY.relative_to(ROOT)})")
