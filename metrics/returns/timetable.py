"""The submission timetable, read from the template's SubmissionTimetable sheet.

The sheet types the month and its start and end; the four deadlines are formulas, which a
file saved by openpyxl holds without values. So they are worked out here, exactly as Excel
does, and `read_timetable` checks each formula is the one this code knows before trusting it:

    D  Initial submission date  =IF(WEEKDAY(C+(7*8))=7, C+(7*8)-1, IF(WEEKDAY(C+(7*8))=1, C+(7*8)-2, C+(7*8)))
       Eight weeks (56 days) after the period ends. WEEKDAY with no second argument counts
       Sunday = 1 … Saturday = 7, so a Saturday moves back one day and a Sunday two: the
       deadline is always a weekday, the Friday before when it would fall at a weekend.
       (Eight weeks later is the same weekday as the period end, so it is the months ending
       on a Saturday or Sunday that move.) Bank holidays are not considered: Oct-26's
       deadline is Friday 25 December 2026, as in the measurement guide's Appendix 1.
    E  Initial report due (the data quality report)   =D+7
    F  Data second submission date (final submission)  =E   the same day as the DQ report
    G  Final report date                               =F+7

`dates_for_month` gives the same dates for months beyond the sheet.
"""

from __future__ import annotations

import calendar
import datetime
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import openpyxl

from metrics.returns.template import TEMPLATE_PATH, TIMETABLE_SHEET

EIGHT_WEEKS = datetime.timedelta(days=7 * 8)
ONE_WEEK = datetime.timedelta(days=7)
HEADERS = (
    "Month",
    "Reporting period start",
    "Reporting period end",
    "Initial submission date",
    "Initial report due",
    "Data second submission date",
    "Final report date",
)
# The formulas of row {r}, without spaces, as the template has them.
FORMULAS = {
    "D": "=IF(WEEKDAY(C{r}+(7*8))=7,C{r}+(7*8)-1,IF(WEEKDAY(C{r}+(7*8))=1,C{r}+(7*8)-2,C{r}+(7*8)))",
    "E": "=D{r}+7",
    "F": "=E{r}",
    "G": "=F{r}+7",
}


@dataclass(frozen=True)
class PeriodDates:
    month: datetime.date  # first day of the reporting month
    period_start: datetime.date
    period_end: datetime.date
    initial_submission_due: datetime.date
    data_quality_report_due: datetime.date
    final_submission_due: datetime.date
    final_report_due: datetime.date


def initial_submission_due(period_end: datetime.date) -> datetime.date:
    """Period end + 56 days; a Saturday becomes the Friday before, and so does a Sunday."""
    due = period_end + EIGHT_WEEKS
    if due.weekday() == calendar.SATURDAY:  # Excel WEEKDAY(...) = 7
        return due - datetime.timedelta(days=1)
    if due.weekday() == calendar.SUNDAY:  # Excel WEEKDAY(...) = 1
        return due - datetime.timedelta(days=2)
    return due


def dates_for_month(month: datetime.date, *, period_start=None, period_end=None) -> PeriodDates:
    """The timetable's dates for a reporting month (the whole calendar month unless given)."""
    start = period_start or month.replace(day=1)
    end = period_end or month.replace(day=calendar.monthrange(month.year, month.month)[1])
    initial = initial_submission_due(end)
    quality_report = initial + ONE_WEEK
    final_submission = quality_report
    return PeriodDates(
        month=month.replace(day=1),
        period_start=start,
        period_end=end,
        initial_submission_due=initial,
        data_quality_report_due=quality_report,
        final_submission_due=final_submission,
        final_report_due=final_submission + ONE_WEEK,
    )


def read_timetable(path: str | Path | BinaryIO = TEMPLATE_PATH) -> list[PeriodDates]:
    """Every row of the SubmissionTimetable sheet, deadlines computed (see the module docstring).

    Raises ValueError if the sheet's headers or formulas are not the ones this code computes,
    so a changed template cannot silently give wrong deadlines. A deadline typed as a date
    instead of a formula is taken as typed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported"
        workbook = openpyxl.load_workbook(path)
    sheet = workbook[TIMETABLE_SHEET]
    headers = tuple(" ".join(str(cell.value or "").split()) for cell in sheet[1][: len(HEADERS)])
    if headers != HEADERS:
        raise ValueError(f"{TIMETABLE_SHEET} headers are {headers}, expected {HEADERS}")
    periods = []
    for row in range(2, sheet.max_row + 1):
        month = _date(sheet[f"A{row}"].value)
        if month is None:
            continue
        computed = dates_for_month(month, period_start=_date(sheet[f"B{row}"].value), period_end=_date(sheet[f"C{row}"].value))
        fields = ("initial_submission_due", "data_quality_report_due", "final_submission_due", "final_report_due")
        typed: dict[str, datetime.date] = {}
        for column, name in zip("DEFG", fields, strict=True):
            cell = sheet[f"{column}{row}"]
            if cell.data_type == "f":
                formula = re.sub(r"\s+", "", str(cell.value)).upper()
                if formula != FORMULAS[column].format(r=row):
                    raise ValueError(f"{TIMETABLE_SHEET}!{column}{row} holds {cell.value}, not {FORMULAS[column].format(r=row)}")
            elif (typed_date := _date(cell.value)) is not None:
                typed[name] = typed_date
        if typed:  # a typed date feeds the formulas after it, as in Excel
            computed = _with_typed_dates(computed, typed)
        periods.append(computed)
    return periods


def _with_typed_dates(dates: PeriodDates, typed: dict[str, datetime.date]) -> PeriodDates:
    initial = typed.get("initial_submission_due", dates.initial_submission_due)
    quality_report = typed.get("data_quality_report_due", initial + ONE_WEEK)
    final_submission = typed.get("final_submission_due", quality_report)
    final_report = typed.get("final_report_due", final_submission + ONE_WEEK)
    return PeriodDates(dates.month, dates.period_start, dates.period_end, initial, quality_report, final_submission, final_report)


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return None
