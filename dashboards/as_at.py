"""How current a page of figures is: "Figures as at <time>, from N of M sites' signed-off returns",
and when the next update is due. Every page of figures shows it, through `as_at_line` in
templates/dashboards/_macros.jinja.

- The time is when the rollups the page reads were built: the latest finished run among the
  current rollup pointers (`metrics.models.CurrentRollup`, ADR 8). Two queries in all.
- N of M is the page's month and place: the sites whose signed-off return is in its figures, of
  the sites due to report (`units_reporting` and `units_expected` of its rollup rows).
- The next update is the next deadline in the reporting timetable (`ReportingPeriod`): an initial
  or a final submission deadline after today, when the month's figures are next expected to move.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from dashboards import months
from metrics.models import CurrentRollup, ReportingPeriod, RollupLevel


@dataclass(frozen=True)
class AsAt:
    built: datetime.datetime | None
    period: ReportingPeriod | None
    reporting: int | None
    expected: int | None
    provisional: bool
    next_due: datetime.date | None
    next_what: str


def built_at() -> datetime.datetime | None:
    """When the figures readers see were built: the latest finished run England's pointers name. One query."""
    return CurrentRollup.objects.filter(level=RollupLevel.NATIONAL).aggregate(built=Max("run__finished_at"))["built"]


def next_deadline(day: datetime.date | None = None) -> tuple[datetime.date | None, str]:
    """The next initial or final submission deadline after `day` (today), and what it is. One query."""
    day = day or months.today()
    found = list(
        ReportingPeriod.objects.filter(final_submission_due__gte=day)
        .order_by("final_submission_due")
        .values_list("month", "initial_submission_due", "final_submission_due")[:3]
    )
    deadlines = []
    for month, initial, final in found:
        if initial >= day:
            deadlines.append((initial, f"the initial submission deadline for {month:%B %Y}"))
        deadlines.append((final, f"the final submission deadline for {month:%B %Y}"))
    if not deadlines:
        return None, ""
    return min(deadlines, key=lambda item: item[0])


def as_at(period: ReportingPeriod | None, reporting: int | None, expected: int | None) -> AsAt:
    """The page's as-at line: built time, the month's coverage, and the next update. Two queries."""
    due, what = next_deadline()
    provisional = bool(period and not months.is_final(period))
    return AsAt(built_at(), period, reporting, expected, provisional, due, what)


def of_coverage(coverage: Any) -> AsAt:
    """From a `months.Coverage` (or None when the page has no figures)."""
    if coverage is None:
        return as_at(None, None, None)
    return as_at(coverage.period, coverage.reporting, coverage.expected)
