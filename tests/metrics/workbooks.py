"""Build test workbooks from the REAL template file: fill it as a site would, break it on purpose.

    make_workbook()                                  a plausible, valid v1.2 return (bytes)
    make_workbook(J21="12.5")                        any SubmissionTemplate cell set; None blanks it
    make_workbook(cells={"Instructions!B7": 46023})  a cell of any sheet
    make_workbook(layout="1.1")                      the earlier layout (one 80+ column)
    make_workbook(delete_sheets=["Instructions"])
    make_workbook(cached={"D8": 99.0})               a value Excel would have cached for a formula cell
    make_workbook(delete_columns=["J"])              a breakdown column deleted (60-69), the rest moved left
    make_workbook(insert_columns={"J": "60-64"})     a column inserted with that header in row 5

Hostile files, built from the same real template: `million_row_workbook()`,
`declared_million_rows()`, `zip_bomb()`, `macro_workbook()`, `html_behind_pdf_header()`.

The figures add up: every dimension sums to its Total, and counts from 1 to 5 are already
suppressed with * as the guide asks. `expected_values(layout)` gives them as the importer
should read them.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile

import openpyxl

from metrics.returns.checks import ParsedValue
from metrics.returns.template import (
    INPUT_DENOMINATOR_ROWS,
    LAYOUTS,
    METRICS,
    SUBMISSION_SHEET,
    TEMPLATE_PATH,
)
from metrics.returns.workbook import convert_to_earlier_layout

PLACE = "Croydon"
MONTH = datetime.date(2026, 1, 1)
SITE_IDS = {"Croydon": 1, "Dorset Place": 2, "Walsall": 3}

COHORT = {
    "total": 12000,
    **{
        "age_18_19": 120,
        "age_20_29": 540,
        "age_30_39": 780,
        "age_40_49": 1020,
        "age_50_59": 1560,
        "age_60_69": 2280,
        "age_70_79": 2760,
        "age_80_89": 2040,
        "age_90_plus": 780,
        "age_not_known": 120,
    },
    **{"eth_white": 9360, "eth_black": 840, "eth_asian": 1080, "eth_mixed": 300, "eth_other": 240, "eth_not_known": 180},
    **{"imd_1": 3000, "imd_2": 2760, "imd_3": 2400, "imd_4": 2040, "imd_5": 1560, "imd_not_known": 240},
}
COHORT["age_80_plus"] = COHORT["age_80_89"] + COHORT["age_90_plus"]

# A month's activity for a cohort of 12,000 older people with long-term conditions.
TOTALS = {
    "O1_NEW": 1500,
    "O1_FU": 3600,
    "O1_PROC": 420,
    "O2_ZERO_LOS": 240,
    "O2_ONE_PLUS_LOS": 380,
    "O3_BED_DAYS": 2900,
    "O4_CAT1": 30,
    "O4_CAT2": 150,
    "O4_CAT3": 90,
    "O4_CAT4": 12,
    "O5_TYPE1": 520,
    "O5_OTHER": 260,
    "O6_GP": 9800,
    "O6_COMMUNITY": 7400,
    "P1_CASELOAD": 850,
}


def _allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` in proportion to `weights`, largest remainders first, summing exactly."""
    whole = sum(weights.values())
    shares = {code: total * weight / whole for code, weight in weights.items()}
    counts = {code: int(share) for code, share in shares.items()}
    for code in sorted(shares, key=lambda c: shares[c] - counts[c], reverse=True)[: total - sum(counts.values())]:
        counts[code] += 1
    return counts


def _figure(count: int) -> int | str:
    return "*" if 1 <= count <= 5 else count


