"""The monthly returns: what is measured, when it is due, and every version a site files.

A submitted figure is never overwritten: every upload, form edit or API submission makes
a new `ReturnVersion` whose values never change afterwards.

Split by concern: `catalogue`, `returns`, `notices`, `rollups`, `exports`. Import
models from here (`from metrics.models import Return`): Django finds them through this module.
"""

from metrics.models.catalogue import BreakdownCategory, Dimension, Direction, MetricDefinition, MetricKind, ReportingPeriod
from metrics.models.exports import ExportJob, ExportStatus
from metrics.models.notices import NoticeSent, ReminderKind, ReminderSent
from metrics.models.returns import (
    DataQualityQuery,
    QueryStatus,
    Return,
    ReturnStatus,
    ReturnValue,
    ReturnVersion,
    ReturnWarning,
    VersionSource,
)
from metrics.models.rollups import CurrentRollup, Rollup, RollupLevel, RollupQuerySet, RollupRequest, RollupRun, RollupRunStatus

__all__ = [
    "MetricKind",
    "Direction",
    "MetricDefinition",
    "Dimension",
    "BreakdownCategory",
    "ReportingPeriod",
    "ReturnStatus",
    "Return",
    "VersionSource",
    "ReturnVersion",
    "ReturnValue",
    "ReturnWarning",
    "QueryStatus",
    "DataQualityQuery",
    "NoticeSent",
    "ReminderKind",
    "ReminderSent",
    "RollupLevel",
    "RollupRunStatus",
    "RollupRun",
    "RollupRequest",
    "CurrentRollup",
    "RollupQuerySet",
    "Rollup",
    "ExportStatus",
    "ExportJob",
]
