"""A headline number with its formula and its change against the comparison period."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Unit = Literal["money", "count", "ratio", "percent", "days", "position"]
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}


@dataclass(frozen=True)
class Metric:
    """One headline figure. `value` is in display units (money in major units, as Decimal)."""

    label: str
    value: Decimal | int | float | None
    formula: str
    unit: Unit = "count"
    comparison: Decimal | int | float | None = None
    higher_is_better: bool = True
    currency: str = "USD"
    note: str = ""

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit, self.currency)

    @property
    def comparison_display(self) -> str:
        return format_value(self.comparison, self.unit, self.currency)

    @property
    def change(self) -> float | None:
        """Relative change against the comparison (0.1 = +10%), None when not meaningful."""
        if self.value is None or self.comparison in (None, 0):
            return None
        return float(self.value) / float(self.comparison) - 1  # type: ignore[arg-type]

    @property
    def change_display(self) -> str:
        change = self.change
        return "" if change is None else f"{change:+.1%}"

    @property
    def is_good(self) -> bool:
        change = self.change
        return change is not None and change != 0 and (change > 0) == self.higher_is_better

    @property
    def is_bad(self) -> bool:
        change = self.change
        return change is not None and change != 0 and (change > 0) != self.higher_is_better


def format_value(value: Decimal | int | float | None, unit: Unit, currency: str = "USD") -> str:
    """Format a figure for people: money with its symbol, ratios to two places, and so on."""
    if value is None:
        return "–"
    if unit == "money":
        symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
        places = Decimal("1") if currency == "JPY" else Decimal("0.01")
        amount = Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)
        return f"{symbol}{amount:,}"
    if unit == "percent":
        return f"{float(value):.1%}"
    if unit == "ratio":
        return f"{float(value):.2f}×"
    if unit == "days":
        return f"{float(value):.1f} days"
    if unit == "position":
        return f"{float(value):.1f}"
    return f"{int(value):,}" if float(value).is_integer() else f"{float(value):,.2f}"


def ratio(numerator: Decimal | int | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator, or None when the denominator is zero or missing."""
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def minor_to_major(amount: int | None, currency: str = "USD") -> Decimal | None:
    """Minor units (cents) to major units; zero-decimal currencies stay as they are."""
    if amount is None:
        return None
    return Decimal(amount) if currency == "JPY" else Decimal(amount) / 100


def micros_to_major(amount: int | None) -> Decimal | None:
    """Micros of a currency unit to major units."""
    return None if amount is None else Decimal(amount) / 1_000_000
