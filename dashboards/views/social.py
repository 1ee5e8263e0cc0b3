"""Social: what the Facebook Page and Instagram posts reached, and how often we post."""

from dataclasses import asdict
from typing import Any

import django_tables2 as tables
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from dashboards.charts import bar_chart
from dashboards.metrics import Metric, format_value
from dashboards.ranges import DateRange
from dashboards.selectors.social import (
    ChannelTotals,
    PostRow,
    best_and_worst,
    cadence_of,
    engagement_rate,
    post_rows,
    social_totals,
    totals_of,
)
from dashboards.views.base import dashboard_response, period_of
from dashboards.views.columns import LocalTimeColumn
from flux.htmx import HtmxHttpRequest
from integrations.models import SocialChannel

SOURCES = ["meta"]
RATE_FORMULA = "engagement ÷ reach"


class RateColumn(tables.Column):
    """An engagement rate shown as a percentage."""

    def render(self, value: Any) -> str:
        return format_value(value, "percent")

    def value(self, value: Any) -> str:
        return self.render(value)


class ChannelTable(tables.Table):
    label = tables.Column(verbose_name="Channel")
    posts = tables.Column()
    reach = tables.Column()
    impressions = tables.Column()
    engagement = tables.Column()
    rate = RateColumn(verbose_name="Engagement rate")

    class Meta:
        prefix = "channels-"
        attrs = {"class": "table table-sm table-hover"}


class PostTable(tables.Table):
    published_at = LocalTimeColumn(verbose_name="Published")
    channel = tables.Column()
    text = tables.Column(verbose_name="Post", orderable=False)
    media_type = tables.Column(verbose_name="Type")
    reach = tables.Column()
    impressions = tables.Column()
    engagement = tables.Column()
    rate = RateColumn(verbose_name="Engagement rate")

    class Meta:
        prefix = "posts-"
        attrs = {"class": "table table-sm table-hover"}


@require_GET
def social(request: HtmxHttpRequest) -> HttpResponse:
    """Reach, impressions and engagement per channel and post, best and worst, cadence."""
    period = period_of(request)
    posts = post_rows(period.current)
    channels = totals_of(posts)  # the range's totals and cadence from its posts, read once
    before = social_totals(period.comparison) if period.comparison else None
    best, worst = best_and_worst(posts)
    channel_table = ChannelTable([_channel_row(c) for c in channels])
    post_table = PostTable([_post_row(p) for p in posts])
    RequestConfig(request, paginate=False).configure(channel_table)
    RequestConfig(request, paginate={"per_page": 50}).configure(post_table)
    context = {
        "title": "Social",
        "metrics": social_metrics(channels, before),
        "cadence_chart": _cadence_chart(period.current, posts),
        "channel_table": channel_table,
        "post_table": post_table,
        "has_posts": bool(posts),
        "best": best,
        "worst": worst,
        "rate_formula": RATE_FORMULA,
    }
    return dashboard_response(
        request, page="social", template="dashboards/social.html", period=period,
        sources=SOURCES, context=context, tables=[channel_table, post_table],
    )  # fmt: skip


def social_metrics(now: list[ChannelTotals], before: list[ChannelTotals] | None) -> list[Metric]:
    """Headline cards across both channels."""

    def total(rows: list[ChannelTotals] | None, field: str) -> int | None:
        return sum(getattr(row, field) for row in rows) if rows is not None else None

    def rate(rows: list[ChannelTotals] | None) -> float | None:
        return engagement_rate(total(rows, "engagement") or 0, total(rows, "reach") or 0)

    figures = [
        ("Posts", "posts", "posts published (Facebook Page + Instagram)"),
        ("Reach", "reach", "sum of each post's reach (people, counted per post)"),
        ("Impressions", "impressions", "sum of each post's impressions"),
        ("Engagement", "engagement", "reactions + comments + shares + saves, as Meta counts"),
    ]
    cards = [Metric(label, total(now, f), formula, "count", total(before, f))
             for label, f, formula in figures]  # fmt: skip
    return [*cards, Metric("Engagement rate", rate(now), RATE_FORMULA, "percent", rate(before))]


def _channel_row(row: ChannelTotals) -> dict[str, Any]:
    return {**asdict(row), "rate": row.rate}


def _post_row(row: PostRow) -> dict[str, Any]:
    channel = dict(SocialChannel.choices).get(row.channel, row.channel)
    return {**asdict(row), "channel": channel, "rate": row.rate}


def _cadence_chart(period: DateRange, posts: list[PostRow]) -> dict[str, Any]:
    weeks = cadence_of(period, posts)
    return bar_chart(
        labels=[f"w/c {week:%d %b}" for week in weeks],
        series={
            label: [counts[channel] for counts in weeks.values()]
            for channel, label in SocialChannel.choices
        },
    )
