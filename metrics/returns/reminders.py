"""Reminders about monthly returns, sent by the daily beat job.

- Site staff, seven days and one day before the initial deadline, if the site has no
  signed-off return for the month; and the day after it, copying the site lead.
- The taskforce, weekly (Mondays): every return still missing.

Each reminder is recorded (`ReminderSent`) in the same transaction as it is sent, keyed
by kind, month and site (or ISO week), so running the job twice sends nothing twice. A
day the job missed is caught up: each reminder has a window, not a single day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse

from metrics.models import ReminderKind, ReminderSent, ReportingPeriod, Return
from nhsportal.models import Role, RoleAssignment
from sites.models import Site, SiteStatus


@dataclass(frozen=True)
class Sent:
    kind: str
    site: str
    month: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()


def _site_kind(period: ReportingPeriod, today: datetime.date) -> ReminderKind | None:
    due = period.initial_submission_due
    if due - datetime.timedelta(days=7) <= today <= due - datetime.timedelta(days=2):
        return ReminderKind.SEVEN_DAYS
    if due - datetime.timedelta(days=1) <= today <= due:
        return ReminderKind.ONE_DAY
    if due < today <= period.final_submission_due:
        return ReminderKind.OVERDUE
    return None


def _emails(role: Role, site_ids: set[int] | None = None) -> dict[int | None, list[str]]:
    """Active people's e-mail addresses by site (or under None for national roles)."""
    assignments = RoleAssignment.objects.filter(role=role, user__is_active=True).exclude(user__email="")
    if site_ids is not None:
        assignments = assignments.filter(site_id__in=site_ids)
    result: dict[int | None, list[str]] = {}
    for email, site_id in assignments.values_list("user__email", "site_id").distinct():
        result.setdefault(site_id, []).append(email)
    return result


def _expected_sites(period: ReportingPeriod) -> list[Site]:
    return list(Site.objects.exclude(status=SiteStatus.EXITED).filter(wave__start_date__lte=period.period_end).order_by("name"))


def _missing_site_ids(period: ReportingPeriod) -> set[int]:
    filed = set(Return.objects.filter(period=period, signed_off_version__isnull=False).values_list("site_id", flat=True))
    return {site.pk for site in _expected_sites(period)} - filed


def _record(kind: str, *, period: ReportingPeriod | None, site: Site | None = None, key: str = "", recipients: int) -> bool:
    """True if this reminder had not been sent yet (and is now recorded as sent)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, period=period, site=site, key=key, recipients=recipients)
    except IntegrityError:
        return False
    return True


SUBJECTS = {
    ReminderKind.SEVEN_DAYS: "{site}: the {month} return is due in a week ({due})",
    ReminderKind.ONE_DAY: "{site}: the {month} return is due tomorrow ({due})",
    ReminderKind.OVERDUE: "{site}: the {month} return is overdue (it was due {due})",
}


def send_site_reminders(*, today: datetime.date) -> list[Sent]:
    sent: list[Sent] = []
    periods = ReportingPeriod.objects.filter(period_end__lt=today, final_submission_due__gte=today)
    for period in periods:
        kind = _site_kind(period, today)
        if kind is None:
            continue
        missing = _missing_site_ids(period)
        staff = _emails(Role.SITE_STAFF, missing)
        leads = _emails(Role.SITE_LEAD, missing) if kind == ReminderKind.OVERDUE else {}
        for site in Site.objects.filter(pk__in=missing).order_by("name"):
            to = tuple(sorted(staff.get(site.pk, []) or leads.get(site.pk, [])))
            cc = tuple(sorted(set(leads.get(site.pk, [])) - set(to)))
            if not to:
                continue
            with transaction.atomic():
                if not _record(kind, period=period, site=site, recipients=len(to) + len(cc)):
                    continue
                link = settings.PORTAL_BASE_URL + reverse("return-detail", args=[site.pk, period.slug])
                due = f"{period.initial_submission_due:%-d %B %Y}"
                body = (
                    f"{site.name}'s NNHIP return for {period} has not been submitted yet.\n\n"
                    f"Initial submission deadline: {due}\nFinal deadline: {period.final_submission_due:%-d %B %Y}\n\n"
                    f"Upload the template and send it to your site lead for sign-off at:\n{link}\n"
                )
                EmailMessage(SUBJECTS[kind].format(site=site.name, month=period, due=due), body, to=list(to), cc=list(cc)).send()
            sent.append(Sent(kind, site.name, str(period), to, cc))
    return sent


def send_taskforce_digest(*, today: datetime.date) -> Sent | None:
    """Mondays: every return past its initial deadline and still missing, for the taskforce."""
    if today.weekday() != 0:
        return None
    week = f"{today.isocalendar().year}-W{today.isocalendar().week:02d}"
    periods = list(
        ReportingPeriod.objects.filter(
            initial_submission_due__lt=today, final_submission_due__gte=today - datetime.timedelta(days=90)
        )
    )
    lines = []
    for period in periods:
        names = list(Site.objects.filter(pk__in=_missing_site_ids(period)).order_by("name").values_list("name", flat=True))
        if names:
            lines.append(f"{period} ({len(names)} missing): " + "; ".join(names))
    recipients = sorted(set(_emails(Role.TASKFORCE_MEMBER).get(None, []) + _emails(Role.TASKFORCE_CHAIR).get(None, [])))
    if not lines or not recipients:
        return None
    with transaction.atomic():
        if not _record(ReminderKind.DIGEST, period=None, key=week, recipients=len(recipients)):
            return None
        body = "Returns past their initial deadline and not yet signed off:\n\n" + "\n".join(lines)
        body += f"\n\nCoverage: {settings.PORTAL_BASE_URL}{reverse('returns')}\n"
        EmailMessage(f"Missing NNHIP returns, week {week}", body, to=recipients).send()
    return Sent(ReminderKind.DIGEST, "", week, tuple(recipients))
