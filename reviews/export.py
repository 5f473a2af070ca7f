"""The national ratings matrix as an Excel workbook (openpyxl), for the taskforce only."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from reviews.models import Domain
from reviews.pack import TREND_LABELS


def matrix_workbook(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ratings"
    header = ["Site", "Region", "Wave", "Latest review", "Status"]
    for domain in Domain:
        header += [domain.label, f"{domain.label} trend"]
    header += ["Overall", "Overall trend"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        review = row["review"]
        line = [
            row["site"].name,
            row["site"].place.icb.region.name,
            row["site"].wave.name,
            review.scheduled_for if review else None,
            review.get_status_display() if review else "Not reviewed yet",
        ]
        for each in row["domains"]:
            line += [each["rating"].get_rating_display() if each["rating"] else "", TREND_LABELS[each["trend"]]]
        line += [row["overall"].capitalize() if row["overall"] else "", TREND_LABELS[row["overall_trend"]]]
        sheet.append(line)
    for column, width in zip("ABCDE", (45, 30, 12, 14, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
