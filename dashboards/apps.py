from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        """Refresh the rollups after the syncs, runs and erasures that change them."""
        from dashboards.rollups.triggers import triggers_connect

        triggers_connect(self)
