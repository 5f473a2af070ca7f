"""Reads of returns, scoped to the person asking, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

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
from metrics.returns.checks import ParsedValue
from nhsportal.models import AuditEvent
from sites.models import Site, SiteStatus
from sites.selectors import sites_visible_to

LAYOUT_CATEGORIES = {
    # The earlier layout has one 80+ band where v1.2 has 80-89 and 90+.
    "1.2": lambda c: c.code != "age_80_plus",
    "1.1": lambda c: c.code not in {"age_80_89", "age_90_plus"},
}


def returns_visible_to(user: Any) -> QuerySet[Return]:
    return Return.objects.filter(site__in=sites_visible_to(user))


def period_for(slug: str) -> ReportingPeriod:
    """`2026-03` → the March 2026 reporting period, or a 404."""
    try:
        month = datetime.date.fromisoformat(f"{slug}-01")
    except ValueError:
        month = None
    return get_object_or_404(ReportingPeriod, month=month)


def get_visible_return(user: Any, site_pk: int, slug: str) -> tuple[Site, ReportingPeriod, Return | None]:
    """The site (404 unless visible), the period, and its return if one has been filed."""
    site = get_object_or_404(sites_visible_to(user).select_related("place__icb__region"), pk=site_pk)
    period = period_for(slug)
    return_record = (
        Return.objects.filter(site=site, period=period)
        .select_related("latest_version__created_by", "signed_off_version__signed_off_by")
        .first()
    )
    return site, period, return_record


def get_visible_version(user: Any, site_pk: int, slug: str, number: int) -> tuple[Site, ReportingPeriod, Return, ReturnVersion]:
    """A version of a return the user may see, or a 404."""
    site, period, return_record = get_visible_return(user, site_pk, slug)
    if return_record is None:
        raise Http404("Nothing has been filed for this month yet.")
    version = get_object_or_404(
        ReturnVersion.objects.select_related("created_by", "signed_off_by"), return_record=return_record, number=number
    )
    return site, period, return_record, version


def period_state(period: ReportingPeriod, today: datetime.date) -> str:
    if today <= period.period_end:
        return "not_open"
    if today <= period.initial_submission_due:
        return "open"
    if today <= period.final_submission_due:
        return "late"
    return "closed"


def sites_returns(sites: list[Site], *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """For each site, every period that has begun, newest first, with its return and the
    period's state: three queries however many sites and months."""
    today = today or timezone.localdate()
    periods = list(ReportingPeriod.objects.filter(month__lte=today).order_by("-month"))
    returns = {
        (r.site_id, r.period_id): r
        for r in Return.objects.filter(site__in=sites, period__in=periods)
        .select_related("latest_version", "signed_off_version")
        .annotate(warning_count=Count("latest_version__warnings"))
    }
    states = {p.pk: period_state(p, today) for p in periods}
    return [
        {"site": site, "rows": [{"period": p, "state": states[p.pk], "return": returns.get((site.pk, p.pk))} for p in periods]}
        for site in sites
    ]


def version_grid(version: ReturnVersion) -> dict[str, Any]:
    """A version laid out like the template: per metric, numerator / denominator / rate rows
    across the version's own breakdown categories, `*` where suppressed."""
    categories = [
        c for c in BreakdownCategory.objects.all() if LAYOUT_CATEGORIES.get(version.layout, LAYOUT_CATEGORIES["1.2"])(c)
    ]
    metrics = list(MetricDefinition.objects.all())
    cells = {(v.metric_id, v.category_id): v for v in ReturnValue.objects.filter(version=version)}
    rows = []
    for metric in metrics:
        values = [cells.get((metric.pk, c.pk)) for c in categories]
        rows.append({"metric": metric, "values": values, "rates": [rate_of(v) if metric.has_rate else None for v in values]})
    return {"categories": categories, "rows": rows}


