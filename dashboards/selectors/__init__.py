"""Selectors: one function per question, returning aggregates (never raw rows or personal data)."""
