from django.apps import AppConfig


class AnthropicConfig(AppConfig):
    name = "integrations.anthropic"
    label = "anthropic"
    verbose_name = "Anthropic"

    def ready(self) -> None:
        from integrations.anthropic.adapter import AnthropicAdapter
        from integrations.providers import registry

        registry.register(AnthropicAdapter())
