"""The returns coverage grid as the taskforce reads it, on the page and through the API: each
site's month on time, late, missing, not yet due or not expected, and the completeness and
timeliness of each month."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrics.models import Return, ReturnStatus
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def grid():
    """Three months: two past their initial deadline, the latest not yet. Alpha signed off the
    first month on time (late in the evening of the deadline) and the second late (just after
    midnight, London time); Beta's wave started after the first month; Gamma has only a draft."""
    today = timezone.localdate()
    first, second, latest = (ReportingPeriodFactory(today=today, month=month_start(today, back)) for back in (3, 2, 1))
    for period, due in (
        (first, month_start(today, 2) + datetime.timedelta(days=9)),
        (second, month_start(today, 1) + datetime.timedelta(days=9)),
    ):
        period.initial_submission_due = due
        period.save(update_fields=["initial_submission_due"])
    alpha = SiteFactory(place__name="Alpha", wave=WaveFactory(number=1, start_date=datetime.date(2020, 1, 1)))
    later_wave = WaveFactory(number=2, name="Wave two", start_date=first.period_end + datetime.timedelta(days=1))
    beta = SiteFactory(place__name="Beta", wave=later_wave)
    gamma = SiteFactory(place__name="Gamma", wave=alpha.wave)

    def signed(day, hour, minute):
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)

    due = first.initial_submission_due
    Return.objects.create(site=alpha, period=first, status=ReturnStatus.SUBMITTED, first_signed_off_at=signed(due, 23, 30))
    late = second.initial_submission_due + datetime.timedelta(days=1)
    Return.objects.create(
        site=alpha, period=second, status=ReturnStatus.CORRECTION_REQUESTED, first_signed_off_at=signed(late, 0, 30)
    )
    Return.objects.create(site=alpha, period=latest, status=ReturnStatus.DRAFT)
    Return.objects.create(site=beta, period=first, status=ReturnStatus.SUBMITTED, first_signed_off_at=signed(due, 9, 0))
    Return.objects.create(site=gamma, period=first, status=ReturnStatus.DRAFT)
    return {"periods": [first, second, latest], "sites": {"Alpha": alpha, "Beta": beta, "Gamma": gamma}}


EXPECTED = {  # site: [(state, return status) for each month, oldest first]
    "Alpha": [("on_time", "submitted"), ("late", "correction_requested"), ("not_yet_due", "draft")],
    "Beta": [("not_expected", None), ("missing", None), ("not_yet_due", None)],
    "Gamma": [("missing", "draft"), ("missing", None), ("not_yet_due", None)],
}
SUMMARY = [  # expected, on time, late, missing, completeness, timeliness
    (2, 1, 0, 1, Decimal("50.0"), Decimal("50.0")),
    (3, 0, 1, 2, Decimal("33.3"), Decimal("0.0")),
    (3, 0, 0, 0, None, None),
]


def test_the_api_gives_each_sites_months_and_each_months_completeness(grid):
    client = APIClient()
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))

    body = client.get(reverse("api:coverage"), {"months": 3}).json()

    months = [p.month.strftime("%Y-%m") for p in grid["periods"]]
    assert body["months"] == months
    cells = {row["site"]["name"]: row["cells"] for row in body["rows"]}
    assert cells == {
        name: [{"month": m, "state": s, "return_status": r} for m, (s, r) in zip(months, states, strict=True)]
        for name, states in EXPECTED.items()
    }
    assert [
        (
            s["expected"],
            s["on_time"],
            s["late"],
            s["missing"],
            None if s["completeness"] is None else Decimal(s["completeness"]),
            None if s["timeliness"] is None else Decimal(s["timeliness"]),
        )
        for s in body["summary"]
    ] == SUMMARY
    assert [s["month"] for s in body["summary"]] == months


def test_the_page_shows_the_same_grid_with_links_to_the_returns_filed(client, grid):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))

    response = client.get(reverse("returns"))

    columns = [response.context["periods"].index(p) for p in grid["periods"]]
    rows = {row["site"].name: row["cells"] for row in response.context["rows"]}
    for name, states in EXPECTED.items():
        shown = [rows[name][column] for column in columns]
        assert [(cell.state, cell.return_record.status if cell.return_record else None) for cell in shown] == states
    page = response.content.decode()
    alpha, first = grid["sites"]["Alpha"], grid["periods"][0]
    assert f'href="{reverse("return-detail", args=[alpha.pk, first.slug])}">On time' in page
    beta = grid["sites"]["Beta"]
    assert reverse("return-detail", args=[beta.pk, first.slug]) not in page  # filed before its wave began: not expected
