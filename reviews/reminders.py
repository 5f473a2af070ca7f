"""Reminders about review actions and onboarding milestones, sent by the daily beat job.

- An action a week before it is due (once), and every week while it is overdue: to the
  site's staff and lead when the site owns it, to the reviewer when the national team does
  (the reviewer is copied on the site's reminders).
- Onboarding milestones past their due date: weekly, to the site's staff, lead and
  programme lead, listing every overdue one.

As for returns (`metrics.returns.reminders`), each reminder is recorded (`ReviewReminderSent`) in
the same transaction as it is sent, keyed by kind, action or site, and ISO week, so running
the job twice sends nothing twice; a day the job missed is caught up by the next run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse

from nhsportal.models import Role, RoleAssignment
from reviews.models import Action, ActionOwner, ActionStatus, ReminderKind, ReviewReminderSent, ReviewStatus
from reviews.selectors import overdue_milestones

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Sent:
    kind: str
    subject: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


def _week(day: datetime.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _site_emails(site_ids: set[int], roles: set[str]) -> dict[int, list[str]]:
    """Active people's addresses by site, for site roles; programme leads through the site's Place."""
    result: dict[int, set[str]] = {pk: set() for pk in site_ids}
    rows = (
        RoleAssignment.objects.filter(
            role__in=roles & {Role.SITE_STAFF, Role.SITE_LEAD}, site_id__in=site_ids, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("site_id", "user__email")
    )
    for site_id, email in rows:
        result[site_id].add(email)
    if Role.PROGRAMME_LEAD in roles:
        leads = (
            RoleAssignment.objects.filter(role=Role.PROGRAMME_LEAD, place__sites__in=site_ids, user__is_active=True)
            .exclude(user__email="")
            .values_list("place__sites", "user__email")
        )
        for site_id, email in leads:
            if site_id in result:
                result[site_id].add(email)
    return {pk: sorted(emails) for pk, emails in result.items()}


def _record(kind: str, *, action: Action | None = None, site_id: int | None = None, key: str = "", recipients: int) -> bool:
    """True if this reminder had not been sent yet (and is now recorded as sent)."""
    try:
        with transaction.atomic():
            ReviewReminderSent.objects.create(kind=kind, action=action, site_id=site_id, key=key, recipients=recipients)
    except IntegrityError:
        return False
    return True


def send_action_reminders(*, today: datetime.date) -> list[Sent]:
    actions = list(
        Action.objects.exclude(status=ActionStatus.CLOSED)
        .exclude(review__status=ReviewStatus.DRAFT)
        .filter(due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("site", "review__reviewer")
        .order_by("due_on", "id")
    )
    staff = _site_emails({a.site_id for a in actions}, {Role.SITE_STAFF, Role.SITE_LEAD})
    sent: list[Sent] = []
    for action in actions:
        overdue = action.due_on < today
        kind, key = (ReminderKind.ACTION_OVERDUE, _week(today)) if overdue else (ReminderKind.ACTION_DUE_SOON, "")
        reviewer = action.review.reviewer.email if action.review.reviewer.is_active else ""
        if action.owner == ActionOwner.SITE:
            to, cc = tuple(staff.get(action.site_id, [])), tuple(e for e in [reviewer] if e)
        else:
            to, cc = tuple(e for e in [reviewer] if e), ()
        if not to:
            continue
        due = f"{action.due_on.day} {action.due_on:%B %Y}"
        subject = f"{action.site}: a review action is {'overdue (it was due ' + due + ')' if overdue else 'due on ' + due}"
        with transaction.atomic():
            if not _record(kind, action=action, key=key, recipients=len(to) + len(cc)):
                continue
            link = settings.PORTAL_BASE_URL + reverse("action-update", args=[action.pk])
            body = (
                f"An action agreed at {action.site}'s review of {action.review.scheduled_for.day} "
                f"{action.review.scheduled_for:%B %Y} is {'overdue' if overdue else 'due soon'}.\n\n"
                f"Action: {action.description}\nOwner: {action.get_owner_display()}"
                f"{' (' + action.owner_name + ')' if action.owner_name else ''}\nDue: {due}\n\n"
                f"Update it or close it (with a note saying how it was done) at:\n{link}\n"
            )
            EmailMessage(subject, body, to=list(to), cc=list(cc)).send()
        sent.append(Sent(kind, subject, to, cc))
    return sent


def send_milestone_reminders(*, today: datetime.date) -> list[Sent]:
    late = overdue_milestones(today=today)
    people = _site_emails({site.pk for site in late}, {Role.SITE_STAFF, Role.SITE_LEAD, Role.PROGRAMME_LEAD})
    key = _week(today)
    sent: list[Sent] = []
    for site, items in late.items():
        to = tuple(people.get(site.pk, []))
        if not to:
            continue
        subject = f"{site.name}: {len(items)} onboarding {'milestone is' if len(items) == 1 else 'milestones are'} overdue"
        with transaction.atomic():
            if not _record(ReminderKind.MILESTONES_OVERDUE, site_id=site.pk, key=key, recipients=len(to)):
                continue
            lines = "\n".join(f"- {i.template.title} (due {i.due_on.day} {i.due_on:%B %Y}): {i.status_label}" for i in items)
            link = settings.PORTAL_BASE_URL + reverse("onboarding", args=[site.pk])
            body = f"These onboarding milestones for {site.name} are past their due date:\n\n{lines}\n\nMark them done, with evidence, at:\n{link}\n"
            EmailMessage(subject, body, to=list(to)).send()
        sent.append(Sent(ReminderKind.MILESTONES_OVERDUE, subject, to))
    return sent
