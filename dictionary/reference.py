"""Loads the dictionary's first version of every definition from `reference_data/metric_definitions.json`
(copied from the NNHIP measurement guide v1.2: see `reference_data/SOURCES.md`). Keyed on the metric and
the day the version starts, so loading twice changes nothing; later versions an administrator adds stay."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction

from dictionary.models import DefinitionVersion
from metrics.models import MetricDefinition

DATA_DIR = Path(__file__).resolve().parent / "reference_data"
DEFINITIONS = DATA_DIR / "metric_definitions.json"
GUIDE_PDF = DATA_DIR / "NNHIP-measurement-guide-v1.2.pdf"
FIELDS = (
    "definition", "numerator", "denominator", "inclusions", "exclusions", "data_source",
    "improvement_direction", "direction_note",
)  # fmt: skip


def read_definitions() -> dict:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


def source_name(source: dict) -> str:
    return f"{source['title']}, version {source['version']} ({source['publisher']}, {source['date']})"


@transaction.atomic
def load_definitions() -> dict[str, int]:
    """Needs the metric catalogue (`metrics.reference.load_metrics`) loaded first."""
    data = read_definitions()
    valid_from = datetime.date.fromisoformat(data["valid_from"])
    metrics = MetricDefinition.objects.in_bulk(field_name="code")
    for entry in data["metrics"]:
        metric = metrics.get(entry["code"])
        if metric is None:
            continue  # a catalogue without this metric (a test's partial one): nothing to define
        DefinitionVersion.objects.update_or_create(
            metric=metric,
            valid_from=valid_from,
            defaults={
                **{field: entry[field] for field in FIELDS},
                "source_document": source_name(data["source"]),
                "source_pages": entry["guide_pages"],
            },
        )
    return {"metric_definitions": DefinitionVersion.objects.count()}
