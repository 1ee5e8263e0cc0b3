"""Fuzzing the public deletion surface: the /data-deletion form and Meta's callback.

The form: a cross-site post (no or a wrong CSRF token) is refused with 403 whatever it
carries, and a same-site post the form cannot accept gets the page back with 400; nothing is
written either way. Any input at all from the page itself gets the page (200 when it is a
valid request, recorded once) or 400, never a 5xx.

Meta's callback: 1,000 forged or malformed signed requests, bodies and methods, each a 4xx.
"""

import json
import re
import string
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.http import HttpResponseBase
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from flux.privacy.models import DeletionRequest
from tests.flux.privacy.conftest import (  # noqa: F401 - meta_secret is a fixture
    META_SECRET,
    b64url,
    meta_secret,
    sign_payload_part,
    signed_request,
)
from tests.security.fuzzing import HEADERS, Hostile, fuzz, send

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
CALLBACK = "/data-deletion/callback"
PAGE = "/data-deletion"


@pytest.fixture(autouse=True)
def _no_rate_limit() -> Any:
    """Let every generated post reach the form (the limit has its own tests); fresh counters."""
    cache.clear()
    with override_settings(FLUX_DELETION_RATE_LIMIT="1000000/h"):
        yield
    cache.clear()


# --- The form -------------------------------------------------------------------------------

digits = st.from_regex(r"[0-9]{1,32}", fullmatch=True)
no_at = st.text(max_size=80).filter(lambda s: "@" not in s and s.strip() != "")
bad_meta_id = st.one_of(
    st.text(max_size=40).filter(lambda s: re.search(r"[^0-9\s]", s.strip()) is not None),
    st.from_regex(r"[0-9]{33,60}", fullmatch=True),
)
any_text = st.text(max_size=120)
with_null = st.text(max_size=20).map(lambda s: f"{s}\x00")
# (email, meta user id, note): each one a request the form refuses, by construction.
refused_fields = st.one_of(
    st.tuples(no_at, any_text, any_text),  # not an email address
    st.tuples(st.just(""), bad_meta_id, any_text),  # not a Meta user id
    st.tuples(st.emails(), bad_meta_id, any_text),
    st.tuples(st.emails(), digits, any_text),  # both given
    st.tuples(st.just(""), st.just(""), any_text),  # neither given
    st.tuples(
        st.emails(),
        st.just(""),
        st.text(min_size=2001, max_size=2100).filter(lambda s: len(s.strip()) > 2000),
    ),
    st.tuples(with_null, st.just(""), any_text),
    st.tuples(st.just(""), with_null, any_text),
    st.tuples(st.emails(), st.just(""), with_null),
)
# Any fields at all, valid ones included: a forged post must not get through either.
any_fields = st.one_of(refused_fields, st.tuples(st.emails(), st.just(""), any_text))
extra_fields = st.lists(st.tuples(st.text(max_size=15), st.text(max_size=40)), max_size=3)


def form_body(
    fields: tuple[str, str, str], extra: list[tuple[str, str]], token: str | None
) -> bytes:
    email, meta_user_id, note = fields
    pairs = [("email", email), ("meta_user_id", meta_user_id), ("note", note), *extra]
    if token is not None:
        pairs.append(("csrfmiddlewaretoken", token))
    return urlencode(pairs).encode()


@pytest.fixture
def browser() -> tuple[Client, str]:
    """A client that has loaded the page, so it holds the CSRF cookie; and that token."""
    client = Client(enforce_csrf_checks=True)
    assert client.get(PAGE).status_code == 200
    return client, client.cookies["csrftoken"].value


def test_cross_site_posts_are_refused_whatever_they_carry(browser):
    client, token = browser
    wrong = st.one_of(st.none(), st.text(max_size=70), st.just(token[::-1]))
    cases = st.builds(
        lambda fields, extra, given_token, fresh, headers: (
            Hostile(
                "POST",
                PAGE,
                body=form_body(fields, extra, given_token),
                content_type=FORM,
                headers=headers,
            ),
            fresh,
        ),
        any_fields,
        extra_fields,
        wrong,
        st.booleans(),
        HEADERS.map(lambda h: {k: v for k, v in h.items() if k not in ("Cookie", "X-CSRFToken")}),
    )

    def attempt(case: tuple[Hostile, bool]) -> HttpResponseBase:
        request, fresh = case  # a fresh client has no CSRF cookie at all
        return send(Client(enforce_csrf_checks=True) if fresh else client, request)

    def check(case: tuple[Hostile, bool], response: HttpResponseBase) -> None:
        assert response.status_code == 403, (response.status_code, case)

    fuzz(cases, attempt, check)


def test_same_site_posts_the_form_refuses_come_back_with_400(browser):
    client, token = browser
    cases = st.tuples(refused_fields, extra_fields, st.booleans())

    def attempt(case: tuple[tuple[str, str, str], list[tuple[str, str]], bool]) -> HttpResponseBase:
        fields, extra, multipart = case
        if multipart:  # the browser's other encoding
            data = dict(zip(("email", "meta_user_id", "note"), fields, strict=True))
            posted: HttpResponseBase = client.post(
                PAGE, {**dict(extra), **data, "csrfmiddlewaretoken": token}
            )
            return posted
        return send(
            client, Hostile("POST", PAGE, body=form_body(fields, extra, token), content_type=FORM)
        )

    def check(case: object, response: HttpResponseBase) -> None:
        assert response.status_code == 400, (response.status_code, case)

    fuzz(cases, attempt, check)


