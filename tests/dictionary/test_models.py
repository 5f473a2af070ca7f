import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dictionary import services
from dictionary.models import DefinitionVersion
from dictionary.reference import load_definitions, read_definitions
from metrics.models import MetricDefinition
from metrics.returns import template

GUIDE_DATE = datetime.date(2025, 12, 1)


def _new_version(metric, valid_from, **fields):
    base = {"definition": "Redefined.", "numerator": "A new count.", "data_source": "SUS", "source_document": "Guide v1.3"}
    return DefinitionVersion(metric=metric, valid_from=valid_from, **(base | fields))


def test_every_metric_of_the_template_has_its_definition_from_the_guide(dictionary):
    defined = set(DefinitionVersion.objects.values_list("metric__code", flat=True))

    assert defined == {m.code for m in template.METRICS}
    bed_days = DefinitionVersion.objects.get(metric__code="O3_BED_DAYS")
    assert "AcuteNonElectiveDefs" in bed_days.numerator
    assert bed_days.data_source.startswith("Numerator: SUS Inpatients")
    assert "refused treatment" in bed_days.denominator
    assert bed_days.valid_from == GUIDE_DATE and bed_days.valid_to is None
    assert "version 1.2" in bed_days.source_document
    cat2 = DefinitionVersion.objects.get(metric__code="O4_CAT2")
    assert "1064911000000105" in cat2.numerator  # the category 2 acuity code of Appendix 6


def test_the_improvement_direction_agrees_with_the_metric_catalogue(dictionary):
    for version in DefinitionVersion.objects.select_related("metric"):
        assert version.improvement_direction == version.metric.direction, version.metric.code


def test_counts_have_no_denominator_and_rates_do(dictionary):
    for version in DefinitionVersion.objects.select_related("metric"):
        assert bool(version.denominator) == version.metric.has_rate, version.metric.code


def test_loading_twice_changes_nothing_and_keeps_later_versions(dictionary):
    metric = MetricDefinition.objects.get(code="O1_NEW")
    services.add_version(_new_version(metric, datetime.date(2026, 6, 1)))

    counts = load_definitions()

    assert counts == {"metric_definitions": len(read_definitions()["metrics"]) + 1}
    assert metric.definition_versions.count() == 2


def test_a_new_version_ends_the_one_before_it_the_day_before(dictionary):
    metric = MetricDefinition.objects.get(code="O5_TYPE1")

    services.add_version(_new_version(metric, datetime.date(2026, 6, 1)))

    first, second = metric.definition_versions.order_by("valid_from")
    assert first.valid_to == datetime.date(2026, 5, 31)
    assert second.valid_to is None
    assert list(DefinitionVersion.objects.filter(metric=metric).in_force_on(datetime.date(2026, 5, 31))) == [first]
    assert list(DefinitionVersion.objects.filter(metric=metric).in_force_on(datetime.date(2026, 6, 1))) == [second]


def test_versions_may_not_overlap(dictionary):
    metric = MetricDefinition.objects.get(code="O5_TYPE1")
    services.add_version(_new_version(metric, datetime.date(2026, 6, 1)))

    with pytest.raises(ValidationError, match="overlap the version from 1 December 2025"):
        _new_version(metric, datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 2, 1)).full_clean()
    with pytest.raises(ValidationError, match="on or after the first day"):
        _new_version(metric, datetime.date(2030, 1, 1), valid_to=datetime.date(2029, 1, 1)).full_clean()


def test_the_current_version_is_the_one_in_force_today(dictionary):
    metric = MetricDefinition.objects.get(code="P1_CASELOAD")
    today = timezone.localdate()
    services.add_version(_new_version(metric, today - datetime.timedelta(days=10)))
    services.add_version(_new_version(metric, today + datetime.timedelta(days=30), definition="Not yet."))

    versions = list(metric.definition_versions.order_by("-valid_from"))
    current = services.current_of(versions)

    assert current.valid_from == today - datetime.timedelta(days=10)
    assert current.is_current
    assert [v.is_current for v in versions] == [False, True, False]
