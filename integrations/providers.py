"""What each provider package tells the core, so no consumer needs per-provider code.

A provider app registers one `ProviderAdapter` from its AppConfig.ready(). The core uses it
to connect (by key or OAuth), to list the streams a sync runs, and to revoke.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from integrations.models import Connection
from integrations.sync.engine import Stream


@dataclass(frozen=True)
class AccountGrant:
    """What a successful connect produced: the account, its display name and the secret."""

    external_account_id: str
    display_name: str
    secret: dict[str, Any]
    token_expires_at: datetime | None = None
    # Non-secret choices made while connecting (ad account, Page, ...): Connection.options.
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthStart:
    """Where to send the browser, and what the callback must check against (PKCE verifier)."""

    url: str
    code_verifier: str = ""


class ProviderAdapter(Protocol):
    name: str
    label: str
    connects_by_key: bool
    connects_by_oauth: bool
    stream_names: Sequence[str]

    def streams(self, connection: Connection) -> list[Stream]:
        """Return the streams a full sync of `connection` runs, in order."""
        ...

    def connect_with_key(self, *, api_key: str, account: str) -> AccountGrant:
        """Check a key (or long-lived token) against the platform and describe its account."""
        ...

    def oauth_start(self, *, state: str, redirect_uri: str) -> OAuthStart:
        """Build the platform's consent URL."""
        ...

    def oauth_finish(self, *, code: str, redirect_uri: str, code_verifier: str) -> AccountGrant:
        """Exchange the callback's code for tokens and describe the account."""
        ...

    def revoke(self, connection: Connection) -> None:
        """Tell the platform to drop our token, where it has a way; never raises."""
        ...


class UnknownProvider(LookupError):
    """No provider of that name is registered."""


@dataclass
class Registry:
    adapters: dict[str, ProviderAdapter] = field(default_factory=dict)

    def register(self, adapter: ProviderAdapter) -> None:
        self.adapters[adapter.name] = adapter

    def get(self, name: str) -> ProviderAdapter:
        try:
            return self.adapters[name]
        except KeyError:
            raise UnknownProvider(name) from None

    def names(self) -> list[str]:
        return sorted(self.adapters)


registry = Registry()
