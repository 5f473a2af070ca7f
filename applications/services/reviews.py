"""Reviewing: the chair assigns taskforce members; each declares any conflict of interest
first, then scores every criterion, recommends, and submits. A declared conflict stops
the reviewer there for good (the chair assigns someone else)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Conflict, Criterion, Recommendation, Review, Score, Status
from applications.rules import can_assign_reviewers, can_be_reviewer, can_score, is_applicant
from applications.services.workflow import in_review, lock, move
from nhsportal import audit

NOT_REVIEWER = "Only the reviewer assigned to this review can change it."


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def assign_reviewer(*, application: Application, reviewer: Any, by: Any) -> Review:
    """The chair assigns a taskforce member (or themself). The first assignment puts a
    submitted application under review."""
    application = lock(application)
    if not can_assign_reviewers(by):
        raise PermissionDenied("Only the taskforce chair can assign reviewers.")
    in_review(application, "assign reviewers")
    if not can_be_reviewer(reviewer):
        raise ValidationError({"reviewer": f"{_name(reviewer)} is not a taskforce member, so cannot review applications."})
    if is_applicant(reviewer, application):
        raise ValidationError(
            {"reviewer": f"{_name(reviewer)} is a programme lead for {application.place}, so cannot review it."}
        )
    try:
        with transaction.atomic():
            review = Review.objects.create(application=application, reviewer=reviewer, assigned_by=by)
    except IntegrityError as exc:
        raise ValidationError({"reviewer": f"{_name(reviewer)} is already reviewing this application."}) from exc
    audit.record(actor=by, action="application.reviewer_assigned", obj=application, changes={"reviewer": reviewer.get_username()})
    if application.status == Status.SUBMITTED:
        move(application, action="start_review", by=by)
    return review


@transaction.atomic
def unassign_reviewer(*, review: Review, by: Any) -> None:
    """A reviewer who has not submitted can be taken off (a conflicted one, for instance)."""
    if not can_assign_reviewers(by):
        raise PermissionDenied("Only the taskforce chair can change reviewers.")
    review = Review.objects.select_for_update().select_related("application", "reviewer").get(pk=review.pk)
    if review.is_submitted:
        raise TransitionNotAllowed(f"{_name(review.reviewer)} has submitted their review, so it stays on the record.")
    audit.record(
        actor=by,
        action="application.reviewer_unassigned",
        obj=review.application,
        changes={"reviewer": review.reviewer.get_username(), "conflict": review.conflict},
    )
    review.delete()


def _own_open_review(review: Review, by: Any, doing: str) -> Review:
    review = Review.objects.select_for_update().select_related("application__place", "application__round").get(pk=review.pk)
    if review.reviewer_id != getattr(by, "pk", None):
        raise PermissionDenied(NOT_REVIEWER)
    if review.is_submitted:
        raise TransitionNotAllowed("You have submitted this review, so it can no longer be changed.")
    in_review(review.application, doing)
    return review


@transaction.atomic
def declare_conflict(*, review: Review, by: Any, has_conflict: bool, details: str = "") -> Review:
    """Declared before anything else. A reviewer who finds a conflict later may still declare
    it (until they submit); a declared conflict cannot be taken back."""
    review = _own_open_review(review, by, "declare a conflict of interest")
    if review.is_conflicted:
        raise TransitionNotAllowed(
            "You have declared a conflict of interest on this application. Ask the chair if this is wrong."
        )
    if has_conflict and not details.strip():
        raise ValidationError({"details": "Describe the conflict of interest."})
    review.conflict = Conflict.DECLARED if has_conflict else Conflict.NONE
    review.conflict_details = details.strip() if has_conflict else ""
    review.conflict_declared_at = timezone.now()
    review.save(update_fields=["conflict", "conflict_details", "conflict_declared_at"])
    audit.record(
        actor=by,
        action="review.conflict_declared" if has_conflict else "review.no_conflict_declared",
        obj=review,
        reason=review.conflict_details,
    )
    return review


def _scoring_review(review: Review, by: Any, doing: str) -> Review:
    review = _own_open_review(review, by, doing)
    if not can_score(by, review):
        raise PermissionDenied("You declared a conflict of interest on this application, so you cannot score it.")
    if review.conflict == Conflict.UNDECLARED:
        raise TransitionNotAllowed("Declare whether you have a conflict of interest before you score.")
    return review


@transaction.atomic
def save_score(*, review: Review, by: Any, criterion: Criterion, score: int, comment: str = "") -> Score:
    review = _scoring_review(review, by, "score it")
    if criterion.round_id != review.application.round_id:
        raise ValidationError({"criterion": "That criterion belongs to another round."})
    if not 0 <= score <= criterion.max_score:
        raise ValidationError({"score": f"Choose a score from 0 to {criterion.max_score}."})
    saved, _ = Score.objects.update_or_create(
        review=review, criterion=criterion, defaults={"score": score, "comment": comment.strip()}
    )
    return saved


@transaction.atomic
def save_recommendation(*, review: Review, by: Any, recommendation: str, comment: str = "") -> Review:
    review = _scoring_review(review, by, "recommend")
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Choose your overall recommendation."})
    review.recommendation, review.comment = recommendation, comment.strip()
    review.save(update_fields=["recommendation", "comment"])
    return review


def review_gaps(review: Review) -> list[str]:
    """What is missing before the review can be submitted."""
    scored = set(review.scores.values_list("criterion_id", flat=True))
    gaps = [
        f"Score “{criterion.title}”"
        for criterion in Criterion.objects.filter(round=review.application.round_id).order_by("number")
        if criterion.pk not in scored
    ]
    if not review.recommendation:
        gaps.append("Choose your overall recommendation")
    return gaps


@transaction.atomic
def submit_review(*, review: Review, by: Any) -> Review:
    """Every criterion scored and a recommendation chosen; then the review is final and the
    reviewer may read the others'."""
    review = _scoring_review(review, by, "submit your review")
    gaps = review_gaps(review)
    if gaps:
        raise ValidationError({"review": gaps})
    review.submitted_at = timezone.now()
    review.save(update_fields=["submitted_at"])
    audit.record(actor=by, action="review.submitted", obj=review, changes={"recommendation": review.recommendation})
    return review
