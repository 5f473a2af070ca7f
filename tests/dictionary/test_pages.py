import datetime

import pytest
from django.urls import reverse

from dictionary import services
from dictionary.models import DefinitionVersion
from metrics.models import MetricDefinition
from metrics.returns import template
from tests.metrics.factories import ReportingPeriodFactory

SIGNED_IN = ["no_role", "programme_lead", "site_staff", "site_lead", "taskforce_member", "taskforce_chair", "administrator"]
EVERYONE = ["anonymous", *SIGNED_IN]


def _as(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


@pytest.mark.parametrize("role", EVERYONE)
def test_the_dictionary_lists_every_metric_by_domain_for_anyone(client, people, dictionary, role):
    response = _as(client, people, role).get(reverse("metric-dictionary"))

    assert response.status_code == 200
    html = response.content.decode()
    for metric in template.METRICS:
        assert reverse("metric-definition", args=[metric.code]) in html
    groups = {g["domain"].key: [e["metric"].code for e in g["entries"]] for g in response.context["groups"]}
    assert groups["ambulance"] == ["O4_CAT1", "O4_CAT2", "O4_CAT3", "O4_CAT4"]
    assert groups["cohort"] == ["COHORT"] and groups["process"] == ["P1_CASELOAD"]
    assert sum(len(codes) for codes in groups.values()) == len(template.METRICS)
    assert ("Download the measurement guide" in html) == (role != "anonymous")


@pytest.mark.parametrize("role", EVERYONE)
def test_a_metric_page_shows_its_definition_for_anyone(client, people, dictionary, role):
    response = _as(client, people, role).get(reverse("metric-definition", args=["O2_ZERO_LOS"]))

    assert response.status_code == 200
    html = response.content.decode()
    version = DefinitionVersion.objects.get(metric__code="O2_ZERO_LOS")
    for text in ("Numerator", "Denominator", "Includes", "Excludes", "Data source", "Improvement", "Lower is better"):
        assert text in html
    assert "SUS Inpatients" in html and "From 1 December 2025, still in force" in html
    assert response.context["current"] == version
    assert "There are no earlier versions" in html


def test_a_metric_page_lists_its_earlier_versions(client, dictionary):
    metric = MetricDefinition.objects.get(code="O6_GP")
    new = DefinitionVersion(
        metric=metric,
        valid_from=datetime.date(2026, 4, 1),
        definition="GP appointments with any professional.",
        numerator="All attended appointments.",
        data_source="GPAD",
        source_document="Measurement guide v1.3",
        change_note="Widened to every professional.",
    )
    services.add_version(new)

    response = client.get(reverse("metric-definition", args=["O6_GP"]))

    html = response.content.decode()
    assert response.context["current"] == new
    assert [v.valid_from for v in response.context["others"]] == [datetime.date(2025, 12, 1)]
    assert "1 December 2025 to 31 March 2026" in html
    assert "GP appointments with any professional." in html and "Widened to every professional." in html


def test_an_unknown_metric_is_not_found(client, dictionary):
    response = client.get(reverse("metric-definition", args=["O9_NOPE"]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_signed_in_person_downloads_the_guide_and_the_blank_template(client, people, dictionary, role):
    _as(client, people, role)

    guide = client.get(reverse("metric-dictionary-guide"))
    blank = client.get(reverse("metric-dictionary-template"))

    assert guide.status_code == 200 and guide["Content-Type"] == "application/pdf"
    assert guide["Content-Disposition"] == 'attachment; filename="NNHIP-measurement-guide-v1.2.pdf"'
    assert b"".join(guide.streaming_content).startswith(b"%PDF-1.7")
    assert blank.status_code == 200
    assert blank["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert blank["Content-Disposition"] == 'attachment; filename="NNHIPDataCollectionTemplatev1.2.xlsx"'
    assert b"".join(blank.streaming_content) == template.TEMPLATE_PATH.read_bytes()


@pytest.mark.parametrize("name", ["metric-dictionary-guide", "metric-dictionary-template"])
def test_signed_out_people_are_sent_to_sign_in_for_the_downloads(client, dictionary, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["taskforce_member", "taskforce_chair", "site_staff", "administrator"])
def test_the_taskforce_gets_a_sites_blank_template_too(client, people, site, dictionary, role):
    period = ReportingPeriodFactory()
    _as(client, people, role)

    response = client.get(reverse("return-blank-template", args=[site.pk, period.slug]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="NNHIP-')


def test_another_sites_blank_template_stays_hidden_from_site_staff(client, people, other_site, dictionary):
    period = ReportingPeriodFactory()
    client.force_login(people["site_staff"])

    response = client.get(reverse("return-blank-template", args=[other_site.pk, period.slug]))

    assert response.status_code == 404


def test_clinical_codes_in_a_definition_are_marked_up_as_codes_not_shown_as_bare_numbers():
    from dictionary.jinja import with_codes

    text = "EMERGENCY CARE ACUITY = '1077241000000103', for patients <18 with 434613 contacts"

    assert str(with_codes(text)) == (
        "EMERGENCY CARE ACUITY = &#39;<code>1077241000000103</code>&#39;, for patients &lt;18 with <code>434613</code> contacts"
    )
