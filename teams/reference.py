"""Loads professions, focus conditions and cohorts from `teams/reference_data/` (see its
SOURCES.md). Keyed on code or name, so loading twice changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from teams.models import FocusCohort, FocusCondition, Profession

DATA_DIR = Path(__file__).resolve().parent / "reference_data"


@transaction.atomic
def load_team_vocabulary() -> dict[str, int]:
    with (DATA_DIR / "professions.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Profession.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "group": row["group"]})
    with (DATA_DIR / "focus.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "condition":
                FocusCondition.objects.get_or_create(name=row["name"])
            else:
                FocusCohort.objects.update_or_create(name=row["name"], defaults={"description": row["description"]})
    return {
        "professions": Profession.objects.count(),
        "focus_conditions": FocusCondition.objects.count(),
        "focus_cohorts": FocusCohort.objects.count(),
    }
