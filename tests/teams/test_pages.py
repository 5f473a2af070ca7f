"""The workforce form as site staff use it: the employer list is the site's own partners,
not every organisation in England, and another site's partner is refused by the field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from teams.models import WorkforceEntry
from tests.nhsportal import pages
from tests.teams.factories import (
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    ProfessionFactory,
    WorkforceEntryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(site, other_site):
    team = NeighbourhoodTeamFactory(site=site, name="North team")
    other_team = NeighbourhoodTeamFactory(site=other_site, name="Elsewhere team")
    ours = PartnerOrganisationFactory(name="Riverside Surgery", kind="gp_practice")
    theirs = PartnerOrganisationFactory(name="Faraway Surgery", kind="gp_practice")
    PartnerOrganisationFactory(name="Unused Trust", kind="nhs_trust")
    gp = ProfessionFactory(code="gp", name="General practitioner")
    WorkforceEntryFactory(team=team, employer=ours, profession=gp, start_date=datetime.date(2025, 10, 1))
    WorkforceEntryFactory(team=other_team, employer=theirs, profession=gp, start_date=datetime.date(2025, 10, 1))
    return team, ours, theirs, gp


def _offered(response) -> list[str]:
    return [label for value, label in response.context["form"].fields["employer"].choices if value]


def test_the_employer_list_offers_the_sites_own_partners_only(client, people, partners):
    team, *_ = partners
    client.force_login(people["site_staff"])

    response = client.get(reverse("workforce-add", args=[team.pk]))

    assert _offered(response) == ["Riverside Surgery"]
    html = response.content.decode()
    assert "Riverside Surgery" in html and "Faraway Surgery" not in html and "Unused Trust" not in html


def test_another_sites_partner_is_refused_by_the_employer_field(client, people, partners):
    team, _, theirs, gp = partners
    client.force_login(people["site_staff"])

    response = client.post(
        reverse("workforce-add", args=[team.pk]),
        {
            "profession": gp.pk,
            "employer": theirs.pk,
            "headcount": "2",
            "wte": "1.5",
            "start_date_day": "5",
            "start_date_month": "1",
            "start_date_year": "2026",
        },
    )

    assert response.status_code == 200
    summary = pages.links(response.content, within_class="nhsuk-error-summary")
    assert [href for href, _ in summary] == ["#id_employer"]
    assert "Choose one of the site's partner organisations" in summary[0][1]
    assert not WorkforceEntry.objects.filter(team=team, employer=theirs).exists()


def test_an_organisation_just_added_is_offered_back_on_the_form(client, people, partners):
    team, *_ = partners
    client.force_login(people["site_staff"])
    form_path = reverse("workforce-add", args=[team.pk])

    added = client.post(
        reverse("partner-add"), {"name": "Northshire Carers", "kind": "vcse", "ods_code": "", "next": form_path}, follow=True
    )

    assert added.redirect_chain[-1][0].startswith(form_path + "?employer=")
    assert _offered(added) == ["Northshire Carers", "Riverside Surgery"]
    assert "Northshire Carers has been added" in pages.text(added.content, within_class="nhsuk-notification-banner")
