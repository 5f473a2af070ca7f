"""The review pack, the action list and the national matrix read in a fixed number of
queries however many months, teams, workforce entries, reviews or actions there are."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics import services as returns
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import build as rollups
from reviews import services
from tests.dashboards.conftest import file_and_sign_off
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.reviews.conftest import write_review
from tests.reviews.factories import ActionFactory, ReviewFactory
from tests.sites.factories import SiteFactory
from tests.teams.factories import NeighbourhoodTeamFactory, PartnerOrganisationFactory, ProfessionFactory, WorkforceEntryFactory

pytestmark = pytest.mark.django_db

MONTHS = 6


@pytest.fixture
def periods(db):
    load_metrics()
    today = timezone.localdate()
    return [ReportingPeriodFactory(month=month_start(today, back), today=today) for back in range(MONTHS, 0, -1)]


def _grow(site, people, periods, *, teams: int, entries_per_team: int):
    """File and sign off the given months, add teams with workforce joining and leaving, a data
    quality query per month and an action; then roll up."""
    profession, employer = ProfessionFactory(), PartnerOrganisationFactory()
    start = site.wave.start_date
    for _ in range(teams):
        team = NeighbourhoodTeamFactory(site=site, launched_on=start + datetime.timedelta(days=40))
        for n in range(entries_per_team):
            WorkforceEntryFactory(
                team=team,
                profession=profession,
                employer=employer,
                headcount=2,
                wte=Decimal("1.5"),
                start_date=start + datetime.timedelta(days=30 + n),
                end_date=start + datetime.timedelta(days=200) if n % 2 else None,
            )
    for period in periods:
        if site.returns.filter(period=period).exists():
            continue
        values = synthetic_return(seed=site.name, cohort=5000, month_index=period.month.month, layout="1.2")
        record = file_and_sign_off(site, period, values, staff=people["site_staff"], lead=people["site_lead"])
        returns.raise_query(return_record=record, by=people["taskforce_member"], question=f"Why did O3 change in {period}?")
    rollups.rebuild_all()


def _queries_for(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_review_pack_is_bounded_however_many_months_and_teams(client, site, people, periods):
    site.wave.start_date = periods[0].month - datetime.timedelta(days=60)
    site.wave.save()
    earlier = ReviewFactory(
        site=site, reviewer=people["taskforce_member"], scheduled_for=site.wave.start_date + datetime.timedelta(days=20)
    )
    write_review(earlier, people["taskforce_member"], actions=1)
    review = services.schedule_review(
        site=site, scheduled_for=timezone.localdate(), reviewer=people["taskforce_member"], by=people["taskforce_chair"]
    )
    url = reverse("review-detail", args=[review.pk])
    client.force_login(people["taskforce_member"])

    _grow(site, people, periods[:2], teams=1, entries_per_team=1)
    small = _queries_for(client, url)
    _grow(site, people, periods, teams=6, entries_per_team=5)
    ActionFactory.create_batch(8, review=earlier)
    large = _queries_for(client, url)

    response = client.get(url)
    assert len(response.context["pack"]["changes"]["joined"]) > 20  # the bigger site really is bigger
    assert len(response.context["pack"]["queries"]) == MONTHS
    assert response.context["pack"]["key_metrics"], "the pack shows the site's key metrics"
    assert large == small, f"{small} queries for the small site, {large} for the large one"
    assert large <= 45


def test_the_action_list_and_matrix_are_bounded(client, people):
    client.force_login(people["taskforce_chair"])

    def build(n):
        for _ in range(n):
            action = ActionFactory(review__site=SiteFactory())
            write_review(action.review, action.review.reviewer)

    build(2)
    small = [_queries_for(client, reverse("action-list")), _queries_for(client, reverse("review-matrix"))]
    build(12)
    large = [_queries_for(client, reverse("action-list")), _queries_for(client, reverse("review-matrix"))]

    assert large == small
