"""The returns coverage grid: every live site's return for each recent month, with completeness
and timeliness, for the coverage page, the API and the review pack."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone

from metrics.models import (
    ReportingPeriod,
    Return,
)
from sites.models import SiteStatus
from sites.selectors import sites_visible_to

COVERAGE_LABELS = {
    "on_time": "On time",
    "late": "Late",
    "missing": "Missing",
    "not_yet_due": "Not yet due",
    "not_expected": "Not expected",
}


class ReturnState(NamedTuple):
    """What the coverage grid needs of a return: its status and its state in the grid. One is
    shared by every return in the same status and state."""

    status: str
    state: str  # on_time or late once signed off, else missing or not_yet_due


class CoverageCell(NamedTuple):  # shared, like ReturnState: the grid has up to 24,000 cells
    state: str  # on_time, late, missing, not_yet_due, not_expected
    return_record: Return | ReturnState | None = None

    @property
    def label(self) -> str:
        return COVERAGE_LABELS[self.state]


def _coverage_state(return_record: Return | None, period: ReportingPeriod, today: datetime.date) -> str:
    if return_record is not None and return_record.first_signed_off_at is not None:
        on_time = timezone.localdate(return_record.first_signed_off_at) <= period.initial_submission_due
        return "on_time" if on_time else "late"
    return "missing" if today > period.initial_submission_due else "not_yet_due"


def coverage(user: Any, *, months: int = 12, today: datetime.date | None = None) -> dict[str, Any]:
    """Sites × months: on time, late, missing or not yet due; completeness (share of
    expected returns signed off) and timeliness (share signed off by the initial deadline).
    Three queries; the returns are read as plain values (400 sites × 60 months is 24,000 cells)."""
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(period_end__lt=today).order_by("-month")[:months])[::-1]
    sites = list(
        sites_visible_to(user)
        .exclude(status=SiteStatus.EXITED)
        .select_related("place__icb__region", "wave")
        .order_by("place__icb__region__name", "name")
    )
    blank = {p.pk: CoverageCell(_coverage_state(None, p, today)) for p in periods}
    unexpected = CoverageCell("not_expected")
    # The grid before the returns are read: every cell a shared object, so 24,000 cells cost
    # 400 lists rather than 24,000 objects (and the garbage collector's passes over them).
    ends = [(p.period_end, blank[p.pk]) for p in periods]
    grid = {}
    for site in sites:
        started = site.wave.start_date
        grid[site.pk] = [unexpected if started > end else cell for end, cell in ends]
    column = {p.pk: number for number, p in enumerate(periods)}
    # On time or late worked out in SQL, as `_coverage_state` does (the sign-off's local date
    # against the initial deadline): 24,000 time zone conversions in Python take longer.
    signed = Case(
        When(first_signed_off_at__isnull=True, then=Value("")),
        When(first_signed_off_at__date__lte=F("period__initial_submission_due"), then=Value("on_time")),
        default=Value("late"),
        output_field=CharField(),
    )
    found = (
        Return.objects.filter(site_id__in=list(grid), period__in=periods)
        .annotate(signed=signed)
        .order_by()  # read into the grid: the model's ordering would cost a join and a sort of 24,000 rows
        .values_list("site_id", "period_id", "status", "signed")
    )
    shared: dict[tuple[str, str], CoverageCell] = {}
    for site_id, period_id, status, signed_state in found:
        cells, number = grid[site_id], column[period_id]
        if cells[number] is unexpected:
            continue  # the site had not started: not counted, whatever was filed
        state = signed_state or blank[period_id].state
        cell = shared.get((state, status))
        if cell is None:
            cell = shared[(state, status)] = CoverageCell(state, ReturnState(status, state))
        cells[number] = cell
    rows = [{"site": site, "cells": grid[site.pk]} for site in sites]
    summary = []
    for number, period in enumerate(periods):
        counts = Counter(cells[number].state for cells in grid.values())
        expected = sum(counts.values()) - counts["not_expected"]
        due = today > period.initial_submission_due
        summary.append(
            {
                "period": period,
                "expected": expected,
                "on_time": counts["on_time"],
                "late": counts["late"],
                "missing": counts["missing"],
                "completeness": _percent(counts["on_time"] + counts["late"], expected) if due else None,
                "timeliness": _percent(counts["on_time"], expected) if due else None,
            }
        )
    return {"periods": periods, "rows": rows, "summary": summary}


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
