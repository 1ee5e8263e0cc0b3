"""Connect a provider account from the shell with an API key or a long-lived token."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.connections import connection_connect
from integrations.http import ProviderError
from integrations.providers import UnknownProvider, registry


class Command(BaseCommand):
    help = "Connect <provider> with --api-key K [--account ID]; reconnects an existing account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider")
        parser.add_argument("--api-key", required=True, help="The key or long-lived token.")
        parser.add_argument("--account", default="", help="Account id where the key spans many.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        adapter = _adapter(options["provider"])
        if not adapter.connects_by_key:
            raise CommandError(f"{adapter.name} connects through its OAuth screen only")
        try:
            grant = adapter.connect_with_key(api_key=options["api_key"], account=options["account"])
        except ProviderError as error:
            raise CommandError(f"the platform refused the key: {error}") from error
        connection = connection_connect(
            provider=adapter.name, grant=grant, actor="manage.py connect"
        )
        summary = {
            "connection_id": connection.pk,
            "provider": connection.provider,
            "account": connection.external_account_id,
            "display_name": connection.display_name,
            "status": connection.status,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"Connected {connection.get_provider_display()} account "
                f"{connection.external_account_id} ({connection.display_name}) "
                f"as connection {connection.pk}."
            )


def _adapter(name: str) -> Any:
    try:
        return registry.get(name)
    except UnknownProvider:
        known = ", ".join(registry.names()) or "none registered"
        raise CommandError(f"unknown provider {name!r} (known: {known})") from None
