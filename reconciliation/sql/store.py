"""Store a judgement: write only the result and link rows that changed, then move the cases.

Rows are compared with the stored ones in one join and written with one
INSERT ... ON CONFLICT DO UPDATE; every row written is noted in r_problem with the problem
it shows, and the cases follow the same rules as reconciliation.cases (open, follow,
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
_QUIET = " - ".join(["w.flags", *(f"'{flag}'" for flag in sorted(QUIET_FLAGS))])


def results_merge(results: str) -> str:
    """Return the statement writing the changed results (and noting their problems)."""
    return _merge(
        results, RESULT, RESULT_COLUMNS, RESULT_COMPARED, stamped=True,
        note=f"SELECT 'order', w.order_id, {_QUIET}, o.created_on FROM written w "
        "JOIN r_order o ON o.id = w.order_id",
    )  # fmt: skip


def links_merge(links: str) -> str:
    """Return the statement writing the changed label links (and noting orphans)."""
    return _merge(
        links, LINK, LINK_COLUMNS, LINK_COMPARED, stamped=False,
        note="SELECT 'label', w.label_id, CASE WHEN w.orphan THEN '[\"orphan_label\"]'::jsonb "
        "ELSE '[]'::jsonb END, l.created FROM written w JOIN r_label l ON l.id = w.label_id",
    )  # fmt: skip


WRITTEN = "SELECT kind, count(*) FROM r_problem GROUP BY kind"


def _merge(
    source: str,
    table: str,
    columns: tuple[str, ...],
    compared: tuple[str, ...],
    *,
    stamped: bool,
    note: str,
) -> str:
    key = columns[0]
    names = list(columns) + (["evaluated_at"] if stamped else [])
    values = [f"n.{c}" for c in columns] + (["%(now)s"] if stamped else [])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names[1:])
    old = ", ".join(f"t.{c}" for c in compared)
    new = ", ".join(f"n.{c}" for c in compared)
    return (
        f"WITH written AS (INSERT INTO {table} AS w ({', '.join(names)}) "
        f"SELECT {', '.join(values)} FROM ({source}) n LEFT JOIN {table} t ON t.{key} = n.{key} "
        f"WHERE t.{key} IS NULL OR ({old}) IS DISTINCT FROM ({new}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates} RETURNING w.*) "
        f"INSERT INTO r_problem {note}"
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
