import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from tests.sites.factories import LocalAuthorityFactory, NeighbourhoodFactory
from tests.teams.factories import (
    FocusCohortFactory,
    FocusConditionFactory,
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    ProfessionFactory,
    WorkforceEntryFactory,
)


@pytest.fixture
def client_as(db):
    """An API client signed in (by session) as the given user, or anonymous for None."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def world(site, other_site):
    """Two sites, each with a neighbourhood, a team and one workforce entry.

    `site` is the one the `people` fixture ties its site staff, site lead and programme lead to."""
    gp = ProfessionFactory(code="gp", name="General practitioner", group="General practice")
    nurse = ProfessionFactory(code="district-nurse", name="District nurse", group="Community nursing")
    practice = PartnerOrganisationFactory(name="Riverside Surgery", ods_code="Y00001")
    trust = PartnerOrganisationFactory(name="Northshire Community Trust", kind="nhs_trust", ods_code="RXX")
    diabetes = FocusConditionFactory(name="Diabetes")
    cohort = FocusCohortFactory(name="Adults with multiple long-term conditions")

    site.place.local_authorities.add(LocalAuthorityFactory(name="Northshire"))
    neighbourhood = NeighbourhoodFactory(site=site, name="North")
    other_neighbourhood = NeighbourhoodFactory(site=other_site, name="Elsewhere")
    team = NeighbourhoodTeamFactory(
        site=site, neighbourhood=neighbourhood, name="North team", launched_on=datetime.date(2025, 10, 1)
    )
    team.focus_conditions.add(diabetes)
    team.focus_cohorts.add(cohort)
    other_team = NeighbourhoodTeamFactory(
        site=other_site, neighbourhood=other_neighbourhood, name="Elsewhere team", launched_on=datetime.date(2026, 1, 5)
    )
    entry = WorkforceEntryFactory(
        team=team, profession=gp, employer=practice, headcount=3, wte=Decimal("2.40"), start_date=datetime.date(2025, 10, 1)
    )
    other_entry = WorkforceEntryFactory(
        team=other_team, profession=nurse, employer=trust, headcount=5, wte=Decimal("4.00"), start_date=datetime.date(2026, 1, 5)
    )
    return SimpleNamespace(
        site=site,
        other_site=other_site,
        neighbourhood=neighbourhood,
        other_neighbourhood=other_neighbourhood,
        team=team,
        other_team=other_team,
        entry=entry,
        other_entry=other_entry,
        gp=gp,
        nurse=nurse,
        practice=practice,
        trust=trust,
        diabetes=diabetes,
        cohort=cohort,
    )
