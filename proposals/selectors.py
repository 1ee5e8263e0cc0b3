"""Read proposals for pages and other apps: the queue, counts, evidence charts, agent ROI."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from dashboards.charts import line_chart
from integrations.models import CampaignDay
from proposals.models import (
    AICall,
    Approval,
    Decision,
    Outcome,
    Proposal,
    ProposalKind,
    ProposalSource,
    ProposalStatus,
)
from proposals.outcomes import key_change_pct

OPEN_STATUSES = (ProposalStatus.PENDING, ProposalStatus.APPROVED, ProposalStatus.EXECUTING)
FALLBACK_CHART_DAYS = 28


def pending_count() -> int:
    """Return how many proposals wait for a person's decision.

    A post draft already edited into a post waits no more: the post's own approval does.
    """
    return Proposal.objects.filter(status=ProposalStatus.PENDING, social_posts__isnull=True).count()


def open_for_campaign(campaign_id: int) -> bool:
    """Say whether the campaign already has a proposal waiting or running (don't add another)."""
    return Proposal.objects.filter(campaign_id=campaign_id, status__in=OPEN_STATUSES).exists()


def proposals_queue(*, kind: str = "", status: str = "", source: str = "") -> QuerySet[Proposal]:
    """Return the proposals matching the filters, newest first."""
    found = Proposal.objects.select_related("campaign", "rule", "ai_call", "created_by")
    if kind:
        found = found.filter(kind=kind)
    if status:
        found = found.filter(status=status)
    if source:
        found = found.filter(source=source)
    return found


def evidence_chart(proposal: Proposal) -> dict[str, Any] | None:
    """Return the Chart.js config of the proposal's evidence, or the campaign's recent days."""
    chart = proposal.evidence.get("chart") if isinstance(proposal.evidence, dict) else None
    series = _series_of(chart) if isinstance(chart, dict) and chart.get("labels") else None
    if series:
        assert isinstance(chart, dict)  # noqa: S101 - checked just above
        return line_chart(labels=chart["labels"], series=series)
    if proposal.campaign_id is None:
        return None
    return _campaign_days_chart(proposal.campaign_id)


def _series_of(chart: dict[str, Any]) -> dict[str, Sequence[float | int | None]]:
    """Return the chart's series by name, from {name: data} or [{"name", "data"}]."""
    series = chart.get("series")
    if isinstance(series, dict):
        return {str(name): list(data) for name, data in series.items()}
    if isinstance(series, list):
        return {
            str(s.get("name", "")): list(s.get("data", [])) for s in series if isinstance(s, dict)
        }
    return {}


def _campaign_days_chart(campaign_id: int) -> dict[str, Any] | None:
    start = timezone.now().date() - timedelta(days=FALLBACK_CHART_DAYS)
    days = list(
        CampaignDay.objects.filter(campaign_id=campaign_id, day__gte=start)
        .order_by("day")
        .values_list("day", "spend_micros", "conversions", "settling")
    )
    if not days:
        return None
    settling = next((n for n, row in enumerate(days) if row[3]), None)
    series: dict[str, Sequence[float | int | None]] = {
        "Spend": [round(row[1] / 1_000_000, 2) for row in days],
        "Conversions": [float(row[2]) for row in days],
    }
    return line_chart(
        labels=[row[0] for row in days],
        series=series,
        settling_from=settling,
        second_axis=["Conversions"],
    )


@dataclass
class RoiRow:
    """One proposal kind from one source: cost, decisions and measured outcome."""

    kind: str
    source: str
    proposals: int = 0
    approved: int = 0
    rejected: int = 0
    ai_cost_micro_usd: int = 0
    changes: list[Decimal] = field(default_factory=list)

    @property
    def approval_rate(self) -> Decimal | None:
        """Return approved / decided, in percent."""
        decided = self.approved + self.rejected
        return None if not decided else Decimal(self.approved * 100) / decided

    @property
    def mean_change_pct(self) -> Decimal | None:
        """Return the mean measured change of the key metric, in percent."""
        return sum(self.changes, Decimal(0)) / len(self.changes) if self.changes else None

    @property
    def kind_label(self) -> str:
        return str(ProposalKind(self.kind).label)

    @property
    def source_label(self) -> str:
        return str(ProposalSource(self.source).label)


def agent_roi() -> list[RoiRow]:
    """Return the ROI rows, one per (kind, source) that has proposals."""
    rows: dict[tuple[str, str], RoiRow] = {}
    shares = _ai_cost_shares()
    decisions = _decisions()
    for pk, kind, source, call_id in Proposal.objects.values_list(
        "pk", "kind", "source", "ai_call_id"
    ):
        row = rows.setdefault((kind, source), RoiRow(kind, source))
        row.proposals += 1
        row.ai_cost_micro_usd += shares.get(call_id, 0) if call_id else 0
        row.approved += decisions.get((pk, Decision.APPROVED), 0)
        row.rejected += decisions.get((pk, Decision.REJECTED), 0)
    for proposal, change in _latest_outcomes():
        if change is not None:
            rows[(proposal.kind, proposal.source)].changes.append(change)
    return sorted(rows.values(), key=lambda r: (r.kind, r.source))


def _ai_cost_shares() -> dict[int, int]:
    """Return each AI call's cost split evenly between the proposals it made."""
    calls = AICall.objects.annotate(n=Count("proposals")).filter(n__gt=0)
    return {call.pk: call.cost_micro_usd // call.n for call in calls}


def _decisions() -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = defaultdict(int)
    for proposal_id, decision in Approval.objects.values_list("proposal_id", "decision"):
        found[(proposal_id, decision)] = 1
    return found


def _latest_outcomes() -> list[tuple[Proposal, Decimal | None]]:
    """Return each measured proposal with its longest-horizon key-metric change."""
    latest: dict[int, Outcome] = {}
    measured = Outcome.objects.filter(measured_at__isnull=False).select_related("proposal")
    for outcome in measured.order_by("horizon_days"):
        latest[outcome.proposal_id] = outcome
    return [(o.proposal, key_change_pct(o)) for o in latest.values()]


def ai_calls_unattributed_micro_usd() -> int:
    """Return the cost of AI calls that made no proposal."""
    calls = AICall.objects.annotate(n=Count("proposals")).filter(n=0)
    return sum(calls.values_list("cost_micro_usd", flat=True))
