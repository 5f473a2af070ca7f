"""The chair's moderation view of a round: every submitted application ranked by its
weighted score, with the reviewers' spread, the Place's deprivation and region, and
whether the Places that would be selected cover every NHS England region.

Ranking: highest mean weighted score first; ties go to the more deprived Place (larger
share of its neighbourhoods in England's most deprived 20%), as the programme gives
priority to the most deprived areas. Applications without a submitted review are listed
after the ranked ones, unranked.

Coverage: the Places already selected in the round, topped up with the best-ranked
undecided applications until the round's number of sites is reached (or the number the
chair asks for). For each region that would have no site, the best-ranked undecided
application from it is shown, so the chair sees the trade-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from applications.models import Application, ApplicationRound, Conflict, Review, Status
from applications.scoring import ScoreSummary
from applications.selectors import score_summaries
from sites.models import Region, weighted_deprivation


@dataclass
class Row:
    application: Application
    summary: ScoreSummary
    deprivation: dict[str, Decimal] | None
    rank: int | None = None
    would_be_selected: bool = False
    conflicted: bool = False

    @property
    def region(self) -> Region:
        return self.application.place.icb.region


@dataclass
class Coverage:
    places: int
    regions_covered: list[Region] = field(default_factory=list)
    regions_missing: list[tuple[Region, Row | None]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.regions_missing


def _sort_key(row: Row) -> tuple[Any, ...]:
    mean = row.summary.mean
    deprived = row.deprivation["pct_lsoas_most_deprived_20"] if row.deprivation else Decimal(-1)
    return (mean is None, -(mean or 0), -deprived, row.application.place.name)


def moderation(round_: ApplicationRound, *, user: Any, top: int | None = None) -> dict[str, Any]:
    applications = list(
        Application.objects.filter(round=round_, submitted_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("place__icb__region", "decision", "lead_applicant")
        .prefetch_related("place__local_authorities")
    )
    summaries = score_summaries(user, applications)
    rows = [
        Row(
            application=application,
            summary=summaries.get(application.pk) or ScoreSummary(),
            deprivation=weighted_deprivation(list(application.place.local_authorities.all())),
        )
        for application in applications
    ]
    rows.sort(key=_sort_key)
    rank = 0
    for row in rows:
        if row.summary.mean is not None:
            rank += 1
            row.rank = rank

    selected = [row for row in rows if row.application.status == Status.SELECTED]
    undecided_ranked = [row for row in rows if row.rank is not None and not row.application.is_decided]
    places = top if top is not None else (round_.sites_to_select or len(selected) + len(undecided_ranked))
    would_select = selected + undecided_ranked[: max(places - len(selected), 0)]
    for row in would_select:
        row.would_be_selected = True

    covered_ids = {row.region.pk for row in would_select}
    regions = list(Region.objects.order_by("name"))
    coverage = Coverage(places=places, regions_covered=[region for region in regions if region.pk in covered_ids])
    for region in regions:
        if region.pk not in covered_ids:
            best = next((row for row in undecided_ranked if row.region.pk == region.pk), None)
            coverage.regions_missing.append((region, best))

    conflicted = set(
        Review.objects.filter(reviewer=user, application__in=applications, conflict=Conflict.DECLARED).values_list(
            "application_id", flat=True
        )
    )
    for row in rows:
        row.conflicted = row.application.pk in conflicted
    return {
        "rows": rows,
        "coverage": coverage,
        "undecided": [row for row in rows if row.application.status == Status.UNDER_REVIEW],
    }
