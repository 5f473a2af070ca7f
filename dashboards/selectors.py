"""Reads for the overview pages: England, a region, an ICB or a site, per metric (total category),
scoped by `dashboards.sharing`, in a fixed number of queries whatever the number of sites or months."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.http import Http404
from django.utils import timezone

from dashboards import controls, figures, funnels, months, sharing
from dashboards.figures import ENGLAND, SPARK_MONTHS, SPC_MONTHS, Catalogue
from dashboards.tables import present
from metrics.models import BreakdownCategory, MetricDefinition, ReportingPeriod, Rollup, RollupLevel
from metrics.stats.spc import Improvement, SpcResult, can_chart, charted_run, xmr
from nhsportal import params
from sites.models import ICB, Region, Site
from sites.selectors import site_icbs_by_month


def spc_of(values: list[Any], metric: MetricDefinition) -> SpcResult | None:
    """XmR over the months with figures (`metrics.stats.spc.charted_run`: empty months before and
    after are not data; a month missing in between is a gap, not a restart); None without two
    months in a row."""
    start, end = charted_run(values)
    if not can_chart(values[start:end]):
        return None
    return xmr(values[start:end], improvement=cast(Improvement, metric.direction))


def metric_summary(
    metric: MetricDefinition,
    periods: list[ReportingPeriod],
    chosen: int,
    own: dict[tuple, dict],
    national: dict[tuple, dict],
    org_id: int,
    compared: dict[str, Any] | None,
    covered: list[months.Coverage],
) -> dict[str, Any]:
    """One metric at one organisation in the headline month (`periods[chosen]`): its value; the
    month before and the difference, over the same sites only (`months.same_sites`); the long-term
    average, sparkline and SPC of the settled months up to it (a month half filed is not a point
    of the process: its count would read as a fall); and England's value that month."""
    series = [own.get((p.pk, metric.pk, org_id)) for p in periods[: chosen + 1]]
    values = [figures.value_of(row, metric) for row in series]
    settled = [v if c.settled else None for v, c in zip(values, covered, strict=False)]
    latest_row = series[-1]
    period = periods[chosen]
    national_row = national.get((period.pk, metric.pk, ENGLAND))
    compared = compared or {"sites": 0, "latest": None, "previous": None}
    spc = spc_of(settled[-SPC_MONTHS:], metric)
    return {
        "metric": metric,
        "code": metric.code,
        "name": metric.name,
        "unit": "per 1,000" if metric.has_rate else "patients",
        "latest_period": period,
        "latest": values[-1],
        "previous": compared["previous"],
        "previous_published": values[-2] if len(values) > 1 else None,
        "latest_same_sites": compared["latest"],
        "difference": figures.difference(compared["latest"], compared["previous"]),
        "sites_compared": compared["sites"],
        "average": figures.mean(settled),
        "spark": [{"period": p.month.strftime("%b %Y"), "value": v} for p, v in zip(periods, settled, strict=False)][
            -SPARK_MONTHS:
        ],
        "spc": spc,
        "variation": spc.variation if spc else None,
        "variation_side": spc.variation_side if spc else None,
        "national": figures.value_of(national_row, metric),
        "numerator": latest_row["sum_numerator"] if latest_row else None,
        "units_reporting": latest_row["units_reporting"] if latest_row else None,
        "units_expected": latest_row["units_expected"] if latest_row else None,
        "provisional": not months.is_final(period) or bool(latest_row and latest_row["provisional"]),
    }


def _summaries(
    user: Any,
    level: str,
    org_id: int,
    cat: Catalogue,
    periods: list[ReportingPeriod],
    month: datetime.date | None,
    category: BreakdownCategory | None = None,
) -> dict[str, Any]:
    """Every metric of one organisation for one breakdown category (default total) in its headline
    month (`dashboards.months`), with each month's coverage. Four queries (rows, England's rows,
    the same-sites comparison)."""
    total = category or cat.total
    empty: dict[str, Any] = {"metrics": [], "coverage": [], "latest_period": None, "previous_period": None}
    if total is None or not periods:
        return empty
    visible = sharing.rollups_visible_to(user)
    found = figures.rows(visible, periods=periods, level=level, org_ids=[org_id], category_ids=[total.pk])
    covered = months.coverage(periods, found, org_id)
    chosen = months.headline_index(covered, month)
    if chosen is None:
        return {**empty, "coverage": covered}
    own = figures.index(found, "period_id", "metric_id", "org_id")
    period = periods[chosen]
    if level == RollupLevel.NATIONAL:
        national = own
    else:
        national_rows = figures.rows(visible, periods=[period], level=RollupLevel.NATIONAL, category_ids=[total.pk])
        national = figures.index(national_rows, "period_id", "metric_id", "org_id")
    previous = periods[chosen - 1] if chosen else None
    compared = (
        months.same_sites(
            Rollup.objects.current(),
            latest=period,
            previous=previous,
            level=level,
            org_id=org_id,
            metrics=list(cat.metrics),
            category_id=total.pk,
        )
        if previous
        else {}
    )
    return {
        "metrics": [metric_summary(m, periods, chosen, own, national, org_id, compared.get(m.pk), covered) for m in cat.metrics],
        "coverage": covered,
        "latest_period": period,
        "previous_period": previous,
        "headline": covered[chosen],
        "later": [c for c in covered[chosen + 1 :] if c.reporting],
    }


