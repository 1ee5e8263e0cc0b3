"""Anthropic: Claude, called through the official SDK by the proposals agent."""
