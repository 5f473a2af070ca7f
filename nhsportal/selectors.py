"""Reads of the cross-cutting tables: the audit trail, newest first, filtered."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from nhsportal.models import AuditEvent

# The apps whose objects are audited; the viewer's object types come from these.
AUDITED_APPS = ("auth", "nhsportal", "accounts", "sites", "teams", "applications", "metrics", "dashboards", "reviews")


def audited_object_types() -> list[tuple[int, str]]:
    """(content type id, "App: model") for every model the portal audits, in one query."""
    types = ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by("app_label", "model")
    return [(ct.pk, f"{ct.app_label.capitalize()}: {ct.name}") for ct in types]


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight in Europe/London: the dates people type are UK dates."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(
    *,
    user: str = "",
    object_type: int | None = None,
    object_id: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first, each with its actor and object type joined (no N+1).
    `user` matches a username or e-mail exactly (any case); `action` by its start, so
    `return.` finds every step of every return; the dates are inclusive UK dates."""
    events = AuditEvent.objects.select_related("actor", "content_type").order_by("-at", "-id")
    filters: dict[str, Any] = {}
    if user:
        events = events.filter(Q(actor__username__iexact=user) | Q(actor__email__iexact=user))
    if object_type:
        filters["content_type_id"] = object_type
    if object_id:
        filters["object_id"] = object_id
    if action:
        filters["action__startswith"] = action
    if date_from:
        filters["at__gte"] = _start_of(date_from)
    if date_to:
        filters["at__lt"] = _start_of(date_to + datetime.timedelta(days=1))
    return events.filter(**filters)
