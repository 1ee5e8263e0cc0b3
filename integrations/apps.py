from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Connections"

    def ready(self) -> None:
        from integrations.erasers import register

        register()