def figures(layout: str = "1.2") -> dict[str, dict[str, int | str]]:
    """metric code -> category -> what a site types (a count, or * for 1 to 5).

    The earlier layout holds the same return: 80+ is 80-89 + 90+, or * when either is
    suppressed (a sum that includes a hidden figure is itself unknown)."""
    shape = LAYOUTS["1.2"]
    by_metric = {"COHORT": {category: _figure(COHORT[category]) for category in shape.categories}}
    for code, total in TOTALS.items():
        counts = {"total": total}
        for dimension in ("age", "ethnicity", "imd"):
            members = [column.category for column in shape.dimension_columns(dimension)]
            counts.update(_allocate(total, {category: COHORT[category] for category in members}))
        by_metric[code] = {category: _figure(counts[category]) for category in shape.categories}
    if layout == "1.1":
        for code, row in by_metric.items():
            parts = (row["age_80_89"], row["age_90_plus"])
            merged = "*" if "*" in parts else sum(parts)
            by_metric[code] = {
                category: merged if category == "age_80_plus" else row[category] for category in LAYOUTS["1.1"].categories
            }
    return by_metric


def expected_values(layout: str = "1.2") -> dict[tuple[str, str], tuple]:
    """(metric, category) -> (numerator, denominator, numerator_suppressed, denominator_suppressed)."""
    typed = figures(layout)
    cohort = typed["COHORT"]
    expected = {}
    for metric in METRICS:
        for category, figure in typed[metric.code].items():
            denominator = cohort[category] if metric.has_rate else None
            expected[(metric.code, category)] = (
                None if figure == "*" else figure,
                None if denominator == "*" else denominator,
                figure == "*",
                denominator == "*",
            )
    return expected


def as_expected(values: list[ParsedValue]) -> dict[tuple[str, str], tuple]:
    return {
        (v.metric, v.category): (v.numerator, v.denominator, v.numerator_suppressed, v.denominator_suppressed) for v in values
    }


