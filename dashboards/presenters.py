"""Turn what the selectors read into the tables (and charts and CSV) the pages show."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static

from dashboards.tables import Table, as_text, line_chart, present

VARIATION_TEXT = {
    "common_cause": "Common cause variation: no significant change",
    "special_cause_improving": "Special cause variation: improving",
    "special_cause_concerning": "Special cause variation: concerning",
    "special_cause_neither": "Special cause variation: a change that is neither better nor worse",
}
SIDE_TEXT = {"high": " (higher values)", "low": " (lower values)"}
ASSURANCE_TEXT = {
    "consistently_passing": "Assurance: the target will consistently be met",
    "consistently_failing": "Assurance: the target will consistently be missed",
    "hit_or_miss": "Assurance: the target will be hit or missed by chance",
}
RULE_TEXT = {
    "outside_limits": "outside the limits",
    "trend": "7 in a row rising or falling",
    "two_of_three": "2 of 3 near a limit",
    "shift": "7 in a row on one side of the mean",
}
BAND_TEXT = {"within": "Within the 95% limits", "outside_95": "Outside the 95% limits", "outside_99": "Outside the 99% limits",
             "outside_998": "Outside the 99.8% limits"}  # fmt: skip


def variation_text(variation: str | None, side: str | None) -> str:
    if variation is None:
        return "Not enough months for a chart"
    return VARIATION_TEXT[variation] + (SIDE_TEXT.get(side or "", "") if variation != "common_cause" else "")


def variation_icon(variation: str | None, side: str | None) -> dict[str, str] | None:
    if variation is None:
        return None
    name = "common_cause" if variation == "common_cause" else f"{variation.removeprefix('special_cause_')}_{side}"
    return {"src": static(f"dashboards/icons/variation_{name}.svg"), "alt": variation_text(variation, side)}


def assurance_icon(assurance: str | None) -> dict[str, str] | None:
    if assurance is None:
        return None
    return {"src": static(f"dashboards/icons/assurance_{assurance}.svg"), "alt": ASSURANCE_TEXT[assurance]}


def band_text(band: str | None, side: str | None) -> str:
    if band is None:
        return "Not in the funnel"
    return BAND_TEXT[band] + (f", {side}" if side else "")


def sparkline(points: list[dict[str, Any]], width: int = 120, height: int = 28) -> dict[str, Any] | None:
    """Polyline coordinates for a small trend line drawn as SVG, and its text alternative."""
    values = [(i, float(p["value"])) for i, p in enumerate(points) if p["value"] is not None]
    if len(values) < 2:
        return None
    low, high = min(v for _, v in values), max(v for _, v in values)
    span = (high - low) or 1.0
    step = width / max(len(points) - 1, 1)
    coords = " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in values)
    first, last = points[values[0][0]], points[values[-1][0]]
    low_value = min((p["value"] for p in points if p["value"] is not None), key=float)
    high_value = max((p["value"] for p in points if p["value"] is not None), key=float)
    alt = (
        f"Trend from {first['period']} ({as_text(first['value'])}) to {last['period']} ({as_text(last['value'])}), "
        f"lowest {as_text(low_value)}, highest {as_text(high_value)}"
    )
    return {"points": coords, "width": width, "height": height, "alt": alt}


def coverage_text(summary: dict[str, Any]) -> str | None:
    if summary["units_reporting"] is None:
        return None
    return f"{summary['units_reporting']:,} of {summary['units_expected']:,}"


def metric_table(key: str, caption: str, summaries: list[dict[str, Any]], *, with_funnel: bool = False) -> Table:
    """Columns 2-8: the headline month, its sites reporting, the month before and the difference
    over the same sites, how many sites those are, the average and England."""
    headers = [
        "Metric",
        "Unit",
        "Headline month",
        "Sites reporting",
        "Month before (same sites)",
        "Difference (same sites)",
        "Sites compared",
        "Average of the settled months",
        "England",
    ]
    if with_funnel:
        headers.append("Sites outside the 95% limits")
    headers += ["Variation", "Provisional"]
    table = Table(key, caption, headers)
    for s in summaries:
        cells = [
            s["name"],
            s["unit"],
            s["latest"],
            coverage_text(s),
            s["previous"],
            s["difference"],
            s["sites_compared"],
            s["average"],
            s["national"],
        ]
        if with_funnel:
            cells.append(None if s.get("in_funnel") is None else f"{s['outside_95']} of {s['in_funnel']}")
        cells += [variation_text(s["variation"], s["variation_side"]), "yes" if s["provisional"] else "no"]
        table.add(*cells)
        s["spark_svg"] = sparkline(s["spark"])
        s["icon"] = variation_icon(s["variation"], s["variation_side"])
    return table


def point_name(unit: dict[str, Any]) -> str:
    """A funnel point's accessible name: the site, its rate and where it sits."""
    own = " (your site)" if unit["own"] else ""
    return f"{unit['name']}{own}: {as_text(unit['rate'])} per 1,000, denominator {unit['denominator']:,}. {band_text(unit['band'], unit['side'])}."


