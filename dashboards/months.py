"""Which month a page's headline figures are of, and what they are compared with, so that a month
half filed is never set against a month fully filed as if the difference were real change.

- A month is *final* once its final submission deadline has passed: nothing in it can change
  without an administrator. Until then every figure of it is provisional (PRODUCT.md).
- An organisation's month is *complete* when every site due to report has: for a site, when it
  has filed. A month is *settled* for an organisation when it is final or complete.
- By default the headline month is the latest settled one; the reader may choose another
  (`?month=YYYY-MM`). The month before is compared with it over the same sites only: the sites
  whose figure (not suppressed) is in both months.
- The public sees final months only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from metrics.models import MetricDefinition, ReportingPeriod, Rollup, RollupLevel
from nhsportal import params
from nhsportal.jinja2 import uk_date
from sites.models import ICB, Site
from sites.selectors import site_icbs_by_month

RATE_PLACES = Decimal("0.000001")  # as the rollups store a rate


def today() -> datetime.date:
    return timezone.localdate()


def is_final(period: ReportingPeriod, day: datetime.date | None = None) -> bool:
    """Its final submission deadline has passed (as `metrics.rollups.sql` marks rows provisional)."""
    return period.final_submission_due < (day or today())


@dataclass(frozen=True)
class Coverage:
    """One organisation's month: how many sites reported of how many were due, and whether final."""

    period: ReportingPeriod
    reporting: int
    expected: int
    final: bool

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.reporting >= self.expected

    @property
    def settled(self) -> bool:
        return self.final or self.complete

    @property
    def provisional(self) -> bool:
        return not self.final

    @property
    def text(self) -> str:
        """ "August 2026: 41 of 43 sites reported" and, until final, "provisional until …"."""
        sites = "site" if self.expected == 1 else "sites"
        said = f"{self.period}: {self.reporting:,} of {self.expected:,} {sites} reported"
        if self.provisional:
            said += f"; provisional until its final submission deadline, {uk_date(self.period.final_submission_due)}"
        return said


def coverage(periods: list[ReportingPeriod], found: list[dict[str, Any]], org_id: int) -> list[Coverage]:
    """Each period's coverage for one organisation, from its rollup rows (any metrics)."""
    day = today()
    reporting: dict[int, int] = {}
    expected: dict[int, int] = {}
    for row in found:
        if row["org_id"] != org_id:
            continue
        pk = row["period_id"]
        reporting[pk] = max(reporting.get(pk, 0), row["units_reporting"])
        expected[pk] = max(expected.get(pk, 0), row["units_expected"])
    return [Coverage(p, reporting.get(p.pk, 0), expected.get(p.pk, 0), is_final(p, day)) for p in periods]


def parse_month(month: str) -> datetime.date | None:
    """`?month=` as the first day of the month (YYYY-MM, or that first day: `params.month`, the
    rule of every month parameter); None when not given; a 400 naming the parameter when malformed."""
    return params.month(month)


def headline_index(months: list[Coverage], wanted: datetime.date | None) -> int | None:
    """The month the headline figures are of: the one asked for (a 400 naming the months with
    figures if it has none), else the latest settled month with figures, else the latest with any."""
    with_figures = [i for i, c in enumerate(months) if c.reporting]
    if wanted is not None:
        for i in with_figures:
            if months[i].period.month == wanted:
                return i
        offered = ", ".join(months[i].period.slug for i in reversed(with_figures[-6:]))
        more = ", …" if len(with_figures) > 6 else ""
        raise params.BadParameter(f"`month` must be a month with figures ({offered}{more}); {wanted:%Y-%m} has none.")
    settled = [i for i in with_figures if months[i].settled]
    if settled:
        return settled[-1]
    return with_figures[-1] if with_figures else None


def final_periods(periods: list[ReportingPeriod]) -> list[ReportingPeriod]:
    day = today()
    return [p for p in periods if is_final(p, day)]


def _sites_under(level: str, org_id: int, month: datetime.date) -> Q:
    """The site rows of the sites counted under an organisation in `month`: a Place's ICB (and
    so its region) as it was that month, as `metrics.rollups.sql` groups them (ADR 19)."""
    if level == RollupLevel.NATIONAL:
        return Q()
    if level == RollupLevel.SITE:
        return Q(org_id=org_id)
    if level == RollupLevel.WAVE:
        return Q(org_id__in=Site.objects.filter(wave_id=org_id).values("pk"))
    icb_of = {site: icbs[0] for site, icbs in site_icbs_by_month([month]).items()}
    if level == RollupLevel.REGION:
        in_region = set(ICB.objects.filter(region_id=org_id).values_list("pk", flat=True))
        return Q(org_id__in=[site for site, icb in icb_of.items() if icb in in_region])
    return Q(org_id__in=[site for site, icb in icb_of.items() if icb == org_id])


def _figure(numerator: int, denominator: int | None, metric: MetricDefinition) -> Decimal | int:
    if not metric.has_rate:
        return numerator
    return (Decimal(numerator) * 1000 / Decimal(denominator or 0)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def same_sites(
    source: QuerySet[Rollup],
    *,
    latest: ReportingPeriod,
    previous: ReportingPeriod,
    level: str,
    org_id: int,
    metrics: list[MetricDefinition],
    category_id: int,
) -> dict[int, dict[str, Any]]:
    """{metric id: {"sites", "latest", "previous"}}: each metric in both months over only the sites
    with a figure in both (Σ numerators / Σ denominators for a rate, Σ counts otherwise). Read from
    every site's rows, as the funnel is, since it is a figure of the organisation. One query."""
    found = (
        source.filter(
            _sites_under(level, org_id, latest.month),
            period_id__in=[latest.pk, previous.pk],
            level=RollupLevel.SITE,
            metric_id__in=[m.pk for m in metrics],
            category_id=category_id,
            sum_numerator__isnull=False,
        )
        .values_list("metric_id", "org_id", "period_id", "sum_numerator", "sum_denominator")
        .order_by()
    )
    by_metric: dict[int, dict[int, dict[int, tuple[int, int | None]]]] = {m.pk: {} for m in metrics}
    for metric_id, site, period_id, numerator, denominator in found:
        # `sum_numerator__isnull=False` above: never None here.
        by_metric[metric_id].setdefault(site, {})[period_id] = (cast(int, numerator), denominator)
    result = {}
    for metric in metrics:
        sites, now_num, now_den, before_num, before_den = 0, 0, 0, 0, 0
        for months in by_metric[metric.pk].values():
            now, before = months.get(latest.pk), months.get(previous.pk)
            if now is None or before is None or (metric.has_rate and not (now[1] and before[1])):
                continue
            sites += 1
            now_num, now_den = now_num + now[0], now_den + (now[1] or 0)
            before_num, before_den = before_num + before[0], before_den + (before[1] or 0)
        result[metric.pk] = {
            "sites": sites,
            "latest": _figure(now_num, now_den, metric) if sites else None,
            "previous": _figure(before_num, before_den, metric) if sites else None,
        }
    return result
