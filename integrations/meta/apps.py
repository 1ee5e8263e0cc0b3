from django.apps import AppConfig


class MetaConfig(AppConfig):
    name = "integrations.meta"
    label = "meta"
    verbose_name = "Meta"

    def ready(self) -> None:
        from integrations.meta.adapter import MetaAdapter
        from integrations.providers import registry

        registry.register(MetaAdapter())
