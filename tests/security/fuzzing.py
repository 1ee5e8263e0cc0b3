"""What the fuzz tests of the public surface share: settings, hostile requests, the checks.

Every public endpoint gets at least FUZZ_EXAMPLES generated requests. Each answer must be a
4xx (or the 200/3xx the endpoint documents for a valid page read), never a 5xx, and no table
may gain or lose a row. Requests go through the Django test client: the whole middleware
stack, no server, so an exception in a view fails the test with its traceback.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode

from django.http import HttpResponseBase
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from flux.nul_guard import NUL
from tests.security.snapshot import changed_tables, row_counts

FUZZ_EXAMPLES = 1000
FUZZ = hypothesis_settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # nothing written under .hypothesis; a failure prints its example
    suppress_health_check=list(HealthCheck),
)

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")
CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data; boundary=",
    "multipart/form-data",
    "application/json",
    "text/plain",
    "application/octet-stream",
    "",
)
# Header values a client may send as it likes; latin-1 only, as HTTP carries them.
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=60)
HEADERS = st.dictionaries(
    st.sampled_from(
        [
            "Accept",
            "Cookie",
            "HX-Request",
            "HX-Target",
            "Referer",
            "Origin",
            "User-Agent",
            "X-Forwarded-For",
            "X-Forwarded-Proto",
            "X-CSRFToken",
            "If-None-Match",
            "Range",
        ]
    ),
    header_text,
    max_size=4,
)
query_pairs = st.lists(st.tuples(st.text(max_size=20), st.text(max_size=80)), max_size=5)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@dataclass(frozen=True)
class Hostile:
    """One generated request to a path."""

    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)

    def url(self) -> str:
        return f"{self.path}?{urlencode(self.query)}" if self.query else self.path


ANY_METHOD = st.sampled_from(METHODS)
ANY_BODY = st.binary(max_size=2048)


def hostile(
    path: st.SearchStrategy[str],
    *,
    methods: st.SearchStrategy[str] = ANY_METHOD,
    bodies: st.SearchStrategy[bytes] = ANY_BODY,
) -> st.SearchStrategy[Hostile]:
    """Requests with any method, query, body, content type and headers to `path`."""
    return st.builds(
        Hostile,
        method=methods,
        path=path,
        query=query_pairs,
        body=bodies,
        content_type=st.sampled_from(CONTENT_TYPES),
        headers=HEADERS,
    )


def carries_nul(request: Hostile) -> bool:
    """Say whether the URL carries NUL, which the app refuses with 400 before any view."""
    return NUL in unquote(request.path) or any(NUL in key + value for key, value in request.query)


def segment(text: str) -> str:
    """Quote generated text for use as one URL path segment."""
    return quote(text, safe="")


def send(client: Client, request: Hostile) -> HttpResponseBase:
    response: HttpResponseBase = client.generic(
        request.method,
        request.url(),
        request.body,
        content_type=request.content_type,
        headers=request.headers,
    )
    return response


Check = Callable[[Hostile, HttpResponseBase], None]


def only_client_errors(request: Hostile, response: HttpResponseBase) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, request)


def fuzz(
    strategy: st.SearchStrategy[Any],
    attempt: Callable[[Any], HttpResponseBase],
    check: Callable[[Any, HttpResponseBase], None] = only_client_errors,
    *,
    may_change: frozenset[str] = frozenset(),
) -> list[int]:
    """Run FUZZ_EXAMPLES generated cases; every answer passes `check` and writes no row
    (outside the tables in `may_change`).

    Returns the statuses seen, so a test can show its cases reached each refusal.
    """
    statuses: list[int] = []
    before = row_counts()

    @FUZZ
    @given(case=strategy)
    def run(case: Any) -> None:
        response = attempt(case)
        statuses.append(response.status_code)
        assert response.status_code < 500, (response.status_code, case)
        check(case, response)
        assert set(changed_tables(before)) <= may_change, case

    run()
    assert len(statuses) >= FUZZ_EXAMPLES
    return statuses
