"""Cases: opened and reopened by the engine, owned, noted, resolved or ignored by staff."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flux.audit.actions import Actor, audit_record
from reconciliation.models import (
    QUIET_FLAGS,
    Case,
    CaseNote,
    CaseStatus,
    Decision,
    LabelLink,
    MatchDecision,
    MatchKind,
    OrderResult,
)

Item = tuple[str, int]  # ("order", pk) or ("label", pk)


def cases_sync(
    *,
    world: Any,
    judged: Any,
    results: dict[int, dict[str, Any]],
    links: dict[int, dict[str, Any]],
    now: datetime,
) -> None:
    """Open, follow, reopen and clear the cases of every result the run changed."""
    items: dict[Item, tuple[list[str], datetime]] = {}
    for pk, row in results.items():
        problem = [f for f in row["flags"] if f not in QUIET_FLAGS]
        items[("order", pk)] = (problem, world.orders[pk].facts.created_on)
    for pk, row in links.items():
        items[("label", pk)] = (["orphan_label"] if row["orphan"] else [], world.labels[pk].created)
    existing = _cases_for(items) if Case.objects.exists() else {}
    new, moved = [], []
    for item, (problem, since) in items.items():
        case = existing.get(item)
        if case is None and problem:
            new.append(_case_new(item, problem, since, now))
        elif case is not None and _case_follow(case, problem):
            moved.append(case)
    Case.objects.bulk_create(new, batch_size=2000)
    _cases_update(moved)


def _cases_update(cases: list[Case]) -> None:
    """Save moved cases, one UPDATE per set of equal new values (most moves look alike)."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for case in cases:
        values = (case.bucket, tuple(case.flags), case.active, case.status, case.reason,
                  case.resolved_at, case.reopened_count)  # fmt: skip
        groups.setdefault(values, []).append(case.pk)
    for (bucket, flags, active, status, reason, resolved_at, reopened), pks in groups.items():
        Case.objects.filter(pk__in=pks).update(
            bucket=bucket, flags=list(flags), active=active, status=status, reason=reason,
            resolved_at=resolved_at, reopened_count=reopened,
        )  # fmt: skip


def _cases_for(items: dict[Item, Any]) -> dict[Item, Case]:
    """Load the existing cases of these items (all cases, when the items are many)."""
    cases = Case.objects.all()
    if len(items) <= 5000:
        orders = [pk for kind, pk in items if kind == "order"]
        labels = [pk for kind, pk in items if kind == "label"]
        cases = cases.filter(Q(order_id__in=orders) | Q(label_id__in=labels))
    found = {_item_of(case): case for case in cases}
    return {item: case for item, case in found.items() if item in items}


def _item_of(case: Case) -> Item:
    return ("order", case.order_id) if case.order_id else ("label", case.label_id or 0)


def _case_new(item: Item, problem: list[str], since: datetime, now: datetime) -> Case:
    kind, pk = item
    return Case(
        order_id=pk if kind == "order" else None,
        label_id=pk if kind == "label" else None,
        bucket=problem[0],
        flags=problem,
        opened_at=now,
        since=since,
    )


def _case_follow(case: Case, problem: list[str]) -> bool:
    """Move a case with its item's problem; return whether anything changed."""
    before = (case.bucket, list(case.flags), case.active, case.status)
    if problem:
        came_back = not case.active or bool(set(problem) - set(case.flags))
        if case.status != CaseStatus.OPEN and came_back:
            _reopen(case)
        case.bucket, case.flags, case.active = problem[0], problem, True
    elif case.active:
        case.active = False  # cleared; closing it stays a person's call
    return before != (case.bucket, list(case.flags), case.active, case.status)


def _reopen(case: Case) -> None:
    """Reopen a resolved or ignored case whose problem came back."""
    before = {"status": case.status, "reason": case.reason}
    case.status, case.reason, case.resolved_at = CaseStatus.OPEN, "", None
    case.reopened_count += 1
    audit_record(
        actor="reconciliation",
        action="reconciliation.case_reopened",
        target=case,
        before=before,
        after={"status": case.status, "reopened_count": case.reopened_count},
    )


# Staff actions


def case_assign(*, case: Case, owner: AbstractBaseUser | None, actor: Actor) -> Case:
    """Give a case to an owner (or nobody)."""
    before = {"owner": _name(case.owner)}
    case.owner = owner  # type: ignore[assignment]
    case.save(update_fields=["owner"])
    after = {"owner": _name(owner)}
    _audit(actor, "case_assigned", case, before, after)
    return case


def case_close(*, case: Case, status: str, reason: str, actor: Actor) -> Case:
    """Resolve or ignore a case, with the reason why."""
    if status not in (CaseStatus.RESOLVED, CaseStatus.IGNORED):
        raise ValueError(f"a case closes as resolved or ignored, not {status!r}")
    before = {"status": case.status, "reason": case.reason}
    case.status, case.reason, case.resolved_at = status, reason.strip(), timezone.now()
    case.save(update_fields=["status", "reason", "resolved_at"])
    after = {"status": case.status, "reason": case.reason}
    _audit(actor, f"case_{status}", case, before, after)
    return case


def case_reopen(*, case: Case, actor: Actor) -> Case:
    """Reopen a closed case by hand."""
    before = {"status": case.status, "reason": case.reason}
    case.status, case.reason, case.resolved_at = CaseStatus.OPEN, "", None
    case.reopened_count += 1
    case.save(update_fields=["status", "reason", "resolved_at", "reopened_count"])
    _audit(actor, "case_reopened", case, before, {"status": case.status})
    return case


def case_note_add(*, case: Case, text: str, author: AbstractBaseUser) -> CaseNote:
    """Add a note to a case."""
    note = CaseNote.objects.create(case=case, author=author, text=text.strip())  # type: ignore[misc]
    _audit(author, "case_noted", case, None, {"note": note.pk})
    return note


def match_decide(
    *, case: Case, label_id: int, decision: str, actor: AbstractBaseUser
) -> MatchDecision:
    """Confirm or reject a probable order-label pair; the next run follows the decision."""
    if case.order_id is None:
        raise ValueError("only an order's case has probable matches")
    proposed = LabelLink.objects.filter(label_id=label_id, order_id=case.order_id)
    if not proposed.filter(kind=MatchKind.PROBABLE).exists():
        raise LabelLink.DoesNotExist("that label is not a probable match of this order")
    with transaction.atomic():
        made, _ = MatchDecision.objects.update_or_create(
            order_id=case.order_id,
            label_id=label_id,
            defaults={
                "decision": Decision(decision),
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
        # Both the order and the label must be judged again by the next incremental run.
        OrderResult.objects.filter(order_id=case.order_id).update(recheck_at=timezone.now())
        audit_record(
            actor=actor,
            action=f"reconciliation.match_{made.decision}ed",
            target=case,
            after={"label": label_id, "decision": made.decision},
        )
    return made


def _audit(
    actor: Actor,
    action: str,
    case: Case,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit_record(
        actor=actor, action=f"reconciliation.{action}", target=case, before=before, after=after
    )


def _name(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user is not None else None
