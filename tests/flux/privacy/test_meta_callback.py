"""Meta's data-deletion callback answers only a correctly signed request, and nothing else."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from flux.hashing import hash_identifier
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus, SubjectKind

from .conftest import b64url, sign_payload_part, signed_request

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
