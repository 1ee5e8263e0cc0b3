"""Write audit events; the only entry point other code uses."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from flux.audit.models import AuditEvent
from flux.request_id import current_request_id

Actor = AbstractBaseUser | AnonymousUser | str | None


def audit_record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; `actor` is a user, or a string naming a system actor."""
    actor_id, actor_label = _actor_fields(actor)
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        request_id=current_request_id(),
    )


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    if not actor.is_authenticated:
        return None, "anonymous"
    return actor.pk, actor.get_username()
