"""Nothing to sync: Anthropic is only called, by the proposals agent, never read from.

The calls themselves are the record: proposals.models.AICall keeps each one with its prompt,
output, tokens, cost and timing.
"""

STREAM_NAMES: tuple[str, ...] = ()
