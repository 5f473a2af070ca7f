"""Write returns back into the official NNHIP data collection template.

`write_blank` gives a site the template with its Place and period already chosen;
`write_return` gives analysts a return exactly as the portal holds it. Both start from a copy
of the real template file, so sheets, wording, styles and the rate formulas stay the
programme's own, and reading the file back with `metrics.returns.importer.read_return` gives back the
same values.

What goes in the cells
    * Instructions!B6 / B7: the Place and the month (shown as Jan-26). The drop-down lists on
      those cells are put back (openpyxl cannot keep Excel's originals).
    * Every input cell: the count, or * where the figure is suppressed. A figure the portal
      does not have stays blank, which the importer will report.
    * "Number of patients in the cohort" rows that are formulas in the template (=D7 …) keep
      their formula when it gives the figure held; where the return had a different figure
      typed over the formula, that number is written instead.
    * Rate rows keep the template's formulas; Excel recalculates them when the file opens.

Returns filed on the earlier layout (one 80+ age column)
    They are written in that layout: column M (90+) is removed, L5 reads 80+ and every
    column to the right moves one place left, formulas and headers with it. Splitting an 80+
    figure into 80-89 and 90+ would invent numbers; putting it under 80-89 (with 90+ blank
    or *) would make the file claim something the site never said and break the age total.
    Analysts get the file the site filed, which the importer reads back as the earlier layout
    with its own categories; `metrics.returns.template.comparable_category` is for comparing them.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
from collections.abc import Iterable

import openpyxl
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from metrics.returns.template import (
    DERIVED_DENOMINATOR_REFS,
    INSTRUCTIONS_SHEET,
    LAYOUT_V1_1,
    METRICS_BY_CODE,
    PERIOD_CELL,
    PERIOD_LIST_RANGE,
    PLACE_CELL,
    PLACE_LIST_RANGE,
    SUBMISSION_SHEET,
    TEMPLATE_PATH,
    Layout,
    layout_for_categories,
)

SUPPRESSED = "*"
_REMOVED_COLUMN = 13  # M: 90+ in v1.2
_SIMPLE_REFERENCE = re.compile(r"^=\s*\$?([A-Z]{1,3})\$?([1-9][0-9]*)\s*$")


def write_blank(place_name: str, month: datetime.date) -> bytes:
    """The template with the Place and submission period filled in, ready for a site's figures."""
    workbook = _open_template()
    _fill_place_and_period(workbook, place_name, month)
    return _to_bytes(workbook)


def write_return(values: Iterable, *, place_name: str, month: datetime.date) -> bytes:
    """A return's figures in the template. `values` are ParsedValue-like objects (metric,
    category, numerator, denominator, numerator_suppressed, denominator_suppressed).

    The layout follows the categories: a return holding `age_80_plus` is written in the
    earlier layout (see the module docstring). Two different figures for one cell (the cohort
    size given both as COHORT and as a denominator of row 7, say) raise ValueError rather
    than one silently winning."""
    values = list(values)
    layout = layout_for_categories(value.category for value in values)
    workbook = _open_template()
    if layout is LAYOUT_V1_1:
        convert_to_earlier_layout(workbook)
    _fill_place_and_period(workbook, place_name, month)
    sheet = workbook[SUBMISSION_SHEET]
    wanted = _cell_contents(values, layout)
    derived = {}
    for cell, content in wanted.items():
        row = int(re.sub(r"^[A-Z]+", "", cell))
        if row in DERIVED_DENOMINATOR_REFS:
            derived[cell] = (row, content)
        elif content is not None:
            sheet[cell] = content
    # Formula rows point at earlier rows (25 -> 16 -> 7), so in row order each sees its target final.
    for cell, (_, content) in sorted(derived.items(), key=lambda item: item[1][0]):
        if content is not None and content != _formula_gives(sheet, cell):
            sheet[cell] = content
    return _to_bytes(workbook)


