"""What the dashboards store: only the taskforce's choice of what sites see of each other."""

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
