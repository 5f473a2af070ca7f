"""What a month's bulletin says, read from the returns, the queries and the rollups in a fixed
number of set-based queries (never one per site): coverage and timeliness, sites reporting for the
first time and sites missing, caveats from open data-quality queries, the changelog of figures
corrected since the last bulletin, and (`bulletins.signals`) the new special-cause signals, the
funnel outliers and the ICBs and regions that moved. Everything is plain JSON, stored as issued."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, cast

from django.db.models import F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from bulletins import signals
from bulletins.models import Bulletin, BulletinStatus
from metrics.models import (
    BreakdownCategory,
    DataQualityQuery,
    MetricDefinition,
    QueryStatus,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
)
from sites.models import Site, SiteStatus

ON_TIME, LATE, MISSING = "on_time", "late", "missing"
STATUS_TEXT = {ON_TIME: "Signed off on time", LATE: "Signed off late", MISSING: "Missing"}


def previous_bulletin(period: ReportingPeriod) -> Bulletin | None:
    """The bulletin the new one is compared with: the latest issued for an earlier month."""
    return (
        Bulletin.objects.filter(status=BulletinStatus.ISSUED, period__month__lt=period.month)
        .order_by("-period__month", "-version")
        .first()
    )


def _day(value: datetime.datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def site_directory() -> dict[int, dict[str, Any]]:
    """Every site's name, ICB and region (one query)."""
    rows = Site.objects.values(
        "id", "name", "place__icb_id", "place__icb__name", "place__icb__region_id", "place__icb__region__name"
    )
    return {
        r["id"]: {"site_id": r["id"], "site": r["name"], "icb": r["place__icb__name"], "region": r["place__icb__region__name"],
                  "icb_id": r["place__icb_id"], "region_id": r["place__icb__region_id"]}
        for r in rows
    }  # fmt: skip


def _where(directory: dict[int, dict[str, Any]], site_id: int) -> dict[str, Any]:
    found = directory.get(site_id, {})
    return {
        "site_id": site_id,
        "site": found.get("site", f"Site {site_id}"),
        "icb": found.get("icb"),
        "region": found.get("region"),
    }


