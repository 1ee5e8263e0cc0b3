from django.apps import AppConfig


class ShippoConfig(AppConfig):
    name = "integrations.shippo"
    label = "shippo"
    verbose_name = "Shippo"

    def ready(self) -> None:
        from integrations.providers import registry
        from integrations.shippo.adapter import ShippoAdapter

        registry.register(ShippoAdapter())
