"""Workforce, partner organisations and vocabularies through the API."""

import datetime
from decimal import Decimal

import pytest

from nhsportal.models import AuditEvent
from teams.models import PartnerOrganisation, WorkforceEntry
from tests.api.helpers import ids
from tests.teams.factories import FocusCohortFactory, FocusConditionFactory, WorkforceEntryFactory

pytestmark = pytest.mark.django_db


class TestReadingWorkforce:
    def test_an_entry_shows_team_site_profession_and_employer(self, client_as, people, world):
        body = client_as(people["site_staff"]).get(f"/api/v1/workforce/{world.entry.pk}/").json()

        assert body["team"] == {"id": world.team.pk, "name": "North team"}
        assert body["site"] == {"id": world.site.pk, "name": world.site.name}
        assert body["profession"] == {
            "id": world.gp.pk,
            "code": "gp",
            "name": "General practitioner",
            "group": "General practice",
        }
        assert body["employer"] == {
            "id": world.practice.pk,
            "name": "Riverside Surgery",
            "kind": "gp_practice",
            "ods_code": "Y00001",
        }
        assert (body["headcount"], body["wte"], body["start_date"], body["end_date"]) == (3, "2.40", "2025-10-01", None)

    @pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead"])
    def test_site_people_list_only_their_sites_workforce(self, client_as, people, world, role):
        assert ids(client_as(people[role]).get("/api/v1/workforce/")) == [world.entry.pk]

    def test_the_taskforce_lists_all_workforce(self, client_as, people, world):
        assert sorted(ids(client_as(people["taskforce_chair"]).get("/api/v1/workforce/"))) == sorted(
            [world.entry.pk, world.other_entry.pk]
        )

    def test_another_sites_entry_is_not_found(self, client_as, people, world):
        response = client_as(people["site_staff"]).get(f"/api/v1/workforce/{world.other_entry.pk}/")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("team={team}", ["entry"]),
            ("site={other_site}", ["other_entry"]),
            ("profession=district-nurse", ["other_entry"]),
            ("employer={practice}", ["entry"]),
            ("current_on=2025-12-01", ["entry"]),
            ("current_on=2026-03-01", ["entry", "other_entry"]),
            ("current_on=2025-09-30", []),
        ],
    )
    def test_filters(self, client_as, people, world, query, expected):
        query = query.format(team=world.team.pk, other_site=world.other_site.pk, practice=world.practice.pk)

        response = client_as(people["taskforce_member"]).get(f"/api/v1/workforce/?{query}&ordering=start_date")

        assert ids(response) == [getattr(world, name).pk for name in expected]

    def test_current_on_leaves_out_entries_that_have_ended(self, client_as, people, world):
        ended = WorkforceEntryFactory(
            team=world.team, profession=world.nurse, start_date=datetime.date(2025, 10, 1), end_date=datetime.date(2025, 12, 31)
        )
        client = client_as(people["site_staff"])

        assert ended.pk in ids(client.get("/api/v1/workforce/?current_on=2025-12-31"))
        assert ended.pk not in ids(client.get("/api/v1/workforce/?current_on=2026-01-01"))


