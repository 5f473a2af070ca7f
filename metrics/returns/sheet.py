"""Reading the SubmissionTemplate sheet once the workbook has opened: which layout it is, its
headers, labels and extents, then its values and the rates the template's formulas work out.
What the importer (metrics.returns.importer) hands back is defined here too."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from metrics.returns.checks import (
    ParsedValue,
    Problem,
    is_a1,
    parse_count,
    problem,
    show,
    unit_of,
)
from metrics.returns.template import (
    DENOMINATOR_LABEL,
    DERIVED_DENOMINATOR_REFS,
    DIMENSION_HEADERS,
    DIMENSIONS,
    FIRST_DATA_COLUMN,
    GROUP_HEADER_ROW,
    HEADER_ROW,
    INPUT_DENOMINATOR_ROWS,
    LAST_ROW,
    LAYOUTS,
    MARKER_COLUMN,
    METRIC_DETAILS_COLUMN,
    METRIC_ID_COLUMN,
    METRIC_LINES,
    METRICS,
    Layout,
    normalise_text,
)

RATE_TOLERANCE = 0.05
_SIMPLE_REFERENCE = re.compile(r"^=\s*\$?([A-Z]{1,3})\$?([1-9][0-9]*)\s*$")


@dataclass
class ImportContext:
    places: dict[str, int]  # normalised Place name -> site id, for every known site
    allowed_site_ids: set[int]  # the uploader's own sites
    periods: dict[datetime.date, str]  # month (first day) -> "open" | "closed" | "not_ended"
    allow_closed: bool = False  # an administrator correcting a locked period


@dataclass
class ParsedReturn:
    layout: str  # "1.2" | "1.1"; "" when the layout could not be read
    site_id: int | None
    place_name: str
    month: datetime.date | None
    values: list[ParsedValue] = field(default_factory=list)  # complete only when there are no errors
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


class _Sheet:
    """One worksheet as typed (formulas) and as Excel last calculated it (cached values)."""

    def __init__(self, typed, cached):
        self.typed, self.cached = typed, cached

    def text(self, cell: str) -> str:
        value = self.typed[cell].value
        return "" if value is None else " ".join(str(value).split())

    def figure(self, cell: str) -> tuple[object, str, str]:
        """(content, the cell it came from, the formula when it could not be followed or calculated).

        A simple same-sheet reference is followed, so =D16 -> =D7 -> 1,200 reads 1,200 from D7.
        Any other formula gives Excel's cached value when the file has one."""
        seen = set()
        while True:
            seen.add(cell)
            item = self.typed[cell]
            if item.data_type != "f":
                return item.value, cell, ""
            formula = str(getattr(item.value, "text", item.value))
            reference = _SIMPLE_REFERENCE.match(formula.upper())
            if reference and f"{reference[1]}{reference[2]}" not in seen:
                cell = f"{reference[1]}{reference[2]}"
                continue
            value = self.cached[cell].value
            return value, cell, formula if value is None else ""


def _row5_headers(sheet: _Sheet, last_index: int) -> list[tuple[str, str]]:
    """(cell, text) of row 5 from E to its last non-empty header (looking up to 50 columns past
    the layout's last one)."""
    right = max(last_index, min(sheet.typed.max_column, last_index + 50))
    found = [
        (f"{get_column_letter(index)}{HEADER_ROW}", sheet.text(f"{get_column_letter(index)}{HEADER_ROW}"))
        for index in range(FIRST_DATA_COLUMN + 1, right + 1)
    ]
    while found and not found[-1][1]:
        found.pop()
    return found


def _alignment(layout: Layout, found: list[tuple[str, str]]) -> list[tuple[str, int, int, int, int]]:
    matcher = difflib.SequenceMatcher(
        None, [normalise_text(c.header) for c in layout.columns[1:]], [normalise_text(text) for _, text in found], autojunk=False
    )
    return [op for op in matcher.get_opcodes() if op[0] != "equal"]


_MOST_MOVED_COLUMNS = 3


def _which_layout(sheet: _Sheet) -> Layout | None:
    """The layout the marker header (L5) names; or else, when columns were only inserted or
    deleted (which moves the marker), the layout that explains row 5 with the fewest of them."""
    marker = normalise_text(sheet.text(f"{MARKER_COLUMN}{HEADER_ROW}"))
    for layout in LAYOUTS.values():
        if marker == normalise_text(layout.marker_header):
            return layout
    found = _row5_headers(sheet, max(layout.columns[-1].index for layout in LAYOUTS.values()))
    candidates = []
    for layout in LAYOUTS.values():
        ops = _alignment(layout, found)
        moved = sum(max(e2 - e1, f2 - f1) for _, e1, e2, f1, f2 in ops)
        if ops and all(tag != "replace" for tag, *_ in ops) and moved <= _MOST_MOVED_COLUMNS:
            candidates.append((moved, layout.version, layout))
    return min(candidates)[2] if candidates else None


