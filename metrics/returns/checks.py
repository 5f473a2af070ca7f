"""Rules a return's figures must obey, whichever way they arrive.

The spreadsheet importer, the web form and the JSON API all build `ParsedValue`s and hand
them to `validate_values`, so a count is judged the same way everywhere. What can only go
wrong inside a workbook (a missing sheet, a moved row, an unreadable cell) is checked in
`metrics/returns/importer.py` and `metrics/returns/sheet.py`.

Problem codes decided here:
    negative_count                   error    a count below zero
    zero_denominator_with_numerator  error    a count above zero for a cohort of 0
    small_number                     warning  an unsuppressed count from 1 to 5 (the guide asks for *)
    breakdown_total_mismatch         warning  a dimension's categories do not add up to the Total (with
                                              suppressed cells: the known ones exceed it, or fall short
                                              by more than 5 for each suppressed cell)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from metrics.returns.template import (
    DIMENSION_LABELS,
    LAYOUTS,
    METRICS_BY_CODE,
    SUBMISSION_SHEET,
    SUPPRESSION_MARKERS,
    Layout,
    describe_category,
)
from nhsportal import uploads

# The database stores counts as 32-bit integers; nothing a site counts in a month comes near.
LARGEST_COUNT = 2_147_483_647
SMALL_NUMBER_LIMIT = 5  # counts from 1 to this are "small": the guide asks for * instead
_A1 = re.compile(r"^[A-Z]{1,3}[1-9][0-9]*$")
_WHOLE_NUMBER_TEXT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$|^[+-]?\d+$")
_DECIMAL_TEXT = re.compile(r"^[+-]?\d[\d,]*\.\d+$|^[+-]?\.\d+$")


@dataclass(frozen=True)
class Problem:
    sheet: str  # "" for a workbook-level problem or a figure that did not come from a sheet
    cell: str  # "J21"; "" for workbook-level problems
    code: str
    message: str


@dataclass(frozen=True)
class ParsedValue:
    """One metric's figures for one breakdown category.

    `numerator_cell` / `denominator_cell` say where a figure came from: an A1 reference in
    SubmissionTemplate ("J21"; for a denominator held as =J7, the cell it points at), or, for
    figures from the web form or the API, whatever names the field there ("" is fine).
    A count that could not be read is None with its suppressed flag False."""

    metric: str
    category: str
    numerator: int | None
    denominator: int | None
    numerator_suppressed: bool
    denominator_suppressed: bool
    numerator_cell: str
    denominator_cell: str


def is_a1(cell: str) -> bool:
    return bool(_A1.match(cell))


def problem(cell: str, code: str, text: str, *, sheet: str = SUBMISSION_SHEET, where: str = "") -> Problem:
    """A problem at `sheet!cell`, or — for a figure that did not come from a sheet — at `where`."""
    if cell and is_a1(cell) and sheet:
        return Problem(sheet, cell, code, f"{sheet}!{cell}: {text}")
    return Problem("", cell, code, f"{where}: {text}" if where else text[:1].upper() + text[1:])


def is_suppression_marker(value: object) -> bool:
    """`*`, `<6`, `-` or `null`, in any case, spaces ignored: a suppressed figure, never zero."""
    return isinstance(value, str) and "".join(value.split()).casefold() in SUPPRESSION_MARKERS


def parse_count(raw: object) -> tuple[str, int | None]:
    """Read one count cell: ("count", n), ("suppressed", None), ("blank", None), ("decimal", None)
    for 12.5, or ("text", None) for anything else. Negative counts come back as counts: they are
    judged by `validate_values`, which also sees figures typed into the web form."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "blank", None
    if isinstance(raw, bool):
        return "text", None
    if isinstance(raw, int):
        return "count", raw
    if isinstance(raw, float):
        return ("count", int(raw)) if raw.is_integer() else ("decimal", None)
    if isinstance(raw, str):
        text = raw.strip()
        if is_suppression_marker(text):
            return "suppressed", None
        if _WHOLE_NUMBER_TEXT.match(text):
            return "count", int(text.replace(",", ""))
        if _DECIMAL_TEXT.match(text):
            number = float(text.replace(",", ""))
            return ("count", int(number)) if number.is_integer() else ("decimal", None)
    return "text", None


def show(raw: object) -> str:
    """A cell's content as a person typed it: 12.5, not 12.500000001; 1,234 for big counts."""
    if isinstance(raw, float):
        return f"{raw:.10g}"
    if isinstance(raw, int) and not isinstance(raw, bool):
        return f"{raw:,}"
    return str(raw).strip()


def unit_of(metric_code: str, part: str) -> str:
    return "patients in the cohort" if part == "denominator" else METRICS_BY_CODE[metric_code].unit


def _where(value: ParsedValue, part: str) -> str:
    metric = METRICS_BY_CODE[value.metric]
    figure = "number of patients in the cohort" if part == "denominator" else "count"
    return f"{metric.name} ({describe_category(value.category)}), {figure}"


def _figure(value: ParsedValue, part: str) -> tuple[int | None, bool, str]:
    if part == "numerator":
        return value.numerator, value.numerator_suppressed, value.numerator_cell
    return value.denominator, value.denominator_suppressed, value.denominator_cell


