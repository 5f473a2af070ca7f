"""SPC charts as NHS England's *Making Data Count* reads them (ADR 22): each special cause point
by what it means for the metric's improvement direction, the target administrators set for the
metric and level (`SpcTarget`) with its assurance icon, the limits recalculated from each change
point the taskforce recorded (`SpcChangePoint`, a rebase) and, on a site's chart, the site's own
events (a neighbourhood team launched, an onboarding milestone confirmed). A fixed number of
queries whatever the number of months."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import Q
from django.http import Http404

from dashboards import figures, months, sharing
from dashboards.figures import ENGLAND
from dashboards.models import SpcChangePoint, SpcTarget
from metrics.models import MetricDefinition, RollupLevel
from metrics.stats.spc import Improvement, can_chart, charted_run, usable_change_points, xmr

SPC_LEVELS = (RollupLevel.NATIONAL, RollupLevel.REGION, RollupLevel.ICB, RollupLevel.SITE)

# The colours NHSRplotthedots draws Making Data Count's charts in (`ptd_spc_colours`).
COLOURS = {
    "improvement": "#00b0f0",
    "concern": "#e46c0a",
    "neither": "#490092",
    "common_cause": "#a6a6a6",
    "target": "#de1b1b",
    "mean": "#000000",
    "limits": "#a6a6a6",
}
CATEGORY = {
    "common_cause": "common_cause",
    "special_cause_improving": "improvement",
    "special_cause_concerning": "concern",
    "special_cause_neither": "neither",
}
CATEGORY_TEXT = {
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neither": "Special cause: neither better nor worse (no improvement direction)",
    "common_cause": "Common cause",
}
# Colour is never the only cue: each category has its own marker, named in the legend.
MARKERS = {"improvement": "triangle", "concern": "rectRot", "neither": "rect", "common_cause": "circle"}
MARKER_TEXT = {"triangle": "triangle", "rectRot": "diamond", "rect": "square", "circle": "circle"}


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _in_force(target: SpcTarget, month: datetime.date) -> bool:
    return month_of(target.valid_from) <= month and (target.valid_to is None or month <= month_of(target.valid_to))


def targets_by_month(metric: MetricDefinition, level: str, org_id: int, wanted: list[datetime.date]) -> list[SpcTarget | None]:
    """The target in force in each month: one set for this organisation before one for every
    organisation at its level, then the one that began latest. One query."""
    scope = Q(org_id__isnull=True) | (Q(org_id=org_id) if level != RollupLevel.NATIONAL else Q(org_id=0))
    found = list(SpcTarget.objects.filter(scope, metric=metric, level=level))
    found.sort(key=lambda t: (t.org_id is not None, t.valid_from), reverse=True)
    return [next((t for t in found if _in_force(t, month)), None) for month in wanted]


def events_shown(level: str, org_id: int, user: Any) -> bool:
    """A site's events are on its charts for the site's own people and the taskforce (not for
    other sites, whatever the taskforce shares of their figures)."""
    return level == RollupLevel.SITE and (sharing.sees_everything(user) or org_id in sharing.own_site_ids(user))


def site_events(level: str, org_id: int, user: Any) -> list[dict[str, Any]]:
    """A site's own events, where `events_shown`: each neighbourhood team's launch (the teams
    registry) and each onboarding milestone the taskforce confirmed. Two queries."""
    if not events_shown(level, org_id, user):
        return []
    from reviews.models import MilestoneStatus, SiteMilestone
    from teams.models import NeighbourhoodTeam

    events = [
        {"date": day, "kind": "team", "text": f"Neighbourhood team launched: {name}"}
        for name, day in NeighbourhoodTeam.objects.filter(site_id=org_id, launched_on__isnull=False).values_list(
            "name", "launched_on"
        )
    ]
    confirmed = SiteMilestone.objects.filter(site_id=org_id, status=MilestoneStatus.CONFIRMED, decided_at__isnull=False)
    events += [
        {"date": at.date(), "kind": "milestone", "text": f"Onboarding milestone confirmed: {title}"}
        for title, at in confirmed.values_list("template__title", "decided_at")
        if at is not None  # never: the query asks for decided ones
    ]
    return sorted(events, key=lambda e: (e["date"], e["text"]))


def spc_chart(user: Any, metric_code: str, *, level: str = RollupLevel.NATIONAL, org_id: int | None = None) -> dict[str, Any]:
    """An XmR chart of one metric (total category) for England, a region, an ICB or a site, over
    its months with figures up to its latest settled month (`metrics.stats.spc.charted_run`: empty
    months before and after are not data; a month missing in between is a gap in the chart),
    rebased at the change points recorded for it, with its targets and (a site's) annotations."""
    cat = figures.catalogue()
    metric = cat.by_code.get(metric_code)
    if metric is None:
        raise Http404("No such metric.")
    if level not in SPC_LEVELS:
        raise Http404("The level must be national, region, icb or site.")
    org_id = ENGLAND if level == RollupLevel.NATIONAL else org_id
    if org_id is None or not sharing.may_open_org(user, level, org_id):
        raise Http404("No such organisation.")
    name = figures.org_name(level, org_id)
    if not name:
        raise Http404("No such organisation.")
    periods = figures.periods_with_figures()
    total = cat.total
    found = (
        figures.rows(
            sharing.rollups_visible_to(user),
            periods=periods,
            level=level,
            org_ids=[org_id],
            metric_ids=[metric.pk],
            category_ids=[total.pk],
        )
        if periods and total
        else []
    )
    by_period = figures.index(found, "period_id")
    covered = months.coverage(periods, found, org_id)
    headline = months.headline_index(covered, None)
    # Up to the latest settled month (every site due has reported, or the month is final): a later
    # month half filed would read as a fall in a count. The months after it are listed, not drawn.
    shown = periods[: headline + 1] if headline is not None else []
    values = [figures.value_of(by_period.get((p.pk,)), metric) for p in shown]
    start, end = charted_run(values)
    run_periods, run_values = shown[start:end], values[start:end]
    run_months = [p.month for p in run_periods]

    recorded = list(SpcChangePoint.objects.filter(metric=metric, level=level, org_id=org_id).select_related("created_by"))
    at = {month: number for number, month in enumerate(run_months)}
    wanted = [at[c.month] for c in recorded if c.month in at]
    applied = set(usable_change_points(run_values, wanted)) if can_chart(run_values) else set()
    targets = targets_by_month(metric, level, org_id, run_months)
    current_target = targets[-1] if targets else None
    result = (
        xmr(
            run_values,
            improvement=cast(Improvement, metric.direction),
            target=current_target.value if current_target else None,
            rebase=sorted(applied),
        )
        if can_chart(run_values)
        else None
    )
    events = site_events(level, org_id, user)
    by_index = {point.index: point for point in result.points} if result else {}
    points = []
    for number, (period, value) in enumerate(zip(run_periods, run_values, strict=True)):
        row, point = by_period.get((period.pk,)), by_index.get(number)
        category = CATEGORY[point.variation] if point else None
        points.append(
            {
                "period": period,
                "label": period.month.strftime("%b %Y"),
                "value": value,
                "provisional": bool(row and row["provisional"]),
                "rules": point.rules if point else (),
                "variation": point.variation if point else None,
                "category": category,
                "colour": COLOURS[category] if category else None,
                "mean": point.mean if point else None,
                "lower_limit": point.lower_limit if point else None,
                "upper_limit": point.upper_limit if point else None,
                "target": target.value if (target := targets[number]) else None,
                "change_point": number in applied,
                "events": [e for e in events if month_of(e["date"]) == period.month],
            }
        )
    return {
        "metric": metric,
        "catalogue": cat,
        "level": level,
        "level_label": RollupLevel(level).label,
        "org_id": org_id,
        "name": name,
        "spc": result,
        "points": points,
        "gaps": [period for period, value in zip(run_periods, run_values, strict=True) if value is None],
        "later": [c for c in covered[headline + 1 :] if c.reporting] if headline is not None else [],
        "headline": covered[headline] if headline is not None else None,
        "target": current_target,
        "change_points": [_change_point(c, at, applied) for c in recorded],
        "segments": _segments(result, run_periods),
        "annotations": [
            {**e, "charted": bool(run_months) and run_months[0] <= month_of(e["date"]) <= run_months[-1]} for e in events
        ],
        "events_shown": events_shown(level, org_id, user),
        "chartable_months": run_periods[1:-1] if len(run_periods) > 2 else [],
    }


def _change_point(change: SpcChangePoint, at: dict[datetime.date, int], applied: set[int]) -> dict[str, Any]:
    number = at.get(change.month)
    if number in applied:
        status = "applied"
    elif number is None:
        status = "outside"  # not a month of the chart (yet)
    else:
        status = "too_short"  # it would leave a stretch without two months in a row
    return {"object": change, "month": change.month, "label": change.month.strftime("%b %Y"), "status": status}


def _segments(result: Any, run_periods: list) -> list[dict[str, Any]]:
    if result is None:
        return []
    return [
        {
            "first": run_periods[s.start].month,
            "last": run_periods[s.end - 1].month,
            "label": f"{run_periods[s.start].month:%b %Y} to {run_periods[s.end - 1].month:%b %Y}",
            "mean": s.mean,
            "lower_limit": s.lower_limit,
            "upper_limit": s.upper_limit,
            "points_behind": s.baseline_points,
            "reliable": s.reliable,
        }
        for s in result.segments
    ]
