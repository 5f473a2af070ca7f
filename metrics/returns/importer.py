"""Read and validate a completed NNHIP data collection template (.xlsx), without storing anything.

`read_return(data, context)` reports every problem at once, each naming its sheet and cell
with a sentence a person can act on. Nothing here touches the database: the caller passes
what it knows (Places, the uploader's sites, periods) in an `ImportContext`.

How a workbook is read
    * The file type is decided by content, not by name (`metrics.returns.checks.describe_non_xlsx`).
    * It is loaded twice: once for what was typed and the formulas, once (`data_only`) for
      the values Excel cached when it saved. Files saved by other tools have no cached values,
      so a denominator holding a simple reference (=D7, or =D16 which is =D7) is followed to the
      cell it names; a typed number replaces the formula. The figure's cell is the one followed
      to, because that is where a person fixes it.
    * Rates are never read as figures: the portal computes them from numerator and
      denominator. A rate cell holding a number (typed, or cached by Excel) is compared with
      that and a difference over 0.05 is a warning.
    * The layout (v1.2 or the earlier 80+ one) is read from the age headers in row 5.

Problem codes decided here (the count rules are in `metrics.returns.checks`):
    not_xlsx, missing_sheet, place_missing, place_unknown, place_not_yours, period_missing,
    period_unknown, period_not_ended, period_closed, layout_unknown, missing_column,
    extra_column, missing_metric_row, extra_metric_row, blank_cell, not_a_count (errors);
    rate_mismatch (warning).

Stricter than it once was, to match the national analysts' own checks: every label in
column C (numerator, cohort and rate rows) must be the template's, not merely start like
it; nothing may sit below P1 or right of the layout's last column. Deliberately more
tolerant than the analysts in two ways (ADR 10): Place names and labels compare with
spaces folded and case ignored, and the file type is decided by content, not by name.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings as python_warnings

import openpyxl

from metrics.returns.checks import (
    ParsedValue,
    Problem,
    describe_non_xlsx,
    problem,
    show,
    validate_values,
)
from metrics.returns.sheet import ImportContext as ImportContext
from metrics.returns.sheet import ParsedReturn as ParsedReturn
from metrics.returns.sheet import (
    _check_extents,
    _check_labels,
    _rate_problems,
    _read_layout,
    _read_values,
    _Sheet,
)
from metrics.returns.template import (
    INSTRUCTIONS_SHEET,
    PERIOD_CELL,
    PLACE_CELL,
    REQUIRED_SHEETS,
    SUBMISSION_PERIOD_CELL,
    SUBMISSION_PLACE_CELL,
    SUBMISSION_SHEET,
    normalise_text,
)

__all__ = ["ImportContext", "ParsedReturn", "ParsedValue", "Problem", "normalise_place_name", "read_return", "validate_values"]

_MONTH_FORMATS = (
    *("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%Y-%m-%d", "%Y/%m/%d", "%m/%Y", "%Y-%m"),
    *("%b-%y", "%b-%Y", "%B-%y", "%B-%Y", "%b %y", "%b %Y", "%B %y", "%B %Y"),
    *("%d-%b-%y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%d %b %y"),
)
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)


def normalise_place_name(name: object) -> str:
    """Whitespace collapsed, case ignored: "  Dorset   place " is "Dorset Place"."""
    return normalise_text(name)


def read_return(data: bytes, context: ImportContext) -> ParsedReturn:
    result = ParsedReturn(layout="", site_id=None, place_name="", month=None)
    refusal = describe_non_xlsx(data)
    if refusal:
        result.errors.append(Problem("", "", "not_xlsx", refusal))
        return result
    try:
        with python_warnings.catch_warnings():
            python_warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
            typed = openpyxl.load_workbook(io.BytesIO(data))
            cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds of error for a damaged file
        message = "The file could not be opened as an Excel workbook; it may be damaged. Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that."
        result.errors.append(Problem("", "", "not_xlsx", message))
        return result
    for name in REQUIRED_SHEETS:
        if name not in typed.sheetnames:
            text = f'The workbook has no sheet called "{name}". Upload the NNHIP data collection template with its sheets as they are (not renamed or deleted).'
            result.errors.append(Problem(name, "", "missing_sheet", text))
    _read_place(typed, cached, context, result)
    _read_period(typed, cached, context, result)
    if SUBMISSION_SHEET in typed.sheetnames:
        sheet = _Sheet(typed[SUBMISSION_SHEET], cached[SUBMISSION_SHEET])
        layout = _read_layout(sheet, result)
        bad_rows = _check_labels(sheet, result)
        if layout:
            _check_extents(sheet, layout, result)
        if layout:
            result.layout = layout.version
            _read_values(sheet, layout, bad_rows, result)
            errors, warnings = validate_values(result.values, layout=layout)
            result.errors.extend(errors)
            result.warnings.extend(warnings)
            result.warnings.extend(_rate_problems(sheet, layout, result.values))
    result.errors = list(dict.fromkeys(result.errors))
    result.warnings = list(dict.fromkeys(result.warnings))
    return result


def _first_filled(typed, cached, cells: list[tuple[str, str]]) -> tuple[object, str, str]:
    """The first of (sheet, cell) holding something: typed, or calculated by Excel."""
    for sheet_name, cell in cells:
        if sheet_name not in typed.sheetnames:
            continue
        value = typed[sheet_name][cell].value
        if typed[sheet_name][cell].data_type == "f":
            value = cached[sheet_name][cell].value
            # Excel shows =Instructions!B6 of a blank as 0, and of a deleted sheet as #REF!.
            value = None if value in (0, "") or str(value).startswith("#") else value
        if value is not None and str(value).strip():
            return value, sheet_name, cell
    sheet_name = INSTRUCTIONS_SHEET if INSTRUCTIONS_SHEET in typed.sheetnames else SUBMISSION_SHEET
    return None, sheet_name, cells[0][1] if sheet_name == INSTRUCTIONS_SHEET else cells[1][1]


def _read_place(typed, cached, context: ImportContext, result: ParsedReturn) -> None:
    raw, sheet, cell = _first_filled(typed, cached, [(INSTRUCTIONS_SHEET, PLACE_CELL), (SUBMISSION_SHEET, SUBMISSION_PLACE_CELL)])
    if raw is None:
        text = "the Project Name (your Place) is empty. Choose your Place from the list in Instructions!B6."
        result.errors.append(problem(cell, "place_missing", text, sheet=sheet))
        return
    result.place_name = " ".join(str(raw).split())
    places = {normalise_place_name(name): site_id for name, site_id in context.places.items()}
    site_id = places.get(normalise_place_name(raw))
    if site_id is None:
        text = f'"{result.place_name}" is not one of the programme\'s Places. Choose your Place from the list in Instructions!B6 rather than typing it.'
        result.errors.append(problem(cell, "place_unknown", text, sheet=sheet))
    elif site_id not in context.allowed_site_ids:
        text = f'this return is for "{result.place_name}", which is not one of your sites. Choose your own Place, or ask the programme team for access to {result.place_name}.'
        result.errors.append(problem(cell, "place_not_yours", text, sheet=sheet))
    else:
        result.site_id = site_id


def parse_month(value: object, epoch: datetime.datetime = _EXCEL_EPOCH) -> datetime.date | None:
    """The month (its first day) a submission-period cell names: a date, an Excel serial
    number (46023), or text such as "01/01/2026" (UK day/month order), "Jan-26" or "January 2026"."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+(\.\d+)?\s*", value):
        value = float(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # Excel's serial numbers run up to 31/12/9999
            return None
        day = (epoch + datetime.timedelta(days=int(value))).date()
        return day.replace(day=1) if 1990 <= day.year <= 2100 else None
    if isinstance(value, str):
        text = " ".join(value.split()).replace(" 00:00:00", "")
        for pattern in _MONTH_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date().replace(day=1)
            except ValueError:
                continue
    return None


def _read_period(typed, cached, context: ImportContext, result: ParsedReturn) -> None:
    raw, sheet, cell = _first_filled(
        typed, cached, [(INSTRUCTIONS_SHEET, PERIOD_CELL), (SUBMISSION_SHEET, SUBMISSION_PERIOD_CELL)]
    )
    if raw is None:
        text = "the Submission Period is empty. Choose the month this return covers from the list in Instructions!B7."
        result.errors.append(problem(cell, "period_missing", text, sheet=sheet))
        return
    month = parse_month(raw, typed.epoch)
    if month is None:
        text = (
            f'"{show(raw)}" is not a month. Choose the submission period from the list in Instructions!B7 (for example Jan-26).'
        )
        result.errors.append(problem(cell, "period_unknown", text, sheet=sheet))
        return
    result.month = month
    status = context.periods.get(month)
    if status is None:
        text = f"{month:%B %Y} is not a reporting period of the programme. Choose the month this return covers from the list in Instructions!B7."
        result.errors.append(problem(cell, "period_unknown", text, sheet=sheet))
    elif status == "not_ended":
        text = (
            f"{month:%B %Y} has not ended yet: a month's return can be filed once the month is over. "
            "Check the submission period, or file this return when the month has ended."
        )
        result.errors.append(problem(cell, "period_not_ended", text, sheet=sheet))
    elif status == "closed" and not context.allow_closed:
        text = f"the {month:%B %Y} period is closed, so returns for it can no longer be uploaded. Contact the programme team if a correction is needed."
        result.errors.append(problem(cell, "period_closed", text, sheet=sheet))
