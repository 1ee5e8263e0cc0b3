"""One run of the PostgreSQL engine, full or incremental, in a few round trips."""

from datetime import datetime

from reconciliation.inmemory import Counts
from reconciliation.rules import Clock, Thresholds
from reconciliation.sql.common import QUEUE, batch
from reconciliation.sql.judge import (
    CANDIDATES,
    CODES,
    CODES_EXIST,
    COUNTS,
    FOLD,
    LINK_ROWS,
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
    WRITTEN,
    cases_statements,
    links_merge,
    reopened_audit,
    results_merge,
)

SCRATCH = (
    "r_shippo", "r_order", "r_owner", "r_label", "r_fold", "r_problem", "r_move",
)  # fmt: skip
SETTINGS = [
    # The plans are a few big hash joins (full) or index probes (incremental): compiling
    # them costs more than running them, and merge joins sort what hashing would not.
    "SET LOCAL jit = off",
    "SET LOCAL work_mem = '256MB'",
    "SET LOCAL enable_mergejoin = off",
    "SET LOCAL random_page_cost = 1.1",
    # Scratch tables outlive a run only inside one test transaction.
    f"DROP TABLE IF EXISTS {', '.join(SCRATCH)}",
    PROBLEMS,
]
# An incremental run reads a few rows by key: right after a big write the tables have no
# statistics yet, and a scan of every row is exactly what it must not do.
BY_KEY = "SET LOCAL enable_seqscan = off"


def run_in_database(*, full: bool, now: datetime) -> Counts:
    """Judge every row (or the queued changes and what they touch) and store what moved."""
    limits = Thresholds.from_settings()
    scope = Scope(Clock.at(now, limits), limits)
    opening = [f"TRUNCATE {QUEUE}", unread(EVERY_TEXT)] if full else [BY_KEY, TAKE]
    results = batch([*SETTINGS, CODES_EXIST, *opening], {"now": now})
    codes, first = results[len(SETTINGS)], results[-1]
    if full:
        memo_add(first.rows)
    else:
        scope.reach = reach_of(first.rows, window=scope.window)
    chosen, (orders, labels) = _load(scope)
    statements, params = probable_link(chosen)
    *_, pairs, recent = batch([*statements, ZIP_PAIRS, RECENT], {**params, **horizon(scope)})
    zips = zips_differing(pairs.rows)
    params = {**scope.params(), **sla_params(scope, recent.rows), "zips": zips, "now": now}
    if not codes.rows[0][0]:
        statements, params = [CODES], {**params, **codes_params()}
    else:
        statements = []
    statements += [ZIP_MARK] if zips else []
    statements += [FOLD, results_merge(RESULTS), links_merge(LINK_ROWS), WRITTEN]
    written = dict(batch(statements, params)[-1].rows)
    if written:
        *_, moved = batch(cases_statements(), {**CASES_PARAMS, "now": now})
        reopened_audit(moved.rows)
    return Counts(orders, labels, written.get("order", 0), written.get("label", 0))


def _load(scope: Scope) -> tuple[dict[int, object], tuple[int, int]]:
    """Load the rows judged and link their labels; return the probable links and counts."""
    *_, candidates, counts = batch([*load(scope), CANDIDATES, COUNTS], scope.params())
    chosen = links_probable(scope, candidates.rows)
    reach = scope.reach
    outside = {order for order, _ in chosen.values()} - (reach.orders if reach else set())
    if reach is not None and outside:
        # A probable label went to an order outside the reach: judge that order too.
        reach.orders |= outside
        reach_close(reach, outside, set(), window=scope.window)
        *_, candidates, counts = batch(
            ["DROP TABLE r_shippo, r_order, r_owner, r_label", *load(scope), CANDIDATES, COUNTS],
            scope.params(),
        )
    orders, labels = counts.rows[0]
    return chosen, (int(orders), int(labels))
