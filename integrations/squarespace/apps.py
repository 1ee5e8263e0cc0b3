from django.apps import AppConfig


class SquarespaceConfig(AppConfig):
    name = "integrations.squarespace"
    label = "squarespace"
    verbose_name = "Squarespace"
