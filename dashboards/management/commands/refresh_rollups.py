"""manage.py refresh_rollups [--full]: bring the dashboards' rollups up to date now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dashboards.rollups import rollups_refresh
from dashboards.rollups.search import search_rollups_refresh


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' order facts and daily sums where orders or labels changed, "
        "and their search totals and weekly sums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="Rebuild every order and day.")

    def handle(self, *args: Any, **options: Any) -> None:
        found = rollups_refresh(full=options["full"])
        what = "every order" if found.full else f"{found.orders} orders, {found.days} days"
        rows = search_rollups_refresh()
        self.stdout.write(f"Dashboard rollups refreshed: {what}; {rows} search rows.")
