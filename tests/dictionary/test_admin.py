import datetime

from django.urls import reverse

from dictionary.models import DefinitionVersion
from metrics.models import MetricDefinition
from tests.nhsportal.factories import UserFactory


def _form(metric, valid_from):
    return {
        "metric": metric.pk,
        "valid_from": valid_from,
        "valid_to": "",
        "definition": "Bed days of every inpatient spell.",
        "numerator": "Sum of bed days.",
        "denominator": "Number of patients in the cohort.",
        "inclusions": "",
        "exclusions": "",
        "data_source": "SUS Inpatients",
        "improvement_direction": "lower_is_better",
        "direction_note": "",
        "source_document": "Measurement guide v1.3",
        "source_pages": "37",
        "change_note": "Every spell, not only the acute non-elective ones.",
    }


def test_an_administrator_adds_a_version_in_admin_and_the_one_before_it_ends(client, dictionary):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    metric = MetricDefinition.objects.get(code="O3_BED_DAYS")

    response = client.post(reverse("admin:dictionary_definitionversion_add"), _form(metric, "2026-07-01"))

    assert response.status_code == 302, response.content.decode()[:2000]
    first, second = metric.definition_versions.order_by("valid_from")
    assert first.valid_to == datetime.date(2026, 6, 30)
    assert (second.valid_from, second.valid_to, second.source_document) == (
        datetime.date(2026, 7, 1),
        None,
        "Measurement guide v1.3",
    )


def test_admin_refuses_a_version_inside_an_earlier_one(client, dictionary):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    metric = MetricDefinition.objects.get(code="O3_BED_DAYS")
    client.post(reverse("admin:dictionary_definitionversion_add"), _form(metric, "2026-07-01"))
    form = _form(metric, "2026-01-01") | {"valid_to": "2026-02-01"}

    response = client.post(reverse("admin:dictionary_definitionversion_add"), form)

    assert response.status_code == 200
    assert "These dates overlap the version from 1 December 2025 to 30 June 2026" in response.content.decode()
    assert DefinitionVersion.objects.filter(metric=metric).count() == 2
