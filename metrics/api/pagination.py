"""Keyset ("cursor") pagination for the rollups API: millions of rows, so no page is found by
counting or sorting them all.

Rows come in the order they were built (their id, the primary key) unless `ordering` names one
of ORDERING_FIELDS, optionally with a leading "-"; ties, and rows without that figure (last),
are then in id order. A page is the rows after the last one the caller has seen, named by the
opaque `cursor` of the `next` link: one index range, however deep the page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, cast
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import F, Field, Q, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as BadRequest
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.models import Rollup

ORDERING_FIELDS = ("rate", "sum_numerator", "sum_denominator")
CURSOR = "cursor"
ORDERING = "ordering"


class RollupCursorPagination(BasePagination):
    page_size = 50

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        field, descending = self._ordering(request)
        after = self._cursor(request, field)
        rows = queryset
        if after is not None:
            rows = rows.filter(_after(field, descending, *after))
        rows = rows.order_by(*_order_by(field, descending))
        found = list(rows[: self.page_size + 1])
        self.page = found[: self.page_size]
        self.next_key = None
        if len(found) > self.page_size:
            last = self.page[-1]
            self.next_key = (getattr(last, field) if field else None, last.pk)
        self.field = field
        return self.page

    def _ordering(self, request: Request) -> tuple[str | None, bool]:
        wanted = request.query_params.get(ORDERING, "").strip()
        if not wanted:
            return None, False
        field = wanted.removeprefix("-")
        if field not in ORDERING_FIELDS:
            raise BadRequest(
                {ORDERING: [f"Order by one of {', '.join(ORDERING_FIELDS)} (with - for descending); got {wanted!r}."]}
            )
        return field, wanted.startswith("-")

    def _cursor(self, request: Request, field: str | None) -> tuple[Any, int] | None:
        raw = request.query_params.get(CURSOR)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
            pk = int(data["id"])
            value = data.get("v")
            if field and value is not None:
                # The ordering fields are concrete columns of Rollup, never relations.
                value = cast(Field, Rollup._meta.get_field(field)).to_python(value)
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error, ValidationError) as exc:
            raise NotFound("Invalid cursor: follow the `next` link of the page before.") from exc
        return value, pk

    def get_next_link(self) -> str | None:
        if self.next_key is None:
            return None
        value, pk = self.next_key
        token = base64.urlsafe_b64encode(json.dumps({"v": None if value is None else str(value), "id": pk}).encode()).decode()
        params = self.request.query_params.copy()
        params[CURSOR] = token
        return self.request.build_absolute_uri(self.request.path) + "?" + urlencode(list(params.lists()), doseq=True)

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri", "description": "The next page, if any."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": CURSOR,
                "required": False,
                "in": "query",
                "description": "Where the page starts: as given in the `next` link of the page before.",
                "schema": {"type": "string"},
            },
            {
                "name": ORDERING,
                "required": False,
                "in": "query",
                "description": f"Order by {', '.join(ORDERING_FIELDS)} (prefix - for descending); by default rows come "
                "in the order they were built.",
                "schema": {"type": "string", "enum": [*ORDERING_FIELDS, *(f"-{f}" for f in ORDERING_FIELDS)]},
            },
        ]


def _order_by(field: str | None, descending: bool) -> list[Any]:
    if field is None:
        return ["pk"]
    if descending:
        return [F(field).desc(nulls_last=True), "-pk"]
    return [F(field).asc(nulls_last=True), "pk"]


def _after(field: str | None, descending: bool, value: Any, pk: int) -> Q:
    """The rows that come after (value, pk) in `_order_by`'s order."""
    beyond = "lt" if descending else "gt"
    if field is None:
        return Q(**{f"pk__{beyond}": pk})
    if value is None:  # among the rows without the figure, which come last
        return Q(**{f"{field}__isnull": True, f"pk__{beyond}": pk})
    return Q(**{f"{field}__{beyond}": value}) | Q(**{field: value, f"pk__{beyond}": pk}) | Q(**{f"{field}__isnull": True})
