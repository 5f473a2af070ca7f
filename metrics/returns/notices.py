"""The e-mails of the data-quality loop, all in one place.

- The site's staff and site lead: when the taskforce raises (or reopens) a query, and when it
  requests a correction.
- Whoever raised the query, or asked for the correction (the taskforce, if that person is gone):
  when the site answers, and when it files the corrected version.

A service calls `queue` inside its transaction; once that commits, a Celery task
(`metrics.tasks.send_data_quality_notice`) calls `send`. Each notice is recorded
(`NoticeSent`) under a business key naming the step (`query-answered:12:2` is the answer to
round 2 of query 12) in the same transaction as it is sent, so a retried, repeated or
duplicated task sends nothing twice, and a failed send records nothing and is retried. If the
broker is down when the step commits, the notice is sent from the request instead: the
ledger still keeps it to once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from metrics.models import DataQualityQuery, NoticeSent, Return, ReturnVersion
from nhsportal.models import Role, RoleAssignment

logger = logging.getLogger(__name__)

QUERY_RAISED = "query_raised"
QUERY_REOPENED = "query_reopened"
QUERY_ANSWERED = "query_answered"
CORRECTION_REQUESTED = "correction_requested"
CORRECTION_FILED = "correction_filed"


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    to: tuple[str, ...]


def key_for(kind: str, obj: DataQualityQuery | Return | ReturnVersion) -> str:
    """The business key of one notice: the step it tells of, never the time it was sent."""
    if isinstance(obj, DataQualityQuery):
        return f"{kind}:{obj.pk}:{obj.round}"
    if isinstance(obj, ReturnVersion):
        return f"{kind}:{obj.return_record_id}:{obj.number}"
    return f"{kind}:{obj.pk}:{obj.latest_version.number if obj.latest_version else 0}"


def send(kind: str, *, object_id: int, key: str) -> int:
    """Send one notice unless its key was sent already. The number of recipients (0: nothing sent)."""
    notice = _compose(kind, object_id)
    if notice is None or not notice.to:
        logger.info("No one to tell for the %s notice %s", kind, key)
        return 0
    with transaction.atomic():
        try:
            with transaction.atomic():
                NoticeSent.objects.create(key=key, kind=kind, recipients=len(notice.to))
        except IntegrityError:
            return 0
        EmailMessage(notice.subject, notice.body, to=list(notice.to)).send()
    return len(notice.to)


# Who is told.


def _active_emails(assignments: Any) -> list[str]:
    return sorted(set(assignments.filter(user__is_active=True).exclude(user__email="").values_list("user__email", flat=True)))


def site_people(site_id: int) -> tuple[str, ...]:
    """The site's staff and site lead."""
    return tuple(_active_emails(RoleAssignment.objects.filter(site_id=site_id, role__in=[Role.SITE_STAFF, Role.SITE_LEAD])))


def taskforce() -> tuple[str, ...]:
    return tuple(_active_emails(RoleAssignment.objects.filter(role__in=[Role.TASKFORCE_MEMBER, Role.TASKFORCE_CHAIR], site=None)))


def asker_or_taskforce(user: Any) -> tuple[str, ...]:
    """The person who asked, while their account is active and has an address; else the taskforce."""
    if user is not None and user.is_active and user.email:
        return (user.email,)
    return taskforce()


# What they are told.


def _link(name: str, *args: Any, anchor: str = "") -> str:
    return settings.PORTAL_BASE_URL + reverse(name, args=args) + (f"#{anchor}" if anchor else "")


def _compose(kind: str, object_id: int) -> Notice | None:
    if kind in {QUERY_RAISED, QUERY_REOPENED, QUERY_ANSWERED}:
        query = (
            DataQualityQuery.objects.select_related("return_record__site", "return_record__period", "raised_by")
            .filter(pk=object_id)
            .first()
        )
        return None if query is None else _query_notice(kind, query)
    if kind == CORRECTION_REQUESTED:
        record = Return.objects.select_related("site", "period").filter(pk=object_id).first()
        return None if record is None else _correction_requested(record)
    if kind == CORRECTION_FILED:
        version = (
            ReturnVersion.objects.select_related(
                "return_record__site", "return_record__period", "return_record__correction_requested_by"
            )
            .filter(pk=object_id)
            .first()
        )
        return None if version is None else _correction_filed(version)
    raise ValueError(f"Unknown notice {kind!r}")


def _query_notice(kind: str, query: DataQualityQuery) -> Notice:
    record = query.return_record
    site, period = record.site, record.period
    link = _link("return-detail", site.pk, period.slug, anchor=f"query-{query.pk}")
    # A closed month's query is still answered, but the site cannot file a new version for it.
    closed = (
        f"\n{period} closed on {period.final_submission_due:%-d %B %Y}: answer the question here. If the figures "
        "need changing, only an administrator can change them now; say so in your answer.\n"
        if timezone.localdate() > period.final_submission_due
        else ""
    )
    if kind == QUERY_ANSWERED:
        return Notice(
            subject=f"{site.name} answered your data-quality query about the {period} return",
            body=(
                f"{site.name} has answered a data-quality query about its {period} return.\n\n"
                f"Question:\n{query.question}\n\nAnswer:\n{query.answer}\n\n"
                f"Close the query, or reopen it with a note, at:\n{link}\n"
            ),
            to=asker_or_taskforce(query.raised_by),
        )
    if kind == QUERY_REOPENED:
        return Notice(
            subject=f"{site.name}: a data-quality query about the {period} return has been reopened",
            body=(
                f"The national taskforce has reopened a query about {site.name}'s {period} return.\n\n"
                f"Question:\n{query.question}\n\nWhy it was reopened:\n{query.reopening_note}\n\n"
                f"Answer it at:\n{link}\n{closed}"
            ),
            to=site_people(site.pk),
        )
    return Notice(
        subject=f"{site.name}: a data-quality query about the {period} return",
        body=(
            f"The national taskforce has a question about {site.name}'s {period} return.\n\n"
            f"Question:\n{query.question}\n\nAnswer it at:\n{link}\n{closed}"
        ),
        to=site_people(site.pk),
    )


def _correction_requested(record: Return) -> Notice:
    site, period = record.site, record.period
    return Notice(
        subject=f"{site.name}: the taskforce asked for a correction to the {period} return",
        body=(
            f"The national taskforce has asked {site.name} to correct its {period} return.\n\n"
            f"What needs correcting:\n{record.correction_reason}\n\n"
            f"File a corrected version (upload the template, or correct the figures in the browser) at:\n"
            f"{_link('return-detail', site.pk, period.slug)}\n"
        ),
        to=site_people(site.pk),
    )


def _correction_filed(version: ReturnVersion) -> Notice:
    record = version.return_record
    site, period = record.site, record.period
    compare = _link("return-diff", site.pk, period.slug) + f"?from={version.number - 1}&to={version.number}"
    note = f"Their note: {version.note}\n\n" if version.note else ""
    return Notice(
        subject=f"{site.name} filed a corrected {period} return (version {version.number})",
        body=(
            f"{site.name} has filed version {version.number} of its {period} return, after the correction you asked for:\n"
            f"{record.correction_reason}\n\n{note}"
            f"It goes to the site lead for sign-off next. See what changed at:\n{compare}\n\n"
            f"The return: {_link('return-detail', site.pk, period.slug)}\n"
        ),
        to=asker_or_taskforce(record.correction_requested_by),
    )
