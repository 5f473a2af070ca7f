"""The one way a whole number is read from a request: a query parameter, a filter, a form field.

`int()` on request text is wrong in three ways the portal has met: it reads numbers no
column holds (`?org=187931629756449062912`, which SQLite cannot even bind: a 500), it reads
digits people never type as ids ("١٢"), and `str.isdigit()`, used to guard it, is true for
"²", which `int()` then refuses (another 500). `whole_number` reads plain ASCII digits, in
the range of the database's integer columns, and raises `BadParameter` (a ValueError)
naming the parameter otherwise; views turn that into a 400 (API) or 404 (pages).
`WholeNumberFilter` is django-filter's NumberFilter with the same rule, so API filters
answer 400 with the field's message instead of querying with the number.

`month` is the one way a reporting month is read from a request the same way: YYYY-MM, as
the portal writes months, or the month's first day (2026-09-01); any other day is refused
rather than silently read as its month. The API's month filters and fields
(`metrics.rollups.selectors.MonthField`) and the dashboards' pages and API
(`dashboards.months.parse_month`) all read months through it.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import BadRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

# The largest value of Django's AutoField and IntegerField on every backend the portal runs on.
LARGEST_ID = 2_147_483_647
_DIGITS = re.compile(r"[0-9]{1,10}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")


class BadParameter(BadRequest, ValueError):
    """A request parameter that is not a whole number in range; the message names it. A page
    that lets it go answers 400 (Django's BadRequest); the API's exception handler does too."""


def whole_number(raw: Any, *, name: str, minimum: int = 0, maximum: int = LARGEST_ID) -> int | None:
    """The whole number `raw` holds (None when absent or empty), or BadParameter."""
    if raw is None or raw == "":
        return None
    text = str(raw)
    if not _DIGITS.fullmatch(text) or not minimum <= int(text) <= maximum:
        raise BadParameter(f"`{name}` must be a whole number from {minimum:,} to {maximum:,}; {text[:40]!r} is not.")
    return int(text)


def month(raw: Any, *, name: str = "month") -> datetime.date | None:
    """The first day of the month `raw` names (None when absent or empty), or BadParameter."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    found = _MONTH.fullmatch(text)
    if not found or not 1 <= int(found[2]) <= 12 or found[3] not in (None, "01"):
        raise BadParameter(
            f"`{name}` must be a month as YYYY-MM, for example 2026-04 (or the month's first day, 2026-04-01); "
            f"{text[:40]!r} is not."
        )
    return datetime.date(int(found[1]), int(found[2]), 1)


class _WholeNumberField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if not _DIGITS.fullmatch(str(value)):
            raise forms.ValidationError("Enter a whole number.", code="invalid")
        return super().to_python(value)


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.NumberFilter):
    """A number filter for ids, wave numbers, deciles: a whole number within the range of an
    integer column, else a 400 naming the filter (never a query with the number)."""

    field_class = _WholeNumberField


class IdConverter:
    """`<id:pk>` in a URL: digits within the range of an id column; anything longer is a 404
    (no match) rather than a lookup with a number the database cannot bind."""

    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = whole_number(value, name="id")
        if number is None:
            raise ValueError("an empty id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
