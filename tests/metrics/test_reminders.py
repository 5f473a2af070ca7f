"""Reminders about monthly returns: site staff a week and a day before the initial deadline
and the day after it (copying the site lead), the taskforce a weekly digest of what is
missing. The daily job may run any number of times: nobody is told anything twice."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from metrics import services, tasks
from metrics.models import ReminderSent
from metrics.returns import reminders
from metrics.returns.checks import ParsedValue
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.workbooks import expected_values
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]


def _due_in(days: int, *, months_back: int = 2):
    """A reporting month whose initial deadline is `days` from today (negative: past), with a
    week more for the final one."""
    today = timezone.localdate()
    return ReportingPeriodFactory(
        today=today, month=month_start(today, months_back), initial_in_days=days, final_in_days=days + 7
    )


def _signed_off(site, period, staff, lead):
    record = services.submit_values(
        site=site, period=period, values=CLEAN, layout="1.2", source="api", by=staff, based_on=None
    ).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    return record


def _run_job():
    return tasks.send_return_reminders.apply().get()  # eagerly, as the beat job would run it


def _link(site, period):
    return settings.PORTAL_BASE_URL + reverse("return-detail", args=[site.pk, period.slug])


@pytest.mark.parametrize(
    ("days", "subject"),
    [
        (7, "Croydon: the {month} return is due in a week ({due})"),
        (1, "Croydon: the {month} return is due tomorrow ({due})"),
    ],
)
def test_site_staff_are_reminded_before_the_initial_deadline(mailoutbox, catalogue, croydon, staff, lead, days, subject):
    period = _due_in(days)

    _run_job()

    (email,) = mailoutbox
    assert email.subject == subject.format(month=period, due=f"{period.initial_submission_due:%-d %B %Y}")
    assert email.to == [staff.email]
    assert email.cc == [], "the site lead is copied only once the return is overdue"
    assert _link(croydon, period) in email.body


def test_the_day_after_the_deadline_staff_are_told_it_is_overdue_copying_the_site_lead(
    mailoutbox, catalogue, croydon, staff, lead
):
    period = _due_in(-1)

    _run_job()

    (email,) = mailoutbox
    assert email.subject == f"Croydon: the {period} return is overdue (it was due {period.initial_submission_due:%-d %B %Y})"
    assert (email.to, email.cc) == ([staff.email], [lead.email])
    assert _link(croydon, period) in email.body


def test_a_signed_off_return_gets_no_reminder(mailoutbox, catalogue, croydon, staff, lead):
    for days, months_back in ((7, 2), (1, 3), (-1, 4)):
        _signed_off(croydon, _due_in(days, months_back=months_back), staff, lead)

    _run_job()

    assert mailoutbox == []


def test_a_return_awaiting_sign_off_is_still_reminded(mailoutbox, catalogue, croydon, staff, lead):
    period = _due_in(1)
    record = services.submit_values(
        site=croydon, period=period, values=CLEAN, layout="1.2", source="api", by=staff, based_on=None
    ).return_record
    services.send_for_sign_off(return_record=record, by=staff)

    _run_job()

    assert [e.to for e in mailoutbox] == [[staff.email]]


def test_running_the_job_twice_sends_nothing_twice(mailoutbox, catalogue, croydon, staff, lead):
    for days, months_back in ((7, 2), (1, 3), (-1, 4)):
        _due_in(days, months_back=months_back)

    first = _run_job()
    sent = len(mailoutbox)
    second = _run_job()

    assert first["site_reminders"] == sent == 3
    assert second["site_reminders"] == 0
    assert len(mailoutbox) == sent
    assert ReminderSent.objects.count() == 3


def test_each_site_gets_only_its_own_reminder(mailoutbox, catalogue, croydon, staff, lead):
    walsall = SiteFactory(place__name="Walsall")
    walsall_staff = user_with_role(Role.SITE_STAFF, site=walsall, username="staff.walsall", email="staff@walsall.example.nhs.uk")
    period = _due_in(7)
    _signed_off(walsall, period, walsall_staff, user_with_role(Role.SITE_LEAD, site=walsall))

    _run_job()

    assert [e.to for e in mailoutbox] == [[staff.email]]


def test_no_reminder_on_days_outside_the_windows(mailoutbox, catalogue, croydon, staff):
    _due_in(20)  # three weeks away
    _due_in(-8, months_back=3)  # past the final deadline: closed

    _run_job()

    assert mailoutbox == []


def test_a_missed_day_is_caught_up_within_the_window(mailoutbox, catalogue, croydon, staff):
    """The job did not run on the seventh day before: the sixth sends the week's reminder."""
    period = _due_in(6)

    _run_job()

    assert [e.subject for e in mailoutbox] == [
        f"Croydon: the {period} return is due in a week ({period.initial_submission_due:%-d %B %Y})"
    ]


