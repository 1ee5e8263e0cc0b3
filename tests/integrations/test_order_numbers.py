"""Order numbers are read out of every form seen in Shippo metadata and order numbers."""

import pytest

from integrations.order_numbers import order_number_normalise


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("#1042", "1042"),
        ("Order #1042", "1042"),
        ("order 1042", "1042"),
        ("SQ-1042", "1042"),
        ("sq1042", "1042"),
        ("01042", "1042"),
        ("1042", "1042"),
        ("Re: Order #1042 (gift wrap)", "1042"),
    ],
)
def test_every_form_yields_the_bare_number(text, number):
    assert order_number_normalise(text) == number


@pytest.mark.parametrize("text", ["", "no number here", "#0", "ABC1042"])
def test_text_without_an_order_number_yields_none(text):
    assert order_number_normalise(text) is None
