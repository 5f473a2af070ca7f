"""Reads for the chart pages (funnel, SPC, engagement, demographics), scoped by
`dashboards.sharing`, each in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404

from dashboards import controls, figures, funnel_limits, funnels, months, sharing
from dashboards.figures import ENGLAND, Catalogue
from dashboards.tables import present
from metrics.models import Dimension, MetricDefinition, RollupLevel

SPC_LEVELS = (RollupLevel.NATIONAL, RollupLevel.REGION, RollupLevel.ICB, RollupLevel.SITE)
DEMOGRAPHIC_DIMENSIONS = (Dimension.AGE, Dimension.ETHNICITY, Dimension.IMD)
ENGAGEMENT_METRICS = ("COHORT", "P1_CASELOAD")


def _metric(cat: Catalogue, code: str, *, rate: bool = False) -> MetricDefinition:
    metric = cat.by_code.get(code)
    if metric is None or (rate and not metric.has_rate):
        raise Http404("No such metric." if metric is None else "A funnel plot needs a rate: this metric is a count.")
    return metric


def funnel_chart(
    user: Any, metric_code: str, *, month: str = "", category: str = "", choices: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One metric, month and category: the pooled national rate, the limits chosen (exact Poisson
    95% and 99%, or adjusted for overdispersion at 95% and 99.8%: `dashboards.funnel_limits`) and
    every site the person may see, classified against the limits shown, their own highlighted."""
    choices = choices or funnel_limits.read({})
    cat = figures.catalogue()
    metric = _metric(cat, metric_code, rate=True)
    chosen = controls.category({"category": category}, cat)
    periods = figures.periods_with_figures()
    if not periods:
        months.parse_month(month)  # a malformed month is still a 400
        return {"metric": metric, "category": chosen, "catalogue": cat, "periods": [], "period": None, "units": [], "data": None,
                "choices": choices, "shown": funnel_limits.shown(None, choices)}  # fmt: skip
    national = figures.rows(
        sharing.rollups_visible_to(user),
        periods=periods,
        level=RollupLevel.NATIONAL,
        metric_ids=[metric.pk],
        category_ids=[chosen.pk],
    )
    covered = months.coverage(periods, national, ENGLAND)
    # By default the latest settled month, as the overview shows: England's pooled rate over a
    # month half filed is provisional, and the page says so when the reader chooses one.
    headline = months.headline_index(covered, months.parse_month(month))
    period = periods[headline if headline is not None else -1]
    data = funnels.site_funnels(period, [metric.pk], chosen.pk).get(metric.pk)
    shown = funnel_limits.shown(data, choices)
    by_site = shown["units"]
    units_all = sorted(data["units"], key=lambda u: (u["rate"], u["site_id"])) if data else []  # numbered by the rate shown
    names = figures.org_names(RollupLevel.SITE, [u["site_id"] for u in units_all]) if units_all else {}
    labels = sharing.label_sites(user, [u["site_id"] for u in units_all], names)
    units = [
        {**u, **labels[u["site_id"]], "shown": by_site[u["site_id"]], "band": by_site[u["site_id"]]["band"],
         "side": by_site[u["site_id"]]["side"], "poisson_band": u["band"], "poisson_side": u["side"]}
        for u in units_all if u["site_id"] in labels
    ]  # fmt: skip
    outer = "outside_998" if shown["outer"] == "99.8" else "outside_99"
    counts = {band: sum(by_site[u["site_id"]]["band"] == band for u in units_all) for band in ("within", "outside_95", outer)}
    counts["outside_outer"] = counts[outer]
    return {
        "metric": metric,
        "category": chosen,
        "catalogue": cat,
        "periods": periods,
        "period": period,
        "data": data,
        "units": units,
        "hidden": len(units_all) - len(units),
        "counts": counts,
        "sites_in_funnel": len(units_all),
        "choices": choices,
        "shown": shown,
        "coverage": covered,
        "headline": next(c for c in covered if c.period.pk == period.pk),
    }


