"""The data-quality loop: the taskforce raises a query about a return, the site answers it,
the taskforce closes or reopens it. Each step is checked, atomic and audited against the
return, and its e-mail goes out once the step commits (metrics.returns.notices)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import (
    DataQualityQuery,
    QueryStatus,
    Return,
)
from metrics.returns import notices, rules
from metrics.services import notify
from metrics.services.common import (
    TransitionRefused,
    _who,
)
from nhsportal import audit


def _locked_query(query: DataQualityQuery) -> DataQualityQuery:
    return (
        DataQualityQuery.objects.select_for_update(of=("self",))
        .select_related("return_record__site", "return_record__period", "closed_by")
        .get(pk=query.pk)
    )


def _audit_query(query: DataQualityQuery, *, by: Any, action: str, before: str, reason: str) -> None:
    """Query steps are recorded against the return, so its timeline and the audit log's
    object filter show them with the return's other steps."""
    audit.record(
        actor=by,
        action=action,
        obj=query.return_record,
        changes={"query": query.pk, "round": query.round, "status": [before, query.status]},
        reason=reason,
    )


@transaction.atomic
def raise_query(*, return_record: Return, by: Any, question: str) -> DataQualityQuery:
    """The taskforce asks the site about its return; the site's staff and lead are e-mailed."""
    if not rules.can_query_returns(by):
        raise PermissionDenied("Only the taskforce raises data-quality queries.")
    if not question.strip():
        raise ValidationError({"question": "Enter the question for the site."})
    query = DataQualityQuery.objects.create(
        return_record=return_record, version=return_record.latest_version, question=question.strip(), raised_by=by
    )
    _audit_query(query, by=by, action="return.query_raised", before="", reason=query.question)
    notify.queue(notices.QUERY_RAISED, query)
    return query


@transaction.atomic
def answer_query(*, query: DataQualityQuery, by: Any, answer: str) -> DataQualityQuery:
    """The site answers an open query; whoever raised it (or the taskforce) is e-mailed."""
    query = _locked_query(query)
    if not rules.can_answer_query(by, query.return_record.site):
        raise PermissionDenied("Only the site's own staff and site lead answer its queries.")
    if query.status == QueryStatus.CLOSED:
        raise TransitionRefused(
            f"This query was closed on {query.closed_at:%-d %B %Y} by {_who(query.closed_by)}, so it can no longer be "
            "answered. Ask the taskforce to reopen it if there is more to say."
        )
    if query.status != QueryStatus.OPEN:
        raise TransitionRefused(
            "This query has already been answered. The taskforce will close it, or reopen it if they need more."
        )
    if not answer.strip():
        raise ValidationError({"answer": "Enter your answer."})
    query.answer, query.answered_by, query.answered_at, query.status = answer.strip(), by, timezone.now(), QueryStatus.ANSWERED
    query.save(update_fields=["answer", "answered_by", "answered_at", "status"])
    _audit_query(query, by=by, action="return.query_answered", before=QueryStatus.OPEN, reason=query.answer)
    notify.queue(notices.QUERY_ANSWERED, query)
    return query


@transaction.atomic
def close_query(*, query: DataQualityQuery, by: Any, note: str = "") -> DataQualityQuery:
    """The taskforce is satisfied (or the question no longer matters): the query is closed."""
    query = _locked_query(query)
    if not rules.can_close_query(by):
        raise PermissionDenied("Only the taskforce closes data-quality queries.")
    if query.status == QueryStatus.CLOSED:
        raise TransitionRefused(f"This query was already closed on {query.closed_at:%-d %B %Y} by {_who(query.closed_by)}.")
    before = query.status
    query.status, query.closed_by, query.closed_at, query.closing_note = QueryStatus.CLOSED, by, timezone.now(), note.strip()
    query.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    _audit_query(query, by=by, action="return.query_closed", before=before, reason=query.closing_note)
    return query


@transaction.atomic
def reopen_query(*, query: DataQualityQuery, by: Any, note: str) -> DataQualityQuery:
    """The taskforce needs more: an answered or closed query is open again, with a note saying
    what the site should answer now; the site's staff and lead are e-mailed."""
    query = _locked_query(query)
    if not rules.can_close_query(by):
        raise PermissionDenied("Only the taskforce reopens data-quality queries.")
    if query.status == QueryStatus.OPEN:
        raise TransitionRefused("This query is already open: it is waiting for the site's answer.")
    if not note.strip():
        raise ValidationError({"note": "Say what the site should answer now."})
    before = query.status
    query.status, query.round = QueryStatus.OPEN, query.round + 1
    query.reopened_by, query.reopened_at, query.reopening_note = by, timezone.now(), note.strip()
    query.closed_by, query.closed_at, query.closing_note = None, None, ""
    query.save(
        update_fields=[
            "status",
            "round",
            "reopened_by",
            "reopened_at",
            "reopening_note",
            "closed_by",
            "closed_at",
            "closing_note",
        ]
    )
    _audit_query(query, by=by, action="return.query_reopened", before=before, reason=query.reopening_note)
    notify.queue(notices.QUERY_REOPENED, query)
    return query
