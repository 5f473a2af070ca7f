"""One set of figures per chart: drawn as the chart, shown as its table and downloaded as CSV,
so the three can never disagree."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.html import json_script
from markupsafe import Markup

from nhsportal.jinja2 import cell_html, figure

RATE_PLACES = Decimal("0.1")


def present(value: Any) -> Any:
    """A figure as the pages, charts and CSV all show it: rates to one decimal place (half up),
    counts whole, nothing as None."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return value


def as_text(value: Any) -> str:
    """A figure inside a sentence (a chart's summary, a sparkline's text): as `present` rounds it,
    with thousands separators (`figure`), a dash for nothing."""
    value = present(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return figure(value, 0 if isinstance(value, int) else 1)
    return "–" if value is None else str(value)


@dataclass
class Table:
    key: str  # the id of the table, its chart and its data block
    caption: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: dict[str, Any] | None = None  # a Chart.js configuration drawn from the same rows
    summary: str = ""  # what the chart shows, for its text alternative

    def add(self, *cells: Any) -> None:
        self.rows.append([present(cell) for cell in cells])

    def html_rows(self) -> list[tuple[Any, ...]]:
        """The rows as the page's table shows them: the first cell (the row's heading) as it is,
        every other cell through `cell_html`."""
        # Rates repeat (400 sites x 12 months have at most 1,001 of them): each is formatted once.
        decimals: dict[Decimal, Markup] = {}

        def html(cell: Any) -> Markup:
            if type(cell) is not Decimal:
                return cell_html(cell)
            shown = decimals.get(cell)
            if shown is None:
                shown = decimals[cell] = cell_html(cell)
            return shown

        return [(row[0], *map(html, row[1:])) for row in self.rows]  # tuples of text: no work for the garbage collector

    @property
    def chart_json(self) -> str:
        """The chart's data as a `<script type="application/json">` block (never executed)."""
        return json_script(_plain(self.chart), f"{self.key}-data") if self.chart else ""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_response(tables: list[Table], filename: str) -> HttpResponse:
    """Every table of a page, one after another, each under its caption."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        if len(tables) > 1:
            writer.writerow([table.caption])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([csv_cell(cell) for cell in row])
    return response


def line_chart(labels: list[str], series: dict[str, list[Any]], *, y_title: str) -> dict[str, Any]:
    return {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [{"label": name, "data": [present(v) for v in values]} for name, values in series.items()],
        },
        "y_title": y_title,
    }