def spc_chart(user: Any, metric_code: str, *, level: str = RollupLevel.NATIONAL, org_id: int | None = None) -> dict[str, Any]:
    """An XmR chart of one metric: see `dashboards.spc.spc_chart` (targets, change points, annotations)."""
    from dashboards import spc

    return spc.spc_chart(user, metric_code, level=level, org_id=org_id)


def engagement(user: Any, *, month: str = "") -> dict[str, Any]:
    """Cohort and caseload over time for England, and per site the headline month (the latest
    settled one, or `month`) and the 12 months up to it's engagement rate (caseload / cohort), as
    the viewer may see the sites."""
    cat = figures.catalogue()
    wanted = [cat.by_code[code] for code in ENGAGEMENT_METRICS if code in cat.by_code]
    periods = figures.periods_with_figures()
    wanted_month = months.parse_month(month)
    if len(wanted) < 2 or not periods or cat.total is None:
        return {"series": [], "sites": [], "latest_period": None, "recent": [], "coverage": []}
    cohort, caseload = wanted
    ids = [cohort.pk, caseload.pk]
    visible = sharing.rollups_visible_to(user)
    national = figures.index(
        figures.rows(visible, periods=periods, level=RollupLevel.NATIONAL, metric_ids=ids, category_ids=[cat.total.pk]),
        "period_id",
        "metric_id",
    )
    cohort_id, caseload_id = cohort.pk, caseload.pk
    covered = months.coverage(periods, list(national.values()), ENGLAND)
    headline = months.headline_index(covered, wanted_month)
    # (id, label) worked out once: the per-site loop below runs 400 sites x 12 months.
    columns = [
        (p.pk, p.month.strftime("%b %Y") + ("" if c.final else " (provisional)")) for p, c in zip(periods, covered, strict=True)
    ]
    series = []
    for (pk, label), cover in zip(columns, covered, strict=True):
        c, k = national.get((pk, cohort_id)) or {}, national.get((pk, caseload_id)) or {}
        row = _engagement_row(label, c.get("sum_numerator"), k.get("sum_numerator"), c.get("units_reporting"))
        series.append({**row, "expected": c.get("units_expected"), "final": cover.final, "period_id": pk})
    end = (headline if headline is not None else len(periods) - 1) + 1  # the 12 months up to the headline month
    recent = periods[max(end - figures.SPARK_MONTHS, 0) : end]
    recent_columns = columns[max(end - figures.SPARK_MONTHS, 0) : end]
    # The sites' table is of the headline month (the latest settled one), as the overview's is.
    latest = periods[headline] if headline is not None and periods[headline] in recent else recent[-1]
    at = recent.index(latest)
    # 400 sites x 12 months x 2 metrics: read as plain values (the columns `figures.rows` filters
    # on) into three lists per site, not kept as 9,600 dicts and keys; fewer objects for Python's
    # garbage collector to pass over make this page's slowest responses faster.
    found = visible.filter(
        period_id__in=[pk for pk, _ in recent_columns],
        level=RollupLevel.SITE,
        metric_id__in=ids,
        category_id__in=[cat.total.pk],
    ).values_list("org_id", "period_id", "metric_id", "sum_numerator", "units_reporting")
    position = {pk: number for number, (pk, _) in enumerate(recent_columns)}
    blank = [None] * len(recent_columns)
    by_site: dict[int, tuple[list, list, list]] = {}
    for org, period_id, metric_id, total, units in found:
        cohorts, caseloads, units_reporting = by_site.get(org) or by_site.setdefault(org, (blank[:], blank[:], blank[:]))
        number = position[period_id]
        if metric_id == cohort_id:
            cohorts[number], units_reporting[number] = total, units
        else:
            caseloads[number] = total
    site_ids = sorted(by_site)
    per_site = []
    for org in site_ids:
        site_months = [
            _engagement_row(label, c, k, units) for (_, label), c, k, units in zip(recent_columns, *by_site[org], strict=True)
        ]
        per_site.append((org, {**site_months[at], "months": site_months}))
    per_site.sort(key=lambda item: (item[1]["rate"] is None, item[1]["rate"] or 0, item[0]))
    names = figures.org_names(RollupLevel.SITE, site_ids) if site_ids else {}
    labels = sharing.label_sites(user, [org for org, _ in per_site], names)
    sites = [{**row, **labels[org], "site_id": org} for org, row in per_site if org in labels]
    return {
        "series": series,
        "sites": sites,
        "latest_period": latest,
        "recent": recent,
        "recent_labels": [label for _, label in recent_columns],
        "headline": covered[headline] if headline is not None else None,
        "later": [c for c in covered[headline + 1 :] if c.reporting] if headline is not None else [],
        "coverage": covered,
    }


