import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dictionary import services
from dictionary.models import DefinitionVersion
from metrics.models import MetricDefinition
from metrics.returns import template


@pytest.fixture
def api(db):
    return APIClient()


@pytest.mark.parametrize("role", ["anonymous", "site_staff", "taskforce_member", "administrator"])
def test_the_dictionary_api_lists_every_metric_for_anyone(api, people, dictionary, role):
    if people[role] is not None:
        api.force_authenticate(people[role])

    response = api.get(reverse("api:metric-definition-list"))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["code"] for r in results] == [m.code for m in template.METRICS]
    o3 = next(r for r in results if r["code"] == "O3_BED_DAYS")
    assert o3["domain"] == "Inpatient bed days (O3)"
    assert o3["current"]["valid_from"] == "2025-12-01" and o3["current"]["improvement_direction"] == "lower_is_better"
    assert o3["current"]["numerator"] == DefinitionVersion.objects.get(metric__code="O3_BED_DAYS").numerator


def test_one_metric_by_its_code_with_every_version(api, dictionary):
    metric = MetricDefinition.objects.get(code="O5_OTHER")
    services.add_version(
        DefinitionVersion(
            metric=metric,
            valid_from=datetime.date(2026, 3, 1),
            definition="New.",
            numerator="New.",
            data_source="ECDS",
            source_document="v1.3",
        )
    )

    response = api.get(reverse("api:metric-definition-detail", args=["O5_OTHER"]))

    assert response.status_code == 200
    body = response.json()
    assert [v["valid_from"] for v in body["versions"]] == ["2026-03-01", "2025-12-01"]
    assert body["versions"][1]["valid_to"] == "2026-02-28"
    assert body["current"]["valid_from"] == "2026-03-01"


def test_an_unknown_code_is_not_found(api, dictionary):
    assert api.get(reverse("api:metric-definition-detail", args=["NOPE"])).status_code == 404


def test_the_dictionary_api_is_read_only(api, people, dictionary):
    api.force_authenticate(people["administrator"])

    assert api.post(reverse("api:metric-definition-list"), {"code": "X"}).status_code == 405
    assert api.delete(reverse("api:metric-definition-detail", args=["O5_OTHER"])).status_code == 405
    assert DefinitionVersion.objects.count() == len(template.METRICS)


def test_the_list_reads_every_metric_and_version_in_a_fixed_number_of_queries(api, dictionary, django_assert_max_num_queries):
    for code in ("O1_NEW", "O1_FU", "O4_CAT1"):
        metric = MetricDefinition.objects.get(code=code)
        services.add_version(
            DefinitionVersion(
                metric=metric,
                valid_from=datetime.date(2026, 5, 1),
                definition="New.",
                numerator="New.",
                data_source="SUS",
                source_document="v1.3",
            )
        )

    with django_assert_max_num_queries(4):
        response = api.get(reverse("api:metric-definition-list"))

    assert sum(len(r["versions"]) for r in response.json()["results"]) == len(template.METRICS) + 3
