"""The assembled review pack and the national ratings matrix: reads, in a fixed number of
queries however many months, teams, workforce entries or reviews a site has."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from metrics.models import DataQualityQuery, QueryStatus, ReportingPeriod, Return
from metrics.returns.coverage import CoverageCell, _coverage_state
from reviews.models import RATING_ORDER, Action, ActionStatus, Domain, DomainRating, Review, ReviewStatus
from sites.models import Site
from sites.selectors import site_profile
from teams.models import NeighbourhoodTeam, WorkforceEntry
from teams.selectors import workforce_by_profession

COVERAGE_MONTHS = 12


def previous_review(review: Review) -> Review | None:
    """The site's last published or signed-off review before this one."""
    return (
        Review.objects.filter(site_id=review.site_id, scheduled_for__lt=review.scheduled_for)
        .exclude(status=ReviewStatus.DRAFT)
        .exclude(pk=review.pk)
        .prefetch_related("ratings")
        .order_by("-scheduled_for", "-id")
        .first()
    )


def _changes_since(site: Site, since: datetime.date, until: datetime.date) -> dict[str, Any]:
    """Teams started and workforce entries begun or ended in the window: two queries."""
    teams = list(
        NeighbourhoodTeam.objects.filter(site=site)
        .filter(Q(launched_on__gt=since, launched_on__lte=until) | Q(launched_on__isnull=True, created_at__date__gt=since))
        .select_related("neighbourhood")
        .order_by("launched_on", "name")
    )
    entries = list(
        WorkforceEntry.objects.filter(team__site=site)
        .filter(Q(start_date__gt=since, start_date__lte=until) | Q(end_date__gte=since, end_date__lte=until))
        .select_related("team", "profession", "employer")
        .order_by("team__name", "profession__name", "start_date")
    )
    joined = [e for e in entries if since < e.start_date <= until]
    left = [e for e in entries if e.end_date is not None and since <= e.end_date <= until]
    return {
        "new_teams": teams,
        "joined": joined,
        "left": left,
        "headcount_change": sum(e.headcount for e in joined) - sum(e.headcount for e in left),
    }


def _coverage(site: Site, today: datetime.date) -> dict[str, Any]:
    """The site's last twelve months of returns: two queries."""
    periods = list(ReportingPeriod.objects.filter(period_end__lt=today).order_by("-month")[:COVERAGE_MONTHS])[::-1]
    returns = {
        r.period_id: r
        for r in Return.objects.filter(site=site, period__in=periods).only("id", "period_id", "status", "first_signed_off_at")
    }
    cells: list[dict[str, Any]] = []
    for period in periods:
        expected = site.wave.start_date <= period.period_end
        state = _coverage_state(returns.get(period.pk), period, today) if expected else "not_expected"
        cells.append({"period": period, "cell": CoverageCell(state, returns.get(period.pk))})
    due = [c for c in cells if c["cell"].state in {"on_time", "late", "missing"}]
    filed = [c for c in due if c["cell"].state in {"on_time", "late"}]
    return {"cells": cells, "due": len(due), "filed": len(filed), "on_time": sum(c["cell"].state == "on_time" for c in due)}


