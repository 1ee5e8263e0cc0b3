from django.apps import AppConfig


class ShippoConfig(AppConfig):
    name = "integrations.shippo"
    label = "shippo"
    verbose_name = "Shippo"
