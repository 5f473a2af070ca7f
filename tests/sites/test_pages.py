"""The sites list and detail pages as people use them, and their query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nhsportal.models import Role
from sites.models import SiteStatus
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, NeighbourhoodFactory, PlaceFactory, RegionFactory, SiteFactory
from tests.teams.factories import NeighbourhoodTeamFactory, WorkforceEntryFactory

pytestmark = pytest.mark.django_db


def _queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def _add_sites(n):
    for _ in range(n):
        site = SiteFactory()
        team = NeighbourhoodTeamFactory(site=site, neighbourhood=NeighbourhoodFactory(site=site))
        WorkforceEntryFactory(team=team)


def test_the_taskforce_filters_sites_by_region_icb_status_and_name(client):
    north, south = RegionFactory(name="North West"), RegionFactory(name="South West")
    icb = ICBFactory(region=north)
    rochdale = SiteFactory(place=PlaceFactory(name="Rochdale", icb=icb), status=SiteStatus.ACTIVE)
    stockport = SiteFactory(place=PlaceFactory(name="Stockport", icb=icb))
    dorset = SiteFactory(place=PlaceFactory(name="Dorset Place", icb=ICBFactory(region=south)))
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))

    def names(**query):
        response = client.get(reverse("site-list"), query)
        return [s.name for s in response.context["page"].object_list]

    assert names() == ["Dorset Place", "Rochdale", "Stockport"]
    assert names(region=north.ods_code) == ["Rochdale", "Stockport"]
    assert names(icb=icb.ods_code) == ["Rochdale", "Stockport"]
    assert names(status="active") == ["Rochdale"]
    assert names(q="dorset") == ["Dorset Place"]
    assert names(region=south.ods_code, status="active") == []
    assert {rochdale.pk, stockport.pk, dorset.pk}


def test_site_staff_see_only_their_own_site_in_the_list(client, site, other_site):
    client.force_login(user_with_role(Role.SITE_STAFF, site=site))

    response = client.get(reverse("site-list"))

    assert [s.pk for s in response.context["page"].object_list] == [site.pk]
    assert other_site.name not in response.content.decode()


def test_site_detail_shows_the_workforce_make_up_by_profession(client, site):
    team = NeighbourhoodTeamFactory(site=site, name="Blakenall")
    WorkforceEntryFactory(
        team=team, profession__name="District nurse", profession__group="Community health services", headcount=4, wte="3.20"
    )
    WorkforceEntryFactory(team=team, profession__name="Social prescribing link worker", headcount=2, wte="1.50")
    client.force_login(user_with_role(Role.SITE_STAFF, site=site))

    response = client.get(reverse("site-detail", args=[site.pk]))

    groups = {g["group"]: g for g in response.context["workforce"]}
    assert groups["Community health services"]["headcount"] == 4
    assert groups["General practice"]["wte"] == Decimal("1.50")
    assert "Blakenall" in response.content.decode()


LIST_PAGES = {
    "site list": lambda: reverse("site-list"),
    "home": lambda: reverse("home"),
}


@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_pages_run_the_same_queries_for_3_sites_as_for_30(client, page):
    client.force_login(user_with_role(Role.TASKFORCE_CHAIR))
    _add_sites(3)
    few = _queries(client, LIST_PAGES[page]())
    _add_sites(27)

    assert _queries(client, LIST_PAGES[page]()) == few


def test_site_detail_queries_do_not_grow_with_teams_and_workforce(client, site):
    client.force_login(user_with_role(Role.SITE_STAFF, site=site))
    path = reverse("site-detail", args=[site.pk])
    NeighbourhoodTeamFactory(site=site)
    few = _queries(client, path)
    for _ in range(10):
        team = NeighbourhoodTeamFactory(site=site, neighbourhood=NeighbourhoodFactory(site=site))
        WorkforceEntryFactory.create_batch(3, team=team)

    assert _queries(client, path) == few


def test_team_page_queries_do_not_grow_with_workforce(client, site):
    client.force_login(user_with_role(Role.SITE_STAFF, site=site))
    team = NeighbourhoodTeamFactory(site=site)
    path = reverse("team-detail", args=[team.pk])
    WorkforceEntryFactory(team=team)
    few = _queries(client, path)
    WorkforceEntryFactory.create_batch(12, team=team)

    assert _queries(client, path) == few
