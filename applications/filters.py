"""Query-string filters for the applications endpoints. Ids are plain number filters, so
an id outside the person's scope gives an empty list exactly as one that does not exist."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from applications.models import Application, ApplicationRound, Decision, Outcome, Review, RoundState, Status
from nhsportal.params import WholeNumberFilter
from sites.filters import IdFilter


class RoundFilter(django_filters.FilterSet):
    wave = WholeNumberFilter(field_name="wave__number", label="Wave number, for example 2.")
    state = django_filters.ChoiceFilter(
        choices=RoundState.choices, method="filter_state", label="Open, closed or not open yet, now."
    )

    class Meta:
        model = ApplicationRound
        fields = ["wave", "state"]

    def filter_state(self, queryset: QuerySet[ApplicationRound], name: str, value: str) -> QuerySet[ApplicationRound]:
        now = timezone.now()
        if value == RoundState.UPCOMING:
            return queryset.filter(opens_at__gt=now)
        if value == RoundState.OPEN:
            return queryset.filter(opens_at__lte=now, closes_at__gt=now)
        return queryset.filter(closes_at__lte=now)


class ApplicationFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id", label="Round id.")
    place = IdFilter(field_name="place_id", label="Place id.")
    region = django_filters.CharFilter(field_name="place__icb__region__ods_code", label="Region ODS code, for example Y62.")
    icb = django_filters.CharFilter(field_name="place__icb__ods_code", label="ICB ODS code, for example QYG.")
    status = django_filters.ChoiceFilter(choices=Status.choices, label="The application's status.")
    deprivation_decile = WholeNumberFilter(
        field_name="most_deprived_decile", label="Most deprived decile among the Place's local authorities (1 = most deprived)."
    )

    class Meta:
        model = Application
        fields = ["round", "place", "region", "icb", "status", "deprivation_decile"]


class ReviewFilter(django_filters.FilterSet):
    application = IdFilter(field_name="application_id", label="Application id.")
    mine = django_filters.BooleanFilter(method="filter_mine", label="Only reviews assigned to you.")
    submitted = django_filters.BooleanFilter(
        field_name="submitted_at", lookup_expr="isnull", exclude=True, label="Submitted or not."
    )

    class Meta:
        model = Review
        fields = ["application", "mine", "submitted"]

    def filter_mine(self, queryset: QuerySet[Review], name: str, value: bool) -> QuerySet[Review]:
        user = self.request.user if self.request else None
        return queryset.filter(reviewer=user) if value else queryset.exclude(reviewer=user)


class DecisionFilter(django_filters.FilterSet):
    round = IdFilter(field_name="application__round_id", label="Round id.")
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)

    class Meta:
        model = Decision
        fields = ["round", "outcome"]
