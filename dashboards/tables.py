"""One set of figures per chart: drawn as the chart, shown as its table and downloaded as CSV,
so the three can never disagree."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from numbers import Number
from typing import Any, NamedTuple

from django.http import HttpResponse
from django.utils.formats import get_format
from django.utils.formats import number_format as django_number_format
from django.utils.html import json_script
from django.utils.translation import get_language
from markupsafe import Markup, escape

RATE_PLACES = Decimal("0.1")
SHOWN_AS_ZERO = Decimal("0.1")  # Django's number_format, to 0 or 1 decimal places, shows anything smaller as 0
NO_FIGURE = Markup('<span class="nhsuk-u-visually-hidden">No figure</span>–')


def present(value: Any) -> Any:
    """A figure as the pages, charts and CSV all show it: rates to one decimal place (half up),
    counts whole, nothing as None."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    return value


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
        every other cell through `cell_html`, the number format looked up once for the table."""
        numbers = number_format()
        # Rates repeat (400 sites x 12 months have at most 1,001 of them) and equal Decimals show alike.
        decimals: dict[Decimal, Markup] = {}

        def html(cell: Any) -> Markup:
            if type(cell) is not Decimal:
                return cell_html(cell, numbers)
            shown = decimals.get(cell)
            if shown is None:
                shown = decimals[cell] = cell_html(cell, numbers)
            return shown

        return [(row[0], *map(html, row[1:])) for row in self.rows]  # tuples of text: no work for the garbage collector

    @property
    def chart_json(self) -> str:
        """The chart's data as a `<script type="application/json">` block (never executed)."""
        return json_script(_plain(self.chart), f"{self.key}-data") if self.chart else ""


class NumberFormat(NamedTuple):
    """The active language's separators, as Django's `number_format` reads them, HTML-escaped."""

    decimal_sep: str
    grouping: Any
    thousand_sep: str


def number_format() -> NumberFormat:
    language = get_language()
    decimal_sep, grouping, thousand_sep = (
        get_format(name, language) for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )
    return NumberFormat(str(escape(decimal_sep)), grouping, str(escape(thousand_sep)))


def cell_html(value: Any, numbers: NumberFormat | None = None) -> Markup:
    """A figure as a table cell shows it: a dash (read out as "No figure") for nothing, whole
    numbers with thousands separators, other numbers to one decimal place, text escaped.
    The same text as the `figure` filter gives; one function so every table renders alike, and
    fast enough for 400 sites x 13 months (a Jinja macro per cell is not)."""
    kind = type(value)
    if kind is int or kind is Decimal:  # nearly every cell: no slower checks first
        return _figure(value, 0 if kind is int else 1, numbers or number_format())
    if value is None or value == "":
        return NO_FIGURE
    if isinstance(value, Number):
        places = 0 if isinstance(value, int) and not isinstance(value, bool) else 1
        return escape(django_number_format(value, decimal_pos=places, force_grouping=True))
    return escape(value)


def _figure(value: int | Decimal, places: int, numbers: NumberFormat) -> Markup:
    """`nhsportal.jinja2.figure` (Django's `number_format`, grouping forced) without its per-call
    format lookups: digits, a sign and the escaped separators, safe as they are."""
    if numbers.grouping != 3:
        return escape(django_number_format(value, decimal_pos=places, force_grouping=True))
    if isinstance(value, int):
        text = f"{value:,}"
        return Markup(text if numbers.thousand_sep == "," else text.replace(",", numbers.thousand_sep))  # noqa: S704 - digits
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or len(digits) + abs(exponent) > 200:  # not finite, or Django's scientific notation
        return escape(django_number_format(value, decimal_pos=places, force_grouping=True))
    if abs(value) < SHOWN_AS_ZERO:
        value = Decimal(0)  # Django shows it as 0, without a sign
    whole, _, fraction = f"{value:,f}".partition(".")  # Django cuts extra places off, not rounds
    if numbers.thousand_sep != ",":
        whole = whole.replace(",", numbers.thousand_sep)
    fraction = fraction[:places].ljust(places, "0")
    return Markup(whole + numbers.decimal_sep + fraction if fraction else whole)  # noqa: S704 - digits


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
