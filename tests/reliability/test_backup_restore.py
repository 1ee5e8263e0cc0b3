"""The backup procedure of docs/operations.md, proven: dump the demo database and restore it.

The demo data (the providers connected to the sandbox and synced, the catalog, rules, a post
of each state, an agent run) is committed, then scripts/backup_restore_check.sh dumps
it with pg_dump, restores it into a scratch database with pg_restore and counts every table
in both. The test reads the counts itself too, so the script cannot pass by counting wrong.
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection as db

from sandbox.demo import DEMO_KEYS, demo_connections_sync
from sandbox.server import SandboxOptions
from tests.child_processes import ROOT, child_database_url
from tests.security.conftest import serving

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SCRIPT = ROOT / "scripts" / "backup_restore_check.sh"
GOOGLE = ("google_ads", "search_console")
FILLED = (
    "integrations_order", "integrations_label", "integrations_campaignday",
    "integrations_credential", "audit_auditevent", "social_post", "proposals_proposal",
)  # fmt: skip


@pytest.fixture
def demo_database(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fill the test database as `make demo` does: every provider connected and synced once."""
    if shutil.which("pg_dump") is None:
        pytest.skip("needs the PostgreSQL client tools (pg_dump, pg_restore, psql)")
    monkeypatch.setattr("integrations.meta.client.pause", lambda seconds: None)
    # The Google platforms' years of daily rows take a minute to sync and add no kind of data
    # the others lack; every table still exists and is counted.
    keys = tuple(key for key in DEMO_KEYS if key.provider not in GOOGLE)
    monkeypatch.setattr("sandbox.demo.DEMO_KEYS", keys)
    with serving(SandboxOptions(seed=31, orders=200)) as running:
        for name, value in running.settings.items():
            setattr(settings, name, value)
        demo_connections_sync(report=lambda line: None)


def counts_here() -> dict[str, int]:
    """Count every table of the test database from this process."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables"
            " WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\\_%'"
        )
        tables = cursor.fetchall()
        found = {}
        for schema, table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608 - catalog names
            found[f"{schema}.{table}"] = cursor.fetchone()[0]
    return found


def test_a_dump_of_the_demo_database_restores_with_every_row(
    demo_database: None, tmp_path: Path
) -> None:
    dump = tmp_path / "flux.dump"
    done = subprocess.run(  # noqa: S603
        ["/bin/sh", str(SCRIPT), child_database_url(), str(dump)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    *rows, summary = done.stdout.strip().splitlines()
    assert summary.startswith("OK: ")
    reported = {table: (int(before), int(after)) for table, before, after in map(str.split, rows)}

    expected = counts_here()
    assert {table: before for table, (before, _) in reported.items()} == expected
    assert {table: after for table, (_, after) in reported.items()} == expected
    for table in FILLED:
        assert expected[f"public.{table}"] > 0, f"the demo left {table} empty"
    assert dump.stat().st_size > 0
