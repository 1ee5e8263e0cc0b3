"""On the sandbox brand, every broken order carries exactly the flags of how it was broken."""

import pytest

from integrations.models import Order
from reconciliation.engine import reconcile
from reconciliation.models import MATCHED, LabelLink, OrderResult

pytestmark = pytest.mark.django_db(transaction=False)


def expected_flags(brand, number: str) -> set[str]:
    flags = set(brand.truth.breakages.get(number, frozenset()))
    if number in brand.truth.awaiting_label:
        flags.add("awaiting_label")
    return flags


def test_every_order_carries_exactly_the_flags_the_generator_broke_it_with(synced_brand):
    brand = synced_brand.brand
    reconcile(full=True, now=brand.anchor)
    results = dict(OrderResult.objects.values_list("order__order_number", "flags"))
    assert len(results) == Order.objects.count() == brand.total
    wrong = {
        number: (sorted(flags), sorted(expected_flags(brand, number)))
        for number, flags in results.items()
        if set(flags) != expected_flags(brand, number)
    }
    assert wrong == {}


def test_precision_and_recall_are_perfect_on_the_exact_cases(synced_brand):
    brand = synced_brand.brand
    reconcile(full=True, now=brand.anchor)
    flagged = {
        n
        for n, b in OrderResult.objects.values_list("order__order_number", "bucket")
        if b != MATCHED
    }
    broken = set(brand.truth.breakages) | brand.truth.awaiting_label
    true_positives = len(flagged & broken)
    assert true_positives / len(flagged) == 1.0  # precision
    assert true_positives / len(broken) == 1.0  # recall
    assert not OrderResult.objects.filter(match_kind="probable").exists()
    assert not LabelLink.objects.filter(orphan=True).exists()


def test_every_label_is_matched_exactly_whatever_form_its_number_takes(synced_brand):
    brand = synced_brand.brand
    reconcile(full=True, now=brand.anchor)
    assert len(brand.truth.number_formats) == 6
    assert not LabelLink.objects.filter(order__isnull=True).exists()
    assert set(LabelLink.objects.values_list("kind", flat=True)) == {"exact"}
