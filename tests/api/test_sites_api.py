"""The organisation endpoints: reference data for everyone signed in, sites scoped like the pages."""

import datetime

import pytest

from nhsportal.api import NOT_SIGNED_IN
from sites.models import SiteStatus
from tests.api.helpers import ids
from tests.sites.factories import ICBFactory, NeighbourhoodFactory, PlaceFactory, RegionFactory, SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db

ALL_LISTS = [
    "regions",
    "icbs",
    "places",
    "waves",
    "sites",
    "neighbourhoods",
    "teams",
    "workforce",
    "partner-organisations",
    "professions",
    "focus-conditions",
    "focus-cohorts",
]


@pytest.mark.parametrize("endpoint", ALL_LISTS)
def test_anonymous_callers_are_told_to_sign_in(client_as, endpoint):
    response = client_as(None).get(f"/api/v1/{endpoint}/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": NOT_SIGNED_IN}


def test_api_root_lists_every_endpoint(client_as, people):
    response = client_as(people["no_role"]).get("/api/v1/")

    assert response.status_code == 200
    assert set(ALL_LISTS) <= set(response.json())


class TestReferenceData:
    def test_regions_icbs_and_waves_are_readable_by_anyone_signed_in(self, client_as, people, site):
        client = client_as(people["no_role"])

        regions = client.get("/api/v1/regions/").json()["results"]
        icbs = client.get("/api/v1/icbs/").json()["results"]
        waves = client.get("/api/v1/waves/").json()["results"]

        region = site.place.icb.region
        assert {"id": region.pk, "ods_code": region.ods_code, "ons_code": region.ons_code, "name": region.name} in regions
        assert [icb["ods_code"] for icb in icbs] == [site.place.icb.ods_code]
        assert icbs[0]["region"] == {"id": region.pk, "ods_code": region.ods_code, "name": region.name}
        assert waves == [{"id": site.wave.pk, "number": 1, "name": "Wave one", "start_date": "2025-09-09"}]

    def test_retrieve_region_icb_and_wave(self, client_as, people, site):
        client = client_as(people["no_role"])

        assert client.get(f"/api/v1/regions/{site.place.icb.region_id}/").json()["name"] == site.place.icb.region.name
        assert client.get(f"/api/v1/icbs/{site.place.icb_id}/").json()["ods_code"] == site.place.icb.ods_code
        assert client.get(f"/api/v1/waves/{site.wave_id}/").json()["number"] == 1

    def test_icbs_filter_by_region(self, client_as, people):
        north, south = RegionFactory(ods_code="Y63"), RegionFactory(ods_code="Y59")
        northern = ICBFactory(region=north)
        ICBFactory(region=south)

        assert ids(client_as(people["no_role"]).get("/api/v1/icbs/?region=Y63")) == [northern.pk]

    def test_icbs_filter_by_the_day_they_are_in_force(self, client_as, people, site):
        merged = ICBFactory(name="NHS Merged Away ICB", effective_to=datetime.date(2026, 3, 31))
        successor = ICBFactory(name="NHS Successor ICB", effective_from=datetime.date(2026, 4, 1))
        merged.successor = successor
        merged.save()
        client = client_as(people["no_role"])

        # The site's own ICB has been in force since 2022 and never ends.
        assert ids(client.get("/api/v1/icbs/?in_force_on=2026-01-15")) == [merged.pk, site.place.icb_id]
        assert ids(client.get("/api/v1/icbs/?in_force_on=2026-04-01")) == [successor.pk, site.place.icb_id]
        assert ids(client.get("/api/v1/icbs/?in_force_on=2022-01-01")) == []  # before any started
        assert client.get(f"/api/v1/icbs/{merged.pk}/").json()["successor"]["id"] == successor.pk

    def test_a_malformed_date_names_the_filter(self, client_as, people):
        response = client_as(people["no_role"]).get("/api/v1/icbs/?in_force_on=April")

        assert response.status_code == 400
        assert list(response.json()) == ["in_force_on"]


class TestSiteScoping:
    @pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead"])
    def test_site_people_list_only_their_own_site(self, client_as, people, site, other_site, role):
        assert ids(client_as(people[role]).get("/api/v1/sites/")) == [site.pk]

    @pytest.mark.parametrize("role", ["taskforce_member", "taskforce_chair", "administrator"])
    def test_national_roles_list_every_site(self, client_as, people, site, other_site, role):
        assert sorted(ids(client_as(people[role]).get("/api/v1/sites/"))) == sorted([site.pk, other_site.pk])

    def test_someone_without_a_role_sees_no_sites(self, client_as, people, site):
        assert ids(client_as(people["no_role"]).get("/api/v1/sites/")) == []

    def test_another_sites_detail_is_not_found(self, client_as, people, other_site):
        response = client_as(people["site_staff"]).get(f"/api/v1/sites/{other_site.pk}/")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}

    def test_sites_are_read_only(self, client_as, people, site):
        client = client_as(people["administrator"])

        assert client.patch(f"/api/v1/sites/{site.pk}/", {"name": "Renamed"}, format="json").status_code == 405
        assert client.post("/api/v1/sites/", {"name": "New"}, format="json").status_code == 405
        assert client.delete(f"/api/v1/sites/{site.pk}/").status_code == 405

    def test_places_are_those_of_visible_sites(self, client_as, people, site, other_site):
        assert ids(client_as(people["site_staff"]).get("/api/v1/places/")) == [site.place_id]
        assert client_as(people["site_staff"]).get(f"/api/v1/places/{other_site.place_id}/").status_code == 404
        assert sorted(ids(client_as(people["taskforce_member"]).get("/api/v1/places/"))) == sorted(
            [site.place_id, other_site.place_id]
        )

    def test_a_programme_lead_sees_their_place_before_it_has_a_site(self, client_as, people, site):
        place = PlaceFactory()
        lead = people["programme_lead"]
        lead.role_assignments.create(role="programme_lead", place=place)

        assert sorted(ids(client_as(lead).get("/api/v1/places/"))) == sorted([site.place_id, place.pk])

    def test_neighbourhoods_are_those_of_visible_sites(self, client_as, people, world):
        client = client_as(people["site_staff"])

        assert ids(client.get("/api/v1/neighbourhoods/")) == [world.neighbourhood.pk]
        assert client.get(f"/api/v1/neighbourhoods/{world.other_neighbourhood.pk}/").status_code == 404


