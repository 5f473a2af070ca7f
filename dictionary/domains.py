"""The dictionary's groups, as the measurement guide arranges its metrics: the cohort (section 4.1),
the one process metric (3.1) and the outcome metrics of Table 1 by the template's metric id."""

from __future__ import annotations

from dataclasses import dataclass

from metrics.models import MetricDefinition


@dataclass(frozen=True)
class Domain:
    key: str
    title: str
    template_ids: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain("cohort", "The cohort", ("",)),
    Domain("process", "Process: the caseload (P1)", ("P1",)),
    Domain("outpatients", "Outpatient appointments (O1)", ("O1",)),
    Domain("admissions", "Emergency admissions (O2)", ("O2",)),
    Domain("bed-days", "Inpatient bed days (O3)", ("O3",)),
    Domain("ambulance", "Ambulance conveyances (O4)", ("O4",)),
    Domain("ae", "A&E attendances (O5)", ("O5",)),
    Domain("primary-community", "General practice and community care (O6)", ("O6",)),
)
OTHER = Domain("other", "Other metrics", ())


def domain_of(metric: MetricDefinition) -> Domain:
    return next((d for d in DOMAINS if metric.template_id in d.template_ids), OTHER)
