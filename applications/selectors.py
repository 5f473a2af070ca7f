"""Reads of rounds, applications, reviews and decisions, scoped to the person asking, in a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Min, Q, QuerySet
from django.shortcuts import get_object_or_404

from applications.models import (
    Answer,
    Application,
    Collaborator,
    Conflict,
    Criterion,
    Decision,
    Question,
    Review,
    count_words,
)
from applications.rules import REVIEWER_ROLES, can_see_reviews
from applications.scoring import ScoreSummary, summarise
from nhsportal.models import AuditEvent, Role, RoleAssignment
from nhsportal.roles import roles_of

# Visibility.


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """A Place's programme leads see its applications, drafts included; the taskforce sees
    every application once submitted; administrators see all. Others see none."""
    roles = roles_of(user)
    applications = Application.objects.all()
    if roles.is_admin:
        return applications
    visible = Q(place_id__in=roles.place_ids)
    if roles.is_national:
        visible |= Q(submitted_at__isnull=False)
    return applications.filter(visible)


def get_visible_application(user: Any, pk: int) -> Application:
    """The application, if the user may see it; a 404 otherwise (existence must not leak)."""
    return get_object_or_404(
        applications_visible_to(user).select_related("round__wave", "place__icb__region", "lead_applicant", "site"), pk=pk
    )


def review_of(user: Any, application: Application) -> Review | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Review.objects.filter(application=application, reviewer=user).first()


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    """Your own reviews, and others' submitted reviews where `rules.can_see_reviews` lets you."""
    roles = roles_of(user)
    if roles.is_admin:
        return Review.objects.all()
    if not roles.is_national:
        return Review.objects.none()
    mine = Review.objects.filter(reviewer=user)
    cleared = mine.filter(submitted_at__isnull=False).exclude(conflict=Conflict.DECLARED).values("application_id")
    others = Q(submitted_at__isnull=False, application__submitted_at__isnull=False) & (
        Q(application_id__in=cleared) | ~Q(application_id__in=mine.values("application_id"))
    )
    return Review.objects.filter(Q(reviewer=user) | others)


def decisions_visible_to(user: Any) -> QuerySet[Decision]:
    return Decision.objects.filter(application__in=applications_visible_to(user))


# The application itself.


@dataclass(frozen=True)
class Problem:
    """Something to put right before the application can be submitted."""

    question: Question
    message: str


def questions_with_answers(application: Application) -> list[tuple[Question, Answer | None]]:
    answers = {answer.question_id: answer for answer in Answer.objects.filter(application=application)}
    return [(question, answers.get(question.pk)) for question in Question.objects.filter(round=application.round_id)]


def problems(application: Application) -> list[Problem]:
    """Every required question unanswered and every answer over its word limit, in order."""
    found = []
    for question, answer in questions_with_answers(application):
        text = answer.text if answer else ""
        words = count_words(text)
        if question.required and words == 0:
            found.append(Problem(question, f"Answer question {question.number}: {question.prompt}"))
        elif question.word_limit is not None and words > question.word_limit:
            found.append(
                Problem(
                    question,
                    f"Shorten your answer to question {question.number} to {question.word_limit} words or fewer (it has {words})",
                )
            )
    return found


def collaborators_of(application: Application) -> list[Collaborator]:
    return list(application.collaborators.select_related("user").order_by("added_at"))


def eligible_collaborators(application: Application) -> list[Any]:
    """The Place's other programme leads who are not named yet."""
    named = Collaborator.objects.filter(application=application).values("user_id")
    leads = RoleAssignment.objects.filter(role=Role.PROGRAMME_LEAD, place=application.place_id).values("user_id")
    people = get_user_model().objects.filter(pk__in=leads, is_active=True).exclude(pk__in=named)
    if application.lead_applicant_id:
        people = people.exclude(pk=application.lead_applicant_id)
    return list(people.order_by("first_name", "last_name", "username"))


def eligible_reviewers(application: Application) -> list[Any]:
    """Taskforce members and the chair not yet reviewing it and not leads of its Place."""
    reviewers = RoleAssignment.objects.filter(role__in=REVIEWER_ROLES).values("user_id")
    assigned = Review.objects.filter(application=application).values("reviewer_id")
    leads = RoleAssignment.objects.filter(role=Role.PROGRAMME_LEAD, place=application.place_id).values("user_id")
    people = get_user_model().objects.filter(pk__in=reviewers, is_active=True).exclude(pk__in=assigned).exclude(pk__in=leads)
    return list(people.order_by("first_name", "last_name", "username"))


