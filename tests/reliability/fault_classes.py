"""The fault classes every outside platform can throw at us, and how each sandbox throws them.

One table for the whole suite: each provider names the sandbox fault that plays each class on
its listing route (and on its writes), or says why the class cannot happen there.
test_sandbox_faults.py runs every named pair through a sync; test_write_faults.py runs the
write pairs through an approved change and a scheduled post.
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


# Writes: the platforms' answers to a write. A write has no pages, so no duplicate; the
# gRPC API has no JSON to garble or cut.
_NO_PAGES = CannotHappen("a write is one call, not a listing")
WRITE_FAULTS: dict[str, dict[FaultClass, Plays]] = {
    # Meta's campaign update, feed post and media_publish share the Graph API's answers.
    "meta": {
        **_HTTP_LISTING,
        FaultClass.RATE_LIMITED: "throttle_80004",
        FaultClass.RATE_LIMITED_BARE: CannotHappen("Meta throttles with HTTP 400, never 429"),
        FaultClass.DUPLICATE: _NO_PAGES,
    },
    "google_ads": {
        **SYNC_FAULTS["google_ads"],
        FaultClass.TRUNCATED: CannotHappen("a mutate answers in one frame"),
        FaultClass.DUPLICATE: _NO_PAGES,
    },
}


def written(provider: str) -> list[tuple[FaultClass, str]]:
    """Return (class, sandbox fault) for every class the provider's writes can meet."""
    return [
        (fault_class, fault)
        for fault_class, fault in WRITE_FAULTS[provider].items()
        if isinstance(fault, str)
    ]
