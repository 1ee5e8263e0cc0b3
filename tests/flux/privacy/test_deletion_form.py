"""/data-deletion takes a hashed request behind CSRF and a rate limit; the status page is bare."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from flux.audit.models import AuditEvent
from flux.hashing import hash_email, hash_identifier
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus, SubjectKind

pytestmark = pytest.mark.django_db
EMAIL = "Jane.Customer@Example.com"


def _submit(client: Client, **data: str):
    return client.post("/data-deletion", data)


def test_the_page_explains_deletion_and_offers_the_form(client):
    response = client.get("/data-deletion")
    assert response.status_code == 200
    page = response.content.decode()
    assert "within 30 days" in page
    assert 'name="email"' in page
    assert 'name="meta_user_id"' in page
    assert "csrfmiddlewaretoken" in page
    assert "public-page" in page


def test_an_email_request_stores_only_its_hash_and_shows_a_confirmation_code(client):
    response = _submit(client, email=EMAIL, note="Please remove my order history.")
    assert response.status_code == 200
    stored = DeletionRequest.objects.get()
    assert (stored.source, stored.subject_kind) == (DeletionSource.FORM, SubjectKind.EMAIL)
    assert stored.subject_hash == hash_email(EMAIL)
    assert stored.status == DeletionStatus.RECEIVED
    assert stored.due_at - stored.created_at == timedelta(days=30)
    page = response.content.decode()
    assert stored.code in page
    assert f'href="/data-deletion/status/{stored.code}"' in page


def test_no_plaintext_identifier_is_written_anywhere_in_the_database(client):
    _submit(client, email=EMAIL)
    stored = DeletionRequest.objects.values()[0]
    audit = list(AuditEvent.objects.values())
    assert EMAIL.lower() not in repr(stored).lower()
    assert EMAIL.lower() not in repr(audit).lower()


def test_a_meta_user_id_request_is_hashed_like_the_meta_callback(client):
    _submit(client, meta_user_id="10223344556677")
    stored = DeletionRequest.objects.get()
    assert stored.subject_kind == SubjectKind.META_USER_ID
    assert stored.subject_hash == hash_identifier("meta:10223344556677")


def test_the_confirmation_code_is_long_random_and_url_safe(client):
    for _ in range(3):
        _submit(client, email=EMAIL)
    codes = list(DeletionRequest.objects.values_list("code", flat=True))
    assert len(set(codes)) == 3
    for code in codes:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", code)  # 32 base64 chars = 192 bits


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "not-an-email"},
        {"meta_user_id": "12ab"},
        {"email": EMAIL, "meta_user_id": "123"},
        {"email": EMAIL, "note": "x" * 2001},
        {"meta_user_id": "1" * 33},
    ],
)
def test_an_invalid_form_comes_back_with_errors_and_writes_nothing(client, data):
    response = _submit(client, **data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "alert-danger" in (
        response.content.decode()
    )
    assert DeletionRequest.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_the_form_refuses_a_post_without_a_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/data-deletion", {"email": EMAIL})
    assert response.status_code == 403
    assert DeletionRequest.objects.count() == 0


def test_the_form_accepts_a_post_with_the_csrf_token_from_the_page():
    strict = Client(enforce_csrf_checks=True)
    strict.get("/data-deletion")
    token = strict.cookies["csrftoken"].value
    response = strict.post("/data-deletion", {"email": EMAIL, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert DeletionRequest.objects.count() == 1


def test_past_the_rate_limit_a_client_gets_429_and_nothing_is_written(client, settings):
    settings.FLUX_DELETION_RATE_LIMIT = "2/h"
    assert _submit(client, email=EMAIL).status_code == 200
    assert _submit(client, email="bad").status_code == 400  # invalid attempts count too
    response = _submit(client, email=EMAIL)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert DeletionRequest.objects.count() == 1


def test_the_rate_limit_counts_each_client_address_separately(client, settings):
    settings.FLUX_DELETION_RATE_LIMIT = "1/h"
    assert _submit(client, email=EMAIL).status_code == 200
    other = client.post("/data-deletion", {"email": EMAIL}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert _submit(client, email=EMAIL).status_code == 429


def test_the_status_page_shows_status_and_dates_but_nothing_personal(client):
    _submit(client, email=EMAIL, note="my secret note")
    stored = DeletionRequest.objects.get()
    response = client.get(f"/data-deletion/status/{stored.code}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Received" in page
    assert stored.created_at.strftime("%Y-%m-%d") in page
    assert stored.due_at.strftime("%Y-%m-%d") in page
    for personal in (EMAIL, EMAIL.lower(), stored.subject_hash, "my secret note"):
        assert personal not in page


@pytest.mark.parametrize("status", list(DeletionStatus))
def test_the_status_page_names_each_status(client, status):
    _submit(client, email=EMAIL)
    stored = DeletionRequest.objects.get()
    DeletionRequest.objects.filter(pk=stored.pk).update(status=status)
    page = client.get(f"/data-deletion/status/{stored.code}").content.decode()
    assert f'id="status">{status.label}<' in page


@pytest.mark.parametrize("code", ["unknown-code-abcdefghijklmnop", "short", "x" * 65])
def test_an_unknown_code_gets_a_404_page(client, code):
    assert client.get(f"/data-deletion/status/{code}").status_code == 404


def test_a_code_carrying_nul_is_a_bad_request(client):
    assert client.get("/data-deletion/status/%00").status_code == 400


@pytest.mark.parametrize("path", ["/privacy", "/data-deletion"])
def test_public_pages_carry_no_inline_script_or_style(client, path):
    page = client.get(path).content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert re.search(r"\sstyle=", page) is None
    assert "<style" not in page
