"""A reviewer's journey: declare any conflict of interest, score each criterion on its own
page, recommend, check and submit. Only the assigned reviewer; a declared conflict stops
them at the first page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from applications import selectors, services
from applications.exceptions import TransitionNotAllowed
from applications.forms import ConflictForm, RecommendationForm, ScoreForm
from applications.models import IN_REVIEW, Application, Conflict, Criterion, Review
from applications.rules import can_score
from applications.scoring import weighted_score
from applications.views.common import attempt, back_to, page

CONFLICTED = "You declared a conflict of interest on this application, so you cannot score it or read its reviews."


def _own_review(request: HttpRequest, pk: int) -> tuple[Application, Review]:
    """404 unless the application is visible; 403 unless you are assigned to review it."""
    application = selectors.get_visible_application(request.user, pk)
    review = selectors.review_of(request.user, application)
    if review is None:
        raise PermissionDenied("You have not been assigned to review this application.")
    return application, review


def _scoring(request: HttpRequest, pk: int) -> tuple[Application, Review] | HttpResponse:
    application, review = _own_review(request, pk)
    if not can_score(request.user, review):
        raise PermissionDenied(CONFLICTED)
    if review.conflict == Conflict.UNDECLARED:
        return redirect("review-start", pk=application.pk)
    if review.is_submitted or application.status not in IN_REVIEW:
        return redirect("application-detail", pk=application.pk)
    return application, review


@login_required
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned reviewer: declare any conflict of interest before reading on."""
    application, review = _own_review(request, pk)
    if review.is_conflicted:
        context = page(
            "You have declared a conflict of interest", back=back_to(application), application=application, review=review
        )
        return render(request, "applications/review_blocked.jinja", context)
    first = Criterion.objects.filter(round=application.round_id).order_by("number").first()
    if review.conflict == Conflict.NONE and request.method == "GET":
        if review.is_submitted or first is None:
            return redirect("review-check", pk=application.pk)
        return redirect("review-score", pk=application.pk, number=first.number)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        has_conflict = form.cleaned_data["has_conflict"] == "yes"
        ok, _ = attempt(
            form,
            lambda: services.declare_conflict(
                review=review, by=request.user, has_conflict=has_conflict, details=form.cleaned_data["details"]
            ),
        )
        if ok and has_conflict:
            messages.success(request, "Your conflict of interest has been recorded. The chair will assign another reviewer.")
            return redirect("review-start", pk=application.pk)
        if ok:
            return redirect("review-score", pk=application.pk, number=first.number) if first else redirect("review-check", pk=pk)
    context = page("Declare any conflict of interest", form=form, back=back_to(application), application=application)
    return render(request, "applications/review_conflict.jinja", context)


@login_required
def review_score(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """The assigned reviewer, without a conflict: one criterion a page."""
    found = _scoring(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, review = found
    criterion = get_object_or_404(Criterion.objects.prefetch_related("descriptors"), round=application.round_id, number=number)
    current = review.scores.filter(criterion=criterion).first()
    initial = {"score": str(current.score), "comment": current.comment} if current else {}
    form = ScoreForm(request.POST or None, criterion=criterion, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            form,
            lambda: services.save_score(
                review=review,
                by=request.user,
                criterion=criterion,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            ),
        )
        if ok:
            following = Criterion.objects.filter(round=application.round_id, number__gt=number).order_by("number").first()
            if following is not None:
                return redirect("review-score", pk=pk, number=following.number)
            return redirect("review-recommendation", pk=pk)
    context = page(
        criterion.title,
        form=form,
        back=back_to(application),
        application=application,
        criterion=criterion,
        hints={str(d.score): d.description for d in criterion.descriptors.all()},
        total=Criterion.objects.filter(round=application.round_id).count(),
    )
    return render(request, "applications/review_score.jinja", context)


@login_required
def review_recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned reviewer, without a conflict."""
    found = _scoring(request, pk)
    if isinstance(found, HttpResponse):
        return found
    application, review = found
    initial = {"recommendation": review.recommendation, "comment": review.comment} if review.recommendation else {}
    form = RecommendationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            form,
            lambda: services.save_recommendation(
                review=review,
                by=request.user,
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
            ),
        )
        if ok:
            return redirect("review-check", pk=pk)
    context = page("Your overall recommendation", form=form, back=back_to(application), application=application)
    return render(request, "applications/review_recommendation.jinja", context)


@login_required
def review_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The assigned reviewer: check the scores, then submit (final)."""
    application, review = _own_review(request, pk)
    if not can_score(request.user, review):
        raise PermissionDenied(CONFLICTED)
    if review.conflict == Conflict.UNDECLARED:
        return redirect("review-start", pk=application.pk)
    criteria = selectors.criteria_of(application.round_id)
    refusals: list[str] = []
    if request.method == "POST" and not review.is_submitted:
        try:
            services.submit_review(review=review, by=request.user)
        except ValidationError as error:
            refusals = [message for messages_ in error.message_dict.values() for message in messages_]
        except TransitionNotAllowed as error:
            refusals = [str(error)]
        else:
            messages.success(request, "Your review has been submitted. You can now read the other reviewers' scores.")
            return redirect("application-detail", pk=application.pk)
    scores = {score.criterion_id: score for score in review.scores.all()}
    context = page(
        "Check your review" if not review.is_submitted else "Your review",
        back=back_to(application),
        application=application,
        review=review,
        rows=[(criterion, scores.get(criterion.pk)) for criterion in criteria],
        gaps=services.review_gaps(review) if not review.is_submitted else [],
        refusals=refusals,
        weighted=weighted_score(scores.values(), criteria),
    )
    context["form_has_errors"] = bool(refusals)
    return render(request, "applications/review_check.jinja", context)
