import datetime
from decimal import Decimal

import factory

from teams.models import (
    FocusCohort,
    FocusCondition,
    NeighbourhoodTeam,
    OrganisationKind,
    PartnerOrganisation,
    Profession,
    WorkforceEntry,
)
from tests.sites.factories import SiteFactory


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    name = factory.Sequence(lambda n: f"Partner organisation {n}")
    kind = OrganisationKind.GP_PRACTICE


class ProfessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profession
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"profession-{n}")
    name = factory.Sequence(lambda n: f"Profession {n}")
    group = "General practice"


class FocusConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusCondition
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Condition {n}")


class FocusCohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusCohort
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Cohort {n}")


class NeighbourhoodTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeighbourhoodTeam

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    lead_name = "Alex Morgan"
    launched_on = datetime.date(2025, 10, 1)


class WorkforceEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkforceEntry

    team = factory.SubFactory(NeighbourhoodTeamFactory)
    profession = factory.SubFactory(ProfessionFactory)
    employer = factory.SubFactory(PartnerOrganisationFactory)
    headcount = 3
    wte = Decimal("2.40")
    start_date = datetime.date(2025, 10, 1)
