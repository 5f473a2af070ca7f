"""Site reviews: scheduled by the taskforce, written by the reviewer, published to the site,
answered by the site lead, and locked once both have signed off. A locked review is never
edited: every later word is a note appended to it. Actions agreed at a review live on after
it: they move from open to closed, and closing one needs a note."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from nhsportal import audit
from nhsportal.models import NATIONAL_ROLES, RoleAssignment
from reviews import rules
from reviews.models import (
    Action,
    ActionOwner,
    ActionStatus,
    Domain,
    DomainRating,
    Rating,
    Review,
    ReviewNote,
    ReviewStatus,
)
from sites.models import Site, SiteStatus


def _locked_review(review: Review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related("site").get(pk=review.pk)


def _refuse_if_signed(review: Review) -> None:
    if review.is_locked:
        raise ValidationError("This review has been signed off and is locked. Add a note instead.")
    if review.reviewer_signed_off_at or review.site_signed_off_at:
        raise ValidationError(
            "This review has been signed off, so its ratings and actions can no longer change. Add a note instead."
        )


@transaction.atomic
def schedule_review(*, site: Site, scheduled_for: datetime.date | None, reviewer: Any, by: Any) -> Review:
    """The taskforce schedules a review; the reviewer must hold a taskforce role."""
    if not rules.can_schedule_review(by):
        raise PermissionDenied("Only the taskforce schedules site reviews.")
    errors = {}
    if site.status == SiteStatus.EXITED:
        errors["site"] = f"{site} has left the programme, so it cannot be reviewed."
    if scheduled_for is None:
        errors["scheduled_for"] = "Enter the date of the review."
    if reviewer is None:
        errors["reviewer"] = "Choose who will lead the review."
    elif not RoleAssignment.objects.filter(user=reviewer, role__in=NATIONAL_ROLES, user__is_active=True).exists():
        errors["reviewer"] = "The reviewer must be a member of the taskforce."
    if errors:
        raise ValidationError(errors)
    assert scheduled_for is not None  # a missing date is refused above
    review = Review.objects.create(site=site, scheduled_for=scheduled_for, reviewer=reviewer, scheduled_by=by)
    audit.record(
        actor=by,
        action="review.scheduled",
        obj=review,
        to_state=review.status,
        changes={"site": str(site), "scheduled_for": str(scheduled_for), "reviewer": reviewer.get_username()},
    )
    return review


@transaction.atomic
def rate_review(
    *,
    review: Review,
    by: Any,
    ratings: dict[str, tuple[str, str]],
    overall_rating: str,
    summary: str,
) -> Review:
    """A RAG rating with a narrative for each domain rated, and the overall rating. Until
    someone signs the review off the reviewer may change them; every change is audited."""
    review = _locked_review(review)
    if not rules.can_write_review(by, review):
        _refuse_if_signed(review)
        raise PermissionDenied("Only the review's reviewer or the taskforce chair can rate it.")
    errors: dict[str, str] = {}
    for domain, (rating, narrative) in ratings.items():
        if domain not in Domain.values:
            errors["__all__"] = f"Unknown domain “{domain}”."
        elif rating and rating not in Rating.values:
            errors[f"{domain}_rating"] = f"Choose red, amber or green for {Domain(domain).label.lower()}."
        elif rating and not narrative.strip():
            errors[f"{domain}_narrative"] = f"Write a short narrative for the {Domain(domain).label.lower()} rating."
        elif narrative.strip() and not rating:
            errors[f"{domain}_rating"] = f"Choose a rating for {Domain(domain).label.lower()}."
    if overall_rating and overall_rating not in Rating.values:
        errors["overall_rating"] = "Choose red, amber or green for the overall rating."
    if errors:
        raise ValidationError(errors)
    existing = {r.domain: r for r in review.ratings.all()}
    changes: dict[str, Any] = {}
    for domain, (rating, narrative) in ratings.items():
        current = existing.get(domain)
        if not rating:
            if current is not None:
                changes[domain] = [current.rating, ""]
                current.delete()
            continue
        if current is None:
            DomainRating.objects.create(review=review, domain=domain, rating=rating, narrative=narrative.strip())
            changes[domain] = ["", rating]
        elif (current.rating, current.narrative) != (rating, narrative.strip()):
            changes[domain] = [current.rating, rating]
            current.rating, current.narrative = rating, narrative.strip()
            current.save(update_fields=["rating", "narrative"])
    changes |= audit.changed_fields(review, {"overall_rating": overall_rating, "summary": summary.strip()})
    review.overall_rating, review.summary = overall_rating, summary.strip()
    review.save(update_fields=["overall_rating", "summary"])
    if changes:
        audit.record(actor=by, action="review.rated", obj=review, changes=changes)
    return review


@transaction.atomic
def add_action(
    *, review: Review, by: Any, description: str, owner: str, due_on: datetime.date | None, owner_name: str = ""
) -> Action:
    """An action agreed at the review, owned by the site or nationally, with a due date."""
    review = _locked_review(review)
    if not rules.can_write_review(by, review):
        _refuse_if_signed(review)
        raise PermissionDenied("Only the review's reviewer or the taskforce chair can agree actions.")
    errors = {}
    if not description.strip():
        errors["description"] = "Describe the action."
    if owner not in ActionOwner.values:
        errors["owner"] = "Choose who owns the action: the site or the national team."
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    if errors:
        raise ValidationError(errors)
    assert due_on is not None  # a missing date is refused above
    action = Action.objects.create(
        review=review,
        site=review.site,
        description=description.strip(),
        owner=owner,
        owner_name=owner_name.strip(),
        due_on=due_on,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="action.agreed",
        obj=action,
        to_state=action.status,
        changes={"review": review.pk, "owner": owner, "due_on": str(due_on)},
    )
    return action


@transaction.atomic
def publish_review(*, review: Review, by: Any) -> Review:
    """A draft is published to the site once every domain and the overall rating are recorded."""
    review = _locked_review(review)
    if not rules.can_write_review(by, review):
        raise PermissionDenied("Only the review's reviewer or the taskforce chair can publish it.")
    if review.status != ReviewStatus.DRAFT:
        raise ValidationError("This review has already been published.")
    rated = set(review.ratings.values_list("domain", flat=True))
    missing = [d.label.lower() for d in Domain if d.value not in rated]
    if missing:
        raise ValidationError(f"Rate every domain before publishing: {', '.join(missing)} not rated yet.")
    if not review.overall_rating:
        raise ValidationError("Give the overall rating before publishing.")
    review.status, review.published_at = ReviewStatus.PUBLISHED, timezone.now()
    review.save(update_fields=["status", "published_at"])
    audit.record(actor=by, action="review.published", obj=review, from_state=ReviewStatus.DRAFT, to_state=review.status)
    return review


@transaction.atomic
def respond_to_review(*, review: Review, by: Any, response: str) -> Review:
    """The site lead's response, until they sign the review off."""
    review = _locked_review(review)
    if not rules.can_respond(by, review):
        _refuse_if_signed(review)
        raise PermissionDenied("Only the site lead responds to a published review.")
    if not response.strip():
        raise ValidationError({"response": "Enter the site's response to the review."})
    changes = audit.changed_fields(review, {"site_response": response.strip()})
    review.site_response, review.site_responded_by, review.site_responded_at = response.strip(), by, timezone.now()
    review.save(update_fields=["site_response", "site_responded_by", "site_responded_at"])
    audit.record(actor=by, action="review.responded", obj=review, changes=changes)
    return review


