"""Reads for the overview pages: England, a region, an ICB or a site, per metric (total category),
scoped by `dashboards.sharing`, in a fixed number of queries whatever the number of sites or months."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from dashboards import figures, funnels, sharing
from dashboards.figures import ENGLAND, SPARK_MONTHS, SPC_MONTHS, Catalogue
from metrics.models import MetricDefinition, ReportingPeriod, RollupLevel
from metrics.stats.spc import SpcResult, xmr
from sites.models import ICB, Region, Site
from sites.selectors import site_icbs_by_month


def spc_of(values: list[Any], metric: MetricDefinition) -> SpcResult | None:
    """XmR over the latest unbroken run of months (a gap restarts the chart); None below 2 points."""
    run: list[Any] = []
    for value in values:
        run = [*run, value] if value is not None else []
    if len(run) < 2:
        return None
    return xmr(run, improvement=metric.direction)


def metric_summary(
    metric: MetricDefinition, periods: list[ReportingPeriod], own: dict[tuple, dict], national: dict[tuple, dict], org_id: int
) -> dict[str, Any]:
    """One metric at one organisation: latest and previous month, the long-term average over the
    months shown, the difference, a sparkline, the SPC result and England's latest value."""
    series = [own.get((p.pk, metric.pk, org_id)) for p in periods]
    values = [figures.value_of(row, metric) for row in series]
    latest_row = series[-1] if series else None
    latest = values[-1] if values else None
    previous = values[-2] if len(values) > 1 else None
    spc = spc_of(values[-SPC_MONTHS:], metric)
    national_row = national.get((periods[-1].pk, metric.pk, ENGLAND)) if periods else None
    return {
        "metric": metric,
        "code": metric.code,
        "name": metric.name,
        "unit": "per 1,000" if metric.has_rate else "patients",
        "latest_period": periods[-1] if periods else None,
        "latest": latest,
        "previous": previous,
        "difference": figures.difference(latest, previous),
        "average": figures.mean(values),
        "spark": [{"period": p.month.strftime("%b %Y"), "value": v} for p, v in zip(periods, values, strict=True)][
            -SPARK_MONTHS:
        ],
        "spc": spc,
        "variation": spc.variation if spc else None,
        "variation_side": spc.variation_side if spc else None,
        "national": figures.value_of(national_row, metric),
        "numerator": latest_row["sum_numerator"] if latest_row else None,
        "units_reporting": latest_row["units_reporting"] if latest_row else None,
        "units_expected": latest_row["units_expected"] if latest_row else None,
        "provisional": bool(latest_row and latest_row["provisional"]),
    }


def _summaries(user: Any, level: str, org_id: int, cat: Catalogue, periods: list[ReportingPeriod]) -> list[dict[str, Any]]:
    total = cat.total
    if total is None or not periods:
        return []
    visible = sharing.rollups_visible_to(user)
    found = figures.rows(visible, periods=periods, level=level, org_ids=[org_id], category_ids=[total.pk])
    own = figures.index(found, "period_id", "metric_id", "org_id")
    if level == RollupLevel.NATIONAL:
        national = own
    else:
        national_rows = figures.rows(visible, periods=periods[-1:], level=RollupLevel.NATIONAL, category_ids=[total.pk])
        national = figures.index(national_rows, "period_id", "metric_id", "org_id")
    return [metric_summary(metric, periods, own, national, org_id) for metric in cat.metrics]


def national_overview(user: Any) -> dict[str, Any]:
    """Per metric, England: this month, last month, the difference, the share of sites outside
    the funnel's 95% limits, a sparkline and the SPC variation icon."""
    cat = figures.catalogue()
    periods = figures.periods_with_figures(SPC_MONTHS)
    summaries = _summaries(user, RollupLevel.NATIONAL, ENGLAND, cat, periods)
    if summaries and cat.total is not None:
        rate_metrics = [m.pk for m in cat.metrics if m.has_rate]
        found = funnels.site_funnels(periods[-1], rate_metrics, cat.total.pk)
        for summary in summaries:
            shares = funnels.share_outside_95(found.get(summary["metric"].pk))
            summary["outside_95"], summary["in_funnel"] = shares if shares else (None, None)
    _, regions = _children(user, RollupLevel.NATIONAL, ENGLAND, [])
    own = sharing.own_site_ids(user)
    own_sites = list(Site.objects.filter(pk__in=own).order_by("name").values("pk", "name")) if own else []
    return {
        "periods": periods,
        "latest_period": periods[-1] if periods else None,
        "metrics": summaries,
        "regions": regions,
        "own_sites": own_sites,
    }


def site_key_metrics(site: Site, *, user: Any) -> list[dict[str, Any]]:
    """The contract with the site review pack: one entry per metric (total category) for `site`:
    latest value (rate or count), previous, long-term average, SPC (up to 24 months), the funnel
    classification of the latest month and England's value. Empty if the user may not see it."""
    if not sharing.may_open_org(user, RollupLevel.SITE, site.pk):
        return []
    cat = figures.catalogue()
    periods = figures.periods_with_figures(SPC_MONTHS)
    summaries = _summaries(user, RollupLevel.SITE, site.pk, cat, periods)
    if summaries and cat.total is not None:
        found = funnels.site_funnels(periods[-1], [m.pk for m in cat.metrics if m.has_rate], cat.total.pk)
        for summary in summaries:
            data = found.get(summary["metric"].pk)
            unit = next((u for u in data["units"] if u["site_id"] == site.pk), None) if data else None
            summary["funnel"] = {"band": unit["band"], "side": unit["side"]} if unit else None
    return summaries


