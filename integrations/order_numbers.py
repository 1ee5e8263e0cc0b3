"""Read a Squarespace order number out of the forms people and tools write it in."""

import re

# "#1042", "Order #1042", "order 1042", "SQ-1042", "01042", "Re: Order #1042 (gift)".
_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:sq-?|order\s*#?\s*|#)?0*([1-9][0-9]{0,11})(?![0-9])", re.I
)


def order_number_normalise(text: str) -> str | None:
    """Return the order number in `text` without leading zeros, or None when there is none."""
    if text.isdigit() and text.isascii() and len(text) <= 12:  # the common bare form, fast
        return text.lstrip("0") or None
    match = _NUMBER.search(text or "")
    return match.group(1) if match else None
