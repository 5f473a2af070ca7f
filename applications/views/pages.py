"""The pages both audiences open: the applications list, a round, an application."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from applications import rules, selectors
from applications.forms import ApplicationFilterForm
from applications.models import Application, ApplicationRound, Decision, Status
from applications.views.common import page
from nhsportal.roles import roles_of
from sites.models import Place, weighted_deprivation

APPLICATIONS_PER_PAGE = 50


@require_GET
@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """Signed-in people. The taskforce: every submitted application, filtered and sorted.
    Programme leads: their Places' applications and the rounds open to them."""
    if rules.can_list_for_taskforce(request.user):
        return _taskforce_list(request)
    roles = roles_of(request.user)
    applications = list(
        selectors.applications_visible_to(request.user).select_related("round__wave", "place").order_by("-round__opens_at")
    )
    started = {(a.round_id, a.place_id) for a in applications}
    places = list(Place.objects.filter(pk__in=roles.place_ids).order_by("name"))
    now = timezone.now()
    rounds = list(ApplicationRound.objects.filter(opens_at__lte=now, closes_at__gt=now).select_related("wave"))
    openings = [(r, p) for r in rounds for p in places if (r.pk, p.pk) not in started]
    return render(
        request,
        "applications/mine.jinja",
        page("Applications", applications=applications, openings=openings, is_lead=bool(places)),
    )


def _taskforce_list(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    filters = form.filters()
    applications = selectors.application_list(request.user, **filters)
    current = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(current.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/list.jinja",
        page(
            "Applications",
            form=form,
            page=current,
            rows=rows,
            scores=selectors.score_summaries(request.user, rows),
            filtered=any(v for k, v in filters.items() if k != "sort"),
            query=query.urlencode(),
            can_moderate=rules.can_moderate(request.user),
            rounds=list(ApplicationRound.objects.select_related("wave")),
        ),
    )


@require_GET
@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Signed-in people: what a round asks and how it is judged."""
    round_ = get_object_or_404(ApplicationRound.objects.select_related("wave"), pk=pk)
    roles = roles_of(request.user)
    places = list(Place.objects.filter(pk__in=roles.place_ids).order_by("name"))
    started = {
        a.place_id: a for a in selectors.applications_visible_to(request.user).filter(round=round_).select_related("place")
    }
    counts = None
    if roles.is_national:
        counts = Application.objects.filter(round=round_).aggregate(
            drafts=Count("pk", filter=Q(status=Status.DRAFT)), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
        )
    return render(
        request,
        "applications/round_detail.jinja",
        page(
            round_.name,
            round=round_,
            questions=list(round_.questions.order_by("number")),
            criteria=selectors.criteria_of(round_.pk),
            places=[(place, started.get(place.pk)) for place in places],
            counts=counts,
            can_moderate=rules.can_moderate(request.user),
        ),
    )


@require_GET
@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The Place's programme leads (drafts included) and the taskforce (once submitted)."""
    application = selectors.get_visible_application(request.user, pk)
    user = request.user
    own_review = selectors.review_of(user, application)
    is_applicant = rules.is_applicant(user, application)
    answers = selectors.questions_with_answers(application)
    problems = {problem.question.pk: problem for problem in selectors.problems(application)}
    see_reviews = rules.can_see_reviews(user, application, own_review)
    reviews = selectors.reviews_of(application) if roles_of(user).is_national else []
    criteria = selectors.criteria_of(application.round_id) if reviews else []
    decision = Decision.objects.filter(application=application).select_related("decided_by").first()
    context = page(
        f"{application.place}: {application.round}",
        application=application,
        round=application.round,
        is_applicant=is_applicant,
        editable=is_applicant and application.status == Status.DRAFT and application.round.is_open(),
        answers=answers,
        problems=problems,
        collaborators=selectors.collaborators_of(application),
        evidence=list(application.evidence.select_related("uploaded_by")),
        clarifications=list(application.clarifications.order_by("asked_at")),
        timeline=selectors.timeline(application, viewer=user),
        decision=decision,
        own_review=own_review,
        see_reviews=see_reviews,
        reviews=reviews,
        visible_reviews=[r for r in reviews if r.is_submitted and not r.is_conflicted] if see_reviews else [],
        summary=selectors.score_summaries(user, [application]).get(application.pk) if see_reviews else None,
        criteria=criteria,
        deprivation=weighted_deprivation(list(application.place.local_authorities.all())),
        can_assign=rules.can_assign_reviewers(user) and application.status in (Status.SUBMITTED, Status.UNDER_REVIEW),
        can_start_review=rules.can_assign_reviewers(user) and application.status == Status.SUBMITTED,
        can_clarify=application.status == Status.UNDER_REVIEW and rules.can_request_clarification(user, application, own_review),
        can_decide=application.status == Status.UNDER_REVIEW and rules.can_decide(user, own_review),
        can_withdraw=is_applicant and application.status in (Status.DRAFT, Status.SUBMITTED),
        back=(reverse("application-list"), "All applications"),
    )
    return render(request, "applications/detail.jinja", context)