def _engagement_row(label: str, cohort: int | None, caseload: int | None, units: int | None) -> dict[str, Any]:
    """One month's figures. Plain values only (no model instances): Python's garbage collector
    then leaves the 4,800 of them alone."""
    rate = present(Decimal(caseload) * 100 / Decimal(cohort)) if cohort and caseload is not None else None
    return {"label": label, "cohort": cohort, "caseload": caseload, "rate": rate, "units": units}


def share(value: int | None, total: int | None) -> Decimal | None:
    """A category's share of the cohort: its count as a percentage of the total cohort the same
    month and place, rounded half up to one decimal place (None without both)."""
    if value is None or not total:
        return None
    return present(Decimal(value) * 100 / Decimal(total))


def demographics(user: Any, *, level: str = RollupLevel.NATIONAL, org_id: int = ENGLAND) -> dict[str, Any]:
    """The cohort of England, a region, an ICB or a site by age band (comparable across layouts:
    80+), ethnic group and IMD quintile, month by month: each category's count and share of the
    cohort, the sites contributing to each figure, and the sites behind each month's total."""
    cat = figures.catalogue()
    cohort = cat.by_code.get("COHORT")
    periods = figures.periods_with_figures()
    if cohort is None or not periods or cat.total is None:
        return {"dimensions": [], "periods": [], "months": []}
    groups = {dim: cat.comparable(dim) for dim in DEMOGRAPHIC_DIMENSIONS}
    finer = [c for c in cat.categories if c.dimension == Dimension.AGE and c.code != c.comparable_code]
    category_ids = [cat.total.pk] + [c.pk for cats in groups.values() for c in cats] + [c.pk for c in finer]
    found = figures.index(
        figures.rows(
            sharing.rollups_visible_to(user),
            periods=periods,
            level=level,
            org_ids=[org_id],
            metric_ids=[cohort.pk],
            category_ids=category_ids,
        ),
        "period_id",
        "category_id",
    )
    day = months.today()
    month_rows: list[dict[str, Any]] = []
    for period in periods:
        total = found.get((period.pk, cat.total.pk))
        month_rows.append(
            {
                "period": period,
                "provisional": not months.is_final(period, day),
                "total": total["sum_numerator"] if total else None,
                "sites": total["units_reporting"] if total else None,
                "expected": total["units_expected"] if total else None,
            }
        )
    dimensions = []
    for dim, cats in [*groups.items(), ("age_finer", finer)]:
        rows = []
        for month in month_rows:
            period = month["period"]
            cells = [found.get((period.pk, c.pk)) for c in cats]
            values = [cell["sum_numerator"] if cell else None for cell in cells]
            rows.append(
                {
                    "period": period,
                    "label": period.month.strftime("%b %Y") + (" (provisional)" if month["provisional"] else ""),
                    "provisional": month["provisional"],
                    "values": values,
                    "shares": [share(v, month["total"]) for v in values],
                    "units": [cell["units_reporting"] - cell["units_suppressed"] if cell else None for cell in cells],
                    "sites": month["sites"],
                    "expected": month["expected"],
                }
            )
        title = "Age band, finer split (sites filing the v1.2 layout)" if dim == "age_finer" else Dimension(dim).label
        dimensions.append({"key": dim, "title": title, "categories": cats, "rows": rows})
    return {"dimensions": dimensions, "periods": periods, "months": month_rows}
