"""Who may do what with onboarding milestones, reviews, actions and the coaching log.

Reads go through the scoped selectors (another site's object is a 404); these predicates
decide what a person who can see an object may do with it (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of
from reviews.models import Action, ActionStatus, Review, ReviewStatus
from sites.models import Site


def is_site_person(user: Any, site: Site) -> bool:
    """Site staff, the site lead and the Place's programme lead."""
    roles = roles_of(user)
    return site.pk in roles.site_ids or site.place_id in roles.place_ids


# --- Onboarding


def can_mark_milestone(user: Any, site: Site) -> bool:
    """The site's own people mark milestones done (administrators may, to help)."""
    return roles_of(user).is_admin or is_site_person(user, site)


def can_decide_milestone(user: Any) -> bool:
    """The taskforce confirms a milestone or sends it back."""
    return roles_of(user).is_national


# --- Reviews


def can_schedule_review(user: Any) -> bool:
    """The taskforce (members, the chair, administrators) schedule reviews."""
    return roles_of(user).is_national


def can_view_review(user: Any, review: Review) -> bool:
    """The taskforce reads every review; a site's people read its reviews once published."""
    roles = roles_of(user)
    if roles.is_national:
        return True
    return review.status != ReviewStatus.DRAFT and is_site_person(user, review.site)


def can_write_review(user: Any, review: Review) -> bool:
    """The assigned reviewer, the chair and administrators rate, agree actions and publish,
    until someone has signed the review off."""
    roles = roles_of(user)
    return (roles.is_chair or review.reviewer_id == user.pk) and not _signed_by_anyone(review)


def can_respond(user: Any, review: Review) -> bool:
    """The site lead responds for the site, on a published review they have not signed off."""
    roles = roles_of(user)
    return (
        review.status == ReviewStatus.PUBLISHED
        and review.site_signed_off_at is None
        and (roles.is_admin or review.site_id in roles.lead_site_ids)
    )


def can_sign_off_for_site(user: Any, review: Review) -> bool:
    return can_respond(user, review)


def can_sign_off_as_reviewer(user: Any, review: Review) -> bool:
    roles = roles_of(user)
    return (
        review.status == ReviewStatus.PUBLISHED
        and review.reviewer_signed_off_at is None
        and (roles.is_chair or review.reviewer_id == user.pk)
    )


def can_add_note(user: Any, review: Review) -> bool:
    """The taskforce and the site's own staff and lead add notes to a published review."""
    roles = roles_of(user)
    if roles.is_national:
        return True
    return review.status != ReviewStatus.DRAFT and review.site_id in roles.site_ids


def _signed_by_anyone(review: Review) -> bool:
    return review.reviewer_signed_off_at is not None or review.site_signed_off_at is not None


# --- Actions


def can_update_action(user: Any, action: Action) -> bool:
    """The taskforce and the site's staff and lead move an action on or close it."""
    roles = roles_of(user)
    if action.status == ActionStatus.CLOSED:
        return False
    return roles.is_national or action.site_id in roles.site_ids


# --- Coaching and the national view


def can_record_coaching(user: Any) -> bool:
    return roles_of(user).is_national


def can_see_national_matrix(user: Any) -> bool:
    """Ratings are for the taskforce: the matrix is never public nor shown to other sites."""
    return roles_of(user).is_national
