from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "social"
    label = "social"
    verbose_name = "Social publishing"