def review_pack(review: Review, *, user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything the review page shows, assembled from the portal's data, in a bounded number
    of queries (asserted at two data sizes in tests/reviews/test_query_bounds.py)."""
    today = today or timezone.localdate()
    site = review.site
    previous = previous_review(review)
    since = previous.scheduled_for if previous else (site.joined_on or site.wave.start_date)
    until = max(review.scheduled_for, today) if review.status == ReviewStatus.DRAFT else review.scheduled_for
    queries = list(
        DataQualityQuery.objects.filter(return_record__site=site)
        .exclude(status=QueryStatus.CLOSED)  # open or answered: the loop is not closed yet
        .select_related("return_record__period", "raised_by")
        .order_by("return_record__period__month", "raised_at")
    )
    # Open actions from this review and every earlier published one (other drafts are not agreed yet).
    open_actions = list(
        Action.objects.filter(site=site)
        .exclude(status=ActionStatus.CLOSED)
        .filter(Q(review=review) | ~Q(review__status=ReviewStatus.DRAFT))
        .select_related("review")
        .order_by("due_on", "id")
    )
    ratings = {r.domain: r for r in review.ratings.all()}
    before = {r.domain: r for r in previous.ratings.all()} if previous else {}
    domains = [
        {
            "domain": domain,
            "rating": ratings.get(domain.value),
            "previous": before.get(domain.value),
            "trend": trend(before.get(domain.value), ratings.get(domain.value)),
        }
        for domain in Domain
    ]
    return {
        "site": site,
        "previous": previous,
        "since": since,
        "profile": site_profile(site),
        "team_count": NeighbourhoodTeam.objects.filter(site=site).count(),
        "workforce": workforce_by_profession(site, on=min(until, today)),
        "changes": _changes_since(site, since, until),
        "coverage": _coverage(site, today),
        "queries": queries,
        "key_metrics": _key_metrics(site, user),
        "open_actions": open_actions,
        "domains": domains,
        "actions": list(review.actions.select_related("closed_by").order_by("due_on", "id")),
        "notes": list(review.notes.select_related("author").order_by("added_at", "id")),
        "today": today,
    }


def _key_metrics(site: Site, user: Any) -> list[dict[str, Any]]:
    """The site's key metrics with SPC and funnel position, from the dashboards (their contract)."""
    from dashboards.selectors import site_key_metrics

    return site_key_metrics(site, user=user)


def trend(before: DomainRating | Review | None, now: DomainRating | Review | None, field: str = "rating") -> str:
    """improved, worse, same, or "" when either side is missing."""
    old = getattr(before, field, "") if before is not None else ""
    new = getattr(now, field, "") if now is not None else ""
    if not old or not new:
        return ""
    if RATING_ORDER[new] > RATING_ORDER[old]:
        return "improved"
    if RATING_ORDER[new] < RATING_ORDER[old]:
        return "worse"
    return "same"


TREND_LABELS = {"improved": "Improved", "worse": "Worse", "same": "No change", "": ""}


def national_matrix(*, region: str = "", wave: str = "") -> list[dict[str, Any]]:
    """Every site (filtered by region ODS code and wave number) with its latest published or
    signed-off review's ratings by domain and the trend since the review before. Three queries."""
    chosen = Site.objects.select_related("place__icb__region", "wave").annotate(
        review_count=Count("reviews", filter=~Q(reviews__status=ReviewStatus.DRAFT))
    )
    if region:
        chosen = chosen.filter(place__icb__region__ods_code=region)
    if wave:
        chosen = chosen.filter(wave__number=wave)
    sites = list(chosen.order_by("place__icb__region__name", "name"))
    reviews = (
        Review.objects.filter(site__in=sites)
        .exclude(status=ReviewStatus.DRAFT)
        .prefetch_related(Prefetch("ratings", queryset=DomainRating.objects.order_by("id")))
        .order_by("site_id", "-scheduled_for", "-id")
    )
    by_site: dict[int, list[Review]] = {}
    for each in reviews:
        kept = by_site.setdefault(each.site_id, [])
        if len(kept) < 2:
            kept.append(each)
    rows = []
    for site in sites:
        latest, before = (by_site.get(site.pk, []) + [None, None])[:2]
        now = {r.domain: r for r in latest.ratings.all()} if latest else {}
        then = {r.domain: r for r in before.ratings.all()} if before else {}
        rows.append(
            {
                "site": site,
                "review": latest,
                "domains": [
                    {"domain": d, "rating": now.get(d.value), "trend": trend(then.get(d.value), now.get(d.value))} for d in Domain
                ],
                "overall": latest.overall_rating if latest else "",
                "overall_trend": trend(before, latest, "overall_rating") if latest else "",
            }
        )
    return rows
