"""Table columns the dashboard pages share: brand-local times."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import django_tables2 as tables
from django.conf import settings


class LocalTimeColumn(tables.Column):
    """A timestamp shown, and exported, in the brand's time zone."""

    def render(self, value: Any) -> str:
        if not isinstance(value, datetime):
            return ""
        return value.astimezone(ZoneInfo(settings.FLUX_BRAND_TIME_ZONE)).strftime("%Y-%m-%d %H:%M")

    def value(self, value: Any) -> str:
        return self.render(value)