def convert_to_earlier_layout(workbook: Workbook) -> None:
    """Turn a v1.2 template into the earlier layout: one 80+ column where v1.2 has 80-89 and
    90+. Column M goes; what was right of it moves one column left with its formulas rewritten
    (=IFERROR(N6/N7*1000,0) in N becomes =IFERROR(M6/M7*1000,0) in M) and its headers, merged
    group headings and widths."""
    sheet = workbook[SUBMISSION_SHEET]
    merged = [cell_range for cell_range in sheet.merged_cells.ranges if cell_range.max_col >= _REMOVED_COLUMN]
    merged_bounds = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in merged]
    for cell_range in merged:
        sheet.unmerge_cells(cell_range.coord)
    widths = {
        index: sheet.column_dimensions[get_column_letter(index)].width
        for index in range(_REMOVED_COLUMN + 1, sheet.max_column + 1)
    }
    sheet.delete_cols(_REMOVED_COLUMN)
    for row in sheet.iter_rows(min_col=_REMOVED_COLUMN):
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                origin = f"{get_column_letter(cell.column + 1)}{cell.row}"
                cell.value = Translator(cell.value, origin=origin).translate_formula(cell.coordinate)
    for min_row, min_col, max_row, max_col in merged_bounds:
        shift_start = 1 if min_col > _REMOVED_COLUMN else 0
        sheet.merge_cells(start_row=min_row, start_column=min_col - shift_start, end_row=max_row, end_column=max_col - 1)
    for index, width in widths.items():
        if width:
            sheet.column_dimensions[get_column_letter(index - 1)].width = width
    sheet[f"{LAYOUT_V1_1.marker_column}5"] = LAYOUT_V1_1.marker_header


def _open_template() -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported": restored below
        return openpyxl.load_workbook(TEMPLATE_PATH)


def _fill_place_and_period(workbook: Workbook, place_name: str, month: datetime.date) -> None:
    sheet = workbook[INSTRUCTIONS_SHEET]
    sheet[PLACE_CELL] = place_name
    sheet[PERIOD_CELL] = datetime.datetime(month.year, month.month, 1)
    sheet[PERIOD_CELL].number_format = "mmm-yy"
    for cell, source in ((PLACE_CELL, PLACE_LIST_RANGE), (PERIOD_CELL, PERIOD_LIST_RANGE)):
        validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True)
        validation.add(cell)
        sheet.add_data_validation(validation)
    workbook.calculation.fullCalcOnLoad = True  # no cached values: Excel works the formulas out on opening


def _content(count: int | None, suppressed: bool) -> int | str | None:
    return SUPPRESSED if suppressed else count


def _cell_contents(values: list, layout: Layout) -> dict[str, int | str | None]:
    wanted: dict[str, int | str | None] = {}

    def want(cell: str, content: int | str | None) -> None:
        if content is None:
            wanted.setdefault(cell, None)
        elif wanted.get(cell) is None:
            wanted[cell] = content
        elif wanted[cell] != content:
            raise ValueError(f"two different figures for {SUBMISSION_SHEET}!{cell}: {wanted[cell]!r} and {content!r}")

    for value in values:
        if value.metric not in METRICS_BY_CODE:
            raise ValueError(f"unknown metric {value.metric!r}")
        metric = METRICS_BY_CODE[value.metric]
        try:
            letter = layout.column_for(value.category).letter
        except KeyError as error:
            raise ValueError(str(error)) from error
        want(f"{letter}{metric.numerator_row}", _content(value.numerator, value.numerator_suppressed))
        if metric.denominator_row:
            want(f"{letter}{metric.denominator_row}", _content(value.denominator, value.denominator_suppressed))
    return wanted


def _formula_gives(sheet, cell: str) -> int | str | None:
    """What a =D7-style formula in `cell` shows, following chains; None if it is not one."""
    seen = set()
    while cell not in seen:
        seen.add(cell)
        item = sheet[cell]
        if item.data_type != "f":
            return item.value
        reference = _SIMPLE_REFERENCE.match(str(item.value).upper())
        if not reference:
            return None
        cell = f"{reference[1]}{reference[2]}"
    return None


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
