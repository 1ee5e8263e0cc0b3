"""Fixtures the fault suite shares: real enqueueing, a large store, a Redis of its own."""

from collections.abc import Iterator

import pytest

from tests.child_processes import enqueueing_for_real
from tests.reliability.own_redis import own_redis
from tests.reliability.syncs import big_store

__all__ = ["big_store", "own_redis"]


@pytest.fixture
def real_enqueueing() -> Iterator[None]:
    """Send tasks to the broker for the test's workers, not in-process."""
    with enqueueing_for_real():
        yield
