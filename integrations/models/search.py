"""Organic search performance from Search Console, kept beyond Google's 16 months."""

from django.db import models

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
