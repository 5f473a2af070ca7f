"""The bulletin's tables, from its stored contents: the page and the XLSX show the same ones. A
site's people get their own site's rows only (`site_ids`); the ICB/region and dispersion tables,
which are about every site, are the taskforce's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Table:
    key: str
    sheet: str  # at most 31 characters (Excel)
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str = "None."
    national: bool = False  # about every site: the taskforce's only


def month_label(iso: str | None) -> str:
    return datetime.date.fromisoformat(iso).strftime("%B %Y") if iso else ""


def day_label(iso: str | None) -> str:
    return datetime.date.fromisoformat(iso).strftime("%-d %B %Y") if iso else ""


def _figure(f: dict[str, Any]) -> str:
    if f["missing"]:
        return "not in the return"
    if f["suppressed"]:
        return "suppressed"
    if f["denominator"] is None:
        return f"{f['numerator']:,}" if f["numerator"] is not None else "empty"
    numerator = "–" if f["numerator"] is None else f"{f['numerator']:,}"
    return f"{numerator} / {f['denominator']:,}"


def _range(lower: float | None, upper: float | None) -> str:
    return "" if lower is None or upper is None else f"{lower:.1f} to {upper:.1f}"


def tables(contents: dict[str, Any], site_ids: set[int] | None = None) -> list[Table]:
    """Every table of the bulletin; only the rows of `site_ids` when given (a site's own part)."""
    if not contents:
        return []

    def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return rows if site_ids is None else [r for r in rows if r.get("site_id") in site_ids]

    month = contents["period"]["label"]
    previous = contents.get("previous")
    since = f"since the bulletin for {previous['label']}" if previous else "(this is the first bulletin)"
    found = [
        Table("coverage", "Coverage", f"Coverage and timeliness, {month}: each site due to report",
              ["Site", "ICB", "Region", "Status", "Signed off on", "Note"],
              [[r["site"], r["icb"], r["region"], r["status_text"], day_label(r["signed_off_on"]), r["detail"]] for r in mine(contents["coverage"])]),
        Table("first-time", "First time", f"Sites reporting for the first time in {month}",
              ["Site", "ICB", "Region", "Status"],
              [[r["site"], r["icb"], r["region"], r["status_text"]] for r in mine(contents["first_time"])]),
        Table("missing", "Missing", f"Sites due to report that have no signed-off return for {month}",
              ["Site", "ICB", "Region", "Note"],
              [[r["site"], r["icb"], r["region"], r["detail"]] for r in mine(contents["missing"])]),
        Table("caveats", "Caveats", "Caveats: open data-quality queries about this month's returns and earlier ones",
              ["Site", "Month", "Query", "Raised on", "Question"],
              [[r["site"], month_label(r["month"]), r["status"], day_label(r["raised_on"]), r["question"]] for r in mine(contents["caveats"])]),
        Table("signals", "New SPC signals", f"New special-cause signals in {month} (site XmR charts, not in the previous bulletin)",
              ["Metric", "Site", "Value", "Mean", "Lower process limit", "Upper process limit", "Variation", "Rule"],
              [[f"{r['metric']} {r['metric_name']} ({r['unit']})", r["site"], r["value"], r["mean"], r["lower"], r["upper"], r["variation"], r["rules"]]
               for r in mine(contents["signals"])]),
        Table("outliers", "Funnel outliers", f"Funnel outliers in {month}, rate per 1,000 (Poisson 99%; adjusted 99.8% where overdispersed)",
              ["Metric", "Site", "Rate per 1,000", "England", "Poisson 99% limits", "Adjusted 99.8% limits", "Where", "New"],
              [[f"{r['metric']} {r['metric_name']}", r["site"], r["rate"], r["england"], _range(r["poisson_lower"], r["poisson_upper"]),
                _range(r["adjusted_lower"], r["adjusted_upper"]) or "not overdispersed", r["summary"], "Yes" if r["new"] else "No"]
               for r in mine(contents["outliers"])]),
        Table("dispersion", "Dispersion", f"Funnel dispersion by metric, sites in {month} (SHMI method)",
              ["Metric", "Sites", "England per 1,000", "φ", "τ²", "Overdispersed"],
              [[f"{r['metric']} {r['metric_name']}", r["sites"], r["england"], r["phi"], r["tau2"], "Yes" if r["overdispersed"] else "No"]
               for r in contents["dispersion"]], national=True),
        Table("moved", "ICBs and regions", f"ICBs and regions that moved in {month}: special cause or outside the funnel",
              ["Level", "Name", "Metric", "Value", "Why"],
              [[r["level_label"], r["name"], f"{r['metric']} {r['metric_name']} ({r['unit']})", r["value"], r["reason"]] for r in contents["moved"]],
              national=True),
        Table("changelog", "Changelog", f"Figures changed by corrected versions {since}",
              ["Site", "Month", "Metric", "Category", "Versions", "Old", "New"],
              [[r["site"], month_label(r["month"]), f"{r['metric']} {r['metric_name']}", r["category"], f"v{r['old_version']} → v{r['new_version']}",
                _figure(r["old"]), _figure(r["new"])] for r in mine(contents["changelog"])]),
    ]  # fmt: skip
    return [t for t in found if site_ids is None or not t.national]


def display(cell: Any) -> str:
    """A cell as the page shows it: rates and limits to one decimal place, counts with commas."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Yes" if cell else "No"
    if isinstance(cell, int):
        return f"{cell:,}"
    if isinstance(cell, float):
        return f"{cell:,.4f}" if abs(cell) < 0.1 and cell else f"{cell:,.1f}"
    return str(cell)
