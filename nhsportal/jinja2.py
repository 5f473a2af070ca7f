"""The Jinja2 environment for portal pages: project templates first, then the NHS.UK
frontend macros (nhsuk-frontend-jinja), with Django's url/static helpers."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from numbers import Number
from typing import Any, cast

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader
from markupsafe import Markup, escape

from dictionary.jinja import chart_definition_links, definition_link, with_codes
from nhsportal.formats import clock
from nhsportal.forms import error_summary_items, macro_params
from nhsportal.roles import roles_of
from nhsportal.site_pages import site_pages


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def uk_date(value: datetime.date | datetime.datetime | None, with_time: bool = False) -> str:
    """`1 April 2026`, or `1 April 2026 at 9:05am` (`at 3pm`) in Europe/London time."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        text = f"{value.day} {value:%B %Y}"
        if with_time:
            text += f" at {clock(value)}"
        return text
    return f"{value.day} {value:%B %Y}"


def figure(value: int | Decimal | float | None, places: int = 0) -> str:
    """Thousands separators, rounded half up to `places` (Django's number format alone cuts the
    digits off: 138.96 would read 138.9); a dash for nothing; a minus sign, not a hyphen, for a
    negative number (NHS content style)."""
    if value is None:
        return "–"
    if not isinstance(value, int):
        value = Decimal(repr(value) if isinstance(value, float) else value)
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if value == 0:
            value = abs(value)  # no "-0.0"
    return number_format(value, decimal_pos=places, force_grouping=True).replace("-", MINUS, 1)


MINUS = "\u2212"


NO_FIGURE = Markup('<span class="nhsuk-u-visually-hidden">No figure</span>–')


def cell_html(value: Any) -> Markup:
    """A figure in a dashboard table: a dash (read out as "No figure") for nothing, whole numbers
    with thousands separators, other numbers to one decimal place (`figure`), text escaped. One
    function, not a Jinja macro per cell: every table reads alike, and 400 sites × 13 months of
    cells render in milliseconds."""
    if value is None or value == "":
        return NO_FIGURE
    if isinstance(value, Number):
        return escape(figure(cast(int | Decimal | float, value), 0 if isinstance(value, int) else 1))
    return escape(value)


def person(user: Any, missing: str = "Not recorded") -> str:
    """A person's name (or username); `missing` when there is nobody: never recorded, or the
    account has since been deleted (every person a page names is a nullable foreign key)."""
    if user is None or not getattr(user, "pk", None):
        return missing
    return user.get_full_name() or user.get_username()


def problem_text(message: str, sheet: str = "", cell: str = "") -> str:
    """A problem's sentence without the `Sheet!A1: ` it starts with, where a table already shows the cell."""
    prefix = f"{sheet}!{cell}: " if cell else f"{sheet}: "
    return message.removeprefix(prefix) if sheet else message


def environment(**options: Any) -> Environment:
    options["loader"] = ChoiceLoader([options["loader"], PackageLoader("nhsuk_frontend_jinja")])
    options["undefined"] = ChainableUndefined
    options.setdefault("autoescape", True)
    env = Environment(**options)  # noqa: S701 - autoescape is on
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "field_params": macro_params,
            "form_errors": error_summary_items,
            "roles_of": roles_of,
            "site_pages": site_pages,  # a site's sub-navigation (templates/sites/_nav.jinja)
            "definition_link": definition_link,  # "Definition of this metric" (dictionary.jinja)
            "chart_definition_links": chart_definition_links,
            "table_cell": cell_html,  # a figure in a dashboard table: the one way every table shows it
            "support_email": settings.SUPPORT_EMAIL,  # the programme office, wherever a page says to contact it
            # The NHS.UK template's favicons and manifest; served unhashed by WhiteNoise.
            "assetPath": f"{settings.STATIC_URL}vendor/nhsuk/assets",
        }
    )
    env.filters.update(
        {"with_codes": with_codes, "uk_date": uk_date, "figure": figure, "problem_text": problem_text, "person": person}
    )
    return env
