"""Reads of the rollups for the API and the exports: one filter, one scope, one row shape.

The scope is `dashboards.sharing.rollups_visible_to` (the same rows the dashboards show);
the filter is the API's query string, kept as given on an export job so its file holds
exactly what the same request to `/api/v1/rollups/` lists.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import rest_framework as filters

from dashboards import sharing
from metrics.models import BreakdownCategory, MetricDefinition, Rollup, RollupLevel
from nhsportal import params
from nhsportal.params import WholeNumberFilter
from sites.models import ICB, Region, Site, Wave

NATIONAL_NAME = "England"
HIDDEN_SITE = "Another site"


class MonthField(forms.CharField):
    """A reporting month written YYYY-MM, as the rest of the portal writes months. The month's
    first day (2026-09-01) is accepted too, as the API once asked for; any other day is refused
    rather than silently read as its month. Every month filter of the API uses this field."""

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        value = super().to_python(value)
        try:
            return params.month(value)
        except params.BadParameter as bad:
            raise ValidationError(
                f"Enter a month as YYYY-MM, for example 2026-04 (or the month's first day, 2026-04-01); got {value!r}.",
                code="invalid",
            ) from bad


class MonthFilter(filters.Filter):
    field_class = MonthField


class RollupFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=RollupLevel.choices, help_text="site, icb, region, wave or national.")
    org = WholeNumberFilter(field_name="org_id", help_text="The site, ICB, region or wave id (0 for England).")
    metric = filters.CharFilter(method="by_code", help_text="A metric code, as in /api/v1/metrics/.")
    category = filters.CharFilter(method="by_code", help_text="A breakdown category code (total, age_18_19 …).")
    dimension = filters.CharFilter(field_name="category__dimension", help_text="total, age, ethnicity or imd.")
    provisional = filters.BooleanFilter()

    class Meta:
        model = Rollup
        fields: list[str] = []

    def by_code(self, queryset: QuerySet[Rollup], name: str, value: str) -> QuerySet[Rollup]:
        """The code looked up first (one small query), so that the rollups are filtered on their own
        indexed column: PostgreSQL plans a join on the code as if it kept most rows."""
        model = MetricDefinition if name == "metric" else BreakdownCategory
        pk = model.objects.filter(code=value).values_list("pk", flat=True).first()
        return queryset.none() if pk is None else queryset.filter(**{f"{name}_id": pk})


# `from` is a Python keyword, so these two are added by name: ?from=2026-04&to=2027-03.
RollupFilter.base_filters["from"] = MonthFilter(
    field_name="period__month", lookup_expr="gte", help_text="First month, YYYY-MM (inclusive)."
)
RollupFilter.base_filters["to"] = MonthFilter(
    field_name="period__month", lookup_expr="lte", help_text="Last month, YYYY-MM (inclusive)."
)

FILTER_NAMES = tuple(RollupFilter.base_filters)
DEFAULT_ORDER = ("period__month", "level", "org_id", "metric__order", "category__order")


def filtered_rollups(user: Any, params: Mapping[str, Any]) -> QuerySet[Rollup]:
    """The current rollup rows `user` may see that match the API's filters, in the API's
    default order. Bad filters raise a ValidationError naming each field."""
    filterset = RollupFilter(data=params, queryset=sharing.rollups_visible_to(user))
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs.select_related("period", "metric", "category").order_by(*DEFAULT_ORDER)


def export_filters(params: Mapping[str, Any]) -> dict[str, str]:
    """The filters of a request, as kept on an export job (only the names the filter knows)."""
    return {name: str(params[name]) for name in FILTER_NAMES if params.get(name) not in (None, "")}


@dataclass(frozen=True)
class OrgNames:
    """Names of the organisations rollup rows refer to, and the sites this viewer may not name."""

    names: dict[tuple[str, int], str]
    unnamed_sites: bool
    own_sites: frozenset[int]

    def hides(self, level: str, org_id: int) -> bool:
        return self.unnamed_sites and level == RollupLevel.SITE and org_id not in self.own_sites

    def org_id(self, level: str, org_id: int) -> int | None:
        return None if self.hides(level, org_id) else org_id

    def name(self, level: str, org_id: int) -> str:
        if self.hides(level, org_id):
            return HIDDEN_SITE
        if level == RollupLevel.NATIONAL:
            return NATIONAL_NAME
        return self.names.get((level, org_id), "")


_MODELS: dict[str, type[Site] | type[ICB] | type[Region] | type[Wave]] = {
    RollupLevel.SITE: Site,
    RollupLevel.ICB: ICB,
    RollupLevel.REGION: Region,
    RollupLevel.WAVE: Wave,
}


def org_names(user: Any, keys: Iterable[tuple[str, int]] | None = None) -> OrgNames:
    """One query per level named in `keys` (every organisation when None), whatever the rows."""
    wanted: dict[str, set[int]] = defaultdict(set)
    if keys is None:
        wanted = {level: set() for level in _MODELS}
    else:
        for level, org_id in keys:
            if level in _MODELS:
                wanted[level].add(org_id)
    names: dict[tuple[str, int], str] = {}
    for level, ids in wanted.items():
        model = _MODELS[level]
        rows = model.objects.all() if keys is None else model.objects.filter(pk__in=ids)
        field = "short_name" if model is ICB else "name"
        for pk, name, *fallback in rows.values_list("pk", field, *(["name"] if model is ICB else [])):
            names[(level, pk)] = name or (fallback[0] if fallback else "")
    shown = sharing.other_sites_shown(user)
    own = sharing.own_site_ids(user) if shown == "unnamed" else frozenset()
    return OrgNames(names=names, unnamed_sites=shown == "unnamed", own_sites=own)


EXPORT_HEADER = (
    "month",
    "level",
    "org_id",
    "organisation",
    "metric",
    "category",
    "sum_numerator",
    "sum_denominator",
    "rate_per_1000",
    "units_reporting",
    "units_expected",
    "units_suppressed",
    "provisional",
)
_EXPORT_VALUES = (
    "period__month",
    "level",
    "org_id",
    "metric__code",
    "category__code",
    "sum_numerator",
    "sum_denominator",
    "rate",
    "units_reporting",
    "units_expected",
    "units_suppressed",
    "provisional",
)


def export_rows(rows: QuerySet[Rollup], names: OrgNames, *, chunk_size: int = 5000) -> Iterator[tuple[Any, ...]]:
    """Rows in EXPORT_HEADER's order, streamed from the database a chunk at a time."""
    for month, level, org_id, metric, category, num, den, rate, reporting, expected, suppressed, provisional in rows.values_list(
        *_EXPORT_VALUES
    ).iterator(chunk_size=chunk_size):
        yield (
            month.strftime("%Y-%m"),
            level,
            names.org_id(level, org_id),
            names.name(level, org_id),
            metric,
            category,
            num,
            den,
            rate,
            reporting,
            expected,
            suppressed,
            provisional,
        )
