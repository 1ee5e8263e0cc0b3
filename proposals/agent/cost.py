"""The cost of a call from the price table in settings (USD per million tokens, per model)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings


class UnknownModelPrice(LookupError):
    """The model has no row in FLUX_AI_PRICES; calls to it would go uncounted."""


@dataclass(frozen=True)
class Usage:
    """Token counts of one call."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0


def model_prices(model: str) -> dict[str, Decimal]:
    """Return the model's prices per million tokens; raise UnknownModelPrice if it has none."""
    row = settings.FLUX_AI_PRICES.get(model)
    if row is None:
        raise UnknownModelPrice(f"no price for {model!r} in FLUX_AI_PRICES")
    return {key: Decimal(str(value)) for key, value in row.items()}


def cost_micro_usd(model: str, usage: Usage) -> int:
    """Return the cost in millionths of a dollar (a price per million tokens is µ$ per token)."""
    prices = model_prices(model)
    total = (
        usage.input_tokens * prices["input"]
        + usage.output_tokens * prices["output"]
        + usage.cache_write_tokens * prices["cache_write"]
        + usage.cache_read_tokens * prices["cache_read"]
    )
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
