from django.apps import AppConfig


class SquarespaceConfig(AppConfig):
    name = "integrations.squarespace"
    label = "squarespace"
    verbose_name = "Squarespace"

    def ready(self) -> None:
        from integrations.providers import registry
        from integrations.squarespace.adapter import SquarespaceAdapter

        registry.register(SquarespaceAdapter())
