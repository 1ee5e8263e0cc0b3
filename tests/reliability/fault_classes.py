"""The fault classes every outside platform can throw at us, and how each sandbox throws them.

One table for the whole suite: each provider names the sandbox fault that plays each class on
its listing route, or says why the class cannot happen there. test_sandbox_faults.py runs
every named pair through a sync; test_write_faults.py does the same for the writes.
"""

from dataclasses import dataclass
from enum import StrEnum


class FaultClass(StrEnum):
    RATE_LIMITED = "429 with Retry-After"
    RATE_LIMITED_BARE = "429 without Retry-After"
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    SLOW = "slow past the client's timeout"
    MALFORMED = "malformed JSON"
    TRUNCATED = "truncated page"
    DUPLICATE = "duplicate record across pages"
    EXPIRED_TOKEN = "expired token (401)"


@dataclass(frozen=True)
class CannotHappen:
    """A class the platform cannot produce, and why."""

    reason: str


Plays = str | CannotHappen

# The same names on every HTTP platform that lists in pages.
_HTTP_LISTING: dict[FaultClass, Plays] = {
    FaultClass.RATE_LIMITED: "rate_limited",
    FaultClass.SERVER_ERROR: "server_error",
    FaultClass.UNAVAILABLE: "unavailable",
    FaultClass.SLOW: "slow",
    FaultClass.MALFORMED: "malformed",
    FaultClass.TRUNCATED: "truncated",
    FaultClass.DUPLICATE: "duplicate",
    FaultClass.EXPIRED_TOKEN: "expired_token",
}

SYNC_FAULTS: dict[str, dict[FaultClass, Plays]] = {
    "squarespace": {**_HTTP_LISTING, FaultClass.RATE_LIMITED_BARE: "rate_limited_bare"},
    "shippo": {**_HTTP_LISTING, FaultClass.RATE_LIMITED_BARE: "rate_limited_reset"},
    "search_console": {
        **_HTTP_LISTING,
        FaultClass.RATE_LIMITED: CannotHappen("Google's 429 never carries Retry-After"),
        FaultClass.RATE_LIMITED_BARE: "rate_limited",
    },
    "meta": {
        **_HTTP_LISTING,
        # Meta throttles with HTTP 400 and a code; the wait rides in X-Business-Use-Case-Usage.
        FaultClass.RATE_LIMITED: "throttle_80004",
        FaultClass.RATE_LIMITED_BARE: CannotHappen("Meta throttles with HTTP 400, never 429"),
    },
    "google_ads": {
        FaultClass.RATE_LIMITED: "quota",  # RESOURCE_EXHAUSTED with a QuotaError retry delay
        FaultClass.RATE_LIMITED_BARE: "quota_raw",  # RESOURCE_EXHAUSTED, no delay
        FaultClass.SERVER_ERROR: "internal",
        FaultClass.UNAVAILABLE: "unavailable",
        FaultClass.SLOW: "slow",
        FaultClass.MALFORMED: CannotHappen("gRPC answers are protobuf frames, never JSON"),
        FaultClass.TRUNCATED: "truncated",  # the SearchStream breaks after some rows
        FaultClass.DUPLICATE: CannotHappen("SearchStream sends one result set, not pages"),
        FaultClass.EXPIRED_TOKEN: "auth_expired",
    },
}


def played(provider: str) -> list[tuple[FaultClass, str]]:
    """Return (class, sandbox fault) for every class the provider's sandbox can play."""
    return [
        (fault_class, fault)
        for fault_class, fault in SYNC_FAULTS[provider].items()
        if isinstance(fault, str)
    ]
