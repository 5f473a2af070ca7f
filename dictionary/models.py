"""The metric dictionary: what each metric of the template means, as the NNHIP measurement guide
defines it, version by version. A version applies from `valid_from` to `valid_to` (both days
included; no `valid_to` while it still applies). Versions of one metric never overlap."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from metrics.models import Direction, MetricDefinition


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


class DefinitionVersionQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> DefinitionVersionQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class DefinitionVersion(models.Model):
    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, related_name="definition_versions")
    valid_from = models.DateField(help_text="The first day this definition applied.")
    valid_to = models.DateField(null=True, blank=True, help_text="The last day it applied; empty while it still applies.")
    definition = models.TextField()
    numerator = models.TextField()
    denominator = models.TextField(blank=True, help_text="Empty for a count that is not a rate.")
    inclusions = models.TextField(blank=True)
    exclusions = models.TextField(blank=True)
    data_source = models.TextField()
    improvement_direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.NOT_SPECIFIED)
    direction_note = models.TextField(blank=True, help_text="Why this direction, in the guide's terms.")
    source_document = models.CharField(max_length=200, help_text="The document and version this is taken from.")
    source_pages = models.CharField(max_length=50, blank=True, help_text="Pages of the source document.")
    change_note = models.TextField(blank=True, help_text="What changed from the version before.")

    objects = DefinitionVersionQuerySet.as_manager()

    class Meta:
        ordering = ["metric__order", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "valid_from"], name="dictionary_one_version_per_start"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="dictionary_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.name}, from {_day(self.valid_from)}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The last day must be on or after the first day."})
        if not self.metric_id:
            return
        others = DefinitionVersion.objects.filter(metric_id=self.metric_id).exclude(pk=self.pk)
        if self.pk is None:
            # A new version ends the open one that started before it (`services.add_version`).
            others = others.exclude(valid_to__isnull=True, valid_from__lt=self.valid_from)
        if self.valid_to:
            others = others.filter(valid_from__lte=self.valid_to)
        clash = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)).first()
        if clash:
            ends = f"to {_day(clash.valid_to)}" if clash.valid_to else "with no end date"
            raise ValidationError(
                f"These dates overlap the version from {_day(clash.valid_from)} {ends}: "
                "end that version the day before this one starts."
            )
