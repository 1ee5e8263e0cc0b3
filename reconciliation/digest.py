"""The daily digest: new and overdue exceptions, emailed to the operators.

Only order numbers, flags and ages go into the email: never a customer's name, email or
address.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from flux.accounts.roles import Role
from reconciliation.models import Case, CaseStatus
from reconciliation.rules import business_cutoff, business_days_between
from social.digest import social_failure_lines


@dataclass(frozen=True)
class DigestLine:
    """One exception as the digest lists it."""

    what: str
    flags: list[str]
    age_days: int


@dataclass(frozen=True)
class Digest:
    """What the email says."""

    new: list[DigestLine]
    overdue: list[DigestLine]


def digest_build(*, now: datetime | None = None) -> Digest:
    """Collect the open exceptions opened in the last day, and those overdue."""
    now = now or timezone.now()
    open_cases = Case.objects.filter(status=CaseStatus.OPEN, active=True).select_related(
        "order", "label"
    )
    new = open_cases.filter(opened_at__gte=now - timedelta(days=1)).order_by("since")
    overdue_before = business_cutoff(now, settings.FLUX_RECON_OVERDUE_BUSINESS_DAYS)
    overdue = open_cases.filter(since__lte=overdue_before).order_by("since")
    return Digest([_line(c, now) for c in new], [_line(c, now) for c in overdue])


def _line(case: Case, now: datetime) -> DigestLine:
    what = f"Order #{case.order.order_number}" if case.order else f"Orphan label (case {case.pk})"
    return DigestLine(what, list(case.flags), business_days_between(case.since, now))


def operator_emails() -> list[str]:
    """Return the addresses of active operators (and admins) who have one."""
    users = get_user_model().objects.filter(
        is_active=True, groups__name__in=[Role.OPERATOR.group_name, Role.ADMIN.group_name]
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def digest_send(*, now: datetime | None = None) -> int:
    """Send the digest to the operators; send nothing when there is nothing to say."""
    digest = digest_build(now=now)
    social = social_failure_lines(now=now)
    recipients = operator_emails()
    if not recipients or not (digest.new or digest.overdue or social):
        return 0
    subject = f"Reconciliation: {len(digest.new)} new, {len(digest.overdue)} overdue exceptions"
    body = render_to_string("reconciliation/digest.txt", {"digest": digest, "social": social})
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
