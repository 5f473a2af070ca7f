"""Query-string filters for the organisation endpoints.

Organisations are named by ODS code (what people quote); sites by id. Filters on ids are
plain number filters, not choice filters: a choice filter would answer 400 for a site the
user cannot see and 200 for one that does not exist, which leaks existence.
"""

from __future__ import annotations

import datetime

import django_filters

from nhsportal.params import WholeNumberFilter
from sites.models import ICB, ICBQuerySet, Neighbourhood, Place, Site, SiteStatus


class IdFilter(WholeNumberFilter):
    """Filters on an object's id (documented as an integer, not a decimal number); an id no
    column can hold is a 400 naming the filter (nhsportal.params)."""


class ICBFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__ods_code", label="Region ODS code, for example Y63.")
    in_force_on = django_filters.DateFilter(method="filter_in_force_on", label="Only ICBs in force on this date (YYYY-MM-DD).")

    class Meta:
        model = ICB
        fields = ["region", "in_force_on"]

    def filter_in_force_on(self, queryset: ICBQuerySet, name: str, value: datetime.date) -> ICBQuerySet:
        return queryset.in_force_on(value)


class PlaceFilter(django_filters.FilterSet):
    icb = django_filters.CharFilter(field_name="icb__ods_code", label="ICB ODS code, for example QOP.")
    region = django_filters.CharFilter(field_name="icb__region__ods_code", label="Region ODS code, for example Y63.")

    class Meta:
        model = Place
        fields = ["icb", "region"]


class SiteFilter(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="place__icb__region__ods_code", label="Region ODS code, for example Y63.")
    icb = django_filters.CharFilter(field_name="place__icb__ods_code", label="ICB ODS code, for example QOP.")
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label="The site's status.")
    wave = WholeNumberFilter(field_name="wave__number", label="Wave number, for example 1.")

    class Meta:
        model = Site
        fields = ["region", "icb", "status", "wave"]


class NeighbourhoodFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label="Site id.")

    class Meta:
        model = Neighbourhood
        fields = ["site"]