def coverage(period: ReportingPeriod, directory: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Who was due (wave started by the month's end, not exited, as the rollups count them), who
    signed off, on time (first sign-off on or before the initial deadline) or late, and who is
    missing; and who reported for the first time. Three queries."""
    expected = set(
        Site.objects.filter(wave__start_date__lte=period.period_end)
        .exclude(status=SiteStatus.EXITED)
        .values_list("id", flat=True)
    )
    returns = {
        r["site_id"]: r
        for r in Return.objects.filter(period=period).values("site_id", "status", "signed_off_version_id", "first_signed_off_at")
    }
    rows = []
    for site_id in sorted(
        expected | {s for s, r in returns.items() if r["signed_off_version_id"]}, key=lambda s: _where(directory, s)["site"]
    ):
        record = returns.get(site_id)
        signed = bool(record and record["signed_off_version_id"])
        first = record["first_signed_off_at"] if record and signed else None
        if not signed:
            status = MISSING
        elif first and timezone.localdate(first) > period.initial_submission_due:
            status = LATE
        else:
            status = ON_TIME
        detail = "" if signed or record is None else f"Return {record['status'].replace('_', ' ')}, not signed off"
        rows.append({**_where(directory, site_id), "expected": site_id in expected, "status": status,
                     "status_text": STATUS_TEXT[status], "signed_off_on": _day(first), "detail": detail})  # fmt: skip
    due = [r for r in rows if r["expected"]]
    headline = {
        "expected": len(due),
        "signed_off": sum(r["status"] != MISSING for r in rows),
        "on_time": sum(r["status"] == ON_TIME for r in rows),
        "late": sum(r["status"] == LATE for r in rows),
        "missing": sum(r["status"] == MISSING for r in due),
    }
    firsts = set(
        Return.objects.filter(signed_off_version__isnull=False, period__month__lte=period.month)
        .values("site_id")
        .annotate(first=Min("period__month"))
        .filter(first=period.month)
        .values_list("site_id", flat=True)
    )
    return {
        "headline": headline,
        "coverage": rows,
        "first_time": [
            {k: r[k] for k in ("site_id", "site", "icb", "region", "status_text")} for r in rows if r["site_id"] in firsts
        ],
        "missing": [{k: r[k] for k in ("site_id", "site", "icb", "region", "detail")} for r in due if r["status"] == MISSING],
    }


def caveats(period: ReportingPeriod, directory: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every data-quality query not yet closed on a return for this month or an earlier one: the
    figures it is about may still change. One query."""
    found = (
        DataQualityQuery.objects.exclude(status=QueryStatus.CLOSED)
        .filter(return_record__period__month__lte=period.month)
        .values("id", "return_record__site_id", "return_record__period__month", "status", "question", "raised_at")
        .order_by("-return_record__period__month", "raised_at", "id")
    )
    return [
        {**_where(directory, q["return_record__site_id"]), "query_id": q["id"], "month": q["return_record__period__month"].isoformat(),
         "status": QueryStatus(q["status"]).label, "question": q["question"], "raised_on": _day(q["raised_at"])}
        for q in found
    ]  # fmt: skip


def _figure(value: Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return {"numerator": None, "denominator": None, "suppressed": False, "missing": True}
    return {"numerator": value["numerator"], "denominator": value["denominator"],
            "suppressed": value["numerator_suppressed"] or value["denominator_suppressed"], "missing": False}  # fmt: skip


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["numerator"], a["denominator"], a["suppressed"], a["missing"]) == (
        b["numerator"],
        b["denominator"],
        b["suppressed"],
        b["missing"],
    )


def changelog(
    period: ReportingPeriod, since: datetime.datetime | None, read_at: datetime.datetime, directory
) -> list[dict[str, Any]]:
    """Each figure of an earlier month that a corrected version signed off since the previous
    bulletin changed: the figure the previous bulletin's figures rested on (the version signed
    off by then) → the one in force now. Three queries whatever the number of corrections."""
    if since is None:
        return []
    then = ReturnVersion.objects.filter(
        return_record=OuterRef("pk"), signed_off_at__isnull=False, signed_off_at__lte=since
    ).order_by("-number")
    corrected = list(
        Return.objects.filter(
            period__month__lt=period.month,
            signed_off_version__isnull=False,
            versions__signed_off_at__gt=since,
            versions__signed_off_at__lte=read_at,
        )
        .annotate(old_id=Subquery(then.values("id")[:1]), old_number=Subquery(then.values("number")[:1]))
        .filter(old_id__isnull=False)
        .exclude(old_id=F("signed_off_version_id"))
        .values("id", "site_id", "period__month", "old_id", "old_number", "signed_off_version_id", "signed_off_version__number")
        .distinct()
    )
    if not corrected:
        return []
    ids = {r["old_id"] for r in corrected} | {r["signed_off_version_id"] for r in corrected}
    values: dict[int, dict[tuple[int, int], Mapping[str, Any]]] = {}
    for v in ReturnValue.objects.filter(version_id__in=ids).values(
        "version_id", "metric_id", "category_id", "numerator", "denominator", "numerator_suppressed", "denominator_suppressed"
    ):
        values.setdefault(v["version_id"], {})[(v["metric_id"], v["category_id"])] = v
    metrics = {m.pk: m for m in MetricDefinition.objects.all()}
    categories = {c.pk: c for c in BreakdownCategory.objects.all()}
    rows = []
    for r in sorted(corrected, key=lambda r: (r["period__month"], _where(directory, r["site_id"])["site"])):
        old, new = values.get(r["old_id"], {}), values.get(r["signed_off_version_id"], {})
        for key in sorted(set(old) | set(new), key=lambda k: (metrics[k[0]].order, categories[k[1]].order)):
            before, after = _figure(old.get(key)), _figure(new.get(key))
            if _same(before, after):
                continue
            metric, category = metrics[key[0]], categories[key[1]]
            rows.append({**_where(directory, r["site_id"]), "month": r["period__month"].isoformat(), "metric": metric.template_id, "metric_code": metric.code,
                         "metric_name": metric.name, "category": str(category), "old_version": r["old_number"],
                         "new_version": r["signed_off_version__number"], "old": before, "new": after})  # fmt: skip
    return rows


def build_contents(period: ReportingPeriod) -> dict[str, Any]:
    """The whole bulletin for `period`, as JSON."""
    read_at = timezone.now()
    previous = previous_bulletin(period)
    directory = site_directory()
    found = coverage(period, directory)
    earlier = previous.contents if previous else {}
    moved = signals.signals(period, directory, earlier)
    return {
        "period": {"month": period.month.isoformat(), "label": str(period), "slug": period.slug,
                   "initial_submission_due": period.initial_submission_due.isoformat(),
                   "final_submission_due": period.final_submission_due.isoformat()},
        "read_at": read_at.isoformat(),
        # Built before the final deadline (on request): a site may still file or correct.
        "provisional": timezone.localdate(read_at) <= period.final_submission_due,
        "previous": {"id": previous.pk, "label": str(previous.period), "version": previous.version,
                     # An issued bulletin has its issued_at.
                     "issued_at": cast(datetime.datetime, previous.issued_at).isoformat()} if previous else None,
        **found,
        "caveats": caveats(period, directory),
        **moved,
        "changelog": changelog(period, previous.issued_at if previous else None, read_at, directory),
    }  # fmt: skip


def months_due(today: datetime.date, *, catch_up_days: int) -> list[ReportingPeriod]:
    """Months whose final submission deadline has passed (within `catch_up_days`, so a new
    deployment does not issue years of bulletins at once) and that have no bulletin yet."""
    return list(
        ReportingPeriod.objects.filter(
            final_submission_due__lt=today, final_submission_due__gte=today - datetime.timedelta(days=catch_up_days)
        )
        .exclude(Q(bulletins__status=BulletinStatus.ISSUED) | Q(bulletins__status=BulletinStatus.BUILDING))
        .order_by("month")
    )
