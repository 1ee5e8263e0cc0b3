"""Store a judgement: write only the result and link rows that changed, then move the cases.

Rows are compared with the stored ones in one join; the new are inserted, the changed
updated. The written rows that show a problem (or have a case to clear) are noted in
r_problem, and the cases follow the same rules as reconciliation.cases (open, follow,
reopen, clear), set by set.
"""

from typing import Any

from flux.audit.actions import audit_record
from reconciliation.judge import LINK_COMPARED, RESULT_COMPARED
from reconciliation.models import QUIET_FLAGS, Case, CaseStatus
from reconciliation.sql.common import CASE, LINK, RESULT

PROBLEMS = (
    "CREATE TEMP TABLE r_problem (kind text, item bigint, problem jsonb, since timestamptz) "
    "ON COMMIT DROP"
)
RESULT_COLUMNS = (
    "order_id", "bucket", "flags", "label_ids", "tracking_numbers", "match_kind", "confidence",
    "in_shippo", "order_modified", "recheck_at",
)  # fmt: skip
LINK_COLUMNS = (
    "label_id", "number", "order_id", "kind", "confidence", "orphan", "object_state", "status",
    "tracking_status", "object_updated",
)  # fmt: skip
_QUIET = " - ".join(["d.flags", *(f"'{flag}'" for flag in sorted(QUIET_FLAGS))])


def results_merge(results: str, *, few: bool) -> str:
    """Return the statement writing the changed results; it returns how many."""
    return _merge(
        results, RESULT, RESULT_COLUMNS, RESULT_COMPARED, stamped=True,
        problem=_QUIET, kind="order", few=few,
    )  # fmt: skip


def links_merge(links: str, *, few: bool) -> str:
    """Return the statement writing the changed label links; it returns how many."""
    orphan = "CASE WHEN d.orphan THEN '[\"orphan_label\"]'::jsonb ELSE '[]'::jsonb END"
    return _merge(
        links, LINK, LINK_COLUMNS, LINK_COMPARED, stamped=False, problem=orphan, kind="label",
        few=few,
    )  # fmt: skip


def _merge(
    source: str,
    table: str,
    columns: tuple[str, ...],
    compared: tuple[str, ...],
    *,
    stamped: bool,
    problem: str,
    kind: str,
    few: bool,
) -> str:
    """Write the rows of `source` that differ from `table`'s and note their problems.

    `source` also yields `since` (when the item was placed or bought), for the cases. The run
    holds the lock, so new rows are plain inserts and the others plain updates (an upsert's
    speculative insertion costs more); the cases need only the items with a problem, or with
    a case to clear. With `few` rows the comparison and the updates probe the key (the
    planner cannot tell how few rows a CTE holds).
    """
    key = columns[0]
    names = [*columns, "evaluated_at"] if stamped else list(columns)
    values = [f"d.{c}" for c in columns] + (["%(now)s"] if stamped else [])
    sets = ", ".join(f"{name} = {value}" for name, value in zip(names[1:], values[1:], strict=True))
    old = ", ".join(f"t.{c}" for c in compared)
    new = ", ".join(f"n.{c}" for c in compared)
    probe = f" AND t.{key} = ANY(ARRAY(SELECT {key} FROM d WHERE NOT new))" if few else ""
    stored = (
        f"LEFT JOIN LATERAL (SELECT * FROM {table} t WHERE t.{key} = n.{key} OFFSET 0) t ON true"
        if few
        else f"LEFT JOIN {table} t ON t.{key} = n.{key}"
    )
    return (
        f"WITH d AS MATERIALIZED (SELECT n.*, t.{key} IS NULL AS new FROM ({source}) n "
        f"{stored} "
        f"WHERE t.{key} IS NULL OR ({old}) IS DISTINCT FROM ({new})), "
        f"inserted AS (INSERT INTO {table} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM d WHERE d.new), "
        f"updated AS (UPDATE {table} t SET {sets} FROM d "
        f"WHERE NOT d.new AND t.{key} = d.{key}{probe}), "
        f"noted AS (INSERT INTO r_problem SELECT '{kind}', d.{key}, {problem}, d.since FROM d "
        f"WHERE {problem} <> '[]' OR d.{key} IN "
        f"(SELECT {kind}_id FROM {CASE} WHERE {kind}_id IS NOT NULL)) "
        "SELECT count(*) FROM d"
    )


def cases_statements() -> list[str]:
    """Return the statements opening and moving the cases of the rows just written.

    The last one returns the cases it reopened, for the audit log.
    """
    opened = (
        f"INSERT INTO {CASE} (order_id, label_id, bucket, flags, active, status, reason, "
        "opened_at, resolved_at, reopened_count, since) "
        "SELECT CASE WHEN p.kind = 'order' THEN p.item END, "
        "CASE WHEN p.kind = 'label' THEN p.item END, p.problem->>0, p.problem, true, "
        "%(open)s, '', %(now)s, NULL, 0, p.since FROM r_problem p WHERE p.problem <> '[]' "
        f"AND NOT EXISTS (SELECT 1 FROM {CASE} c WHERE p.kind = 'order' AND c.order_id = p.item) "
        f"AND NOT EXISTS (SELECT 1 FROM {CASE} c WHERE p.kind = 'label' AND c.label_id = p.item)"
    )
    # A case follows its item's problem; a closed case whose problem came back reopens; a
    # cleared one goes inactive (closing it stays a person's call).
    moves = "CREATE TEMP TABLE r_move ON COMMIT DROP AS " + " UNION ALL ".join(
        "SELECT c.id, c.status AS old_status, c.reason AS old_reason, p.problem <> '[]' AS has, "
        "p.problem <> '[]' AND c.status <> %(open)s "
        "AND (NOT c.active OR NOT c.flags @> p.problem) AS reopen, p.problem "
        f"FROM r_problem p JOIN {CASE} c ON c.{kind}_id = p.item "
        f"WHERE p.kind = '{kind}' AND (p.problem <> '[]' OR c.active)"
        for kind in ("order", "label")
    )
    moved = (
        f"UPDATE {CASE} c SET "
        "bucket = CASE WHEN m.has THEN m.problem->>0 ELSE c.bucket END, "
        "flags = CASE WHEN m.has THEN m.problem ELSE c.flags END, active = m.has, "
        "status = CASE WHEN m.reopen THEN %(open)s ELSE c.status END, "
        "reason = CASE WHEN m.reopen THEN '' ELSE c.reason END, "
        "resolved_at = CASE WHEN m.reopen THEN NULL ELSE c.resolved_at END, "
        "reopened_count = c.reopened_count + m.reopen::int "
        "FROM r_move m WHERE c.id = m.id AND (m.reopen OR c.active <> m.has "
        "OR (m.has AND (c.bucket, c.flags) IS DISTINCT FROM (m.problem->>0, m.problem))) "
        "RETURNING c.id, c.bucket, c.reopened_count, m.reopen, m.old_status, m.old_reason"
    )
    return [opened, moves, moved]


CASES_PARAMS = {"open": CaseStatus.OPEN.value}


def reopened_audit(moved: list[tuple[Any, ...]]) -> None:
    """Audit every case the run reopened, as reconciliation.cases does."""
    for pk, bucket, reopened, reopen, status, reason in moved:
        if reopen:
            audit_record(
                actor="reconciliation",
                action="reconciliation.case_reopened",
                target=Case(pk=pk, bucket=bucket),
                before={"status": status, "reason": reason},
                after={"status": CaseStatus.OPEN.value, "reopened_count": reopened},
            )
