from django.apps import AppConfig


class ReconciliationConfig(AppConfig):
    name = "reconciliation"
    verbose_name = "Reconciliation"

    def ready(self) -> None:
        """Reconcile after every orders or shipments sync."""
        from integrations.connections import after_sync_hooks
        from reconciliation.tasks import reconcile_after_sync

        if reconcile_after_sync not in after_sync_hooks:
            after_sync_hooks.append(reconcile_after_sync)
