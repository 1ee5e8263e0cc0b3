"""Meta's data-deletion callback answers only a correctly signed request, and nothing else."""

import json
import re
import string
from urllib.parse import urlencode

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from flux.audit.models import AuditEvent
from flux.hashing import hash_identifier
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus, SubjectKind

from .conftest import META_SECRET, b64url, sign_payload_part, signed_request

pytestmark = pytest.mark.django_db
URL = "/data-deletion/callback"
FORM = "application/x-www-form-urlencoded"


def _post(client: Client, value: str, **extra):
    return client.post(URL, {"signed_request": value}, **extra)


def test_a_valid_signed_request_gets_the_status_url_and_confirmation_code(
    client, make_signed_request, settings
):
    settings.FLUX_PUBLIC_URL = "https://flux.example.ts.net"
    response = _post(client, make_signed_request(user_id="1020304050"))
    assert response.status_code == 200
    body = response.json()
    stored = DeletionRequest.objects.get()
    assert set(body) == {"url", "confirmation_code"}
    assert body["confirmation_code"] == stored.code
    assert body["url"] == f"https://flux.example.ts.net/data-deletion/status/{stored.code}"
    assert (stored.source, stored.subject_kind) == (
        DeletionSource.META_CALLBACK,
        SubjectKind.META_USER_ID,
    )
    assert stored.subject_hash == hash_identifier("meta:1020304050")
    assert client.get(f"/data-deletion/status/{stored.code}").status_code == 200


def test_the_callback_needs_no_csrf_token_and_no_session(make_signed_request):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, f"signed_request={make_signed_request()}", content_type=FORM)
    assert response.status_code == 200


def test_a_padded_signed_request_is_accepted_too(client, meta_secret):
    payload_part = b64url(json.dumps({"algorithm": "HMAC-SHA256", "user_id": "77"}).encode())
    signature, _, _ = sign_payload_part(payload_part).partition(".")
    padded = f"{signature}{'=' * (-len(signature) % 4)}.{payload_part}"
    assert _post(client, padded).status_code == 200


def test_repeated_callbacks_for_one_user_share_the_open_request(client, make_signed_request):
    first = _post(client, make_signed_request(user_id="42")).json()
    again = _post(client, make_signed_request(user_id="42", issued_at=1)).json()
    other = _post(client, make_signed_request(user_id="43")).json()
    assert again == first
    assert other["confirmation_code"] != first["confirmation_code"]
    assert DeletionRequest.objects.count() == 2


def test_a_callback_after_the_request_closed_opens_a_new_one(client, make_signed_request):
    first = _post(client, make_signed_request(user_id="42")).json()
    DeletionRequest.objects.update(status=DeletionStatus.COMPLETED)
    second = _post(client, make_signed_request(user_id="42")).json()
    assert second["confirmation_code"] != first["confirmation_code"]
    assert DeletionRequest.objects.count() == 2


def test_without_an_app_secret_the_callback_refuses_everything(client, settings):
    settings.META_APP_SECRET = ""
    forged = signed_request({"algorithm": "HMAC-SHA256", "user_id": "1"}, secret="")
    response = _post(client, forged)
    assert response.status_code == 503
    assert DeletionRequest.objects.count() == 0


def test_a_signature_made_with_another_secret_is_forbidden(client, meta_secret):
    forged = signed_request({"algorithm": "HMAC-SHA256", "user_id": "1"}, secret="guess")
    assert _post(client, forged).status_code == 403


def test_oversized_input_is_refused_with_413(client, make_signed_request):
    assert _post(client, make_signed_request(padding="x" * 4096)).status_code == 413
    body = f"signed_request={make_signed_request()}&pad={'x' * 17_000}"
    assert client.post(URL, body, content_type=FORM).status_code == 413
    assert DeletionRequest.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "head", "options"])
def test_other_methods_get_405(client, make_signed_request, method):
    response = getattr(client, method)(URL, {"signed_request": make_signed_request()})
    assert response.status_code == 405
    assert DeletionRequest.objects.count() == 0


# --- Forged and malformed input: 1,000 generated examples, all 4xx, nothing written ---------

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

_CONTENT_TYPES = [
    FORM,
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain",
    "application/octet-stream",
]
# (method, content type, raw body)
as_form_field = forged_signed_requests.map(lambda value: ("POST", FORM, _form_body(value)))
raw_bodies = st.tuples(st.just("POST"), st.sampled_from(_CONTENT_TYPES), st.binary(max_size=2000))
oversized_bodies = st.integers(min_value=16 * 1024 + 1, max_value=40_000).map(
    lambda n: ("POST", FORM, b"signed_request=" + b"a" * n)
)
wrong_methods = st.tuples(
    st.sampled_from(["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "HEAD"]),
    st.just(FORM),
    _good_payload.map(lambda payload: _form_body(_signed(payload))),
)
requests = st.one_of(as_form_field, as_form_field, raw_bodies, oversized_bodies, wrong_methods)


def _form_body(value: str) -> bytes:
    return urlencode({"signed_request": value}).encode()


def test_a_thousand_forged_or_malformed_callbacks_get_4xx_and_write_nothing(meta_secret):
    client = Client()
    audit_before = AuditEvent.objects.count()
    statuses: list[int] = []

    @hyp_settings(
        max_examples=1000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )
    @given(request=requests)
    def check(request: tuple[str, str, bytes]) -> None:
        method, content_type, body = request
        response = client.generic(method, URL, body, content_type=content_type)
        statuses.append(response.status_code)
        assert 400 <= response.status_code < 500, (response.status_code, request)
        assert DeletionRequest.objects.count() == 0
        assert AuditEvent.objects.count() == audit_before

    check()
    assert len(statuses) >= 1000
    assert {400, 403, 405, 413} <= set(statuses)


def test_the_database_allows_one_open_meta_request_per_user(client, make_signed_request):
    _post(client, make_signed_request(user_id="42"))
    existing = DeletionRequest.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DeletionRequest.objects.create(
            code="another-code-abcdefghijkl",
            source=DeletionSource.META_CALLBACK,
            subject_kind=SubjectKind.META_USER_ID,
            subject_hash=existing.subject_hash,
            created_at=existing.created_at,
            due_at=existing.due_at,
        )
