"""Ground truth: what the generated brand contains and, order by order, how it was broken.

Flags are derived from the plans, the same facts the JSON is rendered from, so the truth can
never drift from the data. The vocabulary is the reconciliation's:

- excluded: cancelled, fully refunded, test mode, or nothing physical (carries no other flag)
- missing_in_shippo: no Shippo order and no label
- in_shippo_no_label: a Shippo order but no good label (all voided counts too)
- voided_only: labels were bought but every one was voided
- fulfilled_no_label: FULFILLED in Squarespace without a good label
- label_not_fulfilled: a good label over LABEL_NOT_FULFILLED_AFTER_MS old, still PENDING
- multiple_labels: several good labels (`multiple_labels` says "split" or "duplicate")
- zip_mismatch: the ZIP in Shippo differs from the order's shipping ZIP
- stale_tracking: a good label over a week old still PRE_TRANSIT or UNKNOWN
- returned: a good label's parcel came back

Orders placed after `awaiting_cutoff` (two business days before the anchor) that have no good
label yet are awaiting a label, not missing one: they are listed in `awaiting_label` (the
reconciliation's `awaiting_label` flag) and carry no missing_in_shippo / in_shippo_no_label
flag; voided_only is a fact about the labels and applies either way.
"""

from collections import Counter
from dataclasses import dataclass, field

from sandbox.brand.orders import OrderPlan, shippo_of
from sandbox.brand.seeds import DAY_MS
from sandbox.brand.shipping import STALE_AFTER_MS

LABEL_NOT_FULFILLED_AFTER_MS = 2 * DAY_MS  # a label this old should have fulfilled its order
STALE_STATUSES = frozenset({"PRE_TRANSIT", "UNKNOWN"})

FLAGS = (
    "excluded", "missing_in_shippo", "in_shippo_no_label", "voided_only", "fulfilled_no_label",
    "label_not_fulfilled", "multiple_labels", "zip_mismatch", "stale_tracking", "returned",
)  # fmt: skip


def order_flags(plan: OrderPlan, *, awaiting_cutoff_ms: int, anchor_ms: int) -> frozenset[str]:
    """Return the breakages of one order, as of the anchor."""
    if plan.excluded:
        return frozenset({"excluded"})
    shippo = shippo_of(plan)  # every included order went through shipping
    valid = shippo.valid_labels
    flags = set() if valid else _unlabelled(plan, awaiting_cutoff_ms)
    if plan.fulfillment == "FULFILLED" and not valid:
        flags.add("fulfilled_no_label")
    settled_before = anchor_ms - LABEL_NOT_FULFILLED_AFTER_MS
    if plan.fulfillment == "PENDING" and any(lb.created_ms < settled_before for lb in valid):
        flags.add("label_not_fulfilled")
    if len(valid) > 1:
        flags.add("multiple_labels")
    if valid and shippo.postal_code != plan.postal_code:
        flags.add("zip_mismatch")
    stale_before = anchor_ms - STALE_AFTER_MS
    if any(lb.tracking_status in STALE_STATUSES and lb.created_ms < stale_before for lb in valid):
        flags.add("stale_tracking")
    if any(lb.tracking_status == "RETURNED" for lb in valid):
        flags.add("returned")
    return frozenset(flags)


def awaiting_label(plan: OrderPlan, *, awaiting_cutoff_ms: int) -> bool:
    """Return whether the order is too recent to be missing its label."""
    if plan.excluded or plan.created_ms < awaiting_cutoff_ms:
        return False
    return plan.shippo is not None and not plan.shippo.valid_labels


def _unlabelled(plan: OrderPlan, awaiting_cutoff_ms: int) -> set[str]:
    """Name what is missing for an order without a good label."""
    shippo = plan.shippo
    if shippo is None:
        return set()
    flags = {"voided_only"} if shippo.labels else set()
    if plan.created_ms >= awaiting_cutoff_ms:
        return flags
    flags.add("in_shippo_no_label" if shippo.relayed_ms is not None else "missing_in_shippo")
    return flags