def reviews_of(application: Application) -> list[Review]:
    return list(
        application.reviews.select_related("reviewer").prefetch_related("scores__criterion").order_by("assigned_at", "id")
    )


def criteria_of(round_id: int) -> list[Criterion]:
    return list(Criterion.objects.filter(round=round_id).prefetch_related("descriptors").order_by("number"))


_TIMELINE_TITLES = {
    "application.imported": "Recorded from earlier records",
    "application.started": "Application started",
    "application.submit": "Submitted",
    "application.withdraw": "Withdrawn",
    "application.start_review": "Review started",
    "application.request_clarification": "The taskforce asked a question",
    "application.answer_clarification": "Question answered and application returned to the taskforce",
    "application.select": "Selected",
    "application.not_select": "Not selected",
}


def timeline(application: Application, *, viewer: Any) -> list[dict[str, Any]]:
    """Every change of status, oldest first, from the audit trail. Applicants see the
    taskforce as “National taskforce”, not as named people."""
    events = (
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Application), object_id=str(application.pk))
        .exclude(to_state="")
        .select_related("actor")
        .order_by("at", "id")
    )
    national = roles_of(viewer).is_national
    leads = set(
        RoleAssignment.objects.filter(role=Role.PROGRAMME_LEAD, place=application.place_id).values_list("user_id", flat=True)
    )
    entries = []
    for event in events:
        actor = event.actor
        if actor is None:
            who = "The portal"
        elif national or actor.pk in leads:
            who = actor.get_full_name() or actor.get_username()
        else:
            who = "National taskforce"
        entries.append(
            {"at": event.at, "title": _TIMELINE_TITLES.get(event.action, event.action), "who": who, "note": event.reason}
        )
    return entries


# Lists.

SORTS = {
    "place": ("place__name",),
    "submitted": (F("submitted_at").desc(nulls_last=True), "place__name"),
    "deprivation": (F("most_deprived_decile").asc(nulls_last=True), "place__name"),
    "region": ("place__icb__region__name", "place__name"),
    "status": ("status", "place__name"),
}


def application_list(
    user: Any,
    *,
    round_id: int | None = None,
    region: str = "",
    icb: str = "",
    status: str = "",
    decile: int | None = None,
    sort: str = "place",
) -> QuerySet[Application]:
    """The applications the user may see, with what the taskforce's list shows."""
    applications = (
        applications_visible_to(user)
        .select_related("round__wave", "place__icb__region", "lead_applicant")
        .annotate(
            most_deprived_decile=Min("place__local_authorities__imd_decile"),
            reviewer_count=Count("reviews", distinct=True),
            submitted_review_count=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        )
    )
    if round_id:
        applications = applications.filter(round_id=round_id)
    if region:
        applications = applications.filter(place__icb__region__ods_code=region)
    if icb:
        applications = applications.filter(place__icb__ods_code=icb)
    if status:
        applications = applications.filter(status=status)
    if decile:
        applications = applications.filter(most_deprived_decile=decile)
    return applications.order_by(*SORTS.get(sort, SORTS["place"]), "pk")


def score_summaries(user: Any, applications: list[Application]) -> dict[int, ScoreSummary | None]:
    """Each application's scores, or None where the user may not see them yet. Four queries."""
    if not applications or not roles_of(user).is_national:
        return {}
    ids = [application.pk for application in applications]
    own = {review.application_id: review for review in Review.objects.filter(reviewer=user, application_id__in=ids)}
    visible = [a for a in applications if can_see_reviews(user, a, own.get(a.pk))]
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in (
        Review.objects.filter(application__in=[a.pk for a in visible], submitted_at__isnull=False)
        .exclude(conflict=Conflict.DECLARED)
        .select_related("reviewer")
        .prefetch_related("scores")
    ):
        reviews[review.application_id].append(review)
    criteria: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(round_id__in={a.round_id for a in visible}).order_by("number"):
        criteria[criterion.round_id].append(criterion)
    summaries: dict[int, ScoreSummary | None] = {a.pk: None for a in applications}
    for application in visible:
        summaries[application.pk] = summarise(reviews[application.pk], criteria[application.round_id])
    return summaries
