"""Review pages. Drafts are the taskforce's alone (a 404 for anyone else); a site's people
read its published reviews; every change goes through `reviews.services`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from nhsportal.roles import roles_of
from reviews import rules, selectors, services
from reviews.forms import ActionForm, NoteForm, RatingForm, ResponseForm, ScheduleForm
from reviews.models import Review, ReviewStatus
from reviews.pack import TREND_LABELS, review_pack
from reviews.views.common import attempt, page

REVIEWS_PER_PAGE = 50


def _back(review: Review) -> tuple[str, str]:
    return reverse("review-detail", args=[review.pk]), f"Back to the {review.site} review"


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """Signed-in people: the taskforce sees every review; a site's people its published ones."""
    roles = roles_of(request.user)
    if not (roles.is_national or roles.site_ids or roles.place_ids):
        raise PermissionDenied("Reviews are for the taskforce and the sites' own people.")
    reviews = selectors.review_list(request.user)
    paged = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    context = page("Site reviews", reviews=paged, can_schedule=rules.can_schedule_review(request.user))
    return render(request, "reviews/list.jinja", context)


@login_required
def review_schedule(request: HttpRequest) -> HttpResponse:
    """The taskforce."""
    if not rules.can_schedule_review(request.user):
        raise PermissionDenied("Only the taskforce schedules site reviews.")
    initial = {"site": request.GET.get("site")} if request.GET.get("site") else None
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, review = attempt(form, lambda: services.schedule_review(by=request.user, **form.cleaned_data))
        if ok:
            messages.success(request, f"The review of {review.site} on {review.scheduled_for:%-d %B %Y} has been scheduled.")
            return redirect("review-detail", pk=review.pk)
    return render(
        request, "reviews/form.jinja", page("Schedule a site review", form=form, back=(reverse("review-list"), "Back to reviews"))
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce (drafts too) and the site's own people (published reviews only)."""
    review = selectors.get_visible_review(request.user, pk)
    user = request.user
    context = page(
        str(review),
        review=review,
        pack=review_pack(review, user=user),
        trend_labels=TREND_LABELS,
        can_write=rules.can_write_review(user, review) and review.status != ReviewStatus.LOCKED,
        can_publish=rules.can_write_review(user, review) and review.status == ReviewStatus.DRAFT,
        can_respond=rules.can_respond(user, review),
        can_sign_off_reviewer=rules.can_sign_off_as_reviewer(user, review),
        can_sign_off_site=rules.can_sign_off_for_site(user, review),
        can_note=rules.can_add_note(user, review),
        note_form=NoteForm(),
        back=(reverse("review-list"), "Back to reviews"),
    )
    return render(request, "reviews/detail.jinja", context)


@login_required
def review_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer and the chair, until the review is signed off."""
    review = selectors.get_visible_review(request.user, pk)
    if not rules.can_write_review(request.user, review):
        raise PermissionDenied("Only the reviewer or the chair can rate this review, and only until it is signed off.")
    initial = {"overall_rating": review.overall_rating, "summary": review.summary}
    for rating in review.ratings.all():
        initial[f"{rating.domain}_rating"], initial[f"{rating.domain}_narrative"] = rating.rating, rating.narrative
    form = RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.rate_review(  # noqa: E731
            review=review,
            by=request.user,
            ratings=form.ratings(),
            overall_rating=form.cleaned_data["overall_rating"],
            summary=form.cleaned_data["summary"],
        )
        if attempt(form, call)[0]:
            messages.success(request, "The ratings have been saved.")
            return redirect("review-detail", pk=review.pk)
    return render(request, "reviews/rate.jinja", page("Rate the review", form=form, review=review, back=_back(review)))


@login_required
def review_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer and the chair, until the review is signed off."""
    review = selectors.get_visible_review(request.user, pk)
    if not rules.can_write_review(request.user, review):
        raise PermissionDenied("Only the reviewer or the chair can agree actions, and only until the review is signed off.")
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, action = attempt(form, lambda: services.add_action(review=review, by=request.user, **form.cleaned_data))
        if ok:
            messages.success(request, "The action has been added.")
            return redirect(reverse("review-detail", args=[review.pk]) + "#actions")
    return render(request, "reviews/form.jinja", page("Agree an action", form=form, review=review, back=_back(review)))


@login_required
def review_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer and the chair: a draft becomes visible to the site."""
    review = selectors.get_visible_review(request.user, pk)
    if not rules.can_write_review(request.user, review):
        raise PermissionDenied("Only the reviewer or the chair can publish this review.")
    form = forms.Form(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: services.publish_review(review=review, by=request.user))[0]
    ):
        messages.success(request, f"The review has been published. {review.site}'s people can now read it and respond.")
        return redirect("review-detail", pk=review.pk)
    context = page(
        "Publish the review?",
        form=form,
        back=_back(review),
        review=review,
        explanation=f"{review.site}'s staff and site lead will be able to read the ratings and actions. "
        "You can still change them until someone signs the review off.",
        confirm_text="Publish the review",
    )
    return render(request, "reviews/confirm.jinja", context)


@login_required
def review_respond(request: HttpRequest, pk: int) -> HttpResponse:
    """The site lead, on a published review they have not signed off."""
    review = selectors.get_visible_review(request.user, pk)
    if not rules.can_respond(request.user, review):
        raise PermissionDenied("Only the site lead responds to a published review, until they sign it off.")
    form = ResponseForm(request.POST or None, initial={"response": review.site_response})
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: services.respond_to_review(review=review, by=request.user, **form.cleaned_data))[0]
    ):
        messages.success(request, "The site's response has been saved.")
        return redirect("review-detail", pk=review.pk)
    return render(request, "reviews/form.jinja", page("Respond to the review", form=form, review=review, back=_back(review)))


@require_POST
@login_required
def review_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer (or chair) for the taskforce; the site lead for the site."""
    review = selectors.get_visible_review(request.user, pk)
    side = request.POST.get("side")
    allowed = {"reviewer": rules.can_sign_off_as_reviewer, "site": rules.can_sign_off_for_site}
    if side not in allowed or not allowed[side](request.user, review):
        raise PermissionDenied("You cannot sign this review off.")
    try:
        review = services.sign_off_review(review=review, by=request.user, side=side)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review-detail", pk=review.pk)
    if review.status == ReviewStatus.LOCKED:
        messages.success(request, "The review is signed off by both sides and is now locked. Later notes are added below it.")
    else:
        messages.success(request, "You have signed the review off. It locks once the other side signs it off too.")
    return redirect("review-detail", pk=review.pk)


@login_required
def review_note(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's staff and lead: notes are appended, never edited."""
    review = selectors.get_visible_review(request.user, pk)
    if not rules.can_add_note(request.user, review):
        raise PermissionDenied("Only the taskforce and the site's staff can add notes to this review.")
    form = NoteForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: services.add_note(review=review, by=request.user, **form.cleaned_data))[0]
    ):
        messages.success(request, "Your note has been added.")
        return redirect(reverse("review-detail", args=[review.pk]) + "#notes")
    return render(request, "reviews/form.jinja", page("Add a note", form=form, review=review, back=_back(review)))
