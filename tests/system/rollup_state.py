"""What the dashboards read, compared across runs: the current rollup rows without their run."""

from __future__ import annotations

from metrics.models import Rollup, RollupRequest, RollupRun, RollupRunStatus

FIGURES = (
    "period_id",
    "level",
    "org_id",
    "metric_id",
    "category_id",
    "version_id",
    "sum_numerator",
    "sum_denominator",
    "rate",
    "units_reporting",
    "units_suppressed",
    "units_expected",
    "provisional",
)


def current_figures(period_id: int | None = None) -> list[tuple]:
    rows = Rollup.objects.current()
    return sorted((rows.filter(period_id=period_id) if period_id else rows).values_list(*FIGURES))


def settled() -> bool:
    """Nothing pending, nothing building."""
    return (
        not RollupRequest.objects.filter(done_at__isnull=True).exists()
        and not RollupRun.objects.filter(status=RollupRunStatus.BUILDING).exists()
    )
