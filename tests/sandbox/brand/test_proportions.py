from collections import Counter
from datetime import datetime


def _share(part: int, whole: int) -> float:
    return part / whole


def test_about_two_percent_of_physical_orders_never_reach_shippo(demo_brand):
    truth = demo_brand.truth
    included = truth.orders - len(truth.flagged("excluded"))
    assert 0.012 <= _share(len(truth.flagged("missing_in_shippo")), included) <= 0.03
    never_labelled = truth.flagged("in_shippo_no_label") - truth.flagged("voided_only")
    assert 0.004 <= _share(len(never_labelled), included) <= 0.02


def test_between_a_quarter_and_a_third_of_orders_come_from_returning_customers(all_orders):
    seen: set[str] = set()
    returning = 0
    for order in sorted(all_orders, key=lambda o: o["createdOn"]):
        email = order["customerEmail"]
        returning += email in seen
        if email:
            seen.add(email)
    assert 0.25 <= _share(returning, len(all_orders)) <= 0.35


def test_the_fourth_quarter_outsells_summer_and_weekdays_outsell_saturday(all_orders):
    created = [datetime.fromisoformat(o["createdOn"]) for o in all_orders]
    months = Counter((c.year, c.month) for c in created)
    weekdays = Counter(c.weekday() for c in created)
    # 2025's October-December against its July-September: both wholly inside the span.
    q4 = sum(months[2025, m] for m in (10, 11, 12))
    summer = sum(months[2025, m] for m in (7, 8, 9))
    assert q4 > 1.6 * summer
    assert months[2025, 12] > 2 * months[2025, 7]
    assert weekdays[0] > weekdays[5] * 1.15


def test_orders_span_eighteen_months_before_the_anchor(demo_brand, all_orders):
    created = sorted(o["createdOn"] for o in all_orders)
    first = datetime.fromisoformat(created[0])
    assert (demo_brand.anchor - first).days in range(540, 549)
    assert datetime.fromisoformat(created[-1]) < demo_brand.anchor


def test_the_brand_has_every_kind_of_awkward_order(demo_brand, all_orders):
    truth = demo_brand.truth
    partial = [
        o
        for o in all_orders
        if o["paymentState"] == "PAID" and o["refundedTotal"]["value"] != "0.00"
    ]
    assert 0.015 <= _share(truth.orders_by_status["CANCELED"], truth.orders) <= 0.04
    assert 0.005 <= _share(truth.testmode_orders, truth.orders) <= 0.02
    assert truth.pos_orders
    assert truth.digital_only_orders
    assert partial
    assert sum(len(o["lineItems"]) > 1 for o in all_orders) > len(all_orders) * 0.25


def test_duplicates_zip_typos_and_split_shipments_all_occur(demo_brand):
    truth = demo_brand.truth
    kinds = Counter(truth.multiple_labels.values())
    assert kinds["duplicate"]
    assert kinds["split"] > kinds["duplicate"]
    for flag in ("zip_mismatch", "voided_only", "stale_tracking", "returned", "label_not_fulfilled",
                 "fulfilled_no_label"):  # fmt: skip
        assert truth.flagged(flag), flag


def test_some_stock_is_sold_out_or_unlimited(demo_brand):
    items = demo_brand.inventory()
    assert any(i["isUnlimited"] for i in items)
    assert any(not i["isUnlimited"] and i["quantity"] == 0 for i in items)
    assert any(not i["isUnlimited"] and 0 < i["quantity"] < 5 for i in items)


def test_labels_are_often_bought_days_after_the_order(demo_brand):
    delays = []
    for index in range(0, demo_brand.total, 7):
        plan = demo_brand.plan(index)
        if plan.shippo and plan.shippo.labels:
            delays.append(plan.shippo.labels[0].created_ms - plan.created_ms)
    late = sum(d > 2 * 86_400_000 for d in delays)
    assert 0.05 <= _share(late, len(delays)) <= 0.3