def make_workbook(
    *,
    place: object = PLACE,
    period: object = datetime.datetime(2026, 1, 1),
    layout: str = "1.2",
    delete_sheets: tuple[str, ...] | list[str] = (),
    cells: dict[str, object] | None = None,
    cached: dict[str, object] | None = None,
    delete_columns: tuple[str, ...] | list[str] = (),
    insert_columns: dict[str, str] | None = None,
    **overrides: object,
) -> bytes:
    """The real template filled with plausible figures, then `overrides` (SubmissionTemplate
    cells, e.g. J21="12.5"; None blanks a cell) and `cells` ("Sheet!A1": value) applied."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(TEMPLATE_PATH)
    if layout == "1.1":
        convert_to_earlier_layout(workbook)
    shape = LAYOUTS[layout]
    workbook["Instructions"]["B6"] = place
    workbook["Instructions"]["B7"] = period
    sheet = workbook[SUBMISSION_SHEET]
    typed = figures(layout)
    for metric in METRICS:
        for category, figure in typed[metric.code].items():
            sheet[shape.cell(category, metric.numerator_row)] = figure
    for row in INPUT_DENOMINATOR_ROWS:  # the cohort typed again for O1 follow-up and procedures
        for category, figure in typed["COHORT"].items():
            sheet[shape.cell(category, row)] = figure
    for cell, value in overrides.items():
        sheet[cell] = value
    for address, value in (cells or {}).items():
        sheet_name, cell = address.split("!")
        workbook[sheet_name][cell] = value
    for letter in delete_columns:
        sheet.delete_cols(openpyxl.utils.column_index_from_string(letter))
    for letter, header in (insert_columns or {}).items():  # an empty column with its header in row 5
        sheet.insert_cols(openpyxl.utils.column_index_from_string(letter))
        sheet[f"{letter}5"] = header
    for name in delete_sheets:
        del workbook[name]
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return _with_cached_values(data, cached, workbook.sheetnames) if cached else data


def _with_cached_values(data: bytes, cached: dict[str, object], sheetnames: list[str]) -> bytes:
    """Give formula cells of SubmissionTemplate the value Excel would have stored with them
    (openpyxl writes `<f>…</f><v />`: an empty cached value)."""
    part = f"xl/worksheets/sheet{sheetnames.index(SUBMISSION_SHEET) + 1}.xml"
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read(part).decode()
    for cell, value in cached.items():
        kind = "" if isinstance(value, int | float) else ' t="str"'
        pattern = rf'<c r="{cell}"([^>]*)><f>([^<]*)</f><v\s*/>'
        xml, found = re.subn(pattern, rf'<c r="{cell}"\1{kind}><f>\2</f><v>{value}</v>', xml)
        assert found == 1, f"{cell} is not a formula cell"
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, xml if item.filename == part else source.read(item.filename))
    return output.getvalue()


def with_extra_part(data: bytes, name: str, content: bytes, *, first: bool = False) -> bytes:
    """A copy of a ZIP-based file with one more member (an .xlsm's vbaProject.bin, say)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        if first:
            target.writestr(name, content)
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        if not first:
            target.writestr(name, content)
    return output.getvalue()


# --- Hostile files ---------------------------------------------------------------------------


def _submission_part(data: bytes) -> str:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
    return sheets[1]  # SubmissionTemplate is the template's second sheet


def _replace_part(data: bytes, part: str, write) -> bytes:
    """A copy of the package with `part` rewritten by `write(target_handle, original_xml)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename == part:
                with target.open(part, "w", force_zip64=True) as handle:
                    write(handle, source.read(part))
            else:
                target.writestr(item, source.read(item.filename))
    return output.getvalue()


def million_row_workbook(rows: int = 1_000_000, *, declare: bool = True, figures: bool = True) -> bytes:
    """The real template, filled in, with `rows` more rows below P1 in SubmissionTemplate, each
    with a figure in column D (7 MB: over the size limit) or, without `figures`, empty rows
    (a few KB however many: under it). With `declare`, its <dimension ref> says so too."""
    data = make_workbook()

    def write(handle, xml: bytes) -> None:
        head, tail = xml.split(b"</sheetData>", 1)
        if declare:
            head = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:Z{48 + rows}"'.encode(), head, count=1)
        else:
            head = re.sub(rb"<dimension [^>]*/>", b"", head, count=1)
        handle.write(head)
        batch = []
        for row in range(49, 49 + rows):
            batch.append(f'<row r="{row}"><c r="D{row}"><v>{row}</v></c></row>' if figures else f'<row r="{row}"/>')
            if len(batch) == 10_000:
                handle.write("".join(batch).encode())
                batch = []
        handle.write("".join(batch).encode())
        handle.write(b"</sheetData>" + tail)

    return _replace_part(data, _submission_part(data), write)


def declared_million_rows() -> bytes:
    """A small file whose SubmissionTemplate *declares* A1:Z1000000 (no more rows than usual)."""
    data = make_workbook()

    def write(handle, xml: bytes) -> None:
        handle.write(re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z1000000"', xml, count=1))

    return _replace_part(data, _submission_part(data), write)


def zip_bomb(inflated: int = 1536 * 1024 * 1024) -> bytes:
    """The real template with one more part: `inflated` bytes of zeros (1.5 GB by default),
    which deflate to about a thousandth of that."""
    data = make_workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("xl/media/image1.bin", "w", force_zip64=True) as handle:
            block = bytes(8 * 1024 * 1024)
            for _ in range(inflated // len(block)):
                handle.write(block)
            handle.write(bytes(inflated % len(block)))
    return output.getvalue()


def macro_workbook() -> bytes:
    """The real template carrying a VBA project, as Excel saves an .xlsm renamed .xlsx."""
    return with_extra_part(make_workbook(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 VBA project")


def html_behind_pdf_header() -> bytes:
    """A web page with a %PDF- line put in front of it: not a PDF."""
    return b"%PDF-1.7\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><script>steal()</script></body></html>\n%%EOF\n"
