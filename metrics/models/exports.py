"""Rollup exports built by a worker, with their file and expiry."""

from __future__ import annotations

from django.conf import settings
from django.db import models


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
