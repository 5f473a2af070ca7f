"""What the home page asks each person to do next about applications. A read: a fixed
number of queries whatever the number of applications."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationRound, Conflict, Review, Status
from applications.rules import can_assign_reviewers
from nhsportal.roles import roles_of
from sites.models import Place


def _task(text: str, href: str) -> dict[str, str]:
    return {"text": text, "href": href}


def _count(n: int) -> str:
    return f"{n} application" if n == 1 else f"{n} applications"


def _for_applicant(user: Any, place_ids: frozenset[int]) -> list[dict[str, str]]:
    now = timezone.now()
    tasks = []
    applications = list(
        Application.objects.filter(place_id__in=place_ids).select_related("round", "place").order_by("-round__opens_at")
    )
    for application in applications:
        name, href = (
            f"{application.place}'s application to {application.round}",
            reverse("application-detail", args=[application.pk]),
        )
        if application.status == Status.DRAFT and application.round.opens_at <= now < application.round.closes_at:
            tasks.append(_task(f"Finish and submit {name} by {application.round.closes_display}", href))
        elif application.status == Status.CLARIFICATION_REQUESTED:
            tasks.append(
                _task(f"Answer the taskforce's question about {name}", reverse("clarification-answer", args=[application.pk]))
            )
        elif application.status in (Status.SELECTED, Status.NOT_SELECTED):
            tasks.append(_task(f"Read the decision on {name}", href))
        elif application.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
            tasks.append(_task(f"Follow {name}: the taskforce is reviewing it", href))
    started = {(a.round_id, a.place_id) for a in applications}
    places = list(Place.objects.filter(pk__in=place_ids, sites__isnull=True).order_by("name"))
    for round_ in ApplicationRound.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at"):
        for place in places:
            if (round_.pk, place.pk) not in started:
                tasks.append(
                    _task(
                        f"Start {place}'s application to {round_} (deadline {round_.closes_display})",
                        reverse("round-detail", args=[round_.pk]),
                    )
                )
    return tasks


def _for_taskforce(user: Any) -> list[dict[str, str]]:
    tasks = []
    reviewing = (
        Review.objects.filter(
            reviewer=user,
            submitted_at__isnull=True,
            application__status__in=[Status.SUBMITTED, Status.UNDER_REVIEW, Status.CLARIFICATION_REQUESTED],
        )
        .exclude(conflict=Conflict.DECLARED)
        .select_related("application__place")
        .order_by("assigned_at")
    )
    for review in reviewing:
        place = review.application.place
        verb = "Declare any conflict of interest and score" if review.conflict == Conflict.UNDECLARED else "Finish scoring"
        tasks.append(_task(f"{verb} {place}'s application", reverse("review-start", args=[review.application_id])))
    if can_assign_reviewers(user):
        counts = Application.objects.aggregate(
            unassigned=Count("pk", filter=Q(status=Status.SUBMITTED, reviews__isnull=True)),
            answered=Count("pk", filter=Q(status=Status.SUBMITTED, reviews__isnull=False), distinct=True),
            reviewing=Count("pk", filter=Q(status=Status.UNDER_REVIEW), distinct=True),
        )
        listing = reverse("application-list")
        if counts["unassigned"]:
            tasks.append(_task(f"Assign reviewers to {_count(counts['unassigned'])} submitted", f"{listing}?status=submitted"))
        if counts["answered"]:
            tasks.append(
                _task(f"Return {_count(counts['answered'])} answered by the Place to review", f"{listing}?status=submitted")
            )
        if counts["reviewing"]:
            tasks.append(
                _task(f"Moderate and decide on {_count(counts['reviewing'])} under review", f"{listing}?status=under_review")
            )
    return tasks


def application_tasks_for(user: Any) -> list[dict[str, str]]:
    """Programme leads: their Places' applications and the open rounds they could apply to.
    The taskforce: reviews waiting for them; the chair, what needs assigning or deciding."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user)
    tasks = []
    if roles.place_ids:
        tasks += _for_applicant(user, roles.place_ids)
    if roles.is_national:
        tasks += _for_taskforce(user)
    return tasks
