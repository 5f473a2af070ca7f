"""How a figure reads in a dashboard table: the same text the `figure` filter gives, a dash read
out as "No figure" for nothing, and text escaped, whichever page the table is on."""

import random
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from dashboards.tables import Table
from nhsportal.jinja2 import cell_html, figure

NO_FIGURE = '<span class="nhsuk-u-visually-hidden">No figure</span>–'


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, NO_FIGURE),
        ("", NO_FIGURE),
        (0, "0"),
        (1234567, "1,234,567"),
        (-1234, "\u22121,234"),  # a minus sign, not a hyphen
        (Decimal("1234.5"), "1,234.5"),
        (Decimal("12"), "12.0"),
        (Decimal("-0.0"), "0.0"),
        (Decimal("-0.04"), "0.0"),
        (Decimal("-3.25"), "\u22123.3"),  # rounded half up (away from zero), as `present` rounds figures
        (Decimal("138.96"), "139.0"),  # not cut to 138.9
        (1.5, "1.5"),
        ("12 of 40", "12 of 40"),
        ("<b>Leeds</b> & York", "&lt;b&gt;Leeds&lt;/b&gt; &amp; York"),
    ],
)
def test_a_cell_shows_a_figure_as_the_pages_always_have(value, shown):
    assert str(cell_html(value)) == shown


def test_whole_numbers_and_rates_read_exactly_as_the_figure_filter_gives_them():
    numbers = random.Random(5)
    for _ in range(2000):
        whole = numbers.randint(-(10**10), 10**10)
        rate = Decimal(numbers.randint(-(10**7), 10**7)).scaleb(-numbers.randint(0, 3))
        assert str(cell_html(whole)) == figure(whole, 0)
        assert str(cell_html(rate)) == figure(rate, 1)


def test_a_cell_follows_the_languages_separators():
    with translation.override("de"):
        assert str(cell_html(Decimal("1234.5"))) == figure(Decimal("1234.5"), 1) == "1.234,5"


def test_a_data_table_shows_each_row_heading_as_it_is_and_each_figure_formatted():
    table = Table("t", "Caption", ["Site", "Cohort", "Rate"])
    table.add("Leeds (your site)", 12345, Decimal("12.34"))
    table.add("<York>", None, Decimal("12.3"))
    template = engines["jinja2"].from_string('{% from "dashboards/_macros.jinja" import data_table %}{{ data_table(t) }}')

    html = template.render({"t": table})

    assert (
        '<tr class="nhsuk-table__row app-own-site"><th scope="row" class="nhsuk-table__cell">Leeds (your site)</th>'
        '<td class="nhsuk-table__cell app-numeric">12,345</td><td class="nhsuk-table__cell app-numeric">12.3</td></tr>'
    ) in html
    assert (
        '<tr class="nhsuk-table__row"><th scope="row" class="nhsuk-table__cell">&lt;York&gt;</th>'
        f'<td class="nhsuk-table__cell app-numeric">{NO_FIGURE}</td><td class="nhsuk-table__cell app-numeric">12.3</td></tr>'
    ) in html
