"""The coaching and support log: sessions and workshop days, who came from which site."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from nhsportal import audit
from reviews.models import Attendance, CoachingSession, SessionKind
from reviews.rules import can_record_coaching
from sites.models import Site


@transaction.atomic
def record_session(
    *,
    by: Any,
    kind: str,
    title: str,
    held_on: datetime.date | None,
    topics: str,
    attendees: list[tuple[Site, str, str]],
    facilitator: str = "",
    follow_ups: str = "",
) -> CoachingSession:
    """A session with at least one attendee (site, name, job title)."""
    if not can_record_coaching(by):
        raise PermissionDenied("Only the taskforce records coaching sessions.")
    errors = {}
    if kind not in SessionKind.values:
        errors["kind"] = "Choose a coaching session or a workshop day."
    if not title.strip():
        errors["title"] = "Enter the session's title."
    if held_on is None:
        errors["held_on"] = "Enter the date of the session."
    if not topics.strip():
        errors["topics"] = "Enter the topics covered."
    if not attendees:
        errors["attendees"] = "Add at least one attendee, with their site."
    elif any(not name.strip() for _, name, _ in attendees):
        errors["attendees"] = "Every attendee needs a name."
    if errors:
        raise ValidationError(errors)
    assert held_on is not None  # a missing date is refused above
    session = CoachingSession.objects.create(
        kind=kind,
        title=title.strip(),
        held_on=held_on,
        topics=topics.strip(),
        facilitator=facilitator.strip(),
        follow_ups=follow_ups.strip(),
        recorded_by=by,
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, site=site, person_name=name.strip(), job_title=job.strip()) for site, name, job in attendees
    )
    audit.record(
        actor=by,
        action="coaching.recorded",
        obj=session,
        changes={"sites": sorted({str(site) for site, _, _ in attendees}), "attendees": len(attendees)},
    )
    return session
