"""The demo's return history: every wave-one site's returns from January 2026, as if the
months before the portal had been imported from the e-mailed templates.

History is written directly (not through `metrics.services`, which would rightly refuse
closed months), but keeps every invariant the services keep: versions numbered from 1,
values complete for their layout, sign-off by the deadline or marked late, suppressed
cells stored as suppressed. Idempotent: a site's month that has a return is left alone.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils import timezone

from metrics.models import (
    BreakdownCategory,
    DataQualityQuery,
    MetricDefinition,
    QueryStatus,
    ReportingPeriod,
    Return,
    ReturnStatus,
    ReturnValue,
    ReturnVersion,
    VersionSource,
)
from metrics.returns.reference import load_metrics, load_periods
from metrics.returns.synthetic import allocate, synthetic_return
from sites.models import Site
from sites.selectors import site_profile

IMPORTED = "Imported from the template the site e-mailed before the portal opened."
# Sites whose own demo people file the current month themselves.
LEFT_FOR_THE_DEMO = {"Walsall"}


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _cohort(site: Site) -> int:
    return 6000 + _stable(site.name) % 10000


def _deprivation(site: Site) -> float:
    profile = site_profile(site)["deprivation"]
    return min(1.0, float(profile["pct_lsoas_most_deprived_20"]) / 60) if profile else 0.5


def _outcome(site: Site, period: ReportingPeriod, today: datetime.date) -> str:
    """on_time, late, missing or draft: mostly on time, as the programme's returns are."""
    roll = _stable(f"{site.name}:{period.month}") % 100
    if today <= period.initial_submission_due:  # still open: some are in, some are drafts
        return "on_time" if roll < 55 else "draft" if roll < 80 else "missing"
    return "missing" if roll < 6 else "late" if roll < 16 else "on_time"


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _file(record: Return, *, number: int, values: list, filed_at: datetime.datetime, by: Any, note: str) -> ReturnVersion:
    version = ReturnVersion.objects.create(
        return_record=record, number=number, layout="1.2", source=VersionSource.UPLOAD, created_by=by, note=note
    )
    ReturnVersion.objects.filter(pk=version.pk).update(created_at=filed_at)
    metrics = dict(MetricDefinition.objects.values_list("code", "pk"))
    categories = dict(BreakdownCategory.objects.values_list("code", "pk"))
    ReturnValue.objects.bulk_create(
        ReturnValue(
            version=version,
            metric_id=metrics[v.metric],
            category_id=categories[v.category],
            numerator=v.numerator,
            denominator=v.denominator,
            numerator_suppressed=v.numerator_suppressed,
            denominator_suppressed=v.denominator_suppressed,
        )
        for v in values
    )
    return version


def _sign_off(record: Return, version: ReturnVersion, *, at: datetime.datetime, by: Any) -> None:
    version.signed_off_by, version.signed_off_at = by, at
    version.late = record.period.is_late_on(timezone.localdate(at))
    version.save(update_fields=["signed_off_by", "signed_off_at", "late"])
    record.status, record.latest_version, record.signed_off_version = ReturnStatus.SUBMITTED, version, version
    record.first_signed_off_at = record.first_signed_off_at or at
    record.save()


@transaction.atomic
def seed_returns_demo(*, sites: list[Site], admin: Any, people: dict[str, Any], today: datetime.date | None = None) -> int:
    """Returns from January 2026 to the latest month that has ended. `people` maps a site
    name to the (staff, lead) who file and sign off its demo returns."""
    today = today or timezone.localdate()
    if not MetricDefinition.objects.exists():
        load_metrics()
    if not ReportingPeriod.objects.exists():
        load_periods()
    periods = list(ReportingPeriod.objects.filter(period_end__lt=today).order_by("month"))
    existing = set(Return.objects.values_list("site_id", "period_id"))
    created = 0
    for site in sites:
        cohort, deprivation = _cohort(site), _deprivation(site)
        staff, lead = people.get(site.name, (admin, admin))
        for index, period in enumerate(periods):
            if (site.pk, period.pk) in existing or site.wave.start_date > period.period_end:
                continue
            outcome = _outcome(site, period, today)
            if outcome == "missing" or (site.name in LEFT_FOR_THE_DEMO and today <= period.final_submission_due):
                continue
            values = synthetic_return(seed=site.name, cohort=cohort, month_index=index, deprivation=deprivation)
            record = Return.objects.create(site=site, period=period, status=ReturnStatus.DRAFT)
            filed = (
                period.initial_submission_due - datetime.timedelta(days=6)
                if outcome != "late"
                else period.initial_submission_due + datetime.timedelta(days=3)
            )
            filed = min(filed, today)
            note = IMPORTED if site.name not in people else ""
            version = _file(record, number=1, values=values, filed_at=_at(filed, 10), by=staff, note=note)
            record.latest_version = version
            record.save(update_fields=["latest_version"])
            if outcome != "draft":
                _sign_off(record, version, at=_at(filed, 15), by=lead)
            created += 1
    _demo_correction(sites, periods, by=admin)
    return created


def _demo_correction(sites: list[Site], periods: list[ReportingPeriod], *, by: Any) -> None:
    """Croydon's June return: queried, corrected by a second version, signed off again."""
    croydon = next((s for s in sites if s.name == "Croydon"), None)
    june = next((p for p in periods if p.month == datetime.date(2026, 6, 1)), None)
    if croydon is None or june is None:
        return
    record = Return.objects.filter(site=croydon, period=june, signed_off_version__isnull=False).first()
    if record is None or record.versions.count() > 1:
        return
    staff = lead = by
    first = record.latest_version
    values = synthetic_return(
        seed=croydon.name, cohort=_cohort(croydon), month_index=periods.index(june), deprivation=_deprivation(croydon)
    )
    corrected = _scaled(values, "O3_BED_DAYS", 0.8)
    DataQualityQuery.objects.create(
        return_record=record,
        version=first,
        question="O3 bed days are a fifth above May's. Were the spells of the new frailty ward counted twice?",
        status=QueryStatus.ANSWERED,
        answer="Yes: the ward's spells were in both the acute and community extracts. Version 2 removes the duplicates.",
        answered_by=staff,
        answered_at=_at(june.data_quality_report_due, 11),
    )
    record.correction_reason = "O3 bed days double-count the frailty ward's spells."
    second = _file(
        record,
        number=2,
        values=corrected,
        filed_at=_at(june.final_submission_due - datetime.timedelta(days=2), 10),
        by=staff,
        note="Frailty ward spells de-duplicated",
    )
    _sign_off(record, second, at=_at(june.final_submission_due - datetime.timedelta(days=1), 9), by=lead)


def _scaled(values: list, metric: str, factor: float) -> list:
    """`metric`'s figures scaled by `factor`, each breakdown re-split so it still adds up to the Total."""
    line = {v.category: v for v in values if v.metric == metric}
    total = round((line["total"].numerator or 0) * factor)
    numerators = {"total": total}
    for dimension in ("age_", "eth_", "imd_"):
        weights = {c: (v.numerator if v.numerator is not None else 3) for c, v in line.items() if c.startswith(dimension)}
        numerators |= allocate(total, weights)
    return [
        replace(
            v,
            numerator=None if 1 <= numerators[v.category] <= 5 else numerators[v.category],
            numerator_suppressed=1 <= numerators[v.category] <= 5,
        )
        if v.metric == metric
        else v
        for v in values
    ]
