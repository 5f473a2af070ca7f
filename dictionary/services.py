"""Changing the dictionary: a new definition of a metric starts on a day, and the version in force
until then ends the day before. Earlier versions are kept, so a chart of an old month can be read
with the definition that applied to it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from dictionary.models import DefinitionVersion


@transaction.atomic
def add_version(version: DefinitionVersion) -> DefinitionVersion:
    """Saves the new `version`, ending the open version of its metric that started before it (if any)
    the day before. Raises ValidationError if it would still overlap another version."""
    open_version = (
        DefinitionVersion.objects.select_for_update()
        .filter(metric_id=version.metric_id, valid_to__isnull=True, valid_from__lt=version.valid_from)
        .first()
    )
    if open_version:
        open_version.valid_to = version.valid_from - datetime.timedelta(days=1)
        open_version.save(update_fields=["valid_to"])
    version.full_clean()
    version.save()
    return version


def versions_by_metric() -> dict[int, list[DefinitionVersion]]:
    """Every metric's versions, newest first (one query)."""
    grouped: dict[int, list[DefinitionVersion]] = {}
    for version in DefinitionVersion.objects.order_by("metric_id", "-valid_from"):
        grouped.setdefault(version.metric_id, []).append(version)
    return grouped


def current_of(versions: list[DefinitionVersion]) -> DefinitionVersion | None:
    """The version in force today; failing that the latest that has started; failing that the first."""
    for version in versions:
        if version.is_current:
            return version
    today = timezone.localdate()
    started = [v for v in versions if v.valid_from <= today]
    return started[0] if started else (versions[-1] if versions else None)
