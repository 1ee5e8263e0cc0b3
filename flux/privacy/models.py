"""Data-deletion requests."""
