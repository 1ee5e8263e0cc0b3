"""The PostgreSQL engine: the reconciliation rules as set-based SQL over temporary tables."""
