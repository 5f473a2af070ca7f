"""The monthly bulletin (docs/adr/0024-monthly-bulletin.md): one per reporting month, and a new
version each time it is issued again. Its contents are worked out once, when it is built, and
stored as JSON beside its XLSX, so a past bulletin reads exactly as it was issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class BulletinStatus(models.TextChoices):
    BUILDING = "building", "Being built"
    ISSUED = "issued", "Issued"
    FAILED = "failed", "Failed"


class Bulletin(models.Model):
    period = models.ForeignKey("metrics.ReportingPeriod", on_delete=models.PROTECT, related_name="bulletins")
    version = models.PositiveSmallIntegerField(help_text="1, then one more for each re-issue.")
    status = models.CharField(max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.BUILDING)
    trigger = models.CharField(max_length=16, help_text="schedule (after the final deadline) or request (the taskforce).")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When its contents were read and stored.")
    contents = models.JSONField(default=dict, blank=True, help_text="Every section, as issued.")
    workbook = models.FileField(upload_to="bulletins/", blank=True, max_length=200)
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-period__month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="one_bulletin_version_per_month"),
            # Idempotent while building: a second request for the month finds this one.
            models.UniqueConstraint(fields=["period"], condition=Q(status="building"), name="one_bulletin_building_per_month"),
        ]

    def __str__(self) -> str:
        return f"Bulletin for {self.period} (version {self.version})"

    @property
    def is_issued(self) -> bool:
        return self.status == BulletinStatus.ISSUED
