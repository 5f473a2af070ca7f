"""The steps of a return's life, as POSTs from the return page. Each finds the return
through the scoped selectors (another site's is a 404) and calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from metrics import services
from metrics.models import Return
from metrics.returns import selectors
from metrics.views.forms import AnswerForm, CloseQueryForm, CommentForm, QuestionForm, ReasonForm, ReopenQueryForm


def _return_or_404(request: HttpRequest, site_pk: int, month: str) -> Return:
    _, _, return_record = selectors.get_visible_return(request.user, site_pk, month)
    if return_record is None or return_record.latest_version is None:
        raise Http404("Nothing has been filed for this month yet.")
    return return_record


def _step(
    request: HttpRequest, site_pk: int, month: str, form_class: type[forms.Form] | None, act: Callable[..., object], done: str
) -> HttpResponse:
    return_record = _return_or_404(request, site_pk, month)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                # ErrorList hands out its messages as str (its __getitem__ unwraps each
                # ValidationError); the stubs type the items as ValidationError | str.
                messages.error(request, cast(str, error))
        return redirect("return-detail", site_pk=site_pk, month=month)
    try:
        act(return_record=return_record, by=request.user, **(form.cleaned_data if form else {}))
    except (services.TransitionRefused, services.ReturnConflict) as refused:
        messages.error(request, str(refused))
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("return-detail", site_pk=site_pk, month=month)


@login_required
@require_POST
def acknowledge(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """Site staff and site lead."""
    return _step(request, site_pk, month, CommentForm, services.acknowledge_warnings, "The warnings have been acknowledged.")


@login_required
@require_POST
def send_for_sign_off(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """Site staff and site lead."""
    return _step(
        request, site_pk, month, None, services.send_for_sign_off, "The return has been sent to the site lead for sign-off."
    )


@login_required
@require_POST
def sign_off(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """The site lead."""
    return _step(request, site_pk, month, None, services.sign_off, "The return has been signed off and submitted.")


@login_required
@require_POST
def request_correction(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """The taskforce."""
    return _step(
        request, site_pk, month, ReasonForm, services.request_correction, "The site has been asked to correct its return."
    )


@login_required
@require_POST
def raise_query(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """The taskforce."""
    return _step(request, site_pk, month, QuestionForm, services.raise_query, "Your query has been sent to the site.")


def _query_step(
    request: HttpRequest, pk: int, form_class: type[forms.Form], act: Callable[..., object], field: str, done: str
) -> HttpResponse:
    """A step of a query, from the return page: the query is found among those the user may
    see (another site's is a 404); a refusal is shown on the return page."""
    query = get_object_or_404(selectors.queries_visible_to(request.user), pk=pk)
    record = query.return_record
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                # ErrorList hands out its messages as str (its __getitem__ unwraps each
                # ValidationError); the stubs type the items as ValidationError | str.
                messages.error(request, cast(str, error))
    else:
        try:
            act(query=query, by=request.user, **{field: form.cleaned_data[field]})
        except services.TransitionRefused as refused:
            messages.error(request, str(refused))
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
    return redirect("return-detail", site_pk=record.site_id, month=record.period.slug)


@login_required
@require_POST
def answer_query(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's own staff and site lead."""
    return _query_step(request, pk, AnswerForm, services.answer_query, "answer", "Your answer has been sent to the taskforce.")


@login_required
@require_POST
def close_query(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce, the chair and administrators."""
    return _query_step(request, pk, CloseQueryForm, services.close_query, "note", "The query has been closed.")


@login_required
@require_POST
def reopen_query(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce, the chair and administrators."""
    return _query_step(
        request, pk, ReopenQueryForm, services.reopen_query, "note", "The query has been reopened and the site told."
    )
