"""What is measured and when: metric lines, breakdown categories, reporting periods."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q


class MetricKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    PROCESS = "process", "Process"
    COHORT = "cohort", "Cohort"


class Direction(models.TextChoices):
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    NOT_SPECIFIED = "not_specified", "No judgement"


class MetricDefinition(models.Model):
    """One metric line of the official template (O1 new appointments, …, P1 caseload)."""

    code = models.CharField(max_length=32, unique=True)
    template_id = models.CharField("template metric id", max_length=8, help_text="As in the template's column A: O1 … O6, P1.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=MetricKind.choices)
    numerator_definition = models.TextField()
    denominator_definition = models.TextField(blank=True)
    has_rate = models.BooleanField(default=True, help_text="Reported as a rate per 1,000 patients in the cohort.")
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.NOT_SPECIFIED)
    order = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Dimension(models.TextChoices):
    TOTAL = "total", "Total"
    AGE = "age", "Age group"
    ETHNICITY = "ethnicity", "Ethnic group"
    IMD = "imd", "Deprivation quintile"


class BreakdownCategory(models.Model):
    """A column of the template: Total, an age band, an ethnic group or an IMD quintile."""

    code = models.CharField(max_length=32, unique=True)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    label = models.CharField(max_length=50)
    order = models.PositiveSmallIntegerField(unique=True)
    comparable_code = models.CharField(
        max_length=32, help_text="The category it is compared as across template layouts (80-89 and 90+ compare as 80+)."
    )

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "breakdown categories"

    def __str__(self) -> str:
        return self.label if self.dimension == Dimension.TOTAL else f"{self.get_dimension_display()}: {self.label}"


class ReportingPeriod(models.Model):
    """A reporting month and its deadlines (the template's SubmissionTimetable)."""

    month = models.DateField(unique=True, help_text="The first day of the reporting month.")
    period_start = models.DateField()
    period_end = models.DateField()
    initial_submission_due = models.DateField()
    data_quality_report_due = models.DateField()
    final_submission_due = models.DateField()
    final_report_due = models.DateField()

    class Meta:
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                name="period_month_is_first_day",
                condition=Q(month__day=1),
                violation_error_message="A reporting month starts on its first day.",
            ),
            models.CheckConstraint(
                name="period_deadlines_in_order",
                condition=Q(period_end__gte=F("period_start"))
                & Q(initial_submission_due__gt=F("period_end"))
                & Q(final_submission_due__gte=F("initial_submission_due")),
                violation_error_message="Deadlines must fall after the period, and the final one on or after the initial one.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def slug(self) -> str:
        return f"{self.month:%Y-%m}"

    def has_ended_on(self, day: datetime.date) -> bool:
        """A month's figures exist only once it is over: from the day after `period_end`."""
        return day > self.period_end

    def accepts_submissions_on(self, day: datetime.date) -> bool:
        """Open from the end of the month until the final deadline (inclusive)."""
        return self.has_ended_on(day) and day <= self.final_submission_due

    def is_late_on(self, day: datetime.date) -> bool:
        return self.initial_submission_due < day <= self.final_submission_due
