"""Rollups: the figures added up by site, ICB, region, wave and England, and the runs that build them."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.db.models import Exists, OuterRef, Q

from metrics.models.catalogue import BreakdownCategory, MetricDefinition, ReportingPeriod


class RollupLevel(models.TextChoices):
    SITE = "site", "Site"
    ICB = "icb", "ICB"
    REGION = "region", "Region"
    WAVE = "wave", "Wave"
    NATIONAL = "national", "England"


class RollupRunStatus(models.TextChoices):
    BUILDING = "building", "Building"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class RollupRun(models.Model):
    """One rollup job and the rows it writes, which readers see once it is complete (docs/adr/0008-rollups.md)."""

    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=16, help_text="sign_off, nightly or command.")
    status = models.CharField(max_length=10, choices=RollupRunStatus.choices, default=RollupRunStatus.BUILDING)
    started_at = models.DateTimeField(auto_now_add=True)
    source_read_at = models.DateTimeField(null=True, blank=True, help_text="Sign-offs before this are in the generation.")
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life: each step stamps it.")
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"Rollup {self.pk} ({self.period or 'every period'}, {self.get_status_display().lower()})"


class RollupRequest(models.Model):
    """The outbox: a request for rollups, written in the same transaction as the sign-off (or the
    nightly job) that makes it, so a broker outage never loses it. Done once a run that read the
    returns after it committed is complete (docs/adr/0015-rollup-outbox-and-leases.md)."""

    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=16, help_text="sign_off, correction, nightly or command; empty period: every period.")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(RollupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["period"], condition=Q(done_at__isnull=True), name="rollup_request_pending")]

    def __str__(self) -> str:
        return f"Rollup request {self.pk} ({self.period or 'every period'}, {'done' if self.done_at else 'pending'})"


class CurrentRollup(models.Model):
    """Which run's rows readers see for one period, level and organisation. A run switches all
    the pointers it rebuilt in one transaction. A site's pointer also records what its rows were
    built from, so a later run can tell whether they are still right and leave them be."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8, choices=RollupLevel.choices)
    org_id = models.BigIntegerField()
    run = models.ForeignKey(RollupRun, on_delete=models.PROTECT, related_name="+")
    replaced_run_id = models.BigIntegerField(null=True, blank=True, help_text="Rows to delete once the switch commits.")
    version_id = models.BigIntegerField(null=True, blank=True, help_text="Site level: the signed-off version read.")
    provisional = models.BooleanField(null=True, blank=True)
    expected = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "level", "org_id"], name="one_current_rollup_per_org")]

    def __str__(self) -> str:
        return f"{self.period} {self.level} {self.org_id}: rollup {self.run_id}"


class RollupQuerySet(models.QuerySet["Rollup"]):
    def current(self) -> RollupQuerySet:
        """Only the rows readers should see: those of the run each (period, level, organisation)
        currently points at."""
        pointer = CurrentRollup.objects.filter(
            period=OuterRef("period"), level=OuterRef("level"), org_id=OuterRef("org_id"), run=OuterRef("run")
        )
        return self.filter(Exists(pointer))


_M = TypeVar("_M", bound=models.Model)


def _unconstrained(model: type[_M]) -> models.ForeignKey[_M, _M]:
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")


class Rollup(models.Model):
    """Σ numerator and Σ denominator of one metric and category at one level for one period.
    Derived data, rebuilt by `metrics.rollups.build` in set-based SQL: foreign keys are unconstrained
    so the bulk inserts stay fast. `org_id` is the site, ICB, region or wave id; 0 nationally."""

    run = _unconstrained(RollupRun)
    period = _unconstrained(ReportingPeriod)
    level = models.CharField(max_length=8, choices=RollupLevel.choices)
    org_id = models.BigIntegerField()
    metric = _unconstrained(MetricDefinition)
    category = _unconstrained(BreakdownCategory)
    version_id = models.BigIntegerField(null=True, help_text="Site level: the signed-off version the figures come from.")
    sum_numerator = models.BigIntegerField(null=True, help_text="Empty when every unit's cell was suppressed.")
    sum_denominator = models.BigIntegerField(null=True, help_text="Empty for counts and when every cell was suppressed.")
    rate = models.DecimalField(max_digits=20, decimal_places=6, null=True, help_text="Σ numerator / Σ denominator × 1,000.")
    units_reporting = models.PositiveIntegerField(help_text="Sites whose signed-off return has this cell.")
    units_suppressed = models.PositiveIntegerField(help_text="Of those, sites whose cell was suppressed: in neither sum.")
    units_expected = models.PositiveIntegerField(help_text="Sites due to report: wave started by the period's end, not exited.")
    provisional = models.BooleanField(help_text="A return in it may still change (final deadline ahead, or not submitted).")

    objects = RollupQuerySet.as_manager()

    class Meta:  # the builder, the clean-up and most readers: (period, level, org) as pointers name them
        constraints = [
            models.UniqueConstraint(
                fields=["period", "level", "org_id", "run", "metric", "category"], name="one_rollup_row_per_cell"
            )
        ]
        # Readers that ask for a few metrics across periods or organisations (the API's filters, the
        # engagement page) without walking every row of each period.
        indexes = [models.Index(fields=["metric", "category", "level", "period", "org_id"], name="rollup_by_metric")]

    def __str__(self) -> str:
        return f"{self.level} {self.org_id} {self.metric_id}/{self.category_id} {self.period_id}"

    @property
    def units_contributing(self) -> int:  # in the sums
        return self.units_reporting - self.units_suppressed
