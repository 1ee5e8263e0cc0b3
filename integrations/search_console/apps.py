from django.apps import AppConfig


class SearchConsoleConfig(AppConfig):
    name = "integrations.search_console"
    label = "search_console"
    verbose_name = "Search Console"

    def ready(self) -> None:
        from integrations.providers import registry
        from integrations.search_console.adapter import SearchConsoleAdapter

        registry.register(SearchConsoleAdapter())
