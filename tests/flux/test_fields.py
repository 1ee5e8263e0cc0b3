"""EncryptedJSONField on the Credential model: sealed at rest, bound to its row and column.

Swapped and tampered envelopes, for every encrypted column: tests/security/test_ciphertext.py.
"""

import base64
import json
import pickle
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection, models
from django.http import HttpRequest, HttpResponse
from django.test.utils import isolate_apps
from django.urls import path
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import flux.urls
from flux.crypto import CredentialUnreadable
from flux.fields import EncryptedJSONField, Secret
from integrations.models import Credential

TOKEN = "EAAB-plaintext-token-4f1c9e"


def key_entry(kid: str, fill: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([fill]) * 32).decode()}"


@pytest.fixture(autouse=True)
def _key_ring(settings):
    settings.FLUX_KEYS = key_entry("k1", 1)


def stored_secret(pk: uuid.UUID) -> dict[str, Any]:
    """Read the secret column straight from the table, past the ORM."""
    column = connection.ops.quote_name("secret")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM integrations_credential WHERE id = %s",  # noqa: S608
            [Credential._meta.pk.get_db_prep_value(pk, connection)],
        )
        raw = cursor.fetchone()[0]
    return raw if isinstance(raw, dict) else json.loads(raw)


def fresh(credential: Credential) -> Credential:
    return Credential.objects.get(pk=credential.pk)


def make_credential(secret: object = None) -> Credential:
    return Credential.objects.create(provider="meta", secret=secret or {"access_token": TOKEN})


@pytest.mark.django_db
def test_a_saved_secret_reads_back_from_the_database():
    credential = make_credential({"access_token": TOKEN, "expires_in": 3600})
    assert fresh(credential).secret.reveal() == {"access_token": TOKEN, "expires_in": 3600}


@pytest.mark.django_db
def test_the_column_holds_an_envelope_and_not_the_token():
    credential = make_credential()
    stored = stored_secret(credential.pk)
    assert stored["kid"] == "k1"
    assert set(stored) == {"v", "kid", "wrapped_key", "wrap_nonce", "nonce", "ciphertext"}
    assert TOKEN not in json.dumps(stored)


@pytest.mark.django_db
def test_saving_a_row_whose_secret_was_not_touched_writes_the_same_envelope():
    credential = make_credential()
    before = stored_secret(credential.pk)
    loaded = fresh(credential)
    loaded.provider = "google_ads"
    loaded.save()
    loaded.secret.reveal()  # reading it is not changing it
    loaded.save()
    assert stored_secret(credential.pk) == before


@pytest.mark.django_db
def test_assigning_a_new_value_seals_it_afresh_on_save():
    credential = make_credential()
    before = stored_secret(credential.pk)
    loaded = fresh(credential)
    loaded.secret = {"access_token": "rotated-by-provider"}
    loaded.save()
    assert stored_secret(credential.pk)["ciphertext"] != before["ciphertext"]
    assert fresh(credential).secret.reveal() == {"access_token": "rotated-by-provider"}


@pytest.mark.django_db
def test_changing_the_revealed_value_in_place_is_saved_too():
    loaded = fresh(make_credential())
    loaded.secret.reveal()["refresh_token"] = "r-2"
    loaded.save()
    assert fresh(loaded).secret.reveal() == {"access_token": TOKEN, "refresh_token": "r-2"}


@pytest.mark.django_db
def test_a_value_sealed_under_a_key_no_longer_in_the_ring_is_refused(settings):
    credential = make_credential()
    settings.FLUX_KEYS = key_entry("k2", 2)
    with pytest.raises(CredentialUnreadable, match="k1"):
        fresh(credential).secret.reveal()


@pytest.mark.django_db
def test_copying_a_secret_to_another_row_reseals_it_for_that_row():
    original = fresh(make_credential())
    copy = Credential.objects.create(provider="meta", secret=original.secret)
    assert stored_secret(copy.pk)["ciphertext"] != stored_secret(original.pk)["ciphertext"]
    assert fresh(copy).secret.reveal() == {"access_token": TOKEN}


@pytest.mark.django_db
def test_a_row_read_without_revealing_decrypts_nothing(settings):
    credential = make_credential()
    settings.FLUX_KEYS = key_entry("k2", 2)  # opening would fail now, so any decrypt would show
    loaded = fresh(credential)
    loaded.provider = "shippo"
    loaded.save()
    assert loaded.secret.kid == "k1"


@pytest.mark.django_db
def test_no_plaintext_shows_in_repr_str_values_or_pickles():
    credential = fresh(make_credential())
    credential.secret.reveal()
    shown = [repr(credential), str(credential), repr(credential.secret), str(credential.secret)]
    shown.append(repr(list(Credential.objects.values("secret"))))
    assert not any(TOKEN in text for text in shown)
    assert TOKEN.encode() not in pickle.dumps(credential)
    restored = pickle.loads(pickle.dumps(credential))  # noqa: S301 (our own bytes)
    assert restored.secret.reveal() == {"access_token": TOKEN}


