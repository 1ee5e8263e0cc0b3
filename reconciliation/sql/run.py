"""One run of the PostgreSQL engine, full or incremental, in a few round trips."""

from datetime import datetime
from typing import Any

from reconciliation.inmemory import Counts
from reconciliation.rules import Clock, Thresholds
from reconciliation.sql.common import QUEUE, Result, batch
from reconciliation.sql.judge import (
    CANDIDATES,
    CODES,
    LINK_ROWS,
    PROBE,
    RECENT,
    RESULTS,
    ZIP_MARK,
    ZIP_PAIRS,
    Scope,
    codes_params,
    horizon,
    links_probable,
    load,
    probable_link,
    sla_params,
    zips_differing,
)
from reconciliation.sql.numbers import EVERY_TEXT, memo_add, unread
from reconciliation.sql.scope import TAKE, reach_close, reach_of
from reconciliation.sql.store import (
    CASES_PARAMS,
    PROBLEMS,
    cases_statements,
    links_merge,
    reopened_audit,
    results_merge,
)

SCRATCH = (
    "r_shippo", "r_order", "r_label", "r_problem", "r_move",
)  # fmt: skip
# Set for the run's own transaction only: they would outlast a run nested in someone else's.
TUNING = [
    # The plans are a few big hash joins (full) or index probes (incremental): compiling
    # them costs more than running them, and merge joins sort what hashing would not.
    "SET LOCAL jit = off",
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL enable_mergejoin = off",
    "SET LOCAL random_page_cost = 1.1",
    # What a run writes is derived: if a crash lost the last commit, the next run (whose
    # queue the lost commit did not empty) writes it again.
    "SET LOCAL synchronous_commit = off",
    # A full run's scratch tables take about 130 MB: in the session's own buffers they stay
    # off the disk. It can only be set before the session's first temporary table.
    "DO $$ BEGIN PERFORM set_config('temp_buffers', '192MB', false); "
    "EXCEPTION WHEN OTHERS THEN NULL; END $$",
]
# An incremental run reads a few rows by key: right after a big write the tables have no
# statistics yet, and a scan of every row is exactly what it must not do.
BY_KEY = ["SET LOCAL enable_seqscan = off"]
# Scratch tables outlive a run only inside an enclosing transaction (a test's).
SCRATCH_CLEARED = [f"DROP TABLE IF EXISTS {', '.join(SCRATCH)}", PROBLEMS]


def run_in_database(*, full: bool, now: datetime, tune: bool) -> Counts:
    """Judge every row (or the queued changes and what they touch) and store what moved.

    `tune`: the run owns its transaction, so it may set the planner and commit settings.
    """
    limits = Thresholds.from_settings()
    scope = Scope(Clock.at(now, limits), limits)
    opening = [f"TRUNCATE {QUEUE}", unread(EVERY_TEXT)] if full else [*BY_KEY, TAKE]
    if not tune:
        opening = [s for s in opening if s not in BY_KEY]
    settings = [*(TUNING if tune else []), *SCRATCH_CLEARED]
    results = batch([*settings, PROBE, *opening], {**scope.params(), "now": now})
    (has_codes, confirmed), first = results[len(settings)].rows[0], results[-1]
    if full:
        memo_add(first.rows)
    else:
        scope.reach = reach_of(first.rows, window=scope.window)
    chosen, loaded = _load(scope, confirmed=confirmed)
    pairs, recent = loaded[-2].rows, loaded[-1].rows
    if chosen:
        statements, params = probable_link(chosen)
        pairs = batch([*statements, ZIP_PAIRS], params)[-1].rows
    zips = zips_differing(pairs)
    params = {**scope.params(), **sla_params(scope, recent), "zips": zips, "now": now}
    statements = [] if has_codes else [CODES]
    params |= {} if has_codes else codes_params()
    statements += [ZIP_MARK] if zips else []
    statements += [
        results_merge(RESULTS, few=not full),
        links_merge(LINK_ROWS, few=not full),
        *cases_statements(),
    ]
    *_, results_written, links_written, _, _, moved = batch(statements, {**params, **CASES_PARAMS})
    reopened_audit(moved.rows)
    orders, labels = loaded[-5].count, loaded[-4].count  # r_order's and r_label's rows
    return Counts(orders, labels, results_written.rows[0][0], links_written.rows[0][0])


def _load(scope: Scope, *, confirmed: bool) -> tuple[dict[int, Any], list[Result]]:
    """Load the rows judged and link their labels; return the probable links and what the
    loading batch found (the tables' rows, candidates, ZIPs to compare, recent orders)."""
    tail = [CANDIDATES, ZIP_PAIRS, RECENT]
    params = {**scope.params(), **horizon(scope)}
    loaded = batch([*load(scope, confirmed=confirmed), *tail], params)
    chosen = links_probable(scope, loaded[-3].rows)
    reach = scope.reach
    outside = {order for order, _ in chosen.values()} - (reach.orders if reach else set())
    if reach is not None and outside:
        # A probable label went to an order outside the reach: judge that order too.
        reach.orders |= outside
        reach_close(reach, outside, set(), window=scope.window)
        drop = "DROP TABLE r_shippo, r_order, r_label"
        loaded = batch(
            [drop, *load(scope, confirmed=confirmed), *tail], {**scope.params(), **horizon(scope)}
        )
    return chosen, loaded
