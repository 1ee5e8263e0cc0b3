"""Seal the MFA secrets stored in plain text before StaffMFAAdapter sealed them.

Every TOTP secret, recovery-code seed and migrated recovery code in mfa_authenticator.data is
sealed under the first FLUX_KEYS key (see flux/accounts/mfa.py); values already sealed are left
as they are, so running it again changes nothing. The reverse opens them back to plain text, for
a rollback to code that stores them so; it stops (and changes nothing) if one does not open.
"""

from typing import Any

from django.db import migrations

from flux.accounts.mfa import (
    is_sealed,
    open_mfa_secret,
    seal_mfa_secret,
    with_secrets_mapped,
)
from flux.crypto import active_ring


def _sealed(stored: object) -> object:
    # Already sealed, or not a string allauth wrote: left as is (rotate_keys reports the latter).
    if is_sealed(stored) or not isinstance(stored, str):
        return stored
    return seal_mfa_secret(stored, ring=active_ring())


def _opened(stored: object) -> object:
    return open_mfa_secret(stored, ring=active_ring()) if is_sealed(stored) else stored


def _map_every_row(apps: Any, transform: Any) -> None:
    authenticator = apps.get_model("mfa", "Authenticator")
    rows = list(authenticator.objects.order_by("pk").values_list("pk", "data"))
    for pk, data in rows:
        mapped = with_secrets_mapped(data, transform)
        if mapped != data:
            authenticator.objects.filter(pk=pk).update(data=mapped)


def seal_plaintext_secrets(apps: Any, schema_editor: Any) -> None:
    _map_every_row(apps, _sealed)


def open_sealed_secrets(apps: Any, schema_editor: Any) -> None:
    _map_every_row(apps, _opened)


class Migration(migrations.Migration):
    dependencies = [
        ("flux_accounts", "0001_roles"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_plaintext_secrets, open_sealed_secrets)]