def _read_layout(sheet: _Sheet, result: ParsedReturn) -> Layout | None:
    layout = _which_layout(sheet)
    if layout is None:
        marker = sheet.text(f"{MARKER_COLUMN}{HEADER_ROW}")
        found = f'found "{marker}"' if marker else "found nothing"
        expected = " or ".join(f'"{lay.marker_header}" ({lay.description})' for lay in LAYOUTS.values())
        text = f"{found} where the age group headers should read {expected}. The headers in row 5 tell the portal which version of the template this is: copy your figures into a fresh template."
        result.errors.append(problem(f"{MARKER_COLUMN}{HEADER_ROW}", "layout_unknown", text))
        return None
    before = len(result.errors)
    _check_headers(sheet, layout, result)
    if len(result.errors) == before:  # group headings sit over the right columns only once those are right
        for dimension in DIMENSIONS:
            cell = f"{layout.dimension_columns(dimension)[0].letter}{GROUP_HEADER_ROW}"
            _expect_header(sheet, cell, DIMENSION_HEADERS[dimension], result)
    return layout if len(result.errors) == before else None


_KEEP_COLUMNS = (
    "Keep the template's columns as they are (no columns inserted, deleted or moved): copy your figures into a fresh template."
)


def _expect_header(sheet: _Sheet, cell: str, header: str, result: ParsedReturn) -> None:
    found = sheet.text(cell)
    if normalise_text(found) != normalise_text(header):
        seen = f'found "{found}"' if found else "found nothing"
        text = f'expected the column header "{header}" here but {seen}. {_KEEP_COLUMNS}'
        result.errors.append(problem(cell, "missing_column", text))


def _check_headers(sheet: _Sheet, layout: Layout, result: ParsedReturn) -> None:
    """Row 5 against the layout's breakdown headers, aligned so that a deleted column is named
    ("60-69 is missing") rather than every header after it reported as wrong."""
    expected = layout.columns[1:]
    found = _row5_headers(sheet, layout.columns[-1].index)
    for tag, e1, e2, f1, f2 in _alignment(layout, found):
        pairs = min(e2 - e1, f2 - f1) if tag == "replace" else 0
        for offset in range(pairs):
            column = expected[e1 + offset]
            _expect_header(sheet, f"{column.letter}{HEADER_ROW}", column.header, result)
        for column in expected[e1 + pairs : e2]:
            before = f'"{expected[e1 - 1].header}"' if e1 > 0 else "the Total"
            where = f'between {before} and "{expected[e2].header}"' if e2 < len(expected) else f"after {before}"
            text = (
                f'the column "{column.header}" is missing: the template has it at {column.letter}{HEADER_ROW}, '
                f"{where}. {_KEEP_COLUMNS}"
            )
            result.errors.append(problem(f"{column.letter}{HEADER_ROW}", "missing_column", text))
        for cell, text in found[f1 + pairs : f2]:
            what = f'"{text}"' if text else "an empty column"
            message = f"found {what}, a column the template does not have here. {_KEEP_COLUMNS}"
            result.errors.append(problem(cell, "extra_column", message))


_KEEP_ROWS = "Metric rows must stay where the template puts them: do not insert, delete or sort rows."


def _check_labels(sheet: _Sheet, result: ParsedReturn) -> set[int]:
    """Rows whose labels are not the template's (spaces folded, case ignored); their figures
    are not read. Every row of a line is checked: numerator, cohort and rate."""
    bad_rows = set()
    for metric in METRIC_LINES:
        id_cell = f"{METRIC_ID_COLUMN}{metric.numerator_row}"
        if normalise_text(sheet.text(id_cell)) != normalise_text(metric.template_id):
            text = f'expected the metric id "{metric.template_id}" here but found "{sheet.text(id_cell)}". {_KEEP_ROWS}'
            result.errors.append(problem(id_cell, "missing_metric_row", text))
            bad_rows.add(metric.numerator_row)
        labels = [(metric.numerator_row, metric.label)]
        if metric.denominator_row:
            labels.append((metric.denominator_row, DENOMINATOR_LABEL))
        if metric.rate_row:
            labels.append((metric.rate_row, metric.rate_label))
        for row, label in labels:
            cell = f"{METRIC_DETAILS_COLUMN}{row}"
            if normalise_text(sheet.text(cell)) != normalise_text(label):
                found = f'found "{sheet.text(cell)}"' if sheet.text(cell) else "found nothing"
                text = f'expected "{label}" here but {found}. {_KEEP_ROWS}'
                result.errors.append(problem(cell, "missing_metric_row", text))
                bad_rows.add(row)
    return bad_rows


_MAX_EXTENT_PROBLEMS = 10


