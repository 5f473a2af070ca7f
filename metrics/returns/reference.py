"""Loads the metric catalogue, breakdown categories and reporting periods.

The metric lines and categories are those of the official template (`metrics.returns.template`);
directions come from the programme's metric catalogue (outcome metrics O1–O5: the
programme aims to reduce them; O6, cohort and caseload: no judgement). Periods come from
the template's SubmissionTimetable sheet (`metrics.returns.timetable`). Keyed on codes and
months, so loading twice changes nothing; an administrator's later periods are kept.
"""

from __future__ import annotations

from django.db import transaction

from metrics.models import BreakdownCategory, Direction, MetricDefinition, MetricKind, ReportingPeriod
from metrics.returns import template
from metrics.returns.timetable import read_timetable

NO_JUDGEMENT = {"COHORT", "P1_CASELOAD", "O6_GP", "O6_COMMUNITY"}


def _kind(metric: template.Metric) -> str:
    if metric.code == "COHORT":
        return MetricKind.COHORT
    return MetricKind.PROCESS if metric.template_id.startswith("P") else MetricKind.OUTCOME


@transaction.atomic
def load_metrics() -> dict[str, int]:
    for metric in template.METRICS:
        MetricDefinition.objects.update_or_create(
            code=metric.code,
            defaults={
                "template_id": metric.template_id,
                "name": metric.name,
                "kind": _kind(metric),
                "numerator_definition": metric.numerator,
                "denominator_definition": metric.denominator,
                "has_rate": metric.has_rate,
                "direction": Direction.NOT_SPECIFIED if metric.code in NO_JUDGEMENT else Direction.LOWER_IS_BETTER,
                "order": metric.order,
            },
        )
    for category in template.CATEGORIES:
        BreakdownCategory.objects.update_or_create(
            code=category.code,
            defaults={
                "dimension": category.dimension,
                "label": category.label,
                "order": category.order,
                "comparable_code": template.comparable_category(category.code),
            },
        )
    return {"metrics": MetricDefinition.objects.count(), "breakdown_categories": BreakdownCategory.objects.count()}


@transaction.atomic
def load_periods() -> dict[str, int]:
    for row in read_timetable():
        ReportingPeriod.objects.update_or_create(
            month=row.month,
            defaults={
                "period_start": row.period_start,
                "period_end": row.period_end,
                "initial_submission_due": row.initial_submission_due,
                "data_quality_report_due": row.data_quality_report_due,
                "final_submission_due": row.final_submission_due,
                "final_report_due": row.final_report_due,
            },
        )
    return {"reporting_periods": ReportingPeriod.objects.count()}