@given(email=st.text(max_size=300), meta_user_id=st.text(max_size=60), note=st.text(max_size=2100))
@hypothesis_settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
def test_any_input_from_the_page_gets_the_page_or_400_and_at_most_one_request(
    email, meta_user_id, note
):
    before = DeletionRequest.objects.count()
    with override_settings(FLUX_DELETION_RATE_LIMIT="1000000/h"):
        response = Client().post(PAGE, {"email": email, "meta_user_id": meta_user_id, "note": note})
    assert response.status_code in (200, 400)
    assert DeletionRequest.objects.count() == before + (response.status_code == 200)


# --- Meta's data-deletion callback ------------------------------------------------------------

_B64URL = string.ascii_letters + string.digits + "-_"
_SECRETS_WRONG = st.text(min_size=0, max_size=40).filter(lambda s: s != META_SECRET)


def _is_acceptable_payload(raw: bytes) -> bool:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return False
    return (
        isinstance(data, dict)
        and data.get("algorithm") == "HMAC-SHA256"
        and isinstance(data.get("user_id"), str)
        and re.fullmatch(r"[0-9]{1,32}", data["user_id"]) is not None
    )


def _signed(payload) -> str:
    return signed_request(payload, META_SECRET)


_good_payload = st.fixed_dictionaries(
    {"algorithm": st.just("HMAC-SHA256"), "user_id": st.from_regex(r"[0-9]{1,20}", fullmatch=True)}
)
_not_numeric_string = st.one_of(
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.text(max_size=40).filter(lambda s: re.fullmatch(r"[0-9]{1,32}", s) is None),
)

random_text = st.text(max_size=300)
random_base64ish = st.text(alphabet=_B64URL + ".=", max_size=300)
wrong_signature = st.tuples(_good_payload, _SECRETS_WRONG).map(
    lambda pair: signed_request(pair[0], pair[1])
)
random_signature = st.tuples(st.binary(min_size=0, max_size=48), _good_payload).map(
    lambda pair: f"{b64url(pair[0])}.{b64url(json.dumps(pair[1]).encode())}"
)
bad_json = (
    st.binary(max_size=200)
    .filter(lambda raw: not _is_acceptable_payload(raw))
    .map(lambda raw: sign_payload_part(b64url(raw)))
)
wrong_algorithm = (
    st.one_of(st.text(max_size=20), st.integers(), st.none())
    .filter(lambda value: value != "HMAC-SHA256")
    .map(lambda value: _signed({"algorithm": value, "user_id": "123"}))
)
missing_algorithm = st.just(_signed({"user_id": "123"}))
bad_user_id = _not_numeric_string.map(
    lambda value: _signed({"algorithm": "HMAC-SHA256", "user_id": value})
)
missing_user_id = st.just(_signed({"algorithm": "HMAC-SHA256"}))
not_an_object = st.one_of(st.lists(st.integers()), st.text(), st.integers()).map(_signed)
huge = st.integers(min_value=4097, max_value=12_000).map(lambda n: "A" * n)
non_ascii = st.tuples(
    _good_payload, st.text(min_size=1, max_size=5).filter(lambda s: not s.isascii())
).map(lambda pair: f"{pair[1]}{_signed(pair[0])}")
extra_dots = st.tuples(_good_payload, st.text(alphabet=_B64URL + ".", max_size=20)).map(
    lambda pair: f"{_signed(pair[0])}.{pair[1]}"
)
signature_only = st.text(alphabet=_B64URL, max_size=60)

forged_signed_requests = st.one_of(
    random_text,
    random_base64ish,
    wrong_signature,
    random_signature,
    bad_json,
    wrong_algorithm,
    missing_algorithm,
    bad_user_id,
    missing_user_id,
    not_an_object,
    huge,
    non_ascii,
    extra_dots,
    signature_only,
)


CONTENT_TYPES = [
    FORM,
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain",
    "application/octet-stream",
]


def _form_body(value: str) -> bytes:
    return urlencode({"signed_request": value}).encode()


as_form_field = forged_signed_requests.map(
    lambda value: Hostile("POST", CALLBACK, body=_form_body(value), content_type=FORM)
)
raw_bodies = st.builds(
    Hostile,
    st.just("POST"),
    st.just(CALLBACK),
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(CONTENT_TYPES),
)
oversized_bodies = st.integers(min_value=16 * 1024 + 1, max_value=40_000).map(
    lambda n: Hostile("POST", CALLBACK, body=b"signed_request=" + b"a" * n, content_type=FORM)
)
wrong_methods = st.builds(
    Hostile,
    st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD"]),
    st.just(CALLBACK),
    body=_good_payload.map(lambda payload: _form_body(_signed(payload))),
    content_type=st.just(FORM),
)
with_headers = st.builds(
    lambda request, headers: Hostile(
        request.method,
        request.path,
        body=request.body,
        content_type=request.content_type,
        headers=headers,
    ),
    as_form_field,
    HEADERS,
)
callbacks = st.one_of(
    as_form_field, as_form_field, with_headers, raw_bodies, oversized_bodies, wrong_methods
)


def test_a_thousand_forged_or_malformed_callbacks_get_4xx_and_write_nothing(meta_secret):  # noqa: F811
    client = Client()
    statuses = fuzz(callbacks, lambda request: send(client, request))
    assert {400, 403, 405, 413} <= set(statuses)
