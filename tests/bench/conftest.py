"""Print one table of every benchmark's figures when `make bench` ends."""

import pytest

from tests.bench.harness import REPORT, report_lines


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write the figures the benchmarks recorded, then each bench that failed or skipped."""
    if not REPORT and not terminalreporter.stats:
        return
    terminalreporter.section("benchmark report")
    for line in report_lines(REPORT):
        terminalreporter.write_line(line)
    for outcome in ("failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            terminalreporter.write_line(f"{outcome.upper()}: {report.nodeid}")
