"""Processing runs every registered eraser in one transaction."""

from collections.abc import Iterator

import pytest

from flux.privacy.actions import (
    DeletionRequestNotOpen,
    DeletionSubject,
    deletion_request_create,
    deletion_request_process,
)
from flux.privacy.erasure import (
    EraserAlreadyRegistered,
    register_eraser,
    registered_erasers,
    unregister_eraser,
)
from flux.privacy.models import DeletionRequest, DeletionSource, DeletionStatus

pytestmark = pytest.mark.django_db


class EraserFailed(Exception):
    pass


@pytest.fixture
def temporary_eraser() -> Iterator[list[tuple[str, str]]]:
    calls: list[tuple[str, str]] = []

    def erase(subject_hash: str, subject_kind: str) -> int:
        calls.append((subject_hash, subject_kind))
        return 3

    register_eraser("tests.temporary", erase)
    yield calls
    unregister_eraser("tests.temporary")


@pytest.fixture
def failing_eraser() -> Iterator[None]:
    def erase(subject_hash: str, subject_kind: str) -> int:
        raise EraserFailed

    register_eraser("zz.failing", erase)
    yield
    unregister_eraser("zz.failing")


def _pending(note: str = "") -> DeletionRequest:
    subject = DeletionSubject.from_meta_user_id("555")
    return deletion_request_create(source=DeletionSource.FORM, subject=subject, note=note)


def test_the_builtin_erasers_are_registered():
    assert {"privacy.deletion_request_notes", "accounts.staff_account"} <= set(registered_erasers())


def test_each_registered_eraser_gets_the_subject_hash_and_kind(temporary_eraser, operator):
    pending = _pending()
    done = deletion_request_process(request_id=pending.pk, actor=operator)
    assert temporary_eraser == [(pending.subject_hash, "meta_user_id")]
    assert done.result["tests.temporary"] == 3


def test_a_failing_eraser_rolls_back_every_other_eraser_and_the_status(failing_eraser, operator):
    pending = _pending(note="erase me")
    with pytest.raises(EraserFailed):
        deletion_request_process(request_id=pending.pk, actor=operator)
    unchanged = DeletionRequest.objects.get(pk=pending.pk)
    assert unchanged.status == DeletionStatus.RECEIVED
    assert unchanged.note == "erase me"


def test_a_name_cannot_be_taken_by_a_second_function():
    with pytest.raises(EraserAlreadyRegistered):
        register_eraser("privacy.deletion_request_notes", lambda h, k: 0)


def test_a_completed_request_is_not_processed_twice(operator):
    pending = _pending()
    deletion_request_process(request_id=pending.pk, actor=operator)
    with pytest.raises(DeletionRequestNotOpen):
        deletion_request_process(request_id=pending.pk, actor=operator)


def test_a_staff_account_with_another_email_is_left_alone(operator, viewer):
    pending = deletion_request_create(
        source=DeletionSource.FORM, subject=DeletionSubject.from_email("nobody@example.com")
    )
    done = deletion_request_process(request_id=pending.pk, actor=operator)
    assert done.result["accounts.staff_account"] == 0
    viewer.refresh_from_db()
    assert viewer.is_active
    assert viewer.username == "vera-viewer"
