"""What the dashboards store: the taskforce's choice of what sites see of each other, the SPC
targets administrators set, and the change points the taskforce records on SPC charts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Sharing(models.TextChoices):
    NATIONAL_ONLY = "national_only", "National and regional figures only"
    UNNAMED = "unnamed", "Other sites without names"
    NAMED = "named", "Other sites named"


class SharingSetting(models.Model):
    """One row: what site staff, site leads and programme leads see of other sites.
    The taskforce and administrators always see every site, named."""

    sharing = models.CharField(
        max_length=16,
        choices=Sharing.choices,
        default=Sharing.NATIONAL_ONLY,
        help_text="What site staff and programme leads see of sites other than their own.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "dashboard sharing setting"
        constraints = [models.CheckConstraint(name="one_sharing_setting", condition=models.Q(pk=1))]

    def __str__(self) -> str:
        return f"Dashboards: {self.get_sharing_display().lower()}"

    @classmethod
    def load(cls) -> SharingSetting:
        """The one row (created with the default on first read)."""
        setting, _ = cls.objects.get_or_create(pk=1)
        return setting


class SpcLevel(models.TextChoices):
    """The levels an SPC chart is drawn for (`dashboards.charts.SPC_LEVELS`)."""

    NATIONAL = "national", "England"
    REGION = "region", "Region"
    ICB = "icb", "ICB"
    SITE = "site", "Site"


class SpcTarget(models.Model):
    """A target for one metric at one level, for one organisation or (org blank) every organisation
    at that level, over the months from `valid_from` to `valid_to`. Set by administrators in the
    admin; the SPC charts draw it and give the assurance icon (`dashboards.spc`)."""

    metric = models.ForeignKey("metrics.MetricDefinition", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=SpcLevel.choices)
    org_id = models.PositiveIntegerField(
        "organisation id",
        null=True,
        blank=True,
        help_text="The region, ICB or site's id. Blank: every organisation at this level (England needs none).",
    )
    value = models.DecimalField(max_digits=14, decimal_places=4, help_text="In the metric's unit (per 1,000, or patients).")
    valid_from = models.DateField(help_text="The first month it applies to (any day of the month).")
    valid_to = models.DateField(null=True, blank=True, help_text="The last month it applies to; blank: until further notice.")
    note = models.CharField(max_length=300, blank=True, help_text="Where the target comes from.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "SPC target"
        ordering = ["metric__order", "level", "org_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                name="spc_target_dates_in_order",
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                violation_error_message="The last month must be on or after the first.",
            )
        ]

    def __str__(self) -> str:
        scope = self.get_level_display() + (f" {self.org_id}" if self.org_id else "")
        return f"{self.metric.code if self.metric_id else ''} target {self.value} ({scope}, from {self.valid_from:%b %Y})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.level == SpcLevel.NATIONAL and self.org_id:
            raise ValidationError({"org_id": "England's targets have no organisation id."})
        if not self.metric_id or not self.valid_from:
            return
        overlapping = SpcTarget.objects.filter(metric_id=self.metric_id, level=self.level, org_id=self.org_id).exclude(pk=self.pk)
        overlapping = overlapping.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError("Another target for this metric and organisation covers some of these months.")


class SpcChangePoint(models.Model):
    """A month from which the taskforce recalculates an SPC chart's mean and limits (a "rebase",
    `metrics.stats.spc.xmr`): something changed in the process then, said in `reason`."""

    metric = models.ForeignKey("metrics.MetricDefinition", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=16, choices=SpcLevel.choices)
    org_id = models.PositiveIntegerField("organisation id", help_text="0 for England.")
    month = models.DateField(help_text="The first day of the month the new stretch begins.")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "SPC change point"
        ordering = ["metric_id", "level", "org_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "level", "org_id", "month"], name="one_spc_change_point_a_month")
        ]

    def __str__(self) -> str:
        return f"Change point from {self.month:%b %Y}"
