"""Signals at the door (issue 14 item 5): a filed rate outside the site's own process limits, or
breaking a run rule, is a warning on the version, confirmed or corrected before sign-off."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics import services
from metrics.models import BreakdownCategory, MetricDefinition, Return, ReturnValue, ReturnVersion
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook

pytestmark = pytest.mark.django_db

# The site's last 12 months of O3 bed days: 100.0 and 102.0 per 1,000 in turn. Mean 101.0, every
# moving range 2.0, so the process limits are 101.0 ± 2.66 × 2.0 = 95.68 to 106.32.
HISTORY = [(1000, 10_000), (1020, 10_000)] * 6


def _history(site, lead, upto, rates=HISTORY):
    metric = MetricDefinition.objects.get(code="O3_BED_DAYS")
    total = BreakdownCategory.objects.get(code="total")
    for back, (numerator, denominator) in zip(range(len(rates), 0, -1), rates, strict=True):
        period = ReportingPeriodFactory(month=_months_before(upto, back))
        record = Return.objects.create(site=site, period=period)
        version = ReturnVersion.objects.create(
            return_record=record,
            number=1,
            layout="1.2",
            source="form",
            created_by=lead,
            signed_off_by=lead,
            signed_off_at=timezone.now(),
        )
        ReturnValue.objects.create(version=version, metric=metric, category=total, numerator=numerator, denominator=denominator)
        record.latest_version = record.signed_off_version = version
        record.status = "submitted"
        record.save()


def _months_before(month, n):
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return datetime.date(year, index + 1, 1)


def _o3_rate(version):
    value = version.values.get(metric__code="O3_BED_DAYS", category__code="total")
    return Decimal(value.numerator) * 1000 / value.denominator


def test_a_rate_outside_the_sites_own_limits_is_a_warning_naming_the_figure_the_limit_and_the_cell(
    catalogue, croydon, staff, lead, period
):
    _history(croydon, lead, period.month)

    version = services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff)

    rate = _o3_rate(version)
    [signal] = version.warnings.filter(code="outside_process_limits")
    side, limit, value = ("above", "upper", "106.3") if rate > 106 else ("below", "lower", "95.7")
    shown = f"{rate.quantize(Decimal('0.1')):,}"
    assert signal.message.startswith(
        f"O3 Inpatient bed days: {shown} per 1,000 is {side} this site's {limit} process limit of {value} (last 12 months)."
    )
    assert signal.sheet == "SubmissionTemplate" and signal.cell
    # Like every warning, it must be acknowledged before the return can go for sign-off.
    with pytest.raises(services.TransitionRefused, match="has warnings"):
        services.send_for_sign_off(return_record=version.return_record, by=staff)


def test_a_site_with_fewer_than_12_signed_off_months_is_not_judged(catalogue, croydon, staff, lead, period):
    _history(croydon, lead, period.month, rates=HISTORY[:11])

    version = services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff)

    assert not version.warnings.filter(code__in=["outside_process_limits", "process_run_rule"]).exists()


def test_a_rate_within_the_limits_is_no_warning(catalogue, croydon, staff, lead, period):
    first = services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff)
    rate = _o3_rate(first)
    # History around the filed rate itself, wide enough that the filed figure is common cause.
    denominator = 100_000
    centre = int(rate * denominator / 1000)
    history = [(centre - 500, denominator), (centre + 500, denominator)] * 6
    ReturnVersion.objects.all().delete()
    Return.objects.all().delete()
    _history(croydon, lead, period.month, rates=history)

    version = services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff)

    assert not version.warnings.filter(code__in=["outside_process_limits", "process_run_rule"]).exists()