@transaction.atomic
def sign_off_review(*, review: Review, by: Any, side: str) -> Review:
    """`side` is "reviewer" or "site". Once both have signed, the review is locked."""
    review = _locked_review(review)
    if side == "reviewer":
        if not rules.can_sign_off_as_reviewer(by, review):
            raise PermissionDenied("Only the reviewer or the taskforce chair signs a published review off for the taskforce.")
        review.reviewer_signed_off_by, review.reviewer_signed_off_at = by, timezone.now()
    elif side == "site":
        if not rules.can_sign_off_for_site(by, review):
            raise PermissionDenied("Only the site lead signs a published review off for the site.")
        if not review.site_response:
            raise ValidationError({"response": "Write the site's response before signing the review off."})
        review.site_signed_off_by, review.site_signed_off_at = by, timezone.now()
    else:
        raise ValueError(side)
    before = review.status
    if review.reviewer_signed_off_at and review.site_signed_off_at:
        review.status, review.locked_at = ReviewStatus.LOCKED, timezone.now()
    review.save()
    audit.record(actor=by, action=f"review.signed_off_{side}", obj=review, from_state=before, to_state=review.status)
    return review


@transaction.atomic
def add_note(*, review: Review, by: Any, text: str) -> ReviewNote:
    """Notes are appended, at any stage, and never changed."""
    if not rules.can_add_note(by, review):
        raise PermissionDenied("Only the taskforce and the site's staff can add notes to this review.")
    if not text.strip():
        raise ValidationError({"text": "Enter the note."})
    note = ReviewNote.objects.create(review=review, author=by, text=text.strip())
    audit.record(actor=by, action="review.note_added", obj=review, changes={"note": note.pk})
    return note


@transaction.atomic
def update_action(*, action: Action, by: Any, status: str, note: str = "") -> Action:
    """Move an action on. Closing needs a note saying what was done; a closed action stays closed."""
    action = Action.objects.select_for_update(of=("self",)).select_related("site").get(pk=action.pk)
    if action.status == ActionStatus.CLOSED:
        raise ValidationError("This action is closed.")
    if not rules.can_update_action(by, action):
        raise PermissionDenied("Only the taskforce and the site's staff can update this action.")
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose open, in progress or closed."})
    if status == ActionStatus.CLOSED and not note.strip():
        raise ValidationError({"note": "Enter a note saying how the action was completed."})
    before = action.status
    action.status = status
    fields = ["status"]
    if status == ActionStatus.CLOSED:
        action.closing_note, action.closed_by, action.closed_at = note.strip(), by, timezone.now()
        fields += ["closing_note", "closed_by", "closed_at"]
    action.save(update_fields=fields)
    audit.record(actor=by, action="action.updated", obj=action, from_state=before, to_state=status, reason=note.strip())
    return action
