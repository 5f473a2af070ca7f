"""CSV and XLSX exports of applications with their scores, for the taskforce.

The rows are the taskforce list's rows (same filters, same scoping). Scores follow the same
rule as the pages: where the person may not see the reviews yet (an assigned reviewer who
has not submitted, or who declared a conflict) the score cells say so. Text that a
spreadsheet would run as a formula (=, +, -, @) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font

from applications.deadlines import LONDON
from applications.models import Application
from applications.selectors import score_summaries
from sites.models import weighted_deprivation

HEADERS = [
    "Round",
    "Place",
    "ICB",
    "Region",
    "Status",
    "Lead applicant",
    "Submitted (UK time)",
    "Population",
    "Most deprived decile (1 = most deprived)",
    "% of LSOAs in most deprived 20%",
    "Reviews submitted",
    "Weighted score (mean, out of 100)",
    "Lowest reviewer score",
    "Highest reviewer score",
    "Spread",
    "Strong disagreement",
    "Recommendations",
    "Decision",
    "Decision rationale",
]
HIDDEN = "Hidden until your own review is submitted"


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def rows(user: Any, applications: QuerySet[Application]) -> Iterable[list[Any]]:
    items = list(applications.select_related("decision").prefetch_related("place__local_authorities"))
    summaries = score_summaries(user, items)
    for application in items:
        summary = summaries.get(application.pk)
        deprivation = weighted_deprivation(list(application.place.local_authorities.all()))
        lead = application.lead_applicant
        decision = getattr(application, "decision", None)
        if summary is None:
            scores: list[Any] = [HIDDEN, "", "", "", ""]
            recommendations = ""
        else:
            values = [score for _, score in summary.reviews]
            scores = [
                summary.mean,
                min(values) if values else None,
                max(values) if values else None,
                summary.spread,
                "Yes" if summary.strong_disagreement else "No",
            ]
            recommendations = "; ".join(f"{label}: {count}" for label, count in summary.recommendations.items())
        yield [
            application.round.name,
            application.place.name,
            str(application.place.icb),
            application.place.icb.region.name,
            application.get_status_display(),
            (lead.get_full_name() or lead.get_username()) if lead else "",
            application.submitted_at.astimezone(LONDON).replace(tzinfo=None) if application.submitted_at else None,
            application.place.population,
            int(deprivation["most_deprived_decile"]) if deprivation else None,
            deprivation["pct_lsoas_most_deprived_20"] if deprivation else None,
            summary.count if summary is not None else "",
            *scores,
            recommendations,
            decision.get_outcome_display() if decision else "",
            decision.rationale if decision else "",
        ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def as_csv(user: Any, applications: QuerySet[Application]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows(user, applications):
        writer.writerow([_safe(_text(value)) for value in row])
    # A byte-order mark, so Excel opens the UTF-8 file with the right characters.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(user: Any, applications: QuerySet[Application]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Applications"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(user, applications):
        sheet.append([float(value) if isinstance(value, Decimal) else _safe(value) for value in row])
    for cell in sheet["G"][1:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "C2"
    for column, width in zip(
        "ABCDEFGHIJKLMNOPQRS", [28, 28, 30, 24, 16, 22, 18, 12, 14, 14, 10, 14, 12, 12, 10, 12, 30, 14, 50], strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
