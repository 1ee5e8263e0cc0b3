"""Suite-wide fixtures: loopback-only network, service checks, role personas."""

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import override_settings

IN_CI = os.environ.get("CI", "").lower() == "true"
_real_connect = socket.socket.connect


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # Unix sockets stay on this machine
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_loopback(address):
        raise RuntimeError(f"tests may only reach loopback, not {address!r}")
    _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only() -> Iterator[None]:
    """Refuse any socket connection that leaves this machine."""
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process() -> None:
    """Run tasks in-process by default, even where REDIS_URL is set (CI).

    Tests that need a real worker start one and switch this off with `celery_broker`.
    """
    from flux.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True, scope="session")
def _cache_in_memory() -> Iterator[None]:
    """Keep the test process's cache in memory, even where REDIS_URL is set (CI).

    Tests clear the cache between cases (rate limits, used TOTP codes); on Redis that is a
    FLUSHDB, which would also drop the Celery messages a parallel test's worker is waiting for.
    Child processes (workers, gunicorn) still cache in Redis.
    """
    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=memory):
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip service-bound tests locally when the service is absent; in CI that is a failure."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if IN_CI:
                raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not settings.REDIS_URL:
            if IN_CI:
                raise pytest.UsageError("CI must run with Redis: set REDIS_URL")
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


def _user_with_role(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@flux.example")
    if role:
        # A transactional test flushes the migration-made groups, so make sure the role exists.
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def make_user(db: None) -> Callable[[str, str | None], User]:
    """Build a user holding the given role (viewer, operator, admin or None)."""
    return _user_with_role


@pytest.fixture
def viewer(db: None) -> User:
    return _user_with_role("vera-viewer", "viewer")


@pytest.fixture
def operator(db: None) -> User:
    return _user_with_role("otto-operator", "operator")


@pytest.fixture
def admin_user(db: None) -> User:
    return _user_with_role("ada-admin", "admin")


@pytest.fixture
def outsider(db: None) -> User:
    """A signed-in user with no staff role."""
    return _user_with_role("oscar-outsider", None)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
