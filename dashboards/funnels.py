"""Funnel plots of site rates, computed once per rollup generation and cached.

The funnel is worked out over every site's current rows (the target is the national pooled rate);
what a person sees of the other sites is decided afterwards by `dashboards.sharing`. Computing the
limits costs about 0.1 ms a site, so the result is cached under the latest run id of the period's
rollups: a new rollup makes a new key, and readers never see a funnel older than the figures."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from metrics.models import CurrentRollup, ReportingPeriod, Rollup, RollupLevel
from metrics.stats.funnel import FunnelResult, funnel

CACHE_SECONDS = 24 * 60 * 60
CURVE_POINTS = 60


def generation(period: ReportingPeriod) -> str | None:
    """A key that changes whenever the period's rollups do (None: no rollups). One query."""
    latest = CurrentRollup.objects.filter(period=period).order_by("-run_id").values_list("run_id", "run__started_at").first()
    if latest is None:
        return None
    run_id, started = latest
    return f"{run_id}.{started.timestamp() if started else 0}"  # ids repeat after a rollback; times do not


def _as_dict(result: FunnelResult) -> dict[str, Any]:
    return {
        "target": result.target_rate_per_1000,
        "total_numerator": result.total_numerator,
        "total_denominator": result.total_denominator,
        "units": [
            {
                "site_id": unit.key,
                "numerator": unit.numerator,
                "denominator": unit.denominator,
                "rate": unit.rate_per_1000,
                "limits": unit.limits._asdict(),
                "band": unit.classification.band,
                "side": unit.classification.side,
            }
            for unit in result.units
        ],
        "curve": [{"denominator": point.denominator, **point.limits._asdict()} for point in result.curve],
        "suppressed": list(result.excluded_suppressed),
        "zero_denominator": list(result.excluded_zero_denominator),
    }


def site_funnels(period: ReportingPeriod, metric_ids: list[int], category_id: int) -> dict[int, dict[str, Any] | None]:
    """{metric id: funnel} over every site's current rows for one month and category. Two queries
    when the funnels are cached (generation, cache), three when not."""
    key = generation(period)
    if key is None:
        return {}
    wanted = {metric_id: f"dashboards:funnel:{period.pk}:{metric_id}:{category_id}:{key}" for metric_id in metric_ids}
    cached = cache.get_many(list(wanted.values()))
    result = {metric_id: cached[name] for metric_id, name in wanted.items() if name in cached}
    missing = [metric_id for metric_id in wanted if metric_id not in result]
    if not missing:
        return result
    site_rows = Rollup.objects.current().filter(
        period=period, level=RollupLevel.SITE, metric_id__in=missing, category_id=category_id
    )
    units: dict[int, list] = {metric_id: [] for metric_id in missing}
    for row in site_rows.values_list("metric_id", "org_id", "sum_numerator", "sum_denominator"):
        units[row[0]].append(row[1:])
    fresh = {
        metric_id: _as_dict(funnel(sorted(members), curve_points=CURVE_POINTS)) if members else None
        for metric_id, members in units.items()
    }
    cache.set_many({wanted[metric_id]: data for metric_id, data in fresh.items()}, CACHE_SECONDS)
    return result | fresh


def share_outside_95(data: dict[str, Any] | None) -> tuple[int, int] | None:
    """(sites outside the 95% limits, sites in the funnel)."""
    if not data or not data["units"]:
        return None
    return sum(unit["band"] != "within" for unit in data["units"]), len(data["units"])


def warm_latest() -> int:
    """After a rollup run: the latest month's funnels for every rate metric (total category), as
    the overview and the site pages read them, so the first person to open them after a sign-off
    does not wait for the limits to be computed. Returns how many funnels are now cached."""
    from dashboards.figures import catalogue, periods_with_figures

    cat = catalogue()
    periods = periods_with_figures(1)
    if not periods or cat.total is None:
        return 0
    return len(site_funnels(periods[-1], [m.pk for m in cat.metrics if m.has_rate], cat.total.pk))


def warm_after_run(sender: Any, **kwargs: Any) -> None:
    """`metrics.rollup_jobs.built`: right after each run the worker builds, the latest month's
    funnels for the new figures (a cache hit if the run changed another month), so the first
    person to open the overview after a sign-off is not the one who computes them (0.3 s at 43
    sites, 1.5 s at 400), even while the worker goes on through a burst of sign-offs."""
    warm_latest()
