"""Query-string filters for teams, partner organisations and workforce.

Ids are plain number filters, not choice filters, so an id outside the person's scope
gives an empty list exactly as an id that does not exist would.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet

from sites.filters import IdFilter
from teams.models import NeighbourhoodTeam, OrganisationKind, PartnerOrganisation, Profession, WorkforceEntry
from teams.selectors import current_on


class ProfessionFilter(django_filters.FilterSet):
    group = django_filters.CharFilter(label="Staff group, for example “General practice”.")

    class Meta:
        model = Profession
        fields = ["group"]


class PartnerOrganisationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, label="What kind of organisation it is.")
    ods_code = django_filters.CharFilter(lookup_expr="iexact", label="ODS code.")

    class Meta:
        model = PartnerOrganisation
        fields = ["kind", "ods_code"]


class TeamFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label="Site id.")
    neighbourhood = IdFilter(field_name="neighbourhood_id", label="Neighbourhood id.")
    launched_after = django_filters.DateFilter(
        field_name="launched_on", lookup_expr="gte", label="Launched on or after this date."
    )
    launched_before = django_filters.DateFilter(
        field_name="launched_on", lookup_expr="lte", label="Launched on or before this date."
    )

    class Meta:
        model = NeighbourhoodTeam
        fields = ["site", "neighbourhood", "launched_after", "launched_before"]


class WorkforceEntryFilter(django_filters.FilterSet):
    team = IdFilter(field_name="team_id", label="Team id.")
    site = IdFilter(field_name="team__site_id", label="Site id.")
    profession = django_filters.CharFilter(field_name="profession__code", label="Profession code, for example “gp”.")
    employer = IdFilter(field_name="employer_id", label="Partner organisation id of the employer.")
    current_on = django_filters.DateFilter(method="filter_current_on", label="Only entries in force on this date (YYYY-MM-DD).")

    class Meta:
        model = WorkforceEntry
        fields = ["team", "site", "profession", "employer", "current_on"]

    def filter_current_on(self, queryset: QuerySet[WorkforceEntry], name: str, value: datetime.date) -> QuerySet[WorkforceEntry]:
        return queryset.filter(current_on(value))
