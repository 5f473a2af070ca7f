"""The taskforce's pages: the chair assigns reviewers, puts applications under review,
moderates a round and decides (one at a time or in bulk); the chair and reviewers ask
Places questions; every member exports the list with its scores."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from applications import emails, export, rules, selectors, services
from applications.exceptions import TransitionNotAllowed
from applications.forms import ApplicationFilterForm, BulkDecisionForm, ClarificationRequestForm, DecisionForm, ReviewerForm
from applications.models import Application, ApplicationRound, Review, Status
from applications.moderation import moderation
from applications.views.common import attempt, back_to, page
from nhsportal import params

ONLY_CHAIR = "Only the taskforce chair can do this."


def _chair_application(request: HttpRequest, pk: int) -> Application:
    application = selectors.get_visible_application(request.user, pk)
    if not rules.can_assign_reviewers(request.user):
        raise PermissionDenied(ONLY_CHAIR)
    return application


@login_required
def reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair: who reviews the application; assign another."""
    application = _chair_application(request, pk)
    people = selectors.eligible_reviewers(application)
    form = ReviewerForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = get_user_model().objects.get(pk=form.cleaned_data["reviewer"])
        ok, _ = attempt(form, lambda: services.assign_reviewer(application=application, reviewer=person, by=request.user))
        if ok:
            messages.success(
                request, f"{person.get_full_name() or person.get_username()} will review {application.place}'s application."
            )
            return redirect("application-reviewers", pk=application.pk)
    context = page(
        "Reviewers",
        form=form,
        back=back_to(application),
        application=application,
        reviews=selectors.reviews_of(application),
        people=people,
        open_for_review=application.status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.CLARIFICATION_REQUESTED),
    )
    return render(request, "applications/reviewers.jinja", context)


@login_required
def reviewer_remove(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    """The chair: take off a reviewer who has not submitted."""
    application = _chair_application(request, pk)
    review = get_object_or_404(Review.objects.select_related("reviewer"), pk=review_pk, application=application)
    name = review.reviewer.get_full_name() or review.reviewer.get_username()
    if request.method == "POST":
        try:
            services.unassign_reviewer(review=review, by=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{name} is no longer reviewing {application.place}'s application.")
        return redirect("application-reviewers", pk=application.pk)
    context = page(
        f"Stop {name} reviewing this application?",
        back=(reverse("application-reviewers", args=[application.pk]), "Back to reviewers"),
        application=application,
        confirm_text="Remove reviewer",
        explanation="Any scores they have saved but not submitted are deleted.",
    )
    return render(request, "applications/confirm.jinja", context)


@login_required
def start_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair: return a submitted application (for example, after the Place answered a question) to review."""
    application = _chair_application(request, pk)
    if request.method == "POST":
        try:
            services.start_review(application=application, by=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{application.place}'s application is under review.")
        return redirect("application-detail", pk=application.pk)
    context = page(
        f"Put {application.place}'s application under review?",
        back=back_to(application),
        application=application,
        confirm_text="Put under review",
        explanation="Its reviewers can carry on scoring, and you can record a decision once a review is submitted.",
        button_classes="",
    )
    return render(request, "applications/confirm.jinja", context)


@login_required
def clarification_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair, or the application's reviewers without a conflict."""
    application = selectors.get_visible_application(request.user, pk)
    if not rules.can_request_clarification(request.user, application, selectors.review_of(request.user, application)):
        raise PermissionDenied(
            "Only the chair and the application's reviewers (without a conflict) can ask the Place a question."
        )
    form = ClarificationRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, made = attempt(
            form,
            lambda: services.request_clarification(
                application=application, by=request.user, question=form.cleaned_data["question"]
            ),
        )
        if ok:
            told = emails.who_is_told([application], "your question", emailed=emails.clarification_emailed(made))
            messages.success(request, f"Your question has been recorded. {told}")
            return redirect("application-detail", pk=application.pk)
    context = page(f"Ask {application.place} a question", form=form, back=back_to(application), application=application)
    return render(request, "applications/clarification_request.jinja", context)


@login_required
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair (unless conflicted on it) and administrators."""
    application = selectors.get_visible_application(request.user, pk)
    if not rules.can_decide(request.user, selectors.review_of(request.user, application)):
        raise PermissionDenied("Only the taskforce chair, without a conflict of interest, records decisions.")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, made = attempt(form, lambda: services.record_decision(application=application, by=request.user, **form.cleaned_data))
        if ok:
            messages.success(
                request,
                f"{application.place}: {made.get_outcome_display().lower()}. "
                + emails.who_is_told([application], "the outcome", emailed=emails.decisions_emailed([made])),
            )
            return redirect("application-detail", pk=application.pk)
    context = page(
        f"Decide on {application.place}'s application",
        form=form,
        back=back_to(application),
        application=application,
        summary=selectors.score_summaries(request.user, [application]).get(application.pk),
    )
    return render(request, "applications/decision.jinja", context)


@login_required
def round_moderation(request: HttpRequest, pk: int) -> HttpResponse:
    """The chair: the round's applications ranked, with spread, deprivation and regional
    coverage; record the same decision for several at once."""
    if not rules.can_moderate(request.user):
        raise PermissionDenied("Only the taskforce chair moderates rounds.")
    round_ = get_object_or_404(ApplicationRound.objects.select_related("wave"), pk=pk)
    view = moderation(round_, user=request.user, top=params.whole_number(request.GET.get("top"), name="top"))
    decidable = [row for row in view["undecided"] if not row.conflicted and row.summary.count]
    form = BulkDecisionForm(request.POST or None, rows=decidable)
    if request.method == "POST" and form.is_valid():
        chosen = Application.objects.filter(round=round_, pk__in=form.cleaned_data["applications"])
        ok, made = attempt(
            form,
            lambda: services.record_decisions(
                applications=list(chosen),
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
            ),
        )
        if ok:
            messages.success(
                request,
                f"{len(made)} {'decision' if len(made) == 1 else 'decisions'} recorded. "
                + emails.who_is_told([d.application for d in made], "the outcome", emailed=emails.decisions_emailed(made)),
            )
            return redirect("round-moderation", pk=round_.pk)
    context = page(
        f"Moderate {round_}",
        form=form,
        back=(reverse("round-detail", args=[round_.pk]), f"Back to {round_}"),
        round=round_,
        decidable={row.application.pk for row in decidable},
        **view,
    )
    return render(request, "applications/moderation.jinja", context)


@require_GET
@login_required
def export_applications(request: HttpRequest, file_format: str) -> HttpResponse:
    """The taskforce: the list, as filtered, with scores, as CSV or XLSX."""
    if not rules.can_export(request.user):
        raise PermissionDenied("Only the taskforce can export applications.")
    applications = selectors.application_list(request.user, **ApplicationFilterForm(request.GET or None).filters())
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    if file_format == "xlsx":
        response = HttpResponse(
            export.as_xlsx(request.user, applications),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(export.as_csv(request.user, applications), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.{file_format}"'
    response["Cache-Control"] = "private, no-store"
    return response