def _months(periods: list[ReportingPeriod]) -> list:
    """The first days of the months shown (today's if none has figures yet): a Place's ICB is
    the one it belonged to in each (`sites.selectors.site_icbs_by_month`)."""
    return [p.period_start for p in periods] or [timezone.localdate()]


def _children(user: Any, level: str, org_id: int, periods: list[ReportingPeriod]) -> tuple[str | None, list[dict[str, Any]]]:
    """The organisations one level down in any of the months shown, for drill-down, as this
    person may open them: a Place that moved ICB is under each ICB it belonged to in those
    months. A fixed number of queries."""
    if level == RollupLevel.NATIONAL:
        return RollupLevel.REGION, [{"id": r.pk, "name": r.name} for r in Region.objects.order_by("name")]
    if level == RollupLevel.REGION:
        seen = {icb for months in site_icbs_by_month(_months(periods)).values() for icb in months}
        icbs = ICB.objects.filter(region_id=org_id, pk__in=seen).order_by("name")
        return RollupLevel.ICB, [{"id": i.pk, "name": i.name} for i in icbs if sharing.may_open_org(user, RollupLevel.ICB, i.pk)]
    if level == RollupLevel.ICB:
        members = [site for site, months in site_icbs_by_month(_months(periods)).items() if org_id in months]
        sites = Site.objects.filter(pk__in=members).order_by("name")
        return RollupLevel.SITE, [
            {"id": s.pk, "name": s.name} for s in sites if sharing.may_open_org(user, RollupLevel.SITE, s.pk)
        ]
    return None, []


def _parents(level: str, org_id: int, periods: list[ReportingPeriod]) -> list[dict[str, Any]]:
    """Breadcrumbs up to England: a site's are its ICB (and that ICB's region) in the latest month shown."""
    crumbs: list[dict[str, Any]] = []
    if level == RollupLevel.SITE:
        latest = site_icbs_by_month(_months(periods)[-1:], sites=Site.objects.filter(pk=org_id)).get(org_id)
        icb = ICB.objects.select_related("region").filter(pk=latest[0]).first() if latest else None
        if icb:
            crumbs = [(RollupLevel.REGION, icb.region_id, icb.region.name), (RollupLevel.ICB, icb.pk, icb.name)]
    elif level == RollupLevel.ICB:
        icb = ICB.objects.select_related("region").filter(pk=org_id).first()
        if icb:
            crumbs = [(RollupLevel.REGION, icb.region_id, icb.region.name)]
    return [{"level": lv, "id": pk, "name": name} for lv, pk, name in crumbs]


def org_overview(user: Any, level: str, org_id: int) -> dict[str, Any]:
    """A region, ICB or site: its metrics against England, with drill-down. 404 if the person may
    not open it or it does not exist."""
    if level not in figures.DRILL_LEVELS or not sharing.may_open_org(user, level, org_id):
        raise Http404("No such organisation.")
    name = figures.org_name(level, org_id)
    if not name:
        raise Http404("No such organisation.")
    cat = figures.catalogue()
    periods = figures.periods_with_figures(SPC_MONTHS)
    child_level, children = _children(user, level, org_id, periods)
    return {
        "level": level,
        "level_label": RollupLevel(level).label,
        "org_id": org_id,
        "name": name,
        "periods": periods,
        "latest_period": periods[-1] if periods else None,
        "metrics": _summaries(user, level, org_id, cat, periods),
        "child_level": child_level,
        "children": children,
        "parents": _parents(level, org_id, periods),
    }


def public_summary() -> dict[str, Any]:
    """For anyone: England and each region, latest month, per metric; counts below 6 as `*`."""
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    cat = figures.catalogue()
    periods = figures.periods_with_figures(2)
    if not periods or cat.total is None:
        return {"latest_period": None, "metrics": [], "regions": []}
    visible = sharing.rollups_visible_to(anonymous)
    latest = periods[-1]
    found = figures.rows(visible, periods=[latest], level=RollupLevel.NATIONAL, category_ids=[cat.total.pk])
    found += figures.rows(visible, periods=[latest], level=RollupLevel.REGION, category_ids=[cat.total.pk])
    regions = figures.org_names(RollupLevel.REGION)
    by_key = figures.index(found, "level", "org_id", "metric_id")
    orgs = [(RollupLevel.NATIONAL, ENGLAND, "England")] + [
        (RollupLevel.REGION, pk, name) for pk, name in sorted(regions.items(), key=lambda item: item[1])
    ]
    table = []
    for metric in cat.metrics:
        cells = []
        for level, pk, name in orgs:
            row = by_key.get((level, pk, metric.pk))
            cells.append({"org": name, "level": level, **public_figures(row, metric)})
        table.append({"metric": metric, "cells": cells})
    return {"latest_period": latest, "metrics": table, "orgs": [name for _, _, name in orgs]}


def public_figures(row: dict[str, Any] | None, metric: MetricDefinition) -> dict[str, Any]:
    """A rollup row as it may leave the circle of the site and the taskforce: small counts as `*`,
    a rate as `*` where its numerator is below 6."""
    if row is None:
        return {"numerator": "", "denominator": "", "value": "", "units_reporting": ""}
    value = figures.value_of(row, metric)
    return {
        "numerator": sharing.suppress_small(row["sum_numerator"]),
        "denominator": sharing.suppress_small(row["sum_denominator"]) if metric.has_rate else "",
        "value": sharing.suppress_small(value, numerator=row["sum_numerator"]),
        "units_reporting": row["units_reporting"],
    }
