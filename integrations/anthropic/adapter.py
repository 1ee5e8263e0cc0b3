"""What the Anthropic package tells the core: connect by key, nothing to sync, nothing to revoke.

Connecting checks the key with one cheap read (GET /v1/models) and stores it sealed; the
account id is "default" unless --account names one. Revoking calls nothing: keys are deleted
in the Anthropic console, and our side stops using the key at once (connection_revoke).
"""

from collections.abc import Sequence

from integrations.anthropic.client import PROVIDER, key_check
from integrations.anthropic.sync import STREAM_NAMES
from integrations.http import PermanentError
from integrations.models import Connection
from integrations.providers import AccountGrant, OAuthStart
from integrations.sync.engine import Stream

DEFAULT_ACCOUNT = "default"


class AnthropicAdapter:
    name = PROVIDER
    label = "Anthropic"
    connects_by_key = True
    connects_by_oauth = False
    stream_names: Sequence[str] = STREAM_NAMES

    def streams(self, connection: Connection) -> list[Stream]:
        """Return no streams: there is nothing to sync from Anthropic."""
        return []

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Check the key with one read and describe the account."""
        key_check(api_key=api_key)
        account_id = account or DEFAULT_ACCOUNT
        return AccountGrant(account_id, f"Anthropic ({account_id})", {"api_key": api_key})

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Refuse: Anthropic connects with an API key only."""
        raise PermanentError("Anthropic connects with an API key only", provider=self.name)

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Refuse: Anthropic connects with an API key only."""
        raise PermanentError("Anthropic connects with an API key only", provider=self.name)

    def revoke(self, connection: Connection) -> None:
        """Do nothing: Anthropic has no revocation endpoint (see the module docstring)."""