def _check_extents(sheet: _Sheet, layout: Layout, result: ParsedReturn) -> None:
    """Nothing below the last metric line (P1, row 48) and nothing right of the layout's last
    column: the analysts' pipeline refuses both, so the portal does too. One problem per row
    (below) or column (right), naming the first cell that holds something."""
    worksheet = sheet.typed
    found: list[Problem] = []
    last = layout.columns[-1]
    if worksheet.max_row > LAST_ROW:
        for row in worksheet.iter_rows(min_row=LAST_ROW + 1, max_row=worksheet.max_row):
            cell = next((c for c in row if c.value is not None and str(c.value).strip()), None)
            if cell is not None:
                text = (
                    f'found "{show(cell.value)}" below the last metric line (P1, row {LAST_ROW}). '
                    "The template has no rows below it: remove them, or copy your figures into a fresh template."
                )
                found.append(problem(cell.coordinate, "extra_metric_row", text))
            if len(found) >= _MAX_EXTENT_PROBLEMS:
                break
    if worksheet.max_column > last.index:
        for column in worksheet.iter_cols(min_col=last.index + 1, max_col=worksheet.max_column, max_row=LAST_ROW):
            cell = next((c for c in column if c.value is not None and str(c.value).strip()), None)
            if cell is not None:
                text = (
                    f'found "{show(cell.value)}" in a column the template does not have: its last column is '
                    f'{last.letter} ("{last.header}", {layout.description}). Remove it, or copy your figures into a fresh template.'
                )
                found.append(problem(cell.coordinate, "extra_column", text))
            if len(found) >= 2 * _MAX_EXTENT_PROBLEMS:
                break
    result.errors.extend(found)


def _read_values(sheet: _Sheet, layout: Layout, bad_rows: set[int], result: ParsedReturn) -> None:
    for metric in METRICS:
        rows = [metric.numerator_row, metric.denominator_row]
        if any(row in bad_rows for row in rows if row):
            continue
        for column in layout.columns:
            numerator, numerator_suppressed, numerator_cell = _read_count(
                sheet, column.letter, metric.numerator_row, metric.code, "numerator", result
            )
            denominator, denominator_suppressed, denominator_cell = None, False, ""
            if metric.denominator_row:
                denominator, denominator_suppressed, denominator_cell = _read_count(
                    sheet, column.letter, metric.denominator_row, metric.code, "denominator", result
                )
            result.values.append(
                ParsedValue(
                    metric.code,
                    column.category,
                    numerator,
                    denominator,
                    numerator_suppressed,
                    denominator_suppressed,
                    numerator_cell,
                    denominator_cell,
                )
            )


def _read_count(
    sheet: _Sheet, letter: str, row: int, metric: str, part: str, result: ParsedReturn
) -> tuple[int | None, bool, str]:
    raw, source, formula = sheet.figure(f"{letter}{row}")
    kind, count = parse_count(raw)
    unit = unit_of(metric, part)
    if formula:
        text = f"the formula {formula} has no calculated value the portal can read. Replace it with a count of {unit}, or * if it is fewer than 6."
        result.errors.append(problem(source, "not_a_count", text))
    elif kind == "blank":
        # Described by the cell followed to, so a blank E16 reads the same from E16 and from =E16.
        source_row = int(source.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if source_row in DERIVED_DENOMINATOR_REFS:
            restore = f"Put back the formula ={letter}{DERIVED_DENOMINATOR_REFS[source_row]} or enter the number of patients in the cohort."
        else:
            restore = f"Enter a count of {unit_of(metric, 'denominator' if source_row in INPUT_DENOMINATOR_ROWS else part)} (0 if there were none), or * if it is fewer than 6."
        result.errors.append(problem(source, "blank_cell", f"this cell is empty. {restore}"))
    elif kind == "decimal":
        text = f'"{show(raw)}" is not a whole number. Enter a count of {unit}, or * if it is fewer than 6.'
        result.errors.append(problem(source, "not_a_count", text))
    elif kind == "text":
        text = f'"{show(raw)}" is not a count. Enter a count of {unit}, or * if it is fewer than 6.'
        result.errors.append(problem(source, "not_a_count", text))
    return count, kind == "suppressed", source


def _rate_problems(sheet: _Sheet, layout: Layout, values: list[ParsedValue]) -> list[Problem]:
    """A number in a rate cell (typed, or cached by Excel) that disagrees with the counts."""
    found = []
    by_key = {(value.metric, value.category): value for value in values}
    for metric in METRICS:
        if not metric.rate_row:
            continue
        for column in layout.columns:
            value = by_key.get((metric.code, column.category))
            cell = f"{column.letter}{metric.rate_row}"
            shown = sheet.typed[cell].value if sheet.typed[cell].data_type == "n" else sheet.cached[cell].value
            if value is None or not isinstance(shown, int | float) or isinstance(shown, bool):
                continue
            if value.numerator is None or value.denominator is None or value.numerator_suppressed or value.denominator_suppressed:
                continue
            own = value.numerator / value.denominator * 1000 if value.denominator else 0.0
            if abs(shown - own) > RATE_TOLERANCE:
                counts = f"{value.numerator_cell} and {value.denominator_cell}" if is_a1(value.denominator_cell) else "the counts"
                text = (
                    f"the rate {show(shown)} does not match {value.numerator:,} ÷ {value.denominator:,} × 1,000 = {own:,.2f}. "
                    f"The portal calculates rates from the counts, so check {counts}, and put back the template's formula if it was typed over."
                )
                found.append(problem(cell, "rate_mismatch", text))
    return found
