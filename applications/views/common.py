"""What every application page shares: fetching through the scoped selectors (so another
Place's application is a 404), the page context, and showing a service's refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Status
from applications.rules import can_work_on_application
from applications.selectors import get_visible_application
from nhsportal.forms import add_service_errors

NAV = "applications"


def page(title: str, *, form: forms.Form | None = None, back: tuple[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"page_title": title, "nav": NAV, **extra}
    if form is not None:
        context["form"] = form
        context["form_has_errors"] = bool(form.errors)
    if back is not None:
        context["back_link"] = {"href": back[0], "text": back[1]}
    return context


def back_to(application: Application) -> tuple[str, str]:
    return reverse("application-detail", args=[application.pk]), f"Back to {application.place}'s application"


def attempt(form: forms.Form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service; on a refusal put its message on the form (by its field, else at the
    top, in the error summary) and report failure. PermissionDenied still answers 403."""
    try:
        return True, action()
    except ValidationError as error:
        add_service_errors(form, error)
    except TransitionNotAllowed as error:
        form.add_error(None, str(error))
    return False, None


def applicant_application(request: HttpRequest, pk: int) -> Application:
    """The application, for one of its Place's programme leads: 404 if not visible, 403 if
    visible but not theirs to change (the taskforce, administrators)."""
    application = get_visible_application(request.user, pk)
    if not can_work_on_application(request.user, application):
        raise PermissionDenied("Only the Place's programme leads can change its application.")
    return application


def unless_editable(request: HttpRequest, application: Application) -> HttpResponse | None:
    """A draft in an open round can change; otherwise say why and go back to the application."""
    if application.status != Status.DRAFT:
        messages.info(request, f"This application is {application.get_status_display().lower()}, so it can no longer be changed.")
        return redirect("application-detail", pk=application.pk)
    if not application.round.is_open():
        messages.info(request, f"The deadline for {application.round} was {application.round.closes_display}.")
        return redirect("application-detail", pk=application.pk)
    return None
