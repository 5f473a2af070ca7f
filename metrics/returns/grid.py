"""The web form for small corrections is the template's own grid: one input per input
cell of SubmissionTemplate, named by its cell (D6, J21, …). What people type is written
into a copy of the official template and read back by the same importer as an upload,
so the form, the API and uploads are checked by exactly the same rules and messages."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl

from metrics.returns import template
from metrics.returns import workbook as export
from metrics.returns.checks import ParsedValue

LAYOUT = template.CURRENT_LAYOUT


@dataclass(frozen=True)
class GridRow:
    row: int
    template_id: str
    label: str
    cells: tuple[tuple[str, str], ...]  # (cell, category code)


def input_rows() -> list[GridRow]:
    """Every row a site types into: each metric's numerator, and the cohort rows 7, 10 and 13."""
    rows = []
    denominators = {
        metric.denominator_row: metric
        for metric in template.METRIC_LINES
        if metric.denominator_row in template.INPUT_DENOMINATOR_ROWS
    }
    for metric in template.METRIC_LINES:
        rows.append(GridRow(metric.numerator_row, metric.template_id, metric.numerator, _cells(metric.numerator_row)))
        if metric.denominator_row in denominators:
            rows.append(
                GridRow(
                    metric.denominator_row,
                    metric.template_id,
                    f"Patients in the cohort ({metric.name.split(' per ')[0].lower()})",
                    _cells(metric.denominator_row),
                )
            )
    return rows


def _cells(row: int) -> tuple[tuple[str, str], ...]:
    return tuple((f"{column.letter}{row}", column.category) for column in LAYOUT.columns)


def input_cells() -> set[str]:
    return {cell for row in input_rows() for cell, _ in row.cells}


def error_summary(problems: list, message: str = "") -> list[dict[str, str]]:
    """The error summary's items: every problem, linked to the grid input of its cell where
    the grid has one (a workbook-level problem, or a cell the grid does not show, links to
    the grid as a whole)."""
    inputs = input_cells()
    items = [{"text": message, "href": "#grid"}] if message else []
    for problem in problems:
        on_grid = problem.cell in inputs and problem.sheet in ("", template.SUBMISSION_SHEET)
        items.append({"text": problem.message, "href": f"#cell-{problem.cell}" if on_grid else "#grid"})
    return items


def cells_from_values(values: list[ParsedValue]) -> dict[str, str]:
    """A stored version's figures in the grid's cells (`*` where suppressed). An earlier-layout
    version's 80+ cannot be split into 80-89 and 90+, so those cells start empty."""
    by_key = {(v.metric, v.category): v for v in values}
    cells: dict[str, str] = {}
    for metric in template.METRIC_LINES:
        for column in LAYOUT.columns:
            value = by_key.get((metric.code, column.category))
            if value is None:
                continue
            cells[f"{column.letter}{metric.numerator_row}"] = "*" if value.numerator_suppressed else _text(value.numerator)
            if metric.denominator_row in template.INPUT_DENOMINATOR_ROWS:
                cells[f"{column.letter}{metric.denominator_row}"] = (
                    "*" if value.denominator_suppressed else _text(value.denominator)
                )
    return cells


def _text(number: int | None) -> str:
    return "" if number is None else str(number)


def workbook_from_cells(cells: dict[str, str], *, place_name: str, month, base: bytes | None = None) -> bytes:
    """The typed cells written over `base` (the version being corrected, as its template,
    so figures the grid does not show, such as a denominator typed over the template's
    formula, are kept), or over the blank template with Place and month filled in."""
    book = openpyxl.load_workbook(io.BytesIO(base or export.write_blank(place_name, month)))
    sheet = book[template.SUBMISSION_SHEET]
    allowed = input_cells()
    for cell, raw in cells.items():
        if cell not in allowed:
            continue
        text = raw.strip()
        # isdigit() alone is true for "²", which int() refuses: only ASCII digits are a number here.
        sheet[cell] = int(text) if text.isascii() and text.isdigit() else (text or None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
