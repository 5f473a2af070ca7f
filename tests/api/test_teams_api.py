"""Teams through the API: read as the pages do, written only through teams.services."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from nhsportal.models import AuditEvent
from teams.models import NeighbourhoodTeam
from tests.api.helpers import ids
from tests.teams.factories import NeighbourhoodTeamFactory

pytestmark = pytest.mark.django_db


class TestReadingTeams:
    def test_a_team_shows_its_site_neighbourhood_focus_and_current_size(self, client_as, people, world):
        body = client_as(people["site_staff"]).get(f"/api/v1/teams/{world.team.pk}/").json()

        assert body["name"] == "North team"
        assert body["site"] == {"id": world.site.pk, "name": world.site.name}
        assert body["neighbourhood"] == {"id": world.neighbourhood.pk, "name": "North"}
        assert body["focus_conditions"] == [{"id": world.diabetes.pk, "name": "Diabetes"}]
        assert [c["name"] for c in body["focus_cohorts"]] == ["Adults with multiple long-term conditions"]
        assert (body["current_headcount"], body["current_wte"]) == (3, "2.40")

    def test_a_team_with_nobody_yet_has_zero_current_size(self, client_as, people, site):
        team = NeighbourhoodTeamFactory(site=site, neighbourhood=None)

        body = client_as(people["site_staff"]).get(f"/api/v1/teams/{team.pk}/").json()

        assert (body["neighbourhood"], body["current_headcount"], body["current_wte"]) == (None, 0, "0.00")

    @pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead"])
    def test_site_people_list_only_their_sites_teams(self, client_as, people, world, role):
        assert ids(client_as(people[role]).get("/api/v1/teams/")) == [world.team.pk]

    def test_the_taskforce_lists_every_team(self, client_as, people, world):
        assert sorted(ids(client_as(people["taskforce_member"]).get("/api/v1/teams/"))) == sorted(
            [world.team.pk, world.other_team.pk]
        )

    def test_another_sites_team_is_not_found(self, client_as, people, world):
        response = client_as(people["site_staff"]).get(f"/api/v1/teams/{world.other_team.pk}/")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("launched_after=2025-12-01", ["other_team"]),
            ("launched_before=2025-10-01", ["team"]),
            ("launched_after=2025-10-01&launched_before=2026-01-05", ["other_team", "team"]),
            ("site={other_site}", ["other_team"]),
            ("neighbourhood={neighbourhood}", ["team"]),
        ],
    )
    def test_filters(self, client_as, people, world, query, expected):
        query = query.format(other_site=world.other_site.pk, neighbourhood=world.neighbourhood.pk)

        response = client_as(people["taskforce_member"]).get(f"/api/v1/teams/?{query}&ordering=-launched_on")

        assert ids(response) == [getattr(world, name).pk for name in expected]


class TestCreatingTeams:
    def payload(self, world, **changes):
        return {
            "site": world.site.pk,
            "name": "South team",
            "neighbourhood": world.neighbourhood.pk,
            "lead_name": "Priya Shah",
            "lead_email": "priya.shah@example.nhs.uk",
            "launched_on": "2026-02-02",
            "focus_conditions": [world.diabetes.pk],
            "focus_cohorts": [world.cohort.pk],
            **changes,
        }

    @pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead", "administrator"])
    def test_the_sites_own_people_register_a_team(self, client_as, people, world, role):
        response = client_as(people[role]).post("/api/v1/teams/", self.payload(world), format="json")

        assert response.status_code == 201, response.json()
        body = response.json()
        team = NeighbourhoodTeam.objects.get(pk=body["id"])
        assert (team.site, team.name, team.neighbourhood) == (world.site, "South team", world.neighbourhood)
        assert list(team.focus_conditions.all()) == [world.diabetes]
        assert body["focus_cohorts"][0]["id"] == world.cohort.pk
        assert (body["current_headcount"], body["current_wte"]) == (0, "0.00")
        assert AuditEvent.objects.filter(action="team.created", object_id=str(team.pk), actor=people[role]).exists()

    def test_a_site_out_of_scope_reads_as_not_existing(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/teams/", self.payload(world, site=world.other_site.pk, neighbourhood=None), format="json"
        )

        assert response.status_code == 400
        assert response.json() == {"site": [f'Invalid pk "{world.other_site.pk}" - object does not exist.']}
        assert not NeighbourhoodTeam.objects.filter(name="South team").exists()

    def test_the_taskforce_reads_but_may_not_register_teams(self, client_as, people, world):
        response = client_as(people["taskforce_member"]).post("/api/v1/teams/", self.payload(world), format="json")

        assert response.status_code == 403
        assert "Only the site's own staff" in response.json()["detail"]
        assert not NeighbourhoodTeam.objects.filter(name="South team").exists()

    def test_a_duplicate_name_is_refused_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).post("/api/v1/teams/", self.payload(world, name="north TEAM"), format="json")

        assert response.status_code == 400
        assert list(response.json()) == ["name"]
        assert "already has a team called" in response.json()["name"][0]

    def test_another_sites_neighbourhood_is_refused(self, client_as, people, world):
        payload = self.payload(world, neighbourhood=world.other_neighbourhood.pk)

        response = client_as(people["administrator"]).post("/api/v1/teams/", payload, format="json")

        assert response.status_code == 400
        assert response.json() == {"neighbourhood": ["Choose one of this site's own neighbourhoods."]}

    def test_missing_fields_are_named(self, client_as, people, world):
        response = client_as(people["site_staff"]).post("/api/v1/teams/", {}, format="json")

        assert response.status_code == 400
        assert set(response.json()) == {"site", "name"}


class TestChangingTeams:
    def test_site_staff_change_their_teams_details(self, client_as, people, world):
        response = client_as(people["site_staff"]).patch(
            f"/api/v1/teams/{world.team.pk}/", {"lead_name": "Jo Bloggs", "focus_conditions": []}, format="json"
        )

        assert response.status_code == 200, response.json()
        world.team.refresh_from_db()
        assert (world.team.lead_name, world.team.name) == ("Jo Bloggs", "North team")
        assert list(world.team.focus_conditions.all()) == []
        assert response.json()["lead_name"] == "Jo Bloggs"
        assert AuditEvent.objects.filter(action="team.updated", object_id=str(world.team.pk)).exists()

    def test_a_team_cannot_move_site(self, client_as, people, world):
        response = client_as(people["administrator"]).patch(
            f"/api/v1/teams/{world.team.pk}/", {"site": world.other_site.pk}, format="json"
        )

        assert response.status_code == 200
        world.team.refresh_from_db()
        assert world.team.site == world.site

    def test_renaming_to_a_name_in_use_is_refused(self, client_as, people, world):
        NeighbourhoodTeamFactory(site=world.site, name="South team")

        response = client_as(people["site_lead"]).patch(f"/api/v1/teams/{world.team.pk}/", {"name": "South team"}, format="json")

        assert response.status_code == 400
        assert list(response.json()) == ["name"]

    def test_another_sites_team_is_not_found(self, client_as, people, world):
        response = client_as(people["site_staff"]).patch(
            f"/api/v1/teams/{world.other_team.pk}/", {"lead_name": "Intruder"}, format="json"
        )

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        world.other_team.refresh_from_db()
        assert world.other_team.lead_name != "Intruder"

    def test_the_taskforce_may_not_change_a_team(self, client_as, people, world):
        response = client_as(people["taskforce_member"]).patch(
            f"/api/v1/teams/{world.team.pk}/", {"lead_name": "Someone"}, format="json"
        )

        assert response.status_code == 403

    def test_teams_are_not_replaced_or_deleted_through_the_api(self, client_as, people, world):
        client = client_as(people["administrator"])

        assert (
            client.put(f"/api/v1/teams/{world.team.pk}/", {"name": "X", "site": world.site.pk}, format="json").status_code == 405
        )
        assert client.delete(f"/api/v1/teams/{world.team.pk}/").status_code == 405
        assert NeighbourhoodTeam.objects.filter(pk=world.team.pk).exists()


class TestTokenAuthentication:
    def test_a_token_signs_the_caller_in_with_their_own_scope(self, people, world):
        token = Token.objects.create(user=people["site_staff"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

        assert ids(client.get("/api/v1/teams/")) == [world.team.pk]
        assert client.get(f"/api/v1/teams/{world.other_team.pk}/").status_code == 404
        created = client.post("/api/v1/teams/", {"site": world.site.pk, "name": "Token team"}, format="json")
        assert created.status_code == 201

    def test_an_unknown_token_is_refused(self, world):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

        response = client.get("/api/v1/teams/")

        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}
        assert response.json() == {"detail": "Invalid token."}
