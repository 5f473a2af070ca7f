"""Signals at the door: each rate a site files is read against the site's own process limits.

When a version is filed, each rate metric's Total figure is put at the end of the site's last
12 signed-off months of that metric and charted as `metrics.stats.spc.xmr` charts it (Making
Data Count), with the limits fixed on those 12 months. A figure outside the limits, or one that
breaks a run rule (a shift, a trend, two of three near a limit) at the new month, is a warning on
the version, to be confirmed or corrected before sign-off like every other warning (ADR 10). A
site with fewer than 12 signed-off months of a metric before this one is not judged on it: limits
from fewer points are not reliable enough to stop a sign-off for."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import cast

from django.db.models import F

from metrics.models import MetricDefinition, ReturnValue
from metrics.returns.checks import ParsedValue, Problem, is_a1
from metrics.returns.template import SUBMISSION_SHEET
from metrics.stats.spc import Improvement, SpcPoint, SpcResult, xmr
from nhsportal.jinja2 import figure
from sites.models import Site

HISTORY_MONTHS = 12
TOTAL = "total"

RULES = {
    "trend": "makes {n} months in a row {way}, a trend",
    "shift": "makes the latest of {n} or more months in a row {side} this site's mean of {mean}, a shift",
    "two_of_three": "is the second of three months close to this site's {side_limit} process limit of {limit}",
}


def _rate(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) * 1000 / Decimal(denominator)


def _history(site: Site, month: datetime.date, metrics: Iterable[MetricDefinition]) -> dict[str, list[Decimal | None]]:
    """Each metric's Total rate for the site's last 12 months before `month` (oldest first), None for
    a month without a signed-off figure. One query."""
    start = datetime.date(month.year - 1, month.month, 1)  # 12 months before `month`
    months = []
    cursor = start
    while cursor < month:
        months.append(cursor)
        cursor = datetime.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    rows = ReturnValue.objects.filter(
        version__return_record__site=site,
        version__return_record__signed_off_version=F("version"),
        version__return_record__period__month__gte=start,
        version__return_record__period__month__lt=month,
        metric__in=list(metrics),
        category__code=TOTAL,
        numerator_suppressed=False,
        denominator_suppressed=False,
    ).values_list("metric__code", "version__return_record__period__month", "numerator", "denominator")
    found: dict[str, dict[datetime.date, Decimal | None]] = defaultdict(dict)
    for code, period_month, numerator, denominator in rows:
        found[code][period_month] = _rate(numerator, denominator)
    return {code: [by_month.get(m) for m in months] for code, by_month in found.items()}


def process_warnings(site: Site, month: datetime.date, values: Iterable[ParsedValue]) -> list[Problem]:
    """The warnings a filing's Total rates earn against the site's own process limits."""
    totals = {v.metric: v for v in values if v.category == TOTAL}
    metrics = {m.code: m for m in MetricDefinition.objects.filter(has_rate=True, code__in=totals)}
    if not metrics:
        return []
    history = _history(site, month, metrics.values())
    warnings = []
    for code, metric in sorted(metrics.items(), key=lambda pair: pair[1].order):
        value = totals[code]
        rate = None if value.numerator_suppressed or value.denominator_suppressed else _rate(value.numerator, value.denominator)
        past = history.get(code, [])
        if rate is None or sum(p is not None for p in past) < HISTORY_MONTHS:
            continue
        chart = xmr([*past, rate], improvement=cast(Improvement, metric.direction), baseline=HISTORY_MONTHS)
        latest = chart.points[-1]
        if not latest.is_special_cause:
            continue
        warnings.append(_warning(metric, value, rate, chart, latest))
    return warnings


def _warning(metric: MetricDefinition, value: ParsedValue, rate: Decimal, chart: SpcResult, latest: SpcPoint) -> Problem:
    what = f"{metric.template_id} {metric.name.split(' per 1,000')[0]}"
    shown = f"{figure(rate, 1)} per 1,000"
    if "outside_limits" in latest.rules:
        above = float(rate) > chart.upper_limit
        limit = chart.upper_limit if above else chart.lower_limit
        text = f"{what}: {shown} is {'above' if above else 'below'} this site's {'upper' if above else 'lower'} process limit of {figure(limit, 1)} (last 12 months)."
        code = "outside_process_limits"
    else:
        rule = latest.special_cause or latest.rules[0]
        high = latest.side == "high"
        run = _run_length(chart.points, rule)
        text = (
            f"{what}: {shown} "
            + RULES[rule].format(
                n=run,
                way="rising" if high else "falling",
                side="above" if high else "below",
                mean=figure(chart.mean, 1),
                side_limit="upper" if high else "lower",
                limit=figure(chart.upper_limit if high else chart.lower_limit, 1),
            )
            + " (last 12 months)."
        )
        code = "process_run_rule"
    cell = value.numerator_cell
    return Problem(
        SUBMISSION_SHEET if is_a1(cell) else "",
        cell if is_a1(cell) else "",
        code,
        text + " Check the figure: correct it, or confirm it before sign-off.",
    )


def _run_length(points: Sequence[SpcPoint], rule: str) -> int:
    run = 0
    for point in reversed(points):
        if rule not in point.rules:
            break
        run += 1
    return run
