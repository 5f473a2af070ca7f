"""The building blocks the dashboards read: periods with figures, the catalogue, rollup rows as
plain dicts, and organisation names — each one query, whatever the number of sites or months."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from metrics.models import BreakdownCategory, CurrentRollup, Dimension, MetricDefinition, ReportingPeriod, Rollup, RollupLevel
from sites.models import ICB, Region, Site, Wave

ROW_FIELDS = (
    "period_id",
    "level",
    "org_id",
    "metric_id",
    "category_id",
    "sum_numerator",
    "sum_denominator",
    "rate",
    "units_reporting",
    "units_suppressed",
    "units_expected",
    "provisional",
)
ENGLAND = 0
LEVELS = [level for level, _ in RollupLevel.choices]
DRILL_LEVELS = (RollupLevel.REGION, RollupLevel.ICB, RollupLevel.SITE)
SPARK_MONTHS = 12
SPC_MONTHS = 24


@dataclass(frozen=True)
class Catalogue:
    metrics: tuple[MetricDefinition, ...]
    categories: tuple[BreakdownCategory, ...]

    @property
    def by_code(self) -> dict[str, MetricDefinition]:
        return {m.code: m for m in self.metrics}

    @property
    def category_by_code(self) -> dict[str, BreakdownCategory]:
        return {c.code: c for c in self.categories}

    @property
    def total(self) -> BreakdownCategory | None:
        return next((c for c in self.categories if c.dimension == Dimension.TOTAL), None)

    def comparable(self, dimension: str) -> list[BreakdownCategory]:
        """The categories of a dimension read across template layouts (80+, not 80-89 and 90+)."""
        return [c for c in self.categories if c.dimension == dimension and c.code == c.comparable_code]


def catalogue() -> Catalogue:
    """Two queries."""
    return Catalogue(tuple(MetricDefinition.objects.order_by("order")), tuple(BreakdownCategory.objects.order_by("order")))


def periods_with_figures(limit: int | None = None) -> list[ReportingPeriod]:
    """Months that have national figures, oldest first (the latest `limit` of them). One query."""
    periods = ReportingPeriod.objects.filter(
        pk__in=CurrentRollup.objects.filter(level=RollupLevel.NATIONAL, org_id=ENGLAND).values("period_id")
    ).order_by("-month")
    if limit:
        periods = periods[:limit]
    return list(periods)[::-1]


def rows(
    source: QuerySet[Rollup],
    *,
    periods: list[ReportingPeriod],
    level: str,
    org_ids: list[int] | None = None,
    metric_ids: list[int] | None = None,
    category_ids: list[int] | None = None,
) -> list[dict[str, Any]]:
    """Rollup rows as dicts, filtered on the columns of the table's one index. One query."""
    query = source.filter(period_id__in=[p.pk for p in periods], level=level)
    if org_ids is not None:
        query = query.filter(org_id__in=org_ids)
    if metric_ids is not None:
        query = query.filter(metric_id__in=metric_ids)
    if category_ids is not None:
        query = query.filter(category_id__in=category_ids)
    return list(query.values(*ROW_FIELDS))


def value_of(row: dict[str, Any] | None, metric: MetricDefinition) -> Decimal | int | None:
    """What a metric shows: its rate per 1,000, or, for the counts (cohort, caseload), the count."""
    if row is None:
        return None
    return row["rate"] if metric.has_rate else row["sum_numerator"]


def index(found: list[dict[str, Any]], *keys: str) -> dict[tuple, dict[str, Any]]:
    return {tuple(row[k] for k in keys): row for row in found}


def org_name(level: str, org_id: int) -> str:
    """The name of one organisation (one query; none for England)."""
    if level == RollupLevel.NATIONAL:
        return "England"
    return org_names(level, [org_id]).get(org_id, "")


def org_names(level: str, org_ids: list[int] | None = None) -> dict[int, str]:
    """Names of the organisations of one level, by id. One query."""
    if level == RollupLevel.NATIONAL:
        return {ENGLAND: "England"}
    sources: dict[str, tuple[type[Region] | type[ICB] | type[Site] | type[Wave], str]] = {
        RollupLevel.REGION: (Region, "name"),
        RollupLevel.ICB: (ICB, "name"),
        RollupLevel.SITE: (Site, "name"),
        RollupLevel.WAVE: (Wave, "name"),
    }
    model, field = sources[level]
    query = model.objects.all()
    if org_ids is not None:
        query = query.filter(pk__in=org_ids)
    return dict(query.values_list("pk", field))


def difference(latest: Any, previous: Any) -> Any:
    if latest is None or previous is None:
        return None
    return latest - previous


def mean(values: list[Any]) -> Decimal | None:
    """The long-term average of a series of values (rates or counts), to 1 decimal place exactness
    kept as a Decimal."""
    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return None
    return sum(present, Decimal(0)) / len(present)
