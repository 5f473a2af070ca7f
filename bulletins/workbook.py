"""The bulletin's tables as an XLSX (openpyxl): a cover sheet, then one sheet per table."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from bulletins.models import Bulletin
from bulletins.tables import tables


def render(bulletin: Bulletin, site_ids: set[int] | None = None) -> bytes:
    contents = bulletin.contents
    book = Workbook()
    cover = book.active
    cover.title = "Bulletin"
    headline = contents["headline"]
    cover.append([f"NNHIP monthly bulletin: {contents['period']['label']} (version {bulletin.version})"])
    cover["A1"].font = Font(bold=True, size=14)
    cover.append(["Figures read at", contents["read_at"]])
    for label, key in (("Sites expected (England)", "expected"), ("Returns signed off", "signed_off"), ("On time", "on_time"),
                       ("Late", "late"), ("Missing", "missing")):  # fmt: skip
        cover.append([label, headline[key]])
    if site_ids is not None:
        cover.append(["These sheets hold your own site's rows only."])
    cover.column_dimensions["A"].width = 40
    for table in tables(contents, site_ids):
        sheet = book.create_sheet(table.sheet)
        sheet.append([table.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        if not table.rows:
            sheet.append([table.empty])
        for column, width in zip("ABCDEFGH", (40, 30, 20, 16, 16, 18, 40, 10), strict=False):
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