# --- The taskforce's Monday digest -----------------------------------------------------------

# The coming Monday (today, if today is one): returns can still be filed for a month whose
# final deadline falls after it, so its missing returns can be made present in the tests.
MONDAY = timezone.localdate() + datetime.timedelta(days=-timezone.localdate().weekday() % 7)


def _week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@pytest.fixture
def taskforce_people(db):
    return (
        user_with_role(Role.TASKFORCE_MEMBER, username="tf.member", email="member@taskforce.example.nhs.uk"),
        user_with_role(Role.TASKFORCE_CHAIR, username="tf.chair", email="chair@taskforce.example.nhs.uk"),
    )


@pytest.fixture
def overdue_month(catalogue):
    """A month past its initial deadline on MONDAY and still open."""
    return ReportingPeriodFactory(today=MONDAY, month=month_start(MONDAY, 2), initial_in_days=-3, final_in_days=4)


def test_the_monday_digest_lists_each_missing_return_for_the_taskforce(
    mailoutbox, taskforce_people, overdue_month, croydon, staff, lead
):
    walsall = SiteFactory(place__name="Walsall")
    SiteFactory(place__name="Dorset Place")
    _signed_off(
        walsall, overdue_month, user_with_role(Role.SITE_STAFF, site=walsall), user_with_role(Role.SITE_LEAD, site=walsall)
    )

    sent = reminders.send_taskforce_digest(today=MONDAY)

    (email,) = mailoutbox
    assert sent is not None
    assert email.subject == f"Missing NNHIP returns, week {_week(MONDAY)}"
    assert sorted(email.to) == sorted(p.email for p in taskforce_people)
    assert f"{overdue_month} (2 missing): Croydon; Dorset Place" in email.body
    assert "Walsall" not in email.body
    assert staff.email not in email.to + email.cc


def test_the_digest_goes_once_per_iso_week(mailoutbox, taskforce_people, overdue_month, croydon):
    reminders.send_taskforce_digest(today=MONDAY)
    reminders.send_taskforce_digest(today=MONDAY)
    on_tuesday = reminders.send_taskforce_digest(today=MONDAY + datetime.timedelta(days=1))
    next_monday = reminders.send_taskforce_digest(today=MONDAY + datetime.timedelta(days=7))

    assert on_tuesday is None
    assert [e.subject for e in mailoutbox] == [
        f"Missing NNHIP returns, week {_week(MONDAY)}",
        f"Missing NNHIP returns, week {_week(MONDAY + datetime.timedelta(days=7))}",
    ]
    assert next_monday is not None


def test_the_daily_job_on_a_monday_sends_the_digest_once(mailoutbox, monkeypatch, taskforce_people, overdue_month, croydon):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)

    first, second = _run_job(), _run_job()

    digests = [e for e in mailoutbox if e.subject.startswith("Missing NNHIP returns")]
    assert [d.subject for d in digests] == [f"Missing NNHIP returns, week {_week(MONDAY)}"]
    assert (first["digests"], second["digests"]) == (1, 0)


def test_no_digest_when_nothing_is_missing(mailoutbox, taskforce_people, overdue_month, croydon, staff, lead):
    _signed_off(croydon, overdue_month, staff, lead)

    assert reminders.send_taskforce_digest(today=MONDAY) is None
    assert mailoutbox == []
