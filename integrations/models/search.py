"""Organic search performance from Search Console, kept beyond Google's 16 months."""

from datetime import date

from django.db import connections, models, router, transaction

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

    # No index of its own: the unique (property, day, row_key) index serves lookups by
    # property. A second, smaller index on the property alone tempted the planner, while a
    # property was new and its statistics said it had no rows, into reading every row of the
    # property to find one day's (a first sync slowed to a fifth as the property grew).
    search_property = models.ForeignKey(
        SearchProperty, on_delete=models.CASCADE, related_name="days", db_index=False
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
        rollup, rows = SearchQueryPageDay._meta.db_table, SearchDay._meta.db_table
        alias = router.db_for_write(SearchQueryPageDay)
        # One INSERT ... SELECT: the sums never travel through Python.
        sql = (
            f"INSERT INTO {rollup} (search_property_id, day, query, page, clicks, impressions, "  # noqa: S608
            "position_impressions, fresh) "
            "SELECT search_property_id, day, query, page, SUM(clicks), SUM(impressions), "
            "SUM(position * impressions), MAX(CASE WHEN fresh THEN 1 ELSE 0 END) = 1 "
            f"FROM {rows} WHERE search_property_id = %s AND day = %s "
            "GROUP BY search_property_id, day, query, page"
        )
        db = connections[alias]
        with transaction.atomic(using=alias), db.cursor() as cursor:
            self.filter(search_property_id=search_property_id, day=day).delete()
            cursor.execute(sql, [search_property_id, db.ops.adapt_datefield_value(day)])
            return int(cursor.rowcount)


class SearchQueryPageDay(models.Model):
    """One query x page on one day, countries and devices summed: what the dashboards read.

    Rebuilt from SearchDay whenever the sync closes a day. `position_impressions` is
    Σ(position × impressions), so an average position over any grouping is that sum divided
    by the grouping's impressions (Google's positions are impression-weighted averages).
    """

    # Indexed with the day below, for the same reason as SearchDay.search_property.
    search_property = models.ForeignKey(
        SearchProperty, on_delete=models.CASCADE, related_name="rollup_days", db_index=False
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
