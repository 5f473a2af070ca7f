"""The one way to write an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from nhsportal.models import AuditEvent


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        from_state=from_state,
        to_state=to_state,
        changes=changes or {},
        reason=reason,
    )


def changed_fields(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields in `data` whose value differs, as JSON-safe strings."""
    diff = {}
    for name, new in data.items():
        old = getattr(instance, name)
        if old != new:
            diff[name] = [_plain(old), _plain(new)]
    return diff


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