def validate_values(values: Iterable[ParsedValue], *, layout: str | Layout) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings for a return's figures, every one at once.

    `layout` ("1.2" or "1.1") says which age bands make up the age dimension. A metric or
    category that does not belong to the layout is a programming error (ValueError): the
    importer, form and API only build values from the catalogue."""
    layout = LAYOUTS[layout] if isinstance(layout, str) else layout
    values = list(values)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    lines: dict[tuple[str, str], dict[str, ParsedValue]] = {}
    for value in values:
        if value.metric not in METRICS_BY_CODE or value.category not in layout.categories:
            raise ValueError(f"{value.metric}/{value.category} is not part of the {layout.version} layout")
        metric = METRICS_BY_CODE[value.metric]
        parts = ("numerator", "denominator") if metric.has_rate else ("numerator",)
        for part in parts:
            lines.setdefault((value.metric, part), {})[value.category] = value
            count, suppressed, cell = _figure(value, part)
            if count is None or suppressed:
                continue
            unit = unit_of(value.metric, part)
            if count < 0:
                errors.append(
                    problem(
                        cell,
                        "negative_count",
                        f"{show(count)} is below zero. Enter a count of {unit} (0 or more), or * if it is fewer than 6.",
                        where=_where(value, part),
                    )
                )
            elif count > LARGEST_COUNT:
                errors.append(
                    problem(
                        cell,
                        "count_too_large",
                        f"{show(count)} is far larger than a month's count of {unit} can be. Check the figure: it may have extra digits.",
                        where=_where(value, part),
                    )
                )
            elif 1 <= count <= SMALL_NUMBER_LIMIT:
                warnings.append(
                    problem(
                        cell,
                        "small_number",
                        f"{count} is a small number. The measurement guide asks for counts below 6 to be "
                        f"replaced with *; enter * unless you are sure this figure may be shared.",
                        where=_where(value, part),
                    )
                )
        if metric.has_rate and _zero_cohort_with_activity(value):
            errors.append(
                problem(
                    value.numerator_cell,
                    "zero_denominator_with_numerator",
                    f"{show(value.numerator)} {metric.unit} are recorded but the number of patients in the cohort"
                    f"{_at(value.denominator_cell)} is 0. Check the cohort figure: activity needs patients in the cohort.",
                    where=_where(value, "numerator"),
                )
            )
    warnings.extend(_breakdown_problems(lines, layout))
    return _unique(errors), _unique(warnings)


def _at(cell: str) -> str:
    return f" ({cell})" if cell else ""


def _zero_cohort_with_activity(value: ParsedValue) -> bool:
    return (
        not value.numerator_suppressed
        and not value.denominator_suppressed
        and value.numerator is not None
        and value.numerator > 0
        and value.denominator == 0
    )


def _breakdown_problems(lines: dict[tuple[str, str], dict[str, ParsedValue]], layout: Layout) -> list[Problem]:
    found = []
    checked: set[tuple[str, ...]] = set()
    for (metric_code, part), by_category in lines.items():
        if "total" not in by_category:
            continue
        total_count, total_suppressed, total_cell = _figure(by_category["total"], part)
        if total_count is None or total_suppressed or total_count < 0:
            continue
        for dimension in ("age", "ethnicity", "imd"):
            columns = layout.dimension_columns(dimension)
            members = [member for column in columns if (member := by_category.get(column.category)) is not None]
            if len(members) != len(columns):
                continue
            figures = [_figure(member, part) for member in members]
            if any((count is None and not suppressed) or (count is not None and count < 0) for count, suppressed, _ in figures):
                continue  # an unreadable or negative figure is already an error
            cells = tuple(cell for _, _, cell in figures)
            # The cohort row feeds many denominators (=D7): check each set of cells once.
            key = (total_cell, *cells) if all(is_a1(c) for c in (total_cell, *cells)) else (metric_code, part, dimension)
            if key in checked:
                continue
            checked.add(key)
            added = sum(count for count, suppressed, _ in figures if not suppressed and count is not None)
            hidden = sum(1 for _, suppressed, _ in figures if suppressed)
            # A suppressed cell is fewer than 6, so it hides at most SMALL_NUMBER_LIMIT: the known
            # figures may fall short of the Total by up to that much for each one, never more, and
            # may never exceed it.
            if added > total_count or total_count - added > SMALL_NUMBER_LIMIT * hidden:
                label = DIMENSION_LABELS[dimension]
                if hidden:
                    plural = "cell" if hidden == 1 else "cells"
                    sums = (
                        f"the {label}{_at(_span(cells))} other than the {hidden} suppressed {plural} add up to {added:,} "
                        f"but the Total is {total_count:,}, which {hidden} suppressed {plural} (fewer than 6 each) cannot explain. "
                    )
                else:
                    sums = f"the {label}{_at(_span(cells))} add up to {added:,} but the Total is {total_count:,}. "
                found.append(
                    problem(
                        total_cell,
                        "breakdown_total_mismatch",
                        f"{sums}Check the Total and the {label}: each one of the {unit_of(metric_code, part)} counts "
                        f"in exactly one column, using Not known where it is not recorded.",
                        where=_where(by_category["total"], part),
                    )
                )
    return found


def _span(cells: tuple[str, ...]) -> str:
    """E21:N21 for a run of cells on one row; otherwise the cells listed."""
    if not cells or not all(is_a1(cell) for cell in cells):
        return ""
    rows = {re.sub(r"^[A-Z]+", "", cell) for cell in cells}
    return f"{cells[0]}:{cells[-1]}" if len(rows) == 1 else ", ".join(cells)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# --- Is it an Excel workbook at all? Decided by content: people rename files. ---------------


def describe_non_xlsx(data: bytes) -> str:
    """Empty for an .xlsx workbook openpyxl may load; otherwise a sentence saying what the file
    looks like and what is expected. The project's one sniffer decides (`nhsportal.uploads`):
    size, ZIP directory and declared sizes, macros, and each sheet's rows, before any parsing."""
    return uploads.describe_workbook_problem(data)