def funnel_table(chart: dict[str, Any]) -> Table:
    metric, period, category = chart["metric"], chart["period"], chart["category"]
    shown = chart["shown"]
    outer = shown["outer"]
    provisional = " (provisional)" if chart.get("headline") and chart["headline"].provisional else ""
    caption = f"{metric.name}, {category}, {period}{provisional}: sites against the funnel limits"
    table = Table(
        "funnel",
        caption,
        [
            "Site",
            "Numerator",
            "Denominator",
            "Rate per 1,000",
            f"Lower {outer}%",
            "Lower 95%",
            "Upper 95%",
            f"Upper {outer}%",
            "Where it sits",
        ],
    )
    for unit in chart["units"]:
        limits = unit["shown"]["limits"]
        table.add(
            unit["name"] + (" (your site)" if unit["own"] else ""),
            unit["numerator"],
            unit["denominator"],
            unit["rate"],
            limits["lower_outer"],
            limits["lower95"],
            limits["upper95"],
            limits["upper_outer"],
            band_text(unit["band"], unit["side"]),
        )
    data = chart["data"]
    label_outliers = chart["choices"]["label"] == "outliers"
    if data:
        table.chart = {
            "type": "funnel",
            "target": present(data["target"]),
            "outer": outer,
            "curve": [
                {
                    "x": round(p["denominator"], 1),
                    **{k: present(p[k]) for k in ("lower95", "upper95", "lower_outer", "upper_outer")},
                }
                for p in shown["curve"]
            ],
            "points": [
                {
                    "x": u["denominator"],
                    "y": present(u["rate"]),
                    "label": u["name"],
                    "name": point_name(u),
                    "own": u["own"],
                    "band": u["band"],
                    "labelled": u["own"] or (label_outliers and u["band"] != "within"),
                }
                for u in chart["units"]
            ],
            "x_title": "Denominator (patients in the cohort)",
            "y_title": "Rate per 1,000",
        }
    table.summary = (
        f"Funnel plot: {chart['sites_in_funnel']:,} sites; England's pooled rate {as_text(data['target'])} per 1,000; "
        f"{chart['counts']['outside_95'] + chart['counts']['outside_outer']} outside the 95% limits, "
        f"{chart['counts']['outside_outer']} of them outside the {outer}% limits."
        if data
        else "No sites reported this figure."
    )
    return table


