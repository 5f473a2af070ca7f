"""The programme lead's journey: start, answer each question on its own page (save and come
back later), name collaborators, check the answers and submit, withdraw, answer the
taskforce's questions. Evidence has its own module. Every change goes through
`applications.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from applications import selectors, services
from applications.exceptions import TransitionNotAllowed
from applications.forms import AnswerForm, ClarificationAnswerForm, CollaboratorForm, ReasonForm, StartApplicationForm
from applications.models import Application, ApplicationRound, Collaborator, Question, Status
from applications.services.workflow import require_round_open
from applications.views.common import applicant_application, attempt, back_to, page, unless_editable
from nhsportal.roles import roles_of
from sites.models import Place


@login_required
def application_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads, while the round is open."""
    round_ = get_object_or_404(ApplicationRound.objects.select_related("wave"), pk=pk)
    places = list(Place.objects.filter(pk__in=roles_of(request.user).place_ids).order_by("name"))
    if not places:
        raise PermissionDenied("Only a Place's programme leads can start its application.")
    existing = {a.place_id: a for a in Application.objects.filter(round=round_, place__in=places)}
    if len(places) == 1 and places[0].pk in existing:
        return redirect("application-detail", pk=existing[places[0].pk].pk)
    try:  # a round not open has no start form to show: say when it opens or when it closed
        require_round_open(round_, "start an application")
    except TransitionNotAllowed as closed:
        messages.info(request, str(closed))
        return redirect("round-detail", pk=round_.pk)
    form = StartApplicationForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        place = next(p for p in places if str(p.pk) == form.cleaned_data["place"])
        if place.pk in existing:
            return redirect("application-detail", pk=existing[place.pk].pk)
        ok, application = attempt(form, lambda: services.start_application(round_=round_, place=place, by=request.user))
        if ok:
            messages.success(request, f"{place}'s application has been started. Answer the questions in any order.")
            return redirect("application-detail", pk=application.pk)
    context = page(
        f"Apply to {round_}",
        form=form,
        back=(reverse("round-detail", args=[round_.pk]), f"Back to {round_}"),
        round=round_,
        places=places,
    )
    return render(request, "applications/start.jinja", context)


@login_required
def answer_question(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A Place's programme leads, in draft, while the round is open. One question a page."""
    application = applicant_application(request, pk)
    question = get_object_or_404(Question, round=application.round_id, number=number)
    if blocked := unless_editable(request, application):
        return blocked
    current = application.answers.filter(question=question).first()
    form = AnswerForm(request.POST or None, question=question, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            form,
            lambda: services.save_answer(
                application=application, question=question, by=request.user, text=form.cleaned_data["text"]
            ),
        )
        if ok:
            following = Question.objects.filter(round=application.round_id, number__gt=number).order_by("number").first()
            if request.POST.get("then") == "continue" and following is not None:
                return redirect("application-answer", pk=application.pk, number=following.number)
            if request.POST.get("then") == "continue":
                return redirect("application-check", pk=application.pk)
            messages.success(request, f"Your answer to question {number} has been saved.")
            return redirect("application-detail", pk=application.pk)
    total = application.round.questions.count()
    context = page(
        question.prompt,
        form=form,
        back=back_to(application),
        application=application,
        question=question,
        total=total,
        words=current.word_count if current else 0,
    )
    return render(request, "applications/answer.jinja", context)


@login_required
def collaborators(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads, in draft: name the Place's other programme leads."""
    application = applicant_application(request, pk)
    if blocked := unless_editable(request, application):
        return blocked
    people = selectors.eligible_collaborators(application)
    form = CollaboratorForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = get_user_model().objects.get(pk=form.cleaned_data["user"])
        ok, _ = attempt(form, lambda: services.add_collaborator(application=application, user=person, by=request.user))
        if ok:
            messages.success(request, f"{person.get_full_name() or person.get_username()} has been added as a collaborator.")
            return redirect("application-collaborators", pk=application.pk)
    context = page(
        "Collaborators",
        form=form,
        back=back_to(application),
        application=application,
        collaborators=selectors.collaborators_of(application),
        people=people,
    )
    return render(request, "applications/collaborators.jinja", context)


@login_required
def collaborator_remove(request: HttpRequest, pk: int, collaborator_pk: int) -> HttpResponse:
    """A Place's programme leads, in draft."""
    application = applicant_application(request, pk)
    collaborator = get_object_or_404(Collaborator.objects.select_related("user"), pk=collaborator_pk, application=application)
    if blocked := unless_editable(request, application):
        return blocked
    if request.method == "POST":
        services.remove_collaborator(collaborator=collaborator, by=request.user)
        messages.success(request, f"{collaborator} is no longer named as a collaborator.")
        return redirect("application-collaborators", pk=application.pk)
    context = page(
        f"Remove {collaborator} as a collaborator?",
        back=(reverse("application-collaborators", args=[application.pk]), "Back to collaborators"),
        application=application,
        confirm_text="Remove collaborator",
        explanation=f"{collaborator} keeps their Programme lead role for {application.place}: they can still read and change the application.",
    )
    return render(request, "applications/confirm.jinja", context)


@login_required
def check_answers(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads. GET: check the answers; POST: submit the application."""
    application = applicant_application(request, pk)
    if application.status != Status.DRAFT:
        return redirect("application-detail", pk=application.pk)
    refusals: list[str] = []
    if request.method == "POST":
        try:
            services.submit_application(application=application, by=request.user)
        except ValidationError:
            pass  # the problems are listed below, each linking to its question
        except TransitionNotAllowed as error:
            refusals.append(str(error))
        else:
            messages.success(request, f"{application.place}'s application has been submitted. The taskforce will review it.")
            return redirect("application-detail", pk=application.pk)
    missing = selectors.problems(application)
    context = page(
        "Check your answers before submitting",
        back=back_to(application),
        application=application,
        answers=selectors.questions_with_answers(application),
        problems=missing,
        refusals=refusals,
        collaborators=selectors.collaborators_of(application),
        evidence=list(application.evidence.all()),
        round_open=application.round.is_open(),
    )
    context["form_has_errors"] = request.method == "POST" and bool(missing or refusals)
    return render(request, "applications/check.jinja", context)


@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads, from draft or submitted."""
    application = applicant_application(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            form,
            lambda: services.withdraw_application(application=application, by=request.user, reason=form.cleaned_data["reason"]),
        )
        if ok:
            messages.success(request, f"{application.place}'s application has been withdrawn.")
            return redirect("application-detail", pk=application.pk)
    context = page(
        f"Withdraw {application.place}'s application",
        form=form,
        back=back_to(application),
        application=application,
        allowed=application.status in (Status.DRAFT, Status.SUBMITTED),
    )
    return render(request, "applications/withdraw.jinja", context)


@login_required
def clarification_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads, when the taskforce has asked a question."""
    application = applicant_application(request, pk)
    if application.status != Status.CLARIFICATION_REQUESTED:
        messages.info(request, "The taskforce has no open question on this application.")
        return redirect("application-detail", pk=application.pk)
    clarification = application.clarifications.filter(answered_at__isnull=True).order_by("-asked_at").first()
    form = ClarificationAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _ = attempt(
            form,
            lambda: services.answer_clarification(application=application, by=request.user, answer=form.cleaned_data["answer"]),
        )
        if ok:
            messages.success(request, "Your answer has been sent. The application is back with the taskforce.")
            return redirect("application-detail", pk=application.pk)
    context = page(
        "Answer the taskforce's question",
        form=form,
        back=back_to(application),
        application=application,
        clarification=clarification,
    )
    return render(request, "applications/clarification_answer.jinja", context)
