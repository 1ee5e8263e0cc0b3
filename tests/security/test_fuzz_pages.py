"""Fuzzing the public pages: /privacy, /healthz, the deletion status page and static files.

A read of a real page answers 200 (the page it documents); anything else answers 4xx, and
nothing is ever written.
"""

from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone
from hypothesis import strategies as st

from flux.privacy.models import DeletionRequest, DeletionSource, SubjectKind
from tests.security.fuzzing import (
    Check,
    Hostile,
    carries_nul,
    fuzz,
    hostile,
    only_client_errors,
    segment,
    send,
)

pytestmark = pytest.mark.django_db


def reads_or_refuses(read_methods: tuple[str, ...]) -> Check:
    """A check: a read answers 200, every other method 405."""

    def check(request: Hostile, response: HttpResponseBase) -> None:
        expected = 200 if request.method in read_methods else 405
        if carries_nul(request):
            expected = 400
        assert response.status_code == expected, (response.status_code, request)

    return check


@pytest.mark.parametrize(
    ("path", "read_methods"),
    [("/privacy", ("GET", "HEAD")), ("/healthz", ("GET",))],
)
def test_a_public_page_answers_any_request_with_the_page_or_a_4xx(path, read_methods):
    check = reads_or_refuses(read_methods)
    statuses = fuzz(hostile(st.just(path)), lambda r: send(Client(), r), check)
    assert {200, 405} <= set(statuses) <= {200, 400, 405}


@pytest.fixture
def deletion_code() -> str:
    """The code of one real deletion request, so the fuzz also reads an existing page."""
    now = timezone.now()
    found = DeletionRequest.objects.create(
        code="Zk3vQm9pX2rT7wLb5nHc",
        source=DeletionSource.FORM,
        subject_kind=SubjectKind.EMAIL,
        subject_hash="0" * 64,
        created_at=now,
        due_at=now + timedelta(days=30),
    )
    return found.code


def test_the_deletion_status_page_shows_only_a_real_code_and_refuses_the_rest(deletion_code):
    codes = st.one_of(
        st.just(deletion_code),
        st.text(max_size=80),
        st.from_regex(r"[A-Za-z0-9_-]{16,64}", fullmatch=True),  # well-formed, unknown
        st.text(max_size=10).map(lambda extra: deletion_code + extra),
    )
    paths = codes.map(lambda code: f"/data-deletion/status/{segment(code)}")

    def check(request: Hostile, response: HttpResponseBase) -> None:
        real = request.path == f"/data-deletion/status/{deletion_code}"
        if real and request.method in ("GET", "HEAD") and not carries_nul(request):
            assert response.status_code == 200, request
        else:
            only_client_errors(request, response)

    statuses = fuzz(hostile(paths), lambda r: send(Client(), r), check)
    assert {200, 404, 405} <= set(statuses)


STATIC_FILES = sorted(
    path for finder in finders.get_finders() for path, _storage in finder.list([])
)


def test_static_files_serve_only_what_exists():
    known = st.sampled_from(STATIC_FILES)
    paths = st.one_of(
        known,
        known.map(lambda path: f"{path}/../../../../etc/passwd"),
        known.map(lambda path: "../" * 4 + path),
        st.text(max_size=60).map(segment),
        st.text(max_size=60),
    ).map(lambda path: f"/static/{path}")
    real = {f"/static/{path}" for path in STATIC_FILES}

    def check(request: Hostile, response: HttpResponseBase) -> None:
        if request.path in real and request.method in ("GET", "HEAD") and not carries_nul(request):
            # The file, part of it (Range), not modified (If-None-Match), or a bad range.
            assert response.status_code in (200, 206, 304, 416), (response.status_code, request)
        else:
            only_client_errors(request, response)

    statuses = fuzz(hostile(paths), lambda r: send(Client(), r), check)
    assert {200, 404, 405} <= set(statuses)
