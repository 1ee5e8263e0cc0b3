"""Run one sync in-process and print what it did."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.connections import connection_sync
from integrations.models import Connection, SyncRun
from integrations.providers import registry


class Command(BaseCommand):
    help = "Sync <provider|all> now, in this process; --full re-reads everything."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="A provider name, or 'all'.")
        parser.add_argument("--full", action="store_true", help="Ignore bookmarks.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        connections = _connections(options["provider"])
        runs: list[SyncRun] = []
        for connection in connections:
            runs += connection_sync(
                connection_id=connection.pk, full=options["full"], trigger="command"
            )
        rows = [_summary(run) for run in runs]
        if options["json"]:
            self.stdout.write(json.dumps({"runs": rows}))
        else:
            self._print_table(rows, matched=bool(connections))
        if any(row["status"] == "failed" for row in rows):
            raise CommandError("at least one stream failed; see the errors above")

    def _print_table(self, rows: list[dict[str, Any]], *, matched: bool) -> None:
        if not rows and matched:
            self.stdout.write(
                "Nothing ran: a live run already holds every stream (see the connections page)."
            )
        elif not rows:
            self.stdout.write("Nothing to sync: no active connection matches.")
        for row in rows:
            line = (
                f"{row['provider']:<14} {row['stream']:<14} {row['status']:<10} "
                f"pages={row['pages']} read={row['rows_read']} "
                f"inserted={row['rows_inserted']} updated={row['rows_updated']}"
            )
            self.stdout.write(line + (f"  error: {row['error']}" if row["error"] else ""))


def _connections(provider: str) -> list[Connection]:
    active = Connection.objects.fetchable()
    if provider == "all":
        return list(active)
    if provider not in registry.names():
        raise CommandError(f"unknown provider {provider!r} (known: {', '.join(registry.names())})")
    return list(active.filter(provider=provider))


def _summary(run: SyncRun) -> dict[str, Any]:
    return {
        "run_id": run.pk,
        "provider": run.connection.provider,
        "stream": run.stream,
        "status": run.status,
        "pages": run.pages,
        "rows_read": run.rows_read,
        "rows_inserted": run.rows_inserted,
        "rows_updated": run.rows_updated,
        "bookmark": run.bookmark_end,
        "error": run.error,
    }
