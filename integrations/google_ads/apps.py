from django.apps import AppConfig


class GoogleAdsConfig(AppConfig):
    name = "integrations.google_ads"
    label = "google_ads"
    verbose_name = "Google Ads"

    def ready(self) -> None:
        from integrations.google_ads.adapter import GoogleAdsAdapter
        from integrations.providers import registry

        registry.register(GoogleAdsAdapter())
