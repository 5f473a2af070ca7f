"""Issue 12: a number out of range in a query parameter or a path is refused (400 or 404),
never a server error, on every page and endpoint.

`/api/v1/dashboards/overview/?level=site&org=187931629756449062912` answered 500 on the
SQLite default (OverflowError). The walk below finds every numeric parameter itself: the
path arguments of every URL pattern, the filters of every API viewset (django-filter's
number and choice filters among them) and the query parameters the pages read, and sends
each one numbers no database column holds and digits int() does not read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.viewsets import ViewSetMixin

from nhsportal import params
from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role
from tests.nhsportal.test_url_crawl import all_patterns, fill, url_for, world  # noqa: F401  (the crawl's world)

pytestmark = pytest.mark.django_db

HUGE = "187931629756449062912"
ODD = ["-99999999999999999999", "²", "1e400", "0x10", " 7", "١٢"]
# What the pages read from the query string (the API's filters are found from their filtersets).
PAGE_PARAMETERS = ["page", "top", "org", "site", "wave", "from", "to", "based_on", "months", "region", "level", "number"]


def _filter_names(pattern) -> list[str]:
    view_class = getattr(pattern.callback, "cls", None)
    if view_class is None or not issubclass(view_class, ViewSetMixin):
        return []
    names = list(getattr(view_class, "filterset_fields", None) or [])
    filterset = getattr(view_class, "filterset_class", None)
    if filterset is not None:
        names += list(filterset.base_filters)
    return names


@pytest.fixture
def admin_client(world, settings):  # noqa: F811
    # The crawl's evidence record names a file; give it one, so its download is a real answer.
    stored = Path(settings.MEDIA_ROOT) / world.evidence.file.name
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.7\n%%EOF\n")
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.ADMINISTRATOR, username="numbers.admin"))
    return client


def test_every_numeric_parameter_out_of_range_is_a_400_or_404_not_a_500(world, admin_client):  # noqa: F811
    problems, walked = [], 0
    for route, name, pattern in all_patterns():
        if name.startswith("admin:") or name in {"logout"}:
            continue
        values, _ = fill(route, name, pattern, world)
        url = url_for(route, name, values)
        names = sorted(set(PAGE_PARAMETERS + _filter_names(pattern)))
        for value in [HUGE, *ODD]:  # every parameter at once, with a level the dashboards know
            walked += 1
            response = admin_client.get(url, {**{parameter: value for parameter in names}, "level": "site"})
            if response.status_code >= 500:
                problems.append(f"GET {url}?…={value!r} ({name}): {response.status_code}")
        for parameter in names:  # and each alone, so no parameter hides behind another's refusal
            walked += 1
            response = admin_client.get(url, {parameter: HUGE, **({"level": "site"} if parameter != "level" else {})})
            if response.status_code >= 500:
                problems.append(f"GET {url}?{parameter}={HUGE} ({name}): {response.status_code}")
        for key, value in values.items():
            if isinstance(value, int):
                # Built from a 9-digit id, then widened: a bounded converter would refuse to reverse it.
                huge_url = url_for(route, name, {**values, key: 999_999_999}).replace("999999999", HUGE)
                response = admin_client.get(huge_url)
                if response.status_code >= 500:
                    problems.append(f"GET {huge_url} ({name}, {key}): {response.status_code}")
    assert walked > 1000
    assert not problems, "\n".join(problems)


def test_the_reported_overview_url_is_refused_with_a_400():
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER, username="numbers.taskforce"))

    response = client.get(reverse("api:dashboard-overview"), {"level": "site", "org": HUGE})

    assert response.status_code in {400, 404}
    assert response.status_code != 500


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("7", 7), ("0", 0), ("2147483647", 2147483647), ("", None), (None, None)],
)
def test_the_shared_parser_reads_whole_numbers_in_range(raw, expected):
    assert params.whole_number(raw, name="org") == expected


@pytest.mark.parametrize("raw", [HUGE, "2147483648", "-1", "²", "١٢", "1.5", "1e3", " 7", "seven"])
def test_the_shared_parser_refuses_anything_else_naming_the_parameter(raw):
    with pytest.raises(params.BadParameter) as refused:
        params.whole_number(raw, name="org")

    assert "org" in str(refused.value) and "whole number" in str(refused.value)


@pytest.mark.parametrize("day", ["99999999999999999999", "²", "31"])
def test_a_date_typed_in_parts_with_an_impossible_day_is_a_message_not_a_crash(day):
    from django.core.exceptions import ValidationError

    from nhsportal.forms import DateField

    field = DateField(label="Date", label_for_errors="date of the session")

    with pytest.raises(ValidationError) as refused:
        field.clean([day, "2", "2026"])

    assert refused.value.messages == ["The date of the session must be a real date, for example 15 3 2026."]
