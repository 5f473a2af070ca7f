"""The bulletin's signals, from the rollups (total category) in two queries whatever the number
of sites and months:

- a special-cause point in the month, on each site's XmR chart of each metric (`metrics.stats.spc.xmr`,
  over the months up to this one, rebased at the change points the taskforce recorded, as the SPC
  page draws it); "new" when the previous bulletin did not already have that metric and site;
- a funnel outlier in the month: outside the exact Poisson 99% limits (`metrics.stats.funnel`), and,
  when φ says the sites are overdispersed, whether it is still outside the 99.8% limits adjusted
  for overdispersion (`metrics.stats.overdispersion`, SHMI method: log scale, truncation);
- the ICBs and regions that moved: special cause, or outside the funnel, at their own level.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from dashboards.models import SpcChangePoint
from metrics.models import BreakdownCategory, Dimension, MetricDefinition, ReportingPeriod, Rollup, RollupLevel
from metrics.stats import overdispersion as od
from metrics.stats.funnel import funnel as funnel_of
from metrics.stats.spc import NEAR_LIMIT_FACTOR, RUN_LENGTH, SCREEN_FACTOR, can_chart, charted_run, usable_change_points, xmr
from sites.models import ICB, Region

if TYPE_CHECKING:
    from metrics.stats.spc import Improvement

METHOD: od.Method = "shmi"
LEVELS = (RollupLevel.SITE, RollupLevel.ICB, RollupLevel.REGION)
VARIATION_TEXT = {
    "special_cause_improving": "Improvement",
    "special_cause_concerning": "Concern",
    "special_cause_neither": "Neither (no improvement direction)",
}
RULE_TEXT = {
    "outside_limits": "outside the process limits",
    "trend": "a trend of 7 months",
    "two_of_three": "2 of 3 months near a limit",
    "shift": "a shift: 7 months on one side of the mean",
}


def surely_common_cause(run: list[Any]) -> bool:
    """True only when the latest point of an XmR chart of ``run`` (no gaps, no change points, every
    point in the baseline) is certainly common cause: worked in floats with a margin a billion times
    the rounding error, so a point anywhere near a limit, a two-thirds line, a 7-point shift or a
    7-point trend is left to the exact `metrics.stats.spc.xmr`. Most charts are settled here at a
    fraction of the exact cost; the answer is the same (tests/bulletins/test_signals.py)."""
    values = [float(v) for v in run]
    n = len(values)
    eps = 1e-9 * (1 + max(abs(v) for v in values))
    mean = sum(values) / n
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, n)]
    initial = sum(ranges) / len(ranges)
    if initial <= eps:  # flat, or nearly: every difference matters
        return False
    threshold = float(SCREEN_FACTOR) * initial
    if any(abs(r - threshold) <= eps for r in ranges):  # screening could go either way
        return False
    kept = [r for r in ranges if r < threshold]
    near = float(NEAR_LIMIT_FACTOR) * sum(kept) / len(kept)
    if abs(values[-1] - mean) >= near - eps:  # near a two-thirds line or beyond it
        return False
    if n >= RUN_LENGTH:
        tail = values[-RUN_LENGTH:]
        if all(v - mean > -eps for v in tail) or all(v - mean < eps for v in tail):
            return False
        steps = [b - a for a, b in zip(tail, tail[1:], strict=False)]
        if all(step > -eps for step in steps) or all(step < eps for step in steps):
            return False
    return True


def latest_point(values: list[Any], rebase: list[int], metric: MetricDefinition) -> Any:
    """The XmR point of the last month, if the chart reaches it (None otherwise, and None when it
    is surely common cause: `surely_common_cause`)."""
    if not values or values[-1] is None:
        return None
    start, end = charted_run(values)
    run = values[start:end]
    if end != len(values) or not can_chart(run):
        return None
    wanted = [i - start for i in rebase if start <= i < end]
    if not wanted and None not in run and surely_common_cause(run):
        return None
    # MetricDefinition.direction's choices are spc's Improvement values.
    result = xmr(run, improvement=cast("Improvement", metric.direction), rebase=usable_change_points(run, wanted))
    last = result.points[-1]
    return last if last.index == len(run) - 1 else None


def _names(directory: dict[int, dict[str, Any]]) -> dict[str, dict[int, str]]:
    return {
        RollupLevel.SITE: {k: v["site"] for k, v in directory.items()},
        RollupLevel.ICB: dict(ICB.objects.values_list("id", "name")),
        RollupLevel.REGION: dict(Region.objects.values_list("id", "name")),
    }


def signals(period: ReportingPeriod, directory: dict[int, dict[str, Any]], earlier: dict[str, Any]) -> dict[str, Any]:
    metrics = {m.pk: m for m in MetricDefinition.objects.all()}
    total = BreakdownCategory.objects.filter(dimension=Dimension.TOTAL).first()
    periods = list(ReportingPeriod.objects.filter(month__lte=period.month).order_by("month").values_list("id", flat=True))
    place = {pk: n for n, pk in enumerate(periods)}
    if total is None or period.pk not in place:
        return {"signals": [], "spc_keys": [], "outliers": [], "funnel_keys": [], "dispersion": [], "moved": []}
    rows = (
        Rollup.objects.current()
        .filter(level__in=LEVELS, category=total, period_id__in=periods)
        .values_list("level", "org_id", "metric_id", "period_id", "rate", "sum_numerator", "sum_denominator")
    )
    series: dict[tuple[str, int, int], list[Any]] = defaultdict(lambda: [None] * len(periods))
    month_rows: dict[tuple[str, int], list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for level, org_id, metric_id, period_id, rate, numerator, denominator in rows.iterator(chunk_size=20000):
        metric = metrics[metric_id]
        value = rate if metric.has_rate else numerator
        series[(level, org_id, metric_id)][place[period_id]] = value  # Decimal or int: exact
        if period_id == period.pk and metric.has_rate:
            month_rows[(level, metric_id)].append((org_id, numerator, denominator))
    changes: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    months = dict(ReportingPeriod.objects.filter(pk__in=periods).values_list("month", "id"))
    for c in SpcChangePoint.objects.filter(level__in=LEVELS).values("level", "org_id", "metric_id", "month"):
        if c["month"] in months:
            changes[(c["level"], c["org_id"], c["metric_id"])].append(place[months[c["month"]]])

    names = _names(directory)
    special: dict[tuple[str, int, int], dict[str, Any]] = {}
    for key, values in series.items():
        point = latest_point(values, sorted(changes.get(key, [])), metrics[key[2]])
        if point is not None and point.is_special_cause:
            special[key] = {
                "value": point.value, "mean": point.mean, "lower": point.lower_limit, "upper": point.upper_limit,
                "variation": VARIATION_TEXT[point.variation], "rules": ", ".join(RULE_TEXT[r] for r in point.rules),
            }  # fmt: skip
    outside, dispersion = _funnels(month_rows, metrics)

    seen_spc, seen_funnel = set(earlier.get("spc_keys", [])), set(earlier.get("funnel_keys", []))
    spc_keys = sorted(f"{metrics[m].code}:{org}" for (level, org, m) in special if level == RollupLevel.SITE)
    funnel_keys = sorted(f"{metrics[m].code}:{org}" for (level, org, m) in outside if level == RollupLevel.SITE)

    def label(level: str, org: int, metric_id: int) -> dict[str, Any]:
        m = metrics[metric_id]
        name = names[level].get(org, f"{RollupLevel(level).label} {org}")
        where = (
            {"site": name, **{k: directory.get(org, {}).get(k) for k in ("icb", "region")}} if level == RollupLevel.SITE else {}
        )
        return {"metric": m.template_id, "metric_code": m.code, "metric_name": m.name, "unit": "per 1,000" if m.has_rate else "count",
                "level": level, "level_label": RollupLevel(level).label, "org_id": org,
                "name": name, **where}  # fmt: skip

    def order(item: tuple) -> tuple:
        (level, org, m), _ = item
        return (metrics[m].order, names[level].get(org, ""))

    new_signals = [
        {**label(*key), "site_id": key[1], **found}
        for key, found in sorted(special.items(), key=order)
        if key[0] == RollupLevel.SITE and f"{metrics[key[2]].code}:{key[1]}" not in seen_spc
    ]
    outliers = [
        {**label(*key), "site_id": key[1], **found, "new": f"{metrics[key[2]].code}:{key[1]}" not in seen_funnel}
        for key, found in sorted(outside.items(), key=order)
        if key[0] == RollupLevel.SITE
    ]
    # An ICB or region is outside its funnel by the limits that fit it: adjusted when its level is
    # overdispersed (with a few large units, plain Poisson limits put nearly every one outside).
    stands_out = {
        key: found for key, found in outside.items()
        if (found["adjusted_outside"] if found["overdispersed"] else found["poisson_outside"])
    }  # fmt: skip
    moved = []
    for key in sorted(
        set(special) | set(stands_out), key=lambda k: (k[0] != RollupLevel.REGION, metrics[k[2]].order, names[k[0]].get(k[1], ""))
    ):
        if key[0] == RollupLevel.SITE:
            continue
        reasons = []
        if key in special:
            reasons.append(f"Special cause ({special[key]['variation'].lower()}): {special[key]['rules']}")
        if key in stands_out:
            reasons.append(stands_out[key]["summary"])
        value = special[key]["value"] if key in special else stands_out[key]["rate"]
        moved.append({**label(*key), "value": value, "reason": "; ".join(reasons)})
    return {"signals": new_signals, "spc_keys": spc_keys, "outliers": outliers, "funnel_keys": funnel_keys,
            "dispersion": dispersion, "moved": moved}  # fmt: skip


def _funnels(month_rows, metrics) -> tuple[dict[tuple[str, int, int], dict[str, Any]], list[dict[str, Any]]]:
    """Each level's funnel of each rate metric in the month: the units outside the Poisson 99%
    limits or, when overdispersed, outside the adjusted 99.8% limits; and φ, τ² per site funnel."""
    outside: dict[tuple[str, int, int], dict[str, Any]] = {}
    dispersion = []
    for (level, metric_id), units in sorted(month_rows.items(), key=lambda item: (item[0][0], metrics[item[0][1]].order)):
        result = funnel_of(units, curve_points=2)
        if not result.units or not result.total_numerator:
            continue
        proportion = Fraction(result.total_numerator, result.total_denominator)
        target = cast(float, result.target_rate_per_1000)  # set: the funnel has units
        expected = {u.key: float(proportion * u.denominator) for u in result.units}
        est = od.estimate([(u.numerator, expected[u.key]) for u in result.units], METHOD)
        if level == RollupLevel.SITE:
            dispersion.append({"metric": metrics[metric_id].template_id, "metric_code": metrics[metric_id].code, "metric_name": metrics[metric_id].name,
                               "sites": len(result.units), "england": result.target_rate_per_1000, "phi": est.phi,
                               "tau2": est.tau2, "overdispersed": est.overdispersed, "method": "SHMI (log scale, truncated)"})  # fmt: skip
        for u in result.units:
            adjusted = side = None
            if est.overdispersed:
                limits = od.ratio_limits(expected[u.key], METHOD, est.tau2)
                band, side = od.classify_ratio(u.numerator, expected[u.key], limits)
                adjusted = {"band": band, "lower": limits.lower998 * target, "upper": limits.upper998 * target}
            poisson_out = u.classification.band == "outside_99"
            adjusted_out = bool(adjusted and adjusted["band"] == "outside_998")
            if not (poisson_out or adjusted_out):
                continue
            where = u.classification.side or side
            if adjusted is None:
                summary = f"{where} England's Poisson 99% limits (not overdispersed: no adjustment)"
            elif adjusted_out:
                summary = f"{where} the 99.8% limits adjusted for overdispersion (φ = {est.phi:.2f})"
            else:
                summary = f"{where} England's Poisson 99% limits, within the 99.8% limits adjusted for overdispersion (φ = {est.phi:.2f})"
            outside[(level, cast(int, u.key), metric_id)] = {  # the units are keyed by org id
                "rate": u.rate_per_1000, "england": result.target_rate_per_1000, "denominator": u.denominator,
                "side": where, "poisson_lower": u.limits.lower99, "poisson_upper": u.limits.upper99,
                "poisson_outside": poisson_out, "overdispersed": est.overdispersed,
                "adjusted_lower": adjusted["lower"] if adjusted else None, "adjusted_upper": adjusted["upper"] if adjusted else None,
                "adjusted_outside": adjusted_out if adjusted else None, "summary": summary[0].upper() + summary[1:],
            }  # fmt: skip
    return outside, dispersion
