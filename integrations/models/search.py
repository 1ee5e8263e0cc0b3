"""Organic search performance from Search Console, kept beyond Google's 16 months."""

from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Count, F, Q, Sum

from integrations.models.connections import Connection


class SearchProperty(models.Model):
    """A Search Console property (a URL prefix or a domain property)."""

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="search_properties"
    )
    site_url = models.CharField(max_length=300, unique=True)
    permission_level = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.site_url


class SearchDay(models.Model):
    """Clicks, impressions and position for one query x page x country x device on one day."""

    search_property = models.ForeignKey(
        SearchProperty, on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField()
    query = models.TextField()
    page = models.TextField()
    country = models.CharField(max_length=3)
    device = models.CharField(max_length=10)
    # sha1 of query, page, country and device: a short unique key whatever the text lengths.
    row_key = models.CharField(max_length=40)
    clicks = models.IntegerField(default=0)
    impressions = models.IntegerField(default=0)
    position = models.FloatField()  # impression-weighted average, as Google reports it
    fresh = models.BooleanField(default=False)  # from dataState=all: may still change

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["search_property", "day", "row_key"], name="one_row_per_search_day"
            )
        ]
        indexes = [models.Index(fields=["search_property", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.query[:40]}"


class SearchRollupQuerySet(models.QuerySet["SearchQueryPageDay"]):
    def rebuild(self, search_property_id: int, day: date) -> int:
        """Replace one day's rollup with the sums of its Search Console rows; return its size."""
        rows = (
            SearchDay.objects.filter(search_property_id=search_property_id, day=day)
            .values("query", "page")
            .annotate(
                total_clicks=Sum("clicks"),
                total_impressions=Sum("impressions"),
                weighted=Sum(F("position") * F("impressions"), output_field=models.FloatField()),
                fresh_rows=Count("id", filter=Q(fresh=True)),
            )
            .order_by()
        )
        rollup = [_rollup_row(search_property_id, day, row) for row in rows]
        with transaction.atomic():
            self.filter(search_property_id=search_property_id, day=day).delete()
            self.bulk_create(rollup, batch_size=2000)
        return len(rollup)


def _rollup_row(search_property_id: int, day: date, row: dict[str, Any]) -> "SearchQueryPageDay":
    return SearchQueryPageDay(
        search_property_id=search_property_id,
        day=day,
        query=row["query"],
        page=row["page"],
        clicks=row["total_clicks"] or 0,
        impressions=row["total_impressions"] or 0,
        position_impressions=row["weighted"] or 0.0,
        fresh=row["fresh_rows"] > 0,
    )


class SearchQueryPageDay(models.Model):
    """One query x page on one day, countries and devices summed: what the dashboards read.

    Rebuilt from SearchDay whenever the sync closes a day. `position_impressions` is
    Σ(position × impressions), so an average position over any grouping is that sum divided
    by the grouping's impressions (Google's positions are impression-weighted averages).
    """

    search_property = models.ForeignKey(
        SearchProperty, on_delete=models.CASCADE, related_name="rollup_days"
    )
    day = models.DateField()
    query = models.TextField()
    page = models.TextField()
    clicks = models.IntegerField(default=0)
    impressions = models.IntegerField(default=0)
    position_impressions = models.FloatField(default=0)
    fresh = models.BooleanField(default=False)

    objects = SearchRollupQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["day", "search_property"])]

    def __str__(self) -> str:
        return f"{self.day} {self.query[:40]}"
