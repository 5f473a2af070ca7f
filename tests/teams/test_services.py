"""Registering teams and their workforce: the rules the services enforce, and the audit they leave."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nhsportal.models import AuditEvent, Role
from teams import services
from teams.models import OrganisationKind, WorkforceEntry
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import NeighbourhoodFactory, SiteFactory
from tests.teams.factories import (
    FocusConditionFactory,
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    ProfessionFactory,
    WorkforceEntryFactory,
)

pytestmark = pytest.mark.django_db


def test_site_staff_register_a_team_with_its_focus_and_the_audit_says_who(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    neighbourhood = NeighbourhoodFactory(site=site)
    diabetes = FocusConditionFactory(name="Diabetes")

    team = services.create_team(
        site=site,
        by=staff,
        name="  North Walsall  ",
        neighbourhood=neighbourhood,
        focus_conditions=[diabetes],
        launched_on=datetime.date(2026, 1, 5),
    )

    assert team.name == "North Walsall"
    assert list(team.focus_conditions.all()) == [diabetes]
    event = AuditEvent.objects.get(action="team.created")
    assert event.actor == staff and event.object_id == str(team.pk)


def test_team_names_are_unique_within_a_site_whatever_the_case(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    NeighbourhoodTeamFactory(site=site, name="North Walsall")

    with pytest.raises(ValidationError) as refused:
        services.create_team(site=site, by=staff, name="north walsall")

    assert "already has a team called" in refused.value.message_dict["name"][0]


def test_the_same_team_name_is_fine_at_another_site(site, other_site):
    NeighbourhoodTeamFactory(site=other_site, name="North")
    staff = user_with_role(Role.SITE_STAFF, site=site)

    assert services.create_team(site=site, by=staff, name="North").site == site


def test_a_team_cannot_sit_in_another_sites_neighbourhood(site, other_site):
    staff = user_with_role(Role.SITE_STAFF, site=site)

    with pytest.raises(ValidationError) as refused:
        services.create_team(site=site, by=staff, name="Stray", neighbourhood=NeighbourhoodFactory(site=other_site))

    assert refused.value.message_dict["neighbourhood"] == ["Choose one of this site's own neighbourhoods."]


@pytest.mark.parametrize("role", [Role.TASKFORCE_MEMBER, Role.TASKFORCE_CHAIR])
def test_the_taskforce_reads_but_does_not_register_teams(site, role):
    with pytest.raises(PermissionDenied):
        services.create_team(site=site, by=user_with_role(role), name="National")


def test_staff_of_another_site_cannot_change_a_team(site, other_site):
    team = NeighbourhoodTeamFactory(site=site)
    outsider = user_with_role(Role.SITE_STAFF, site=other_site)

    with pytest.raises(PermissionDenied):
        services.update_team(team=team, by=outsider, name="Hijacked")
    team.refresh_from_db()
    assert team.name != "Hijacked"


def test_changing_a_team_records_old_and_new_values(site):
    lead = user_with_role(Role.PROGRAMME_LEAD, place=site.place)
    team = NeighbourhoodTeamFactory(site=site, name="Central", lead_name="Alex Morgan")

    services.update_team(team=team, by=lead, lead_name="Priya Shah", focus_conditions=[FocusConditionFactory(name="Epilepsy")])

    event = AuditEvent.objects.get(action="team.updated")
    assert event.changes["lead_name"] == ["Alex Morgan", "Priya Shah"]
    assert event.changes["focus_conditions"] == [[], ["Epilepsy"]]


def test_workforce_wte_cannot_exceed_headcount(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    team = NeighbourhoodTeamFactory(site=site)

    with pytest.raises(ValidationError) as refused:
        services.add_workforce_entry(
            team=team,
            by=staff,
            profession=ProfessionFactory(),
            employer=PartnerOrganisationFactory(),
            headcount=2,
            wte=Decimal("2.5"),
            start_date=datetime.date(2026, 1, 1),
        )

    assert refused.value.message_dict["wte"] == ["WTE cannot be more than the headcount (2): each person is at most 1.0 WTE."]
    assert not WorkforceEntry.objects.exists()


def test_workforce_cannot_end_before_it_starts(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    entry = WorkforceEntryFactory(team=NeighbourhoodTeamFactory(site=site), start_date=datetime.date(2026, 3, 1))

    with pytest.raises(ValidationError) as refused:
        services.update_workforce_entry(entry=entry, by=staff, end_date=datetime.date(2026, 2, 1))

    assert "end_date" in refused.value.message_dict
    entry.refresh_from_db()
    assert entry.end_date is None


def test_ending_a_workforce_entry_keeps_it_as_history(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    entry = WorkforceEntryFactory(team=NeighbourhoodTeamFactory(site=site))

    services.update_workforce_entry(entry=entry, by=staff, end_date=datetime.date(2026, 6, 30))

    entry.refresh_from_db()
    assert entry.end_date == datetime.date(2026, 6, 30)
    assert AuditEvent.objects.get(action="workforce.updated").changes == {"end_date": [None, "2026-06-30"]}


def test_removing_an_entry_made_in_error_is_audited_with_the_reason(site):
    staff = user_with_role(Role.SITE_LEAD, site=site)
    entry = WorkforceEntryFactory(team=NeighbourhoodTeamFactory(site=site))

    services.remove_workforce_entry(entry=entry, by=staff, reason="Entered twice")

    assert not WorkforceEntry.objects.exists()
    assert AuditEvent.objects.get(action="workforce.removed").reason == "Entered twice"


def test_partner_organisations_are_not_listed_twice(site):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    services.add_partner_organisation(
        by=staff, name="Pelsall Village Surgery", kind=OrganisationKind.GP_PRACTICE, ods_code="m92001"
    )

    with pytest.raises(ValidationError) as by_code:
        services.add_partner_organisation(by=staff, name="Another name", kind=OrganisationKind.GP_PRACTICE, ods_code="M92001")
    with pytest.raises(ValidationError) as by_name:
        services.add_partner_organisation(by=staff, name="Pelsall Village Surgery", kind=OrganisationKind.GP_PRACTICE)

    assert "M92001 is already listed" in by_code.value.message_dict["ods_code"][0]
    assert "already listed" in by_name.value.message_dict["name"][0]


def test_people_without_a_site_cannot_add_partner_organisations():
    with pytest.raises(PermissionDenied):
        services.add_partner_organisation(by=user_with_role(Role.TASKFORCE_MEMBER), name="X", kind=OrganisationKind.VCSE)


def test_a_second_site_is_independent(site):
    """Sanity: factories give each site its own Place, so scoping tests are meaningful."""
    assert SiteFactory().place_id != site.place_id
