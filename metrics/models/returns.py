"""The returns sites file: every version, its values and warnings, and data-quality queries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from metrics.models.catalogue import BreakdownCategory, MetricDefinition, ReportingPeriod


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"
    SUBMITTED = "submitted", "Signed off"  # the value stays: stored rows and API clients use it
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
