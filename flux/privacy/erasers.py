"""The erasers for the data this app holds about people today.

Today that is: the free-text notes on deletion requests themselves, and the sign-in accounts of
staff (username, email, name, identity-provider link, second-factor devices). Synced data tables
register their own erasers in their apps as they arrive.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import User

from flux.hashing import hash_email
from flux.privacy.erasure import register_eraser
from flux.privacy.models import DeletionRequest, SubjectKind


def deletion_request_notes_erase(subject_hash: str, subject_kind: str) -> int:
    """Blank the free-text notes of every request about the subject; the hashes stay."""
    matching = DeletionRequest.objects.filter(subject_hash=subject_hash).exclude(note="")
    return matching.update(note="")


def staff_account_erase(subject_hash: str, subject_kind: str) -> int:
    """Anonymise and deactivate each staff account whose email hashes to the subject."""
    if subject_kind != SubjectKind.EMAIL:
        return 0  # staff accounts are known by email only
    return sum(_user_anonymise(user) for user in _users_with_email_hash(subject_hash))


def _users_with_email_hash(subject_hash: str) -> list[User]:
    # Only hashes are known, so each stored address is hashed and compared; staff are few.
    primary = User.objects.exclude(email="").values_list("pk", "email")
    extra = EmailAddress.objects.values_list("user_id", "email")
    ids = {pk for pk, email in [*primary, *extra] if hash_email(email) == subject_hash}
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _user_anonymise(user: User) -> int:
    # The user row is kept (renamed, emptied, deactivated) so foreign keys and the audit
    # trail's actor ids stay valid; everything that identifies the person goes.
    rows: int = EmailAddress.objects.filter(user=user).delete()[0]
    rows += SocialAccount.objects.filter(user=user).delete()[0]
    rows += Authenticator.objects.filter(user=user).delete()[0]
    user.groups.clear()
    user.username = f"erased-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=["username", "email", "first_name", "last_name", "is_active", "password"]
    )
    return rows + 1


def builtin_erasers_register() -> None:
    """Register this module's erasers; called once from the app config."""
    register_eraser("privacy.deletion_request_notes", deletion_request_notes_erase)
    register_eraser("accounts.staff_account", staff_account_erase)