def test_an_unsealed_secret_refuses_to_be_pickled():
    with pytest.raises(TypeError):
        pickle.dumps(Secret.of({"token": TOKEN}))


@pytest.mark.parametrize("value", [{"when": object()}, {"limit": float("inf")}, float("nan")])
def test_a_value_json_cannot_hold_is_refused_when_assigned(value):
    with pytest.raises((TypeError, ValueError)):
        Credential(provider="meta", secret=value)


@pytest.mark.django_db
def test_the_secret_kid_is_queryable_on_the_column():
    make_credential()
    assert Credential.objects.filter(secret__kid="k1").count() == 1
    assert list(Credential.objects.values_list("secret__kid", flat=True)) == ["k1"]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=json_values.filter(lambda value: value is not None))  # None is SQL NULL: no secret
def test_any_json_value_survives_a_database_round_trip(value):
    credential = Credential.objects.create(provider="anthropic", secret=value)
    assert fresh(credential).secret.reveal() == json.loads(json.dumps(value))


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_scan_of_the_raw_table_finds_no_plaintext_token():
    for n in range(3):
        make_credential({"access_token": f"{TOKEN}-{n}", "refresh_token": f"refresh-{TOKEN}"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_credential")
        rows = cursor.fetchall()
    assert len(rows) == 3
    dumped = repr(rows)
    assert TOKEN not in dumped
    assert base64.b64encode(TOKEN.encode()).decode()[:20] not in dumped


# --- A second encrypted column, on a model kept out of the project's app registry ----------


@pytest.fixture
def two_secret_table(transactional_db):
    with isolate_apps("integrations"):

        class TwoSecrets(models.Model):  # noqa: DJ008
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            first = EncryptedJSONField()
            second = EncryptedJSONField(null=True)

            class Meta:
                app_label = "integrations"
                db_table = "test_two_secrets"

    with connection.schema_editor() as editor:
        editor.create_model(TwoSecrets)
    yield TwoSecrets
    with connection.schema_editor() as editor:
        editor.delete_model(TwoSecrets)


def test_a_ciphertext_copied_to_another_column_is_refused(two_secret_table):
    row = two_secret_table.objects.create(first={"token": TOKEN})
    two_secret_table.objects.filter(pk=row.pk).update(second=models.F("first"))
    with pytest.raises(CredentialUnreadable):
        two_secret_table.objects.get(pk=row.pk).second.reveal()
    assert two_secret_table.objects.get(pk=row.pk).first.reveal() == {"token": TOKEN}


def test_the_field_on_a_model_whose_pk_has_no_default_fails_the_system_check():
    with isolate_apps("integrations"):

        class AutoPk(models.Model):  # noqa: DJ008
            secret = EncryptedJSONField()

            class Meta:
                app_label = "integrations"

    errors = AutoPk._meta.get_field("secret").check()
    assert [error.id for error in errors] == ["flux.E201"]


def test_the_credential_model_passes_the_system_check():
    assert Credential._meta.get_field("secret").check() == []


# --- Through a real view: an unreadable credential becomes a "reconnect needed" page -----


def show_credential(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    credential = Credential.objects.get(pk=pk)
    return HttpResponse(f"token length {len(credential.secret.reveal()['access_token'])}")


urlpatterns = [
    path("test-only/credential/<uuid:pk>/", show_credential),
    *flux.urls.urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_view_reading_a_readable_credential_answers_normally(client, viewer):
    client.force_login(viewer)
    response = client.get(f"/test-only/credential/{make_credential().pk}/")
    assert response.status_code == 200


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_unreadable_credential_shows_reconnect_needed_with_409(client, viewer, settings):
    credential = make_credential()
    settings.FLUX_KEYS = key_entry("k2", 2)
    client.force_login(viewer)
    response = client.get(f"/test-only/credential/{credential.pk}/")
    assert response.status_code == 409
    assert b"Reconnect needed" in response.content
    assert b">Reconnect</a>" in response.content
    assert TOKEN.encode() not in response.content


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_an_htmx_request_gets_only_the_reconnect_card(client, viewer, settings):
    credential = make_credential()
    settings.FLUX_KEYS = key_entry("k2", 2)
    client.force_login(viewer)
    response = client.get(f"/test-only/credential/{credential.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert b'id="reconnect-needed"' in response.content
    assert b"<html" not in response.content


@pytest.mark.django_db
def test_the_admin_lists_credentials_without_their_secret(client):
    credential = make_credential()
    client.force_login(User.objects.create_superuser("root", "root@flux.example", "pw-unused"))
    listing = client.get("/admin/integrations/credential/")
    detail = client.get(f"/admin/integrations/credential/{credential.pk}/change/")
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert b"k1" in listing.content
    for page in (listing, detail):
        assert TOKEN.encode() not in page.content
        assert stored_secret(credential.pk)["ciphertext"].encode() not in page.content