class TestChangingWorkforce:
    def payload(self, world, **changes):
        return {
            "team": world.team.pk,
            "profession": world.nurse.pk,
            "employer": world.practice.pk,
            "headcount": 4,
            "wte": "3.20",
            "start_date": "2026-01-05",
            **changes,
        }

    def test_site_staff_add_people_to_their_team(self, client_as, people, world):
        response = client_as(people["site_staff"]).post("/api/v1/workforce/", self.payload(world), format="json")

        assert response.status_code == 201, response.json()
        entry = WorkforceEntry.objects.get(pk=response.json()["id"])
        assert (entry.team, entry.profession, entry.headcount, entry.wte) == (world.team, world.nurse, 4, Decimal("3.20"))
        assert response.json()["site"]["id"] == world.site.pk
        assert AuditEvent.objects.filter(action="workforce.added", object_id=str(entry.pk)).exists()

    def test_another_sites_partner_is_refused_as_employer_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/workforce/", self.payload(world, employer=world.trust.pk), format="json"
        )

        assert response.status_code == 400
        message = response.json()["employer"][0]
        assert message.startswith(f"Northshire Community Trust is not one of {world.site.name}'s partner organisations")
        assert not WorkforceEntry.objects.filter(team=world.team, employer=world.trust).exists()

    def test_a_new_organisation_nobody_employs_through_yet_can_be_chosen(self, client_as, people, world):
        new = PartnerOrganisation.objects.create(name="Northshire Carers", kind="vcse")

        response = client_as(people["site_staff"]).post("/api/v1/workforce/", self.payload(world, employer=new.pk), format="json")

        assert response.status_code == 201, response.json()

    def test_wte_above_headcount_is_refused_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/workforce/", self.payload(world, headcount=2, wte="2.50"), format="json"
        )

        assert response.status_code == 400
        assert response.json() == {"wte": ["WTE cannot be more than the headcount (2): each person is at most 1.0 WTE."]}
        assert not WorkforceEntry.objects.filter(profession=world.nurse, team=world.team).exists()

    def test_a_team_out_of_scope_reads_as_not_existing(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/workforce/", self.payload(world, team=world.other_team.pk), format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["team"]

    def test_the_taskforce_may_not_add_workforce(self, client_as, people, world):
        response = client_as(people["taskforce_member"]).post("/api/v1/workforce/", self.payload(world), format="json")

        assert response.status_code == 403

    def test_ending_an_entry(self, client_as, people, world):
        response = client_as(people["site_lead"]).patch(
            f"/api/v1/workforce/{world.entry.pk}/", {"end_date": "2026-03-31"}, format="json"
        )

        assert response.status_code == 200, response.json()
        world.entry.refresh_from_db()
        assert world.entry.end_date == datetime.date(2026, 3, 31)
        assert response.json()["end_date"] == "2026-03-31"

    def test_an_end_before_the_start_is_refused_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).patch(
            f"/api/v1/workforce/{world.entry.pk}/", {"end_date": "2025-09-01"}, format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["end_date"]

    def test_lowering_headcount_below_the_wte_is_refused(self, client_as, people, world):
        response = client_as(people["site_staff"]).patch(f"/api/v1/workforce/{world.entry.pk}/", {"headcount": 2}, format="json")

        assert response.status_code == 400
        assert list(response.json()) == ["wte"]
        world.entry.refresh_from_db()
        assert world.entry.headcount == 3

    def test_deleting_an_entry_made_in_error_keeps_the_reason(self, client_as, people, world):
        response = client_as(people["site_staff"]).delete(f"/api/v1/workforce/{world.entry.pk}/?reason=Entered twice")

        assert response.status_code == 204
        assert not WorkforceEntry.objects.filter(pk=world.entry.pk).exists()
        assert AuditEvent.objects.get(action="workforce.removed").reason == "Entered twice"

    @pytest.mark.parametrize("method", ["patch", "delete"])
    def test_another_sites_entry_is_not_found(self, client_as, people, world, method):
        client = client_as(people["site_staff"])

        response = getattr(client, method)(f"/api/v1/workforce/{world.other_entry.pk}/", {"headcount": 9}, format="json")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        world.other_entry.refresh_from_db()
        assert world.other_entry.headcount == 5

    @pytest.mark.parametrize("method", ["patch", "delete"])
    def test_the_taskforce_may_not_change_or_delete_entries(self, client_as, people, world, method):
        client = client_as(people["taskforce_member"])

        response = getattr(client, method)(f"/api/v1/workforce/{world.entry.pk}/", {"headcount": 9}, format="json")

        assert response.status_code == 403
        assert WorkforceEntry.objects.get(pk=world.entry.pk).headcount == 3


class TestPartnerOrganisations:
    def test_anyone_signed_in_reads_them(self, client_as, people, world):
        client = client_as(people["no_role"])

        assert ids(client.get("/api/v1/partner-organisations/")) == [world.trust.pk, world.practice.pk]
        assert ids(client.get("/api/v1/partner-organisations/?kind=nhs_trust")) == [world.trust.pk]
        assert ids(client.get("/api/v1/partner-organisations/?ods_code=y00001")) == [world.practice.pk]
        assert ids(client.get("/api/v1/partner-organisations/?search=riverside")) == [world.practice.pk]
        assert client.get(f"/api/v1/partner-organisations/{world.trust.pk}/").json()["name"] == "Northshire Community Trust"

    @pytest.mark.parametrize("role", ["site_staff", "programme_lead", "administrator"])
    def test_people_who_register_teams_add_one(self, client_as, people, role):
        response = client_as(people[role]).post(
            "/api/v1/partner-organisations/",
            {"name": "Hillside Pharmacy", "kind": "pharmacy", "ods_code": "fa123"},
            format="json",
        )

        assert response.status_code == 201, response.json()
        assert response.json()["ods_code"] == "FA123"
        assert PartnerOrganisation.objects.filter(name="Hillside Pharmacy", kind="pharmacy").exists()

    def test_the_taskforce_may_not_add_one(self, client_as, people):
        response = client_as(people["taskforce_member"]).post(
            "/api/v1/partner-organisations/", {"name": "Hillside Pharmacy", "kind": "pharmacy"}, format="json"
        )

        assert response.status_code == 403
        assert response.json() == {"detail": "Only people who register teams can add partner organisations."}

    def test_a_listed_ods_code_is_refused_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/partner-organisations/", {"name": "Riverside", "kind": "gp_practice", "ods_code": "Y00001"}, format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["ods_code"]

    def test_a_listed_name_is_refused_naming_the_field(self, client_as, people, world):
        response = client_as(people["site_staff"]).post(
            "/api/v1/partner-organisations/", {"name": "Riverside Surgery", "kind": "gp_practice"}, format="json"
        )

        assert response.status_code == 400
        assert list(response.json()) == ["name"]

    def test_partner_organisations_are_not_changed_through_the_api(self, client_as, people, world):
        client = client_as(people["administrator"])

        assert client.patch(f"/api/v1/partner-organisations/{world.trust.pk}/", {"name": "X"}, format="json").status_code == 405
        assert client.delete(f"/api/v1/partner-organisations/{world.trust.pk}/").status_code == 405


class TestVocabularies:
    def test_professions_and_focus_lists_are_readable_by_anyone_signed_in(self, client_as, people, world):
        FocusConditionFactory(name="Hypertension")
        FocusCohortFactory(name="Frail older people")
        client = client_as(people["no_role"])

        professions = client.get("/api/v1/professions/").json()["results"]
        assert [p["code"] for p in professions] == ["district-nurse", "gp"]  # by group, then name
        assert ids(client.get("/api/v1/professions/?group=General practice")) == [world.gp.pk]
        assert [c["name"] for c in client.get("/api/v1/focus-conditions/").json()["results"]] == ["Diabetes", "Hypertension"]
        assert [c["name"] for c in client.get("/api/v1/focus-cohorts/").json()["results"]] == [
            "Adults with multiple long-term conditions",
            "Frail older people",
        ]
        assert client.get(f"/api/v1/professions/{world.gp.pk}/").json()["code"] == "gp"
