"""The sync engine shared by every provider."""
