"""Anthropic connects with an API key only: it offers no OAuth flow for the Messages API.

The key is made in the Anthropic console and given to `manage.py connect anthropic
--api-key <key>` (or the connections page); adapter.py checks it with one cheap read and
stores it sealed. A refused key sends the connection to needs_reconnect.
"""