def rate_of(value: ReturnValue | None) -> Decimal | None:
    """Numerator ÷ denominator × 1,000 from the stored figures, or None where it cannot be known."""
    if value is None or value.numerator is None or not value.denominator:
        return None
    return (Decimal(value.numerator) * 1000 / Decimal(value.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parsed_values(version: ReturnVersion) -> list[ParsedValue]:
    """A stored version's values in the importer's terms, to write back into the template."""
    return [
        ParsedValue(
            metric=v.metric.code,
            category=v.category.code,
            numerator=v.numerator,
            denominator=v.denominator,
            numerator_suppressed=v.numerator_suppressed,
            denominator_suppressed=v.denominator_suppressed,
            numerator_cell="",
            denominator_cell="",
        )
        for v in ReturnValue.objects.filter(version=version).select_related("metric", "category")
    ]


class Figures(NamedTuple):
    """One cell pair as a version holds it: a suppressed figure is None with its flag set, a
    figure the metric does not have (a count's denominator) is None with the flag clear."""

    numerator: int | None
    denominator: int | None
    numerator_suppressed: bool
    denominator_suppressed: bool


def _add(total: int | None, part: int | None, suppressed: bool) -> int | None:
    return None if suppressed or total is None or part is None else total + part


def version_figures(version: ReturnVersion, *, as_80_plus: bool) -> dict[tuple[str, str], Figures]:
    """{(metric, category): figures} in the version's own categories, or with 80-89 + 90+
    summed as 80+ (`as_80_plus`). A sum that includes a suppressed cell is itself
    suppressed, never a partial sum."""
    combined: dict[tuple[str, str], Figures] = {}
    for v in ReturnValue.objects.filter(version=version).select_related("metric", "category"):
        key = (v.metric.code, v.category.comparable_code if as_80_plus else v.category.code)
        here = Figures(v.numerator, v.denominator, v.numerator_suppressed, v.denominator_suppressed)
        before = combined.get(key)
        if before is None:
            combined[key] = here
            continue
        num_sup = before.numerator_suppressed or here.numerator_suppressed
        den_sup = before.denominator_suppressed or here.denominator_suppressed
        combined[key] = Figures(
            _add(before.numerator, here.numerator, num_sup), _add(before.denominator, here.denominator, den_sup), num_sup, den_sup
        )
    return combined


def comparable_values(version: ReturnVersion) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    """{(metric, comparable category): (numerator, denominator)} with 80-89 + 90+ as 80+.
    A sum that includes a suppressed cell is itself unknown (None), never a partial sum."""
    return {key: (f.numerator, f.denominator) for key, f in version_figures(version, as_80_plus=True).items()}


def compares_as_80_plus(older: ReturnVersion, newer: ReturnVersion) -> bool:
    """Two versions of the same layout compare in their own categories (a patient moving from
    80-89 to 90+ is a change); only when one is the earlier layout, whose single 80+ band
    cannot be split, do 80-89 + 90+ compare as 80+."""
    return older.layout != newer.layout


def version_diff(older: ReturnVersion, newer: ReturnVersion) -> list[dict[str, Any]]:
    """The cells that differ between two versions, suppression included (a figure becoming
    suppressed is a change). `before`/`after` are `Figures`, or None where the version has no
    such cell."""
    as_80_plus = compares_as_80_plus(older, newer)
    a, b = version_figures(older, as_80_plus=as_80_plus), version_figures(newer, as_80_plus=as_80_plus)
    metrics = {m.code: m for m in MetricDefinition.objects.all()}
    categories = {c.code: c for c in BreakdownCategory.objects.all()}  # comparable codes are category codes too
    keys = sorted(set(a) | set(b), key=lambda k: (metrics[k[0]].order, categories[k[1]].order))
    return [
        {"metric": metrics[m], "category": categories[c], "before": a.get((m, c)), "after": b.get((m, c))}
        for m, c in keys
        if a.get((m, c)) != b.get((m, c))
    ]


QUERY_ORDER = Case(
    When(status=QueryStatus.OPEN, then=Value(0)),
    When(status=QueryStatus.ANSWERED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def queries_visible_to(user: Any) -> QuerySet[DataQualityQuery]:
    """Every data-quality query on the returns of the sites the user may see: open ones first
    (waiting for the site), then answered (waiting for the taskforce), then closed; newest first."""
    return (
        DataQualityQuery.objects.filter(return_record__site__in=sites_visible_to(user))
        .select_related("return_record__site", "return_record__period", "raised_by", "answered_by", "closed_by", "reopened_by")
        .order_by(QUERY_ORDER, "-raised_at", "-pk")
    )


_TIMELINE_TITLES = {
    "return.version_filed": "Version {version} filed",
    "return.warnings_acknowledged": "Warnings on version {version} acknowledged",
    "return.sent_for_sign_off": "Sent to the site lead for sign-off",
    "return.signed_off": "Signed off and submitted",
    "return.correction_requested": "The taskforce asked for a correction",
    "return.query_raised": "Data quality query raised",
    "return.query_answered": "Data quality query answered",
    "return.query_closed": "Data quality query closed",
    "return.query_reopened": "Data quality query reopened",
}


def return_timeline(return_record: Return) -> list[dict[str, Any]]:
    """Every step of the return's life, oldest first, from the audit trail (one query): filings,
    sign-offs, corrections and each step of its data-quality queries."""
    events = (
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Return), object_id=str(return_record.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
    entries = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        title = _TIMELINE_TITLES.get(event.action, event.action)
        try:
            title = title.format(**changes)
        except (KeyError, IndexError, ValueError):
            title = title.replace(" {version}", "")
        actor = event.actor
        entries.append(
            {
                "at": event.at,
                "title": title,
                "who": (actor.get_full_name() or actor.get_username()) if actor else "Not recorded",
                "note": event.reason,
                "query": changes.get("query"),
            }
        )
    return entries


def return_tasks(site: Site, *, can_sign_off: bool, today: datetime.date | None = None) -> list[dict[str, str]]:
    """What a site's own people should do next about returns, most urgent first."""
    today = today or timezone.localdate()
    tasks = []
    open_periods = ReportingPeriod.objects.filter(period_end__lt=today, final_submission_due__gte=today).order_by("month")
    returns = {r.period_id: r for r in Return.objects.filter(site=site, period__in=open_periods)}
    for period in open_periods:
        record = returns.get(period.pk)
        href = reverse("return-detail", args=[site.pk, period.slug])
        due = f"{period.initial_submission_due.day} {period.initial_submission_due:%B}"
        if record is None:
            late = " (overdue)" if today > period.initial_submission_due else ""
            tasks.append({"text": f"File the {period} return, due {due}{late}", "href": href})
        elif record.status == "correction_requested":
            tasks.append({"text": f"Correct the {period} return: the taskforce asked for changes", "href": href})
        elif record.status == "draft":
            tasks.append({"text": f"Send the {period} return for sign-off", "href": href})
        elif record.status == "awaiting_sign_off" and can_sign_off:
            tasks.append({"text": f"Sign off the {period} return", "href": href})
    open_queries = DataQualityQuery.objects.filter(return_record__site=site, status=QueryStatus.OPEN).count()
    if open_queries:
        tasks.append(
            {
                "text": f"Answer {open_queries} data quality {'query' if open_queries == 1 else 'queries'} from the taskforce",
                "href": reverse("return-queries") + f"?status={QueryStatus.OPEN}",
            }
        )
    return tasks


def missing_returns_summary(today: datetime.date | None = None) -> dict[str, Any] | None:
    """For the taskforce's home page: the latest month past its initial deadline and how many
    expected returns it is missing."""
    today = today or timezone.localdate()
    period = ReportingPeriod.objects.filter(initial_submission_due__lt=today).order_by("-month").first()
    if period is None:
        return None
    expected = Site.objects.exclude(status=SiteStatus.EXITED).filter(wave__start_date__lte=period.period_end).count()
    filed = Return.objects.filter(period=period, signed_off_version__isnull=False).count()
    return {
        "period": period,
        "expected": expected,
        "missing": expected - filed,
        **{
            f"{status}_queries": count
            for status, count in DataQualityQuery.objects.exclude(status=QueryStatus.CLOSED)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        },
    }
