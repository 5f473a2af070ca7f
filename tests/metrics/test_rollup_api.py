"""The rollups and coverage API, as an analyst's script or a site's dashboard reads it: filters,
the figures themselves, who sees which rows, and a fixed number of queries however much data."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.models import Rollup, RollupLevel
from nhsportal.models import Role
from tests.metrics.rollup_world import rolled_up_world
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db

LIST = "api:rollup-list"


@pytest.fixture
def world(catalogue):
    return rolled_up_world(sites=2, months=3)


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def get_all(client, **params):
    """Every page of the list."""
    rows, url = [], reverse(LIST)
    while url:
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url, params = response.json()["next"], None
    return rows


def test_the_taskforce_reads_one_sites_figures_for_a_range_of_months(world):
    taskforce = user_with_role(Role.TASKFORCE_MEMBER)
    months = sorted({r.period.month for r in Rollup.objects.current().select_related("period")})

    rows = get_all(
        client_for(taskforce),
        level="site",
        org=world.leeds.pk,
        metric="O1_NEW",
        category="total",
        **{"from": months[1].strftime("%Y-%m"), "to": months[2].strftime("%Y-%m")},
    )

    assert [row["month"] for row in rows] == [m.strftime("%Y-%m") for m in months[1:]]
    for row in rows:
        stored = Rollup.objects.current().get(
            level="site",
            org_id=world.leeds.pk,
            metric__code="O1_NEW",
            category__code="total",
            period__month__startswith=row["month"],
        )
        assert row["organisation"] == "Leeds"
        assert (row["sum_numerator"], row["sum_denominator"]) == (stored.sum_numerator, stored.sum_denominator)
        assert (
            Decimal(row["rate"])
            == stored.rate
            == (Decimal(stored.sum_numerator) * 1000 / stored.sum_denominator).quantize(
                Decimal("0.000001"), rounding=ROUND_HALF_UP
            )
        )
        assert (row["units_reporting"], row["units_expected"], row["units_suppressed"]) == (1, 1, 0)
        assert row["provisional"] == stored.provisional  # the latest months: final deadline still ahead


def test_englands_rate_is_the_sum_of_the_sites_numerators_over_their_denominators(world):
    rows = get_all(client_for(user_with_role(Role.TASKFORCE_CHAIR)), metric="O1_NEW", category="total")

    for month in {row["month"] for row in rows}:
        sites = [r for r in rows if r["month"] == month and r["level"] == "site"]
        (england,) = [r for r in rows if r["month"] == month and r["level"] == "national"]
        assert england["organisation"] == "England"
        assert england["sum_numerator"] == sum(r["sum_numerator"] for r in sites)
        assert england["sum_denominator"] == sum(r["sum_denominator"] for r in sites)
        assert england["units_reporting"] == england["units_expected"] == 2


def test_site_staff_see_their_own_site_and_the_national_figures_but_not_another_site(world):
    staff = client_for(user_with_role(Role.SITE_STAFF, site=world.leeds))

    site_rows = get_all(staff, level="site", metric="O1_NEW", category="total")
    other = get_all(staff, level="site", org=world.croydon.pk)
    national = get_all(staff, level="national", metric="O1_NEW", category="total")

    assert {row["org_id"] for row in site_rows} == {world.leeds.pk}
    assert other == []
    assert len(national) == world.months
    croydon_staff = client_for(user_with_role(Role.SITE_STAFF, site=world.croydon))
    assert {row["org_id"] for row in get_all(croydon_staff, level="site", category="total")} == {world.croydon.pk}


def test_the_list_is_for_signed_in_people_only(world):
    response = APIClient().get(reverse(LIST))

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-13"}, "from"), ({"to": "April"}, "to"), ({"level": "planet"}, "level"), ({"org": "x"}, "org")],
)
def test_a_bad_filter_is_refused_naming_the_field(world, params, field):
    response = client_for(user_with_role(Role.TASKFORCE_MEMBER)).get(reverse(LIST), params)

    assert response.status_code == 400
    assert field in response.json()


def test_rows_can_be_ordered_by_rate(world):
    rows = get_all(
        client_for(user_with_role(Role.TASKFORCE_MEMBER)), level="site", metric="O1_NEW", category="total", ordering="-rate"
    )

    rates = [Decimal(row["rate"]) for row in rows]
    assert rates == sorted(rates, reverse=True)


def _queries_for_one_page(user) -> int:
    client = client_for(user)
    # One level, so that the organisations' names take one query however the page falls.
    client.get(reverse(LIST), {"metric": "O1_NEW", "level": "site"})  # sign-in and session set-up out of the count
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(LIST), {"metric": "O1_NEW", "level": "site"})
    assert response.status_code == 200
    assert len(response.json()["results"]) > 0
    return len(queries)


@pytest.mark.parametrize("role", [Role.TASKFORCE_MEMBER, Role.SITE_STAFF])
def test_the_list_takes_the_same_number_of_queries_however_much_data_there_is(catalogue, role):
    small = rolled_up_world(sites=2, months=2)
    user = user_with_role(role, site=small.leeds if role == Role.SITE_STAFF else None)
    few = _queries_for_one_page(user)

    from metrics.returns.scale import seed_scale
    from tests.metrics.rollup_world import TODAY
    from tests.sites.factories import SiteFactory

    for _ in range(4):
        SiteFactory(wave=small.leeds.wave, place__icb=small.croydon.place.icb)
    seed_scale(sites=6, months=6, today=TODAY)
    from metrics.rollups import build as rollups

    rollups.rebuild_all(today=TODAY)
    assert Rollup.objects.current().filter(level=RollupLevel.SITE).values("org_id").distinct().count() == 6

    assert _queries_for_one_page(user) == few
    assert few <= 12


def test_coverage_lists_sites_by_month_with_completeness_for_the_taskforce(world):
    response = client_for(user_with_role(Role.TASKFORCE_MEMBER)).get(reverse("api:coverage"), {"months": 3})

    assert response.status_code == 200
    body = response.json()
    assert {row["site"]["name"] for row in body["rows"]} == {"Leeds", "Croydon"}
    assert len(body["months"]) == 3
    for month in body["summary"]:
        assert month["expected"] == 2
        if month["completeness"] is not None:
            assert Decimal(month["completeness"]) == 100


def test_coverage_shows_site_staff_only_their_own_site(world):
    response = client_for(user_with_role(Role.SITE_STAFF, site=world.croydon)).get(reverse("api:coverage"))

    assert response.status_code == 200
    assert [row["site"]["name"] for row in response.json()["rows"]] == ["Croydon"]


def test_coverage_refuses_an_impossible_number_of_months(world):
    response = client_for(user_with_role(Role.TASKFORCE_MEMBER)).get(reverse("api:coverage"), {"months": 0})

    assert response.status_code == 400
    assert "months" in response.json()


def test_when_the_taskforce_shares_sites_unnamed_staff_see_other_sites_figures_without_their_names(world):
    from dashboards.models import Sharing, SharingSetting

    SharingSetting.objects.update_or_create(pk=1, defaults={"sharing": Sharing.UNNAMED})
    staff = client_for(user_with_role(Role.SITE_STAFF, site=world.leeds))

    rows = get_all(staff, level="site", metric="O1_NEW", category="total")

    own = [row for row in rows if row["org_id"] == world.leeds.pk]
    others = [row for row in rows if row["org_id"] != world.leeds.pk]
    assert len(own) == len(others) == world.months
    assert {row["organisation"] for row in own} == {"Leeds"}
    assert {(row["org_id"], row["organisation"]) for row in others} == {(None, "Another site")}


@pytest.mark.parametrize("ordering", ["", "-rate", "rate", "sum_numerator"])
def test_following_the_next_links_lists_every_row_once_in_order(world, monkeypatch, ordering):
    from metrics.api.pagination import RollupCursorPagination

    monkeypatch.setattr(RollupCursorPagination, "page_size", 7)
    client = client_for(user_with_role(Role.TASKFORCE_MEMBER))
    params = {"level": "site", "metric": "O1_NEW", **({"ordering": ordering} if ordering else {})}

    rows = get_all(client, **params)

    expected = Rollup.objects.current().filter(level="site", metric__code="O1_NEW")
    assert len(rows) == expected.count() > 7
    assert len({(r["month"], r["org_id"], r["category"]) for r in rows}) == len(rows)
    if ordering:
        field = ordering.lstrip("-")
        present = [Decimal(str(r[field])) for r in rows if r[field] is not None]
        assert present == sorted(present, reverse=ordering.startswith("-"))
        assert all(r[field] is None for r in rows[len(present) :])  # rows without the figure come last


def test_a_made_up_cursor_is_refused(world):
    response = client_for(user_with_role(Role.TASKFORCE_MEMBER)).get(reverse(LIST), {"cursor": "not-a-cursor"})

    assert response.status_code == 404


def test_an_unknown_ordering_is_refused_naming_the_field(world):
    response = client_for(user_with_role(Role.TASKFORCE_MEMBER)).get(reverse(LIST), {"ordering": "org_id"})

    assert response.status_code == 400
    assert "ordering" in response.json()