def national_overview(user: Any, *, month: str = "", category: str = "") -> dict[str, Any]:
    """Per metric, England in the headline month (by default the latest settled one; `month`
    YYYY-MM chooses another): its value, the month before and the difference over the same sites,
    the share of sites outside the funnel's 95% limits, a sparkline and the SPC variation icon."""
    cat = figures.catalogue()
    chosen = controls.category({"category": category}, cat)
    periods = figures.periods_with_figures()
    found = _summaries(user, RollupLevel.NATIONAL, ENGLAND, cat, periods, months.parse_month(month), chosen)
    summaries = found["metrics"]
    if summaries:
        rate_metrics = [m.pk for m in cat.metrics if m.has_rate]
        funnel_data = funnels.site_funnels(found["latest_period"], rate_metrics, chosen.pk)
        for summary in summaries:
            shares = funnels.share_outside_95(funnel_data.get(summary["metric"].pk))
            summary["outside_95"], summary["in_funnel"] = shares if shares else (None, None)
    _, regions = _children(user, RollupLevel.NATIONAL, ENGLAND, [])
    own = sharing.own_site_ids(user)
    own_sites = list(Site.objects.filter(pk__in=own).order_by("name").values("pk", "name")) if own else []
    return {"periods": periods, **found, "regions": regions, "own_sites": own_sites, "catalogue": cat, "category": chosen}


def site_key_metrics(site: Site, *, user: Any) -> list[dict[str, Any]]:
    """The contract with the site review pack: one entry per metric (total category) for `site`:
    the value of the latest month it filed (marked provisional until that month is final), the
    month before, the long-term average, SPC (up to 24 months, over the months it filed), the
    funnel classification of that month and England's value. Empty if the user may not see it."""
    if not sharing.may_open_org(user, RollupLevel.SITE, site.pk):
        return []
    cat = figures.catalogue()
    periods = figures.periods_with_figures()
    headline = _summaries(user, RollupLevel.SITE, site.pk, cat, periods, None)
    summaries = headline["metrics"]
    if summaries and cat.total is not None:
        found = funnels.site_funnels(headline["latest_period"], [m.pk for m in cat.metrics if m.has_rate], cat.total.pk)
        for summary in summaries:
            data = found.get(summary["metric"].pk)
            unit = next((u for u in data["units"] if u["site_id"] == site.pk), None) if data else None
            summary["funnel"] = {"band": unit["band"], "side": unit["side"]} if unit else None
    for summary in summaries:  # as the dashboards show them: rates rounded half up to one place
        summary["shown"] = {key: present(summary[key]) for key in ("latest", "previous", "average", "national")}
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
    crumbs: list[tuple[str, int, str]] = []
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


def org_overview(user: Any, level: str, org_id: int, *, month: str = "", category: str = "") -> dict[str, Any]:
    """A region, ICB or site: its metrics against England in its headline month (as the national
    overview chooses it), with drill-down. 404 if the person may not open it or it does not exist."""
    if level not in figures.DRILL_LEVELS or not sharing.may_open_org(user, level, org_id):
        raise Http404("No such organisation.")
    name = figures.org_name(level, org_id)
    if not name:
        raise Http404("No such organisation.")
    cat = figures.catalogue()
    chosen = controls.category({"category": category}, cat)
    periods = figures.periods_with_figures()
    child_level, children = _children(user, level, org_id, periods)
    return {
        "catalogue": cat,
        "category": chosen,
        "level": level,
        "level_label": RollupLevel(level).label,
        "org_id": org_id,
        "name": name,
        "periods": periods,
        **_summaries(user, level, org_id, cat, periods, months.parse_month(month), chosen),
        "child_level": child_level,
        "children": children,
        "parents": _parents(level, org_id, periods),
    }


def public_summary(*, month: str = "") -> dict[str, Any]:
    """For anyone: England and each region, per metric, in the latest final month (its final
    submission deadline passed: PRODUCT.md) or the final month asked for (`month`; a month still
    being filed is never shown: a 400 naming the final months); counts below 6 as `*`."""
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    cat = figures.catalogue()
    periods = figures.periods_with_figures()
    final = months.final_periods(periods)
    if not final or cat.total is None:
        months.parse_month(month)  # a malformed month is still a 400
        return {"latest_period": None, "metrics": [], "orgs": [], "next_final": _next_final(periods), "final": []}
    visible = sharing.rollups_visible_to(anonymous)
    latest = _final_month(final, months.parse_month(month))
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
    return {
        "latest_period": latest,
        "metrics": table,
        "orgs": [name for _, _, name in orgs],
        "next_final": _next_final(periods),
        "final": final,
    }


def _final_month(final: list[ReportingPeriod], wanted: datetime.date | None) -> ReportingPeriod:
    if wanted is None:
        return final[-1]
    found = next((p for p in final if p.month == wanted), None)
    if found is None:
        offered = ", ".join(p.slug for p in final[::-1][:6]) + (", …" if len(final) > 6 else "")
        raise params.BadParameter(f"`month` must be a final month ({offered}); {wanted:%Y-%m} is not final or has no figures.")
    return found


def _next_final(periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The first month with figures that is not final yet: when the public summary moves on."""
    return next((p for p in periods if not months.is_final(p)), None)


def public_figures(row: dict[str, Any] | None, metric: MetricDefinition) -> dict[str, Any]:
    """A rollup row as it may leave the circle of the site and the taskforce: small counts as `*`,
    a rate as `*` where its numerator is below 6."""
    if row is None:
        return {"numerator": "", "denominator": "", "value": "", "units_reporting": "", "units_expected": ""}
    value = figures.value_of(row, metric)
    return {
        "numerator": sharing.suppress_small(row["sum_numerator"]),
        "denominator": sharing.suppress_small(row["sum_denominator"]) if metric.has_rate else "",
        "value": sharing.suppress_small(value, numerator=row["sum_numerator"]),
        "units_reporting": row["units_reporting"],
        "units_expected": row["units_expected"],
    }