def engagement_tables(data: dict[str, Any]) -> list[Table]:
    national = Table("engagement", "England: cohort, caseload and engagement rate by month",
                     ["Month", "Cohort", "Caseload", "Engagement rate (%)", "Sites reporting", "Sites due"])  # fmt: skip
    for row in data["series"]:
        national.add(row["label"], row["cohort"], row["caseload"], row["rate"], row["units"], row["expected"])
    labels = [r["label"] for r in data["series"]]
    national.chart = line_chart(
        labels,
        {"Cohort": [r["cohort"] for r in data["series"]], "Caseload": [r["caseload"] for r in data["series"]]},
        y_title="Patients",
    )
    if data["series"] and data["headline"]:
        national.summary = engagement_summary(data)
    tables = [national]
    if data["latest_period"]:
        sites = Table(
            "engagement-sites",
            f"Sites, {data['latest_period']}: cohort, caseload and engagement rate",
            ["Site", "Cohort", "Caseload", "Engagement rate (%)"],
        )
        history = Table("engagement-history", "Engagement rate (%) by site, last 12 months", ["Site", *data["recent_labels"]])
        for row in data["sites"]:
            name = row["name"] + (" (your site)" if row["own"] else "")
            sites.add(name, row["cohort"], row["caseload"], row["rate"])
            history.add(name, *[m["rate"] for m in row["months"]])
            row["spark_svg"] = sparkline([{"period": m["label"], "value": m["rate"]} for m in row["months"]])
        tables += [sites, history]
    return tables


def engagement_summary(data: dict[str, Any]) -> str:
    """England's cohort and caseload from the first month to the headline month (the latest
    settled one), each with the sites behind it, and which later months are still provisional:
    a month half filed is never read as a fall."""
    headline = data["headline"]
    position = next(i for i, row in enumerate(data["series"]) if row["period_id"] == headline.period.pk)
    first, last = data["series"][0], data["series"][position]

    def sites(row: dict[str, Any]) -> str:
        return f"{as_text(row['units'])} of {as_text(row['expected'])} sites"

    said = (
        f"England's cohort was {as_text(first['cohort'])} patients in {first['label']} ({sites(first)}) and "
        f"{as_text(last['cohort'])} in {last['label']} ({sites(last)}); the caseload {as_text(first['caseload'])} "
        f"and {as_text(last['caseload'])}."
    )
    if data["later"]:
        later = ", ".join(f"{c.period.month:%b %Y} ({c.reporting:,} of {c.expected:,} sites)" for c in data["later"])
        said += f" Still being filed, so provisional and not comparable yet: {later}."
    return said


def demographic_tables(data: dict[str, Any], place: str = "England") -> list[Table]:
    """Per dimension, month by month: the sites behind the month's cohort, then each category's
    count, its share of the cohort (%, one decimal place) and the sites contributing to it."""
    tables = []
    for dim in data["dimensions"]:
        headers = ["Month", "Sites contributing to the month"]
        for c in dim["categories"]:
            headers += [c.label, f"{c.label}: share of the cohort (%)", f"{c.label}: sites contributing"]
        table = Table(f"demographics-{dim['key']}", f"{place}'s cohort by {dim['title'].lower()}, by month", headers)
        for row in dim["rows"]:
            sites = None if row["sites"] is None else f"{row['sites']:,} of {row['expected']:,}"
            cells: list[Any] = [row["label"], sites]
            for value, shown, units in zip(row["values"], row["shares"], row["units"], strict=True):
                cells += [value, shown, units]
            table.add(*cells)
        series = {c.label: [r["shares"][i] for r in dim["rows"]] for i, c in enumerate(dim["categories"])}
        table.chart = line_chart([r["label"] for r in dim["rows"]], series, y_title="Share of the cohort (%)")
        provisional = [r["period"].month.strftime("%b %Y") for r in dim["rows"] if r["provisional"]]
        table.summary = (
            f"{place}'s cohort by {dim['title'].lower()} over {len(dim['rows'])} months, as shares of the cohort; the table "
            "below gives every count and share"
            + (
                f", with the sites behind each. {', '.join(provisional)}: provisional, still being filed, so fewer "
                "sites are behind them and they are not comparable with the months before."
                if provisional
                else "."
            )
        )
        tables.append(table)
    return tables
