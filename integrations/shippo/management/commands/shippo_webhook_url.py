"""Print the track_updated webhook URL of each active Shippo connection."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Connection
from integrations.shippo.adapter import webhook_url


class Command(BaseCommand):
    help = "Print the URL to set as Shippo's track_updated webhook (it holds a secret token)."

    def handle(self, *args: Any, **options: Any) -> None:
        connections = Connection.objects.fetchable().filter(provider="shippo")
        if not connections:
            raise CommandError("no active Shippo connection: run `connect shippo` first")
        for connection in connections:
            self.stdout.write(f"{connection.display_name}: {webhook_url(connection)}")