class TestSiteRepresentation:
    def test_a_site_in_a_list_shows_where_it_is_and_its_wave(self, client_as, people, world):
        site = world.site
        row = client_as(people["site_staff"]).get("/api/v1/sites/").json()["results"][0]

        assert row["name"] == site.name
        assert row["status"] == "onboarding"
        assert row["place"] == {"id": site.place_id, "name": site.place.name}
        assert row["icb"]["ods_code"] == site.place.icb.ods_code
        assert row["region"]["name"] == site.place.icb.region.name
        assert row["wave"] == {"id": site.wave_id, "number": 1, "name": "Wave one"}
        assert (row["neighbourhood_count"], row["team_count"]) == (1, 1)
        assert "deprivation" not in row

    def test_a_sites_detail_adds_its_profile_and_deprivation(self, client_as, people, world):
        body = client_as(people["site_staff"]).get(f"/api/v1/sites/{world.site.pk}/").json()

        assert [la["name"] for la in body["local_authorities"]] == ["Northshire"]
        assert body["deprivation"] == {
            "population": 150000,
            "imd_average_rank": "12000.0",
            "pct_lsoas_most_deprived_10": "12.0",
            "pct_lsoas_most_deprived_20": "25.0",
            "most_deprived_decile": 4,
        }
        assert body["neighbourhoods"] == [{"id": world.neighbourhood.pk, "name": "North", "population": 40000}]

    def test_a_site_without_local_authorities_has_no_deprivation(self, client_as, people, site):
        assert client_as(people["site_staff"]).get(f"/api/v1/sites/{site.pk}/").json()["deprivation"] is None


class TestSiteFilters:
    @pytest.fixture
    def sites(self, db):
        north = RegionFactory(ods_code="Y63", name="North East and Yorkshire")
        london = RegionFactory(ods_code="Y56", name="London")
        wave_two = WaveFactory(number=2, name="Wave two", start_date=datetime.date(2026, 9, 1))
        return {
            "leeds": SiteFactory(name="Leeds", place__icb__ods_code="QWO", place__icb__region=north),
            "hull": SiteFactory(name="Hull", place__icb__ods_code="QOQ", place__icb__region=north, status=SiteStatus.ACTIVE),
            "barnet": SiteFactory(name="Barnet", place__icb__ods_code="QMJ", place__icb__region=london, wave=wave_two),
        }

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("region=Y63", ["hull", "leeds"]),
            ("icb=QMJ", ["barnet"]),
            ("status=active", ["hull"]),
            ("wave=2", ["barnet"]),
            ("search=lee", ["leeds"]),
            ("region=Y63&status=onboarding", ["leeds"]),
            ("region=Y63&ordering=-name", ["leeds", "hull"]),
        ],
    )
    def test_filters(self, client_as, people, sites, query, expected):
        response = client_as(people["taskforce_member"]).get(f"/api/v1/sites/?{query}")

        assert ids(response) == [sites[name].pk for name in expected]

    def test_an_unknown_status_names_the_filter(self, client_as, people, sites):
        response = client_as(people["taskforce_member"]).get("/api/v1/sites/?status=closed")

        assert response.status_code == 400
        assert "status" in response.json()

    def test_places_filter_by_icb_and_region(self, client_as, people, sites):
        client = client_as(people["taskforce_member"])

        assert ids(client.get("/api/v1/places/?icb=QWO")) == [sites["leeds"].place_id]
        assert ids(client.get("/api/v1/places/?region=Y56")) == [sites["barnet"].place_id]

    def test_neighbourhoods_filter_by_site(self, client_as, people, sites):
        mine = NeighbourhoodFactory(site=sites["hull"])
        NeighbourhoodFactory(site=sites["leeds"])

        assert ids(client_as(people["taskforce_member"]).get(f"/api/v1/neighbourhoods/?site={sites['hull'].pk}")) == [mine.pk]

    def test_filtering_on_a_site_out_of_scope_gives_an_empty_list(self, client_as, people, world):
        response = client_as(people["site_staff"]).get(f"/api/v1/neighbourhoods/?site={world.other_site.pk}")

        assert ids(response) == []
