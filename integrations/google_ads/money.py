"""Micros to minor units and back, per currency (ISO 4217 minor-unit digits)."""

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                          "UGX", "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def minor_digits(currency: str) -> int:
    """Return how many decimal digits the currency's minor unit has."""
    code = currency.upper()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def micros_to_minor(micros: int, currency: str) -> int:
    """Return an amount in micros as whole minor units (1,230,000 USD micros -> 123 cents)."""
    return int(micros // 10 ** (6 - minor_digits(currency)))


def minor_to_micros(minor: int, currency: str) -> int:
    """Return an amount in minor units as micros."""
    return int(minor * 10 ** (6 - minor_digits(currency)))
