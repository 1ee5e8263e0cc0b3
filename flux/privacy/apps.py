from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "flux.privacy"
    label = "privacy"
    verbose_name = "Privacy and data deletion"

    def ready(self) -> None:
        from flux.privacy.erasers import builtin_erasers_register

        builtin_erasers_register()
