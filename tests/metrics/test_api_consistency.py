"""The returns API agrees with itself: months are written YYYY-MM in every filter (a month's
first day still accepted, any other day refused with what is expected), what return-values
lists can be filed back through returns/submit (COHORT rows included), and the catalogue
lists are paginated like every other list."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from metrics.models import BreakdownCategory, MetricDefinition, Return, ReturnValue, ReturnVersion
from tests.metrics.test_returns_api import _file, _period, _refusals, _starting, _submit, json_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as(db):
    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def filed(catalogue, croydon, staff):
    months = [_period(n) for n in (1, 2)]
    return months, [_file(croydon, p, staff) for p in months]


def _all(client, path, params):
    rows, url = [], path
    while url:
        response = client.get(url, params if url == path else None)
        assert response.status_code == 200, response.content
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/return-values/", "month"),
        ("/api/v1/return-versions/", "month"),
        ("/api/v1/returns/", "month"),
        ("/api/v1/returns/", "month_from"),
        ("/api/v1/returns/", "month_to"),
        ("/api/v1/periods/", "month"),
        ("/api/v1/periods/", "month_from"),
        ("/api/v1/periods/", "month_to"),
    ],
)
def test_every_month_filter_takes_yyyy_mm_and_the_months_first_day_alike(client_as, taskforce, filed, path, name):
    months, _ = filed
    client = client_as(taskforce)
    month = months[0].month

    short = client.get(path, {name: f"{month:%Y-%m}"})
    full = client.get(path, {name: month.isoformat()})

    assert short.status_code == 200, short.content
    assert short.json()["results"] == full.json()["results"]
    assert short.json()["count"] > 0


def test_the_issues_return_values_query_by_month_answers(client_as, taskforce, filed):
    months, returns = filed
    month = months[0].month

    response = client_as(taskforce).get("/api/v1/return-values/", {"month": f"{month:%Y-%m}", "metric": "O3_BED_DAYS"})

    assert response.status_code == 200
    assert {row["return_id"] for row in response.json()["results"]} == {returns[0].pk}


@pytest.mark.parametrize("given", ["2026-09-15", "09/2026", "2026-13"])
def test_a_month_that_is_not_a_month_is_refused_saying_what_is_expected(client_as, taskforce, filed, given):
    response = client_as(taskforce).get("/api/v1/return-values/", {"month": given})

    assert response.status_code == 400
    assert response.json() == {
        "month": [f"Enter a month as YYYY-MM, for example 2026-04 (or the month's first day, 2026-04-01); got {given!r}."]
    }


def test_a_return_is_filed_with_its_month_as_yyyy_mm(client_as, staff, catalogue, croydon, period):
    response = client_as(staff).post(
        "/api/v1/returns/submit/",
        {"site": croydon.pk, "month": f"{period.month:%Y-%m}", "values": json_values()},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Return.objects.get().period == period


def test_what_return_values_lists_can_be_filed_back_cohort_rows_included(client_as, staff, filed, croydon):
    """A correction made from what the API reads: every row of the version, COHORT among them."""
    months, returns = filed
    client = client_as(staff)
    version = returns[0].latest_version
    rows = _all(client, "/api/v1/return-values/", {"version": version.pk})
    assert {"COHORT"} <= {row["metric"] for row in rows}

    def figure(value, suppressed):
        return "*" if suppressed else value

    values = []
    for row in rows:
        value = {"metric": row["metric"], "category": row["category"]}
        value["numerator"] = figure(row["numerator"], row["numerator_suppressed"])
        if row["denominator"] is not None or row["denominator_suppressed"]:
            value["denominator"] = figure(row["denominator"], row["denominator_suppressed"])
        values.append(value)
    # The correction: ten bed days moved from 70-79 to 60-69 (the Total still adds up). A
    # filing identical to the version it came from would store nothing.
    moved = {("O3_BED_DAYS", "age_60_69"): 10, ("O3_BED_DAYS", "age_70_79"): -10}
    for value in values:
        if (value["metric"], value["category"]) in moved:
            value["numerator"] += moved[value["metric"], value["category"]]

    response = _submit(client, croydon, months[0], values, based_on_version=version.number)

    assert response.status_code == 201, response.content
    again = Return.objects.get(pk=returns[0].pk).latest_version
    stored = lambda v: sorted(  # noqa: E731
        ReturnValue.objects.filter(version=v).values_list(
            "metric__code", "category__code", "numerator", "denominator", "numerator_suppressed", "denominator_suppressed"
        )
    )
    assert again.number == version.number + 1
    expected = sorted(
        (metric, category, numerator + moved[metric, category] if (metric, category) in moved else numerator, *rest)
        for metric, category, numerator, *rest in stored(version)
    )
    assert stored(again) == expected


def test_a_cohort_row_that_disagrees_with_o1_new_is_refused_at_the_cohort_cell(client_as, staff, catalogue, croydon, period):
    values = json_values()
    o1_total = next(v for v in values if (v["metric"], v["category"]) == ("O1_NEW", "total"))
    values.append({"metric": "COHORT", "category": "total", "numerator": o1_total["denominator"] + 5})

    response = _submit(client_as(staff), croydon, period, values)

    assert response.status_code == 400
    assert _refusals(response) == _starting(
        ("SubmissionTemplate", "D7", "cohort_mismatch", f"SubmissionTemplate!D7: COHORT / total is {o1_total['denominator'] + 5}")
    )
    assert not Return.objects.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"month": "2026-09"}, [("", "", "required", "site: This field is required.")]),
        ("not an object", [("", "", "invalid", "Invalid data. Expected a dictionary")]),
    ],
)
def test_a_malformed_request_is_refused_in_the_same_shape(client_as, staff, catalogue, period, body, expected):
    response = client_as(staff).post("/api/v1/returns/submit/", body, format="json")

    assert response.status_code == 400
    assert _refusals(response)[: len(expected)] == _starting(*expected)


def test_a_value_of_an_unknown_metric_is_named_by_its_place_in_the_list(client_as, staff, catalogue, croydon, period):
    values = json_values()
    values[3] = {**values[3], "metric": "O9_MADE_UP"}

    response = _submit(client_as(staff), croydon, period, values)

    assert response.status_code == 400
    assert _refusals(response) == _starting(("", "", "invalid_choice", "values[3].metric: "))


@pytest.mark.parametrize(
    ("path", "model"), [("/api/v1/metrics/", MetricDefinition), ("/api/v1/breakdown-categories/", BreakdownCategory)]
)
def test_the_catalogue_lists_are_paginated_like_every_other_list(client_as, taskforce, catalogue, path, model):
    body = client_as(taskforce).get(path).json()

    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == model.objects.count() > 0
    assert len(body["results"]) == min(50, body["count"])


def test_a_refused_upload_and_a_refused_submission_share_one_shape(client_as, staff, catalogue, croydon, period, workbook):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.metrics.test_returns_api import XLSX

    client = client_as(staff)
    uploaded = client.post(
        "/api/v1/returns/upload/",
        {"file": SimpleUploadedFile("r.xlsx", workbook(D21="12.5"), content_type=XLSX)},
        format="multipart",
    )
    submitted = _submit(client, croydon, period, json_values(O3_BED_DAYS__total=12.5))

    assert _refusals(uploaded) == _refusals(submitted)
    assert not ReturnVersion.objects.exists()
