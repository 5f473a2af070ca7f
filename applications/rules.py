"""Who may do what with applications. Every page, endpoint and service asks here.

- A Place's programme leads are its applicants: they start, write, submit and withdraw its
  application and answer the taskforce's questions. Nobody else sees a draft except
  administrators; leads of other Places never see it at all (404).
- The taskforce (members, the chair, administrators) reads every submitted application.
- Reviews stay blind: an assigned reviewer sees the other reviews only once their own is
  submitted, and never if they declared a conflict of interest (which also stops them
  scoring). The chair, moderating, sees every submitted review unless conflicted too.
- The chair assigns reviewers, moderates and decides; a conflicted chair leaves the
  decision on that application to an administrator.
"""

from __future__ import annotations

from typing import Any

from applications.models import Application, Review
from nhsportal.models import Role
from nhsportal.roles import roles_of

REVIEWER_ROLES = frozenset({Role.TASKFORCE_MEMBER, Role.TASKFORCE_CHAIR})


def is_applicant(user: Any, application: Application) -> bool:
    """The Place's programme leads. Being named a collaborator adds nothing to this."""
    return application.place_id in roles_of(user).place_ids


def can_start_application(user: Any, place_id: int) -> bool:
    return place_id in roles_of(user).place_ids


def can_view_application(user: Any, application: Application) -> bool:
    roles = roles_of(user)
    if roles.is_admin or is_applicant(user, application):
        return True
    return roles.is_national and application.submitted_at is not None


def can_work_on_application(user: Any, application: Application) -> bool:
    """Write answers, name collaborators, upload evidence, submit, withdraw, answer questions."""
    return is_applicant(user, application)


def can_list_for_taskforce(user: Any) -> bool:
    return roles_of(user).is_national


def can_assign_reviewers(user: Any) -> bool:
    return roles_of(user).is_chair


def can_be_reviewer(user: Any) -> bool:
    return bool(roles_of(user).roles & REVIEWER_ROLES)


def can_score(user: Any, review: Review) -> bool:
    """Only the reviewer, and only without a declared conflict."""
    return review.reviewer_id == getattr(user, "pk", None) and not review.is_conflicted


def can_see_reviews(user: Any, application: Application, own_review: Review | None) -> bool:
    """Other people's submitted reviews: the taskforce, except an assigned reviewer who has
    not submitted their own yet or who declared a conflict."""
    if not roles_of(user).is_national:
        return False
    if own_review is None:
        return True
    return own_review.is_submitted and not own_review.is_conflicted


def can_request_clarification(user: Any, application: Application, own_review: Review | None) -> bool:
    roles = roles_of(user)
    if own_review is not None and own_review.is_conflicted:
        return False
    return roles.is_chair or own_review is not None


def can_moderate(user: Any) -> bool:
    return roles_of(user).is_chair


def can_decide(user: Any, own_review: Review | None) -> bool:
    return roles_of(user).is_chair and not (own_review is not None and own_review.is_conflicted)


def can_export(user: Any) -> bool:
    return roles_of(user).is_national
