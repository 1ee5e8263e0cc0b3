"""Ad delivery per day, platform and currency, rebuilt from the campaign-days after each ads sync.

Campaign-days are few enough (hundreds of thousands) to sum whole in one statement, and a sync
re-reads its settling window every time, so the rollup is rebuilt rather than followed.
"""

from django.db import transaction
from django.db.models import Count, F, Q, Sum

from dashboards.cache import rollups_changed
from dashboards.models import AdDay
from dashboards.rollups.sql import insert_select, vacuum_analyze
from integrations.models import CampaignDay


def ads_rollups_refresh() -> int:
    """Rebuild the daily ad sums; return the rows written."""
    rows = (
        CampaignDay.objects.values(
            "day", platform=F("campaign__platform"), currency=F("campaign__currency")
        )
        .annotate(
            impressions_sum=Sum("impressions"),
            clicks_sum=Sum("clicks"),
            spend_sum=Sum("spend_micros"),
            conversions_sum=Sum("conversions"),
            value_sum=Sum("conversion_value_micros"),
            settling_rows=Count("pk", filter=Q(settling=True)),
        )
        .order_by("day")
    )
    with transaction.atomic():
        AdDay.objects.all().delete()
        written = insert_select(AdDay, rows, names=AD_COLUMNS)
        rollups_changed("ads")
    vacuum_analyze(AdDay)
    return written


# The fields the SELECT above fills, in its order (its sums are aliased: an aggregate may not
# share a name with a field of CampaignDay).
AD_COLUMNS = ("day", "platform", "currency", "impressions", "clicks", "spend_micros",
              "conversions", "conversion_value_micros", "settling_rows")  # fmt: skip
