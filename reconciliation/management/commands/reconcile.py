"""manage.py reconcile [--full] [--json]: match orders to labels and flag the exceptions."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reconciliation.engine import reconcile
from reconciliation.selectors import exception_counts, results_as_json


class Command(BaseCommand):
    help = "Reconcile Squarespace orders with Shippo labels (incremental unless --full)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="judge every order and label")
        parser.add_argument(
            "--json", action="store_true", help="print every order and orphan label as JSON"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = reconcile(full=options["full"])
        if options["json"]:
            self.stdout.write(json.dumps(list(results_as_json())))
            return
        counts = {b: n for b, n in exception_counts().items() if n}
        kind = "full" if summary.full else "incremental"
        self.stdout.write(
            f"Reconciled ({kind}): {summary.orders_evaluated} orders and "
            f"{summary.labels_evaluated} labels judged, {summary.results_written} results changed."
        )
        for bucket, n in counts.items():
            self.stdout.write(f"  {bucket:<22}{n:>8}")
