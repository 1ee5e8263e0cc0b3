"""Create, edit, enable and disable rules; every change is audited with before and after."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from flux.audit.actions import Actor, audit_record
from integrations.models import Campaign
from proposals.models import Rule

RULE_FIELDS = (
    "name", "description", "enabled", "conditions", "action", "min_data", "schedule",
    "interval_hours", "scope_platform", "include_settling",
)  # fmt: skip


def rule_snapshot(rule: Rule) -> dict[str, Any]:
    """Return the rule's editable state, for the audit log."""
    state = {name: getattr(rule, name) for name in RULE_FIELDS}
    state["scope_campaigns"] = sorted(rule.scope_campaigns.values_list("pk", flat=True))
    return state


def rule_create(
    *, actor: Actor, fields: dict[str, Any], campaigns: Sequence[Campaign] = ()
) -> Rule:
    """Create a rule."""
    user = _user(actor)
    with transaction.atomic():
        rule = Rule.objects.create(created_by=user, updated_by=user, **_editable(fields))
        rule.scope_campaigns.set(campaigns)
        audit_record(actor=actor, action="rule.create", target=rule, after=rule_snapshot(rule))
    return rule


def rule_update(
    *, actor: Actor, rule: Rule, fields: dict[str, Any], campaigns: Sequence[Campaign] = ()
) -> Rule:
    """Save an edited rule."""
    with transaction.atomic():
        before = rule_snapshot(Rule.objects.select_for_update().get(pk=rule.pk))
        for name, value in _editable(fields).items():
            setattr(rule, name, value)
        rule.updated_by = _user(actor)
        rule.save()
        rule.scope_campaigns.set(campaigns)
        after = rule_snapshot(rule)
        audit_record(actor=actor, action="rule.update", target=rule, before=before, after=after)
    return rule


def rule_enable(*, actor: Actor, rule: Rule, enabled: bool) -> Rule:
    """Switch a rule on or off."""
    with transaction.atomic():
        before = {"enabled": Rule.objects.select_for_update().get(pk=rule.pk).enabled}
        rule.enabled, rule.updated_by = enabled, _user(actor)
        rule.save(update_fields=["enabled", "updated_by", "updated_at"])
        action = "rule.enable" if enabled else "rule.disable"
        audit_record(
            actor=actor, action=action, target=rule, before=before, after={"enabled": enabled}
        )
    return rule


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not rule fields: {sorted(unknown)}")
    return fields


def _user(actor: Actor) -> Any:
    """Return the acting user, or None for a system actor."""
    if actor is None or isinstance(actor, str) or not actor.is_authenticated:
        return None
    return actor
