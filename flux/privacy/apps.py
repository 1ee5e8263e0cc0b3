from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "flux.privacy"
    label = "privacy"
    verbose_name = "Privacy and data deletion"
