"""The application's life: draft → submitted → under review → (clarification requested →
submitted) → selected / not selected; withdrawn from draft or submitted.

Every move goes through `_move`, which refuses a move the current state does not allow
(`TransitionNotAllowed`, a 409 in the API) and writes the audit row the timeline shows.
Callers lock the application row first (`lock`), so two people racing on the same
application are served one after the other and the second sees the first one's result.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications import emails
from applications.exceptions import TransitionNotAllowed
from applications.models import DECIDED, IN_REVIEW, Application, ApplicationRound, Clarification, Review, Status
from applications.rules import can_assign_reviewers, can_request_clarification, can_work_on_application
from applications.selectors import problems
from nhsportal import audit

# action: (states it may start from, state it ends in, what the refusal calls it)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED, "submitted"),
    "withdraw": (frozenset({Status.DRAFT, Status.SUBMITTED}), Status.WITHDRAWN, "withdrawn"),
    "start_review": (frozenset({Status.SUBMITTED}), Status.UNDER_REVIEW, "put under review"),
    "request_clarification": (frozenset({Status.UNDER_REVIEW}), Status.CLARIFICATION_REQUESTED, "asked a question"),
    "answer_clarification": (frozenset({Status.CLARIFICATION_REQUESTED}), Status.SUBMITTED, "answered"),
    "select": (frozenset({Status.UNDER_REVIEW}), Status.SELECTED, "selected"),
    "not_select": (frozenset({Status.UNDER_REVIEW}), Status.NOT_SELECTED, "decided"),
}

NOT_APPLICANT = "Only the Place's programme leads can change its application."


def lock(application: Application) -> Application:
    """The application's row, locked until the transaction ends (PostgreSQL; SQLite
    serialises writers anyway), read fresh so no decision rests on a stale copy."""
    return Application.objects.select_for_update(of=("self",)).select_related("round__wave", "place__icb").get(pk=application.pk)


def refusal(application: Application, action: str) -> str:
    _, target, verb = TRANSITIONS[action]
    label = application.get_status_display().lower()
    if action in ("select", "not_select") and application.status in DECIDED:
        return f"{application.place}'s application has already been decided: {label}."
    if application.status == target:
        return f"{application.place}'s application has already been {verb}."
    return f"{application.place}'s application is {label}, so it cannot be {verb} now."


def check_allowed(application: Application, action: str) -> None:
    allowed_from, _, _ = TRANSITIONS[action]
    if application.status not in allowed_from:
        raise TransitionNotAllowed(refusal(application, action))


def move(application: Application, *, action: str, by: Any, reason: str = "", also: tuple[str, ...] = ()) -> Application:
    """Change the (locked) application's status and audit it with from and to."""
    check_allowed(application, action)
    before = application.status
    application.status = TRANSITIONS[action][1]
    application.save(update_fields=["status", "updated_at", *also])
    audit.record(
        actor=by, action=f"application.{action}", obj=application, from_state=before, to_state=application.status, reason=reason
    )
    return application


def require_round_open(round_: ApplicationRound, doing: str) -> None:
    now = timezone.now()
    if now < round_.opens_at:
        raise TransitionNotAllowed(f"{round_} opens at {round_.opens_display}. You can {doing} from then.")
    if now >= round_.closes_at:
        raise TransitionNotAllowed(f"The deadline for {round_} was {round_.closes_display}. You can no longer {doing}.")


def require_applicant(by: Any, application: Application) -> None:
    if not can_work_on_application(by, application):
        raise PermissionDenied(NOT_APPLICANT)


@transaction.atomic
def submit_application(*, application: Application, by: Any) -> Application:
    """A draft is submitted once, before the round's deadline, with every required question
    answered within its word limit. A second submit (a double click, or a colleague at the
    same moment) finds it already submitted and is refused."""
    application = lock(application)
    require_applicant(by, application)
    check_allowed(application, "submit")
    require_round_open(application.round, "submit this application")
    missing = problems(application)
    if missing:
        raise ValidationError({"answers": [problem.message for problem in missing]})
    application.submitted_at = timezone.now()
    return move(application, action="submit", by=by, also=("submitted_at",))


@transaction.atomic
def withdraw_application(*, application: Application, by: Any, reason: str = "") -> Application:
    """A Place may withdraw its draft or its submitted application, until review starts."""
    application = lock(application)
    require_applicant(by, application)
    return move(application, action="withdraw", by=by, reason=reason.strip())


@transaction.atomic
def start_review(*, application: Application, by: Any) -> Application:
    """The chair puts a submitted application under review (assigning its first reviewer
    does this too), including after the Place has answered a question."""
    application = lock(application)
    if not can_assign_reviewers(by):
        raise PermissionDenied("Only the taskforce chair can put applications under review.")
    return move(application, action="start_review", by=by)


@transaction.atomic
def request_clarification(*, application: Application, by: Any, question: str) -> Clarification:
    """The chair, or a reviewer without a conflict, asks the Place a question. Review pauses
    until the Place answers; the Place's programme leads are e-mailed."""
    application = lock(application)
    own_review = Review.objects.filter(application=application, reviewer=by).first()
    if not can_request_clarification(by, application, own_review):
        raise PermissionDenied(
            "Only the chair and the application's reviewers (without a conflict) can ask the Place a question."
        )
    if not question.strip():
        raise ValidationError({"question": "Enter the question for the Place."})
    move(application, action="request_clarification", by=by, reason=question.strip())
    clarification = Clarification.objects.create(application=application, question=question.strip(), asked_by=by)
    transaction.on_commit(functools.partial(emails.send_clarification_request, clarification.pk))
    return clarification


@transaction.atomic
def answer_clarification(*, application: Application, by: Any, answer: str) -> Clarification:
    """The Place answers the open question, and its application goes back to the taskforce
    as submitted. There is no deadline on answering: the taskforce asked."""
    application = lock(application)
    require_applicant(by, application)
    check_allowed(application, "answer_clarification")
    if not answer.strip():
        raise ValidationError({"answer": "Enter your answer to the taskforce's question."})
    clarification = application.clarifications.filter(answered_at__isnull=True).order_by("-asked_at").first()
    if clarification is None:  # pragma: no cover - the state says there is one
        raise TransitionNotAllowed("There is no open question on this application.")
    clarification.answer, clarification.answered_by, clarification.answered_at = answer.strip(), by, timezone.now()
    clarification.save(update_fields=["answer", "answered_by", "answered_at"])
    move(application, action="answer_clarification", by=by, reason=answer.strip())
    return clarification


def in_review(application: Application, doing: str) -> None:
    if application.status not in IN_REVIEW:
        raise TransitionNotAllowed(
            f"{application.place}'s application is {application.get_status_display().lower()}, so you can no longer {doing}."
        )
