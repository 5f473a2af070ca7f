"""How scores add up. Pure functions over rows already loaded, so callers control the queries.

A review's weighted score puts every criterion on the same footing (score ÷ top of its
scale), weights it, and reads out of 100: Σ(score/max × weight) ÷ Σ weight × 100. An
application's score is the mean of its submitted reviews' weighted scores; the spread is
the highest minus the lowest. Reviewers who differ by 25 points or more strongly
disagree, and the chair is asked to look again before deciding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from applications.models import Criterion, Review, Score

DISAGREEMENT_POINTS = Decimal(25)
_TENTH = Decimal("0.1")


def weighted_score(scores: Iterable[Score], criteria: Sequence[Criterion]) -> Decimal | None:
    """Out of 100, to one decimal place; None until every criterion is scored."""
    by_criterion = {score.criterion_id: score.score for score in scores}
    total_weight = sum(criterion.weight for criterion in criteria)
    if not criteria or total_weight == 0 or any(criterion.pk not in by_criterion for criterion in criteria):
        return None
    weighted = sum(
        (Decimal(by_criterion[c.pk]) / Decimal(c.max_score) * Decimal(c.weight) for c in criteria),
        Decimal(0),
    )
    return (weighted / Decimal(total_weight) * 100).quantize(_TENTH, rounding=ROUND_HALF_UP)


@dataclass
class ScoreSummary:
    """What the taskforce sees of an application's scores."""

    reviews: list[tuple[Review, Decimal]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.reviews)

    @property
    def mean(self) -> Decimal | None:
        if not self.reviews:
            return None
        return (sum((score for _, score in self.reviews), Decimal(0)) / len(self.reviews)).quantize(
            _TENTH, rounding=ROUND_HALF_UP
        )

    @property
    def spread(self) -> Decimal | None:
        if len(self.reviews) < 2:
            return None
        values = [score for _, score in self.reviews]
        return max(values) - min(values)

    @property
    def strong_disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_POINTS

    @property
    def recommendations(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for review, _ in self.reviews:
            label = review.get_recommendation_display()
            counts[label] = counts.get(label, 0) + 1
        return counts


def summarise(reviews: Iterable[Review], criteria: Sequence[Criterion]) -> ScoreSummary:
    """Submitted reviews without a conflict, each with its weighted score. Expects each
    review's `scores` to be prefetched."""
    summary = ScoreSummary()
    for review in reviews:
        if not review.is_submitted or review.is_conflicted:
            continue
        score = weighted_score(review.scores.all(), criteria)
        if score is not None:
            summary.reviews.append((review, score))
    return summary
