from django.apps import AppConfig


class FluxConfig(AppConfig):
    name = "flux"
    verbose_name = "Flux core"

    def ready(self) -> None:
        from flux import checks  # noqa: F401  (registers the key-ring check)
