"""The ledgers that make each notice and reminder about returns go once."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from metrics.models.catalogue import ReportingPeriod


class NoticeSent(models.Model):
    """Each data-quality notice once (metrics.returns.notices): its business key names the step it is
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
