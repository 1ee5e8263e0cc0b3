"""Every fault class each platform's sandbox can throw, through a sync, to the page staff read.

For each provider and class (tests/reliability/fault_classes.py) the fault lands in the
middle of a listing. The run either heals within itself or fails with its reason and the
next run completes; a refused token asks for a reconnect and, once reconnected, the next
run completes. Either way the stored rows are the platform's, each once; the sync wrote
nothing to the platform; and the connections page shows the connection's status, every
run's outcome and the error of the one that failed.

Claude's faults are the agent's to survive: tests/proposals/agent/test_faults.py. Writes
under the same classes: test_write_faults.py.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User

from integrations.models import Connection, ConnectionStatus, SyncRun, SyncStatus
from tests.reliability.fault_classes import SYNC_FAULTS, FaultClass, played
from tests.reliability.sync_cases import CASES, LISTINGS, SyncCase
from tests.reliability.syncs import assert_connections_page_shows

pytestmark = pytest.mark.django_db

PAIRS = [
    pytest.param(provider, fault, id=f"{provider}-{fault_class.name.lower()}")
    for provider in SYNC_FAULTS
    for fault_class, fault in played(provider)
]


@pytest.fixture
def case(
    request: pytest.FixtureRequest, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SyncCase]:
    with CASES[request.param](settings, monkeypatch) as found:
        yield found


def test_every_class_is_played_by_each_platform_or_said_to_be_impossible() -> None:
    for provider, plays in SYNC_FAULTS.items():
        assert set(plays) == set(FaultClass), f"{provider} leaves a class unsaid"
        for fault in plays.values():
            assert isinstance(fault, str) or fault.reason


def test_every_fault_the_table_names_is_one_the_sandbox_knows() -> None:
    for provider in SYNC_FAULTS:
        platform, route = LISTINGS[provider]
        for _, fault in played(provider):
            assert f"{route}:{fault}" in platform.known_faults, (provider, fault)


def run_until_healed(case: SyncCase, connection: Connection, admin: User) -> list[SyncRun]:
    """Sync; after a clean failure sync again, reconnecting first if the token was refused."""
    first = case.sync(connection)
    if first.status == SyncStatus.SUCCEEDED:
        return [first]
    assert first.status == SyncStatus.FAILED
    assert first.error, "a failed run must say why"
    connection.refresh_from_db()
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        assert_shows(admin, connection, status="Needs reconnect", error=first.error)
        connection = case.connect()  # what the revoked-token runbook asks staff to do
    return [first, case.sync(connection)]


def assert_shows(admin: User, connection: Connection, *, status: str, error: str = "") -> None:
    runs = SyncRun.objects.filter(connection=connection).order_by("-started_at", "-id")
    statuses = [run.get_status_display() for run in runs]
    assert "Running" not in statuses
    assert_connections_page_shows(admin, connection, statuses, status=status, error=error[:90])


@pytest.mark.parametrize(("case", "fault"), PAIRS, indirect=["case"])
def test_a_fault_mid_listing_ends_with_every_row_once_and_a_clear_status(
    case: SyncCase, fault: str, admin_user: User
) -> None:
    connection = case.connect()
    writes = len(case.platform.writes)
    if case.first_page_clean:
        case.platform.faults.arm(case.route, "none")
    case.platform.faults.arm(case.route, fault)

    runs = run_until_healed(case, connection, admin_user)

    assert case.platform.faults.take(case.route) is None, "the fault never fired"
    assert runs[-1].status == SyncStatus.SUCCEEDED, runs[-1].error
    case.assert_truth()
    assert len(case.platform.writes) == writes, "a sync wrote to the platform"
    assert_shows(admin_user, connection, status="Active", error=runs[0].error)
