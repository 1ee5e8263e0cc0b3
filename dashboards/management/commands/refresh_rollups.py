"""manage.py refresh_rollups [--full]: bring the dashboards' rollups up to date now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dashboards.rollups import rollups_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' order facts and daily sums where orders or labels changed, "
        "and their search and ads rollups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Rebuild every order and day.")

    def handle(self, *args: Any, **options: Any) -> None:
        found = rollups_refresh(full=options["full"])
        orders = found.orders
        what = "every order" if orders.full else f"{orders.orders} orders, {orders.days} days"
        self.stdout.write(
            f"Dashboard rollups refreshed: {what}; {found.search_rows} search rows; "
            f"{found.ad_rows} ad rows."
        )
