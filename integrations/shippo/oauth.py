"""Shippo connects with an API token only: it offers no OAuth flow to a single merchant.

The token (`shippo_test_...` or `shippo_live_...`) is made in the Shippo dashboard and given
to `manage.py connect shippo --api-key <token>`; adapter.py checks it with one read. A token
cannot be refreshed, so a refused token sends the connection to needs_reconnect.
"""
