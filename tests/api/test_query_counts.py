"""Every list endpoint runs the same number of queries for 2 rows as for 20 (no N+1)."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.sites.factories import LocalAuthorityFactory, NeighbourhoodFactory, SiteFactory, WaveFactory
from tests.teams.factories import (
    FocusCohortFactory,
    FocusConditionFactory,
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    ProfessionFactory,
    WorkforceEntryFactory,
)

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = [
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

_numbers = itertools.count(100)


def add_rows(count):
    """`count` more of everything: each a site in its own region, ICB, Place and wave, with a
    local authority, a neighbourhood, a team with focus and a current workforce entry."""
    for _ in range(count):
        number = next(_numbers)
        site = SiteFactory(wave=WaveFactory(number=number, name=f"Wave {number}"))
        site.place.local_authorities.add(LocalAuthorityFactory(), LocalAuthorityFactory())
        team = NeighbourhoodTeamFactory(site=site, neighbourhood=NeighbourhoodFactory(site=site))
        team.focus_conditions.add(FocusConditionFactory())
        team.focus_cohorts.add(FocusCohortFactory())
        WorkforceEntryFactory(
            team=team,
            profession=ProfessionFactory(),
            employer=PartnerOrganisationFactory(),
            headcount=2,
            wte=Decimal("1.5"),
            start_date=datetime.date(2025, 1, 1),
        )


def queries_to_list(client, endpoint, expected_rows):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["count"] >= expected_rows
    return len(queries)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
@pytest.mark.parametrize("role", ["taskforce_member", "site_staff"])
def test_list_queries_do_not_grow_with_rows(client_as, people, endpoint, role):
    client = client_as(people[role])
    # Site staff see only their own site: give it the extra teams, neighbourhoods and workforce too.
    own_site = people[role].role_assignments.first().site

    def grow(count):
        add_rows(count)
        if own_site is not None:
            for _ in range(count):
                team = NeighbourhoodTeamFactory(site=own_site, neighbourhood=NeighbourhoodFactory(site=own_site))
                team.focus_conditions.add(FocusConditionFactory())
                WorkforceEntryFactory(team=team)

    grow(2)
    with_two = queries_to_list(client, endpoint, 2 if own_site is None else 1)
    grow(18)
    with_twenty = queries_to_list(client, endpoint, 20 if own_site is None else 1)

    assert with_twenty == with_two
