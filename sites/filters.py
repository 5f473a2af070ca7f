"""Query-string filters for the organisation endpoints.

Organisations are named by ODS code (what people quote); sites by id. Filters on ids are
plain number filters, not choice filters: a choice filter would answer 400 for a site the
user cannot see and 200 for one that does not exist, which leaks existence.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from nhsportal.params import WholeNumberFilter
from sites.models import ICB, ICBQuerySet, Neighbourhood, Place, Site, SiteStatus
from sites.selectors import icbs_by_code, in_icbs_on


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


ICB_LABEL = (
    "ICB ODS code, for example QOP; for an ICB formed in 2026 (no ODS code yet) its ONS code, for example E54000071. "
    "The ICB the Place belonged to on `icb_on` (default today)."
)
REGION_LABEL = "Region ODS code, for example Y63: the region of the Place's ICB on `icb_on` (default today)."
ICB_ON_LABEL = "With `icb` or `region`: the day whose ICB membership counts (YYYY-MM-DD), for example 2026-03-31."


class _ByICBOnDay(django_filters.FilterSet):
    """`icb` and `region` by the ICB a Place belonged to on a day (`icb_on`, default today):
    Places move between ICBs (sites.PlaceICBMembership)."""

    place_prefix = "place"

    def _day(self) -> datetime.date:
        return self.form.cleaned_data.get("icb_on") or timezone.localdate()

    def filter_icb(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(in_icbs_on(icbs_by_code(value), self._day(), place=self.place_prefix))

    def filter_region(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        icbs = ICB.objects.filter(region__ods_code__iexact=value)
        return queryset.filter(in_icbs_on(icbs, self._day(), place=self.place_prefix))

    def filter_icb_on(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        return queryset  # read by the icb and region filters


class PlaceFilter(_ByICBOnDay):
    icb = django_filters.CharFilter(method="filter_icb", label=ICB_LABEL)
    region = django_filters.CharFilter(method="filter_region", label=REGION_LABEL)
    icb_on = django_filters.DateFilter(method="filter_icb_on", label=ICB_ON_LABEL)
    place_prefix = ""

    class Meta:
        model = Place
        fields = ["icb", "region", "icb_on"]


class SiteFilter(_ByICBOnDay):
    region = django_filters.CharFilter(method="filter_region", label=REGION_LABEL)
    icb = django_filters.CharFilter(method="filter_icb", label=ICB_LABEL)
    icb_on = django_filters.DateFilter(method="filter_icb_on", label=ICB_ON_LABEL)
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label="The site's status.")
    wave = WholeNumberFilter(field_name="wave__number", label="Wave number, for example 1.")

    class Meta:
        model = Site
        fields = ["region", "icb", "icb_on", "status", "wave"]


class NeighbourhoodFilter(django_filters.FilterSet):
    site = IdFilter(field_name="site_id", label="Site id.")

    class Meta:
        model = Neighbourhood
        fields = ["site"]
