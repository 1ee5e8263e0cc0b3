from django.apps import AppConfig


class FluxConfig(AppConfig):
    name = "flux"
    verbose_name = "Flux core"
