"""What every page in the reviews app shares: the page context and showing a service's refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from nhsportal.forms import add_service_errors

NAV = "reviews"


def page(title: str, *, form: forms.Form | None = None, back: tuple[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"page_title": title, "nav": NAV, **extra}
    if form is not None:
        context["form"] = form
        context["form_has_errors"] = bool(form.errors)
    if back is not None:
        context["back_link"] = {"href": back[0], "text": back[1]}
    return context


def attempt(form: forms.Form, action: Callable[[], Any]) -> tuple[bool, Any]:
    """Run a service; on a refusal put its message on the form (by its field, else at the top).
    PermissionDenied still answers 403."""
    try:
        return True, action()
    except ValidationError as error:
        add_service_errors(form, error)
    return False, None