@dataclass(frozen=True)
class OrderTruth:
    """How one order was broken, and how its number is written in Shippo."""

    number: str
    flags: frozenset[str]
    number_format: str | None  # None: the order never reached Shippo
    multiple_labels: str | None  # "split" | "duplicate"
    awaiting_label: bool


def order_truth(plan: OrderPlan, *, awaiting_cutoff_ms: int, anchor_ms: int) -> OrderTruth:
    """Judge one order."""
    shippo = plan.shippo
    relayed = shippo is not None and shippo.relayed_ms is not None
    return OrderTruth(
        number=plan.number,
        flags=order_flags(plan, awaiting_cutoff_ms=awaiting_cutoff_ms, anchor_ms=anchor_ms),
        number_format=shippo.number_format if shippo is not None and relayed else None,
        multiple_labels=shippo.multiple if shippo is not None and not plan.excluded else None,
        awaiting_label=awaiting_label(plan, awaiting_cutoff_ms=awaiting_cutoff_ms),
    )


@dataclass
class Truth:
    """Expected counts and totals, plus the breakages of every broken order."""

    awaiting_cutoff_ms: int
    orders: int = 0
    orders_by_status: Counter[str] = field(default_factory=Counter)
    line_count: int = 0
    grand_total_minor: Counter[str] = field(default_factory=Counter)
    refunded_total_minor: Counter[str] = field(default_factory=Counter)
    testmode_orders: int = 0
    returning_orders: int = 0
    pos_orders: int = 0
    digital_only_orders: int = 0
    inventory_rows: int = 0
    labels_valid: int = 0
    labels_voided: int = 0
    shippo_orders: int = 0
    tracking_statuses: Counter[str] = field(default_factory=Counter)
    breakages: dict[str, frozenset[str]] = field(default_factory=dict)
    number_formats: Counter[str] = field(default_factory=Counter)
    multiple_labels: dict[str, str] = field(default_factory=dict)
    awaiting_label: set[str] = field(default_factory=set)

    def add(self, plan: OrderPlan, judged: OrderTruth, sign: int = 1) -> None:
        """Count `plan` in (sign 1) or out (sign -1) of the totals."""
        self._count_order(plan, sign)
        self._count_shippo(plan, sign)
        self._record(judged, sign)

    def _count_order(self, plan: OrderPlan, sign: int) -> None:
        """Count the Squarespace side of one order."""
        self.orders += sign
        self.orders_by_status[plan.fulfillment] += sign
        self.line_count += sign * len(plan.lines)
        self.grand_total_minor[plan.currency] += sign * plan.money.grand
        self.refunded_total_minor[plan.currency] += sign * plan.refunded
        self.testmode_orders += sign * plan.testmode
        self.returning_orders += sign * plan.returning
        self.pos_orders += sign * (plan.channel == "pos")
        self.digital_only_orders += sign * (not plan.physical)

    def _count_shippo(self, plan: OrderPlan, sign: int) -> None:
        """Count the Shippo side of one order."""
        if plan.shippo is None:
            return
        self.shippo_orders += sign * (plan.shippo.relayed_ms is not None)
        self.number_formats[plan.shippo.number_format] += sign * (
            plan.shippo.relayed_ms is not None
        )
        for label in plan.shippo.labels:
            self.labels_valid += sign * label.valid
            self.labels_voided += sign * (not label.valid)
            self.tracking_statuses[label.tracking_status] += sign * label.valid

    def _record(self, judged: OrderTruth, sign: int) -> None:
        """Remember (or forget) how one order was broken."""
        number = judged.number
        for table in (self.breakages, self.multiple_labels):
            table.pop(number, None)
        self.awaiting_label.discard(number)
        if sign < 0:
            return
        if judged.flags:
            self.breakages[number] = judged.flags
        if judged.multiple_labels:
            self.multiple_labels[number] = judged.multiple_labels
        if judged.awaiting_label:
            self.awaiting_label.add(number)

    def flagged(self, flag: str) -> set[str]:
        """Return the order numbers carrying `flag`."""
        return {number for number, flags in self.breakages.items() if flag in flags}
