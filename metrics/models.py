"""The monthly returns: what is measured, when it is due, and every version a site files.

A submitted figure is never overwritten: every upload, form edit or API submission makes
a new `ReturnVersion` whose values never change afterwards.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q


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


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"
    SUBMITTED = "submitted", "Submitted"
    CORRECTION_REQUESTED = "correction_requested", "Correction requested"


class Return(models.Model):
    """A site's return for one reporting month: its status and its versions."""

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="returns")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=24, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    latest_version = models.ForeignKey("ReturnVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_off_version = models.ForeignKey(
        "ReturnVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest signed-off version: what the rollups use.",
    )
    first_signed_off_at = models.DateTimeField(null=True, blank=True)
    correction_reason = models.TextField(blank=True, help_text="What the taskforce asked the site to correct.")
    correction_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who asked for the latest correction: told when the corrected version is filed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period__month", "site__name"]
        constraints = [models.UniqueConstraint(fields=["site", "period"], name="one_return_per_site_per_period")]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.site} — {self.period}"


class VersionSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded template"
    FORM = "form", "Web form"
    API = "api", "API"


class ReturnVersion(models.Model):
    """One filing of a return. Its values never change; a correction is a new version."""

    # Not a column: set by `services.file_version` on the latest version it hands back when a
    # filing held exactly its figures, so nothing new was stored.
    unchanged = False

    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    layout = models.CharField(max_length=8, help_text="Template layout: 1.2, or 1.1 (the earlier layout with a single 80+ band).")
    source = models.CharField(max_length=8, choices=VersionSource.choices)
    file = models.FileField(upload_to="returns/%Y/%m/", blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True, help_text="What changed and why.")
    sent_for_sign_off_at = models.DateTimeField(null=True, blank=True)
    warnings_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    warnings_acknowledged_at = models.DateTimeField(null=True, blank=True)
    warnings_comment = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False, help_text="Signed off after the initial submission deadline.")

    class Meta:
        ordering = ["return_record_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["return_record", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.return_record} v{self.number}"


class ReturnValue(models.Model):
    """A numerator and denominator for one metric and breakdown category. Suppressed cells
    are stored as suppressed (value null), never as zero."""

    version = models.ForeignKey(ReturnVersion, on_delete=models.CASCADE, related_name="values")
    metric = models.ForeignKey(MetricDefinition, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(BreakdownCategory, on_delete=models.PROTECT, related_name="+")
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    numerator_suppressed = models.BooleanField(default=False)
    denominator_suppressed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "metric", "category"], name="one_value_per_cell"),
            models.CheckConstraint(
                name="suppressed_numerator_has_no_value",
                condition=Q(numerator_suppressed=False) | Q(numerator__isnull=True),
                violation_error_message="A suppressed numerator has no value.",
            ),
            models.CheckConstraint(
                name="suppressed_denominator_has_no_value",
                condition=Q(denominator_suppressed=False) | Q(denominator__isnull=True),
                violation_error_message="A suppressed denominator has no value.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.code}/{self.category.code}"


class ReturnWarning(models.Model):
    """A check that did not block the version but must be acknowledged before sign-off."""

    version = models.ForeignKey(ReturnVersion, on_delete=models.CASCADE, related_name="warnings")
    sheet = models.CharField(max_length=50, blank=True)
    cell = models.CharField(max_length=20, blank=True)
    code = models.CharField(max_length=50)
    message = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


class QueryStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class DataQualityQuery(models.Model):
    """The taskforce asks about a return; the site answers; the taskforce closes the query, or
    reopens it with a note for the site to answer again (metrics.services). Earlier answers and
    notes stay in the audit trail, which the return's timeline shows."""

    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="queries")
    version = models.ForeignKey(ReturnVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True, help_text="The site's latest answer.")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopening_note = models.TextField(blank=True, help_text="Why the taskforce reopened it: what the site should answer now.")
    round = models.PositiveSmallIntegerField(default=1, help_text="1, then one more each time the query is reopened.")

    class Meta:
        ordering = ["-raised_at"]
        verbose_name_plural = "data quality queries"
        indexes = [models.Index(fields=["status"], name="dq_query_status")]

    def __str__(self) -> str:
        return f"Query {self.pk} on {self.return_record}"


class NoticeSent(models.Model):
    """Each data-quality notice once (metrics.notices): its business key names the step it is
    about (`query-raised:12`, `query-answered:12:2`, …), so a retried or repeated task sends
    nothing twice."""

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=32)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name_plural = "notices sent"

    def __str__(self) -> str:
        return self.key


class ReminderKind(models.TextChoices):
    SEVEN_DAYS = "seven_days", "Seven days before the initial deadline"
    ONE_DAY = "one_day", "One day before the initial deadline"
    OVERDUE = "overdue", "The day after the initial deadline"
    DIGEST = "digest", "Weekly digest of missing returns"


class ReminderSent(models.Model):
    """Each reminder once: running the job twice sends nothing twice."""

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("sites.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32, blank=True, help_text="For the digest: the ISO week it covers.")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "site"], condition=Q(site__isnull=False), name="one_site_reminder_each"
            ),
            models.UniqueConstraint(fields=["kind", "key"], condition=Q(site__isnull=True), name="one_digest_each"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.period} — {self.site or self.key}"


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


def _unconstrained(model: type[models.Model]) -> models.ForeignKey:
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")


class Rollup(models.Model):
    """Σ numerator and Σ denominator of one metric and category at one level for one period.
    Derived data, rebuilt by `metrics.rollups` in set-based SQL: foreign keys are unconstrained
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


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being built"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A large rollup export (CSV or XLSX) built by a Celery job. Only the person who asked for
    it and administrators may download it; the file is deleted once it expires."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filters = models.JSONField(default=dict, blank=True, help_text="The rollup API's filters, as the request gave them.")
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")])
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True, max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The file is deleted after this.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "status"])]

    def __str__(self) -> str:
        return f"Rollup export {self.pk} ({self.format}, {self.get_status_display().lower()})"
