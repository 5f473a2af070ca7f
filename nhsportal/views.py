"""Pages that belong to no one app: home, sign in and out, errors, accessibility."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.views import sign_in_context
from nhsportal import api, lockout
from nhsportal.home import next_steps


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Open to all. Signed-in people see what their roles need them to do next."""
    return render(request, "home.jinja", {"page_title": "Home", "nav": "home", **next_steps(request.user)})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """Open to all."""
    return render(request, "accessibility.jinja", {"page_title": "Accessibility statement"})


class SignInForm(lockout.SaysWhenLocked, AuthenticationForm):
    """Django's sign-in form, which says so plainly when the account or address is locked, and,
    with PASSWORD_SIGN_IN off, that only break-glass accounts may use a password (ADR 17)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wrong = PASSWORDS_OFF if not settings.PASSWORD_SIGN_IN else WRONG_CREDENTIALS
        self.error_messages = {**self.error_messages, "invalid_login": wrong}


WRONG_CREDENTIALS = (
    "Enter a correct username and password. Both are case-sensitive: check Caps Lock is off. "
    "After 5 wrong tries in a row, signing in is locked for a while."
)

PASSWORDS_OFF = (
    "Signing in with a password is turned off: sign in with your NHS identity instead, using a button above. "
    "Only break-glass accounts may use a password, and only with the right username and password."
)


class SignInView(auth_views.LoginView):
    """Open to all. Django's login, drawn with the NHS error summary; locked after repeated failures."""

    template_name = "registration/login.jinja"
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = "Sign in"
        context["form_has_errors"] = bool(context["form"].errors)
        context.update(sign_in_context(self.request))
        return context


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.jinja", {"page_title": "Page not found"}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.jinja", {"page_title": "You cannot do that", "reason": str(exception or "")}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    return render(request, "errors/500.jinja", {"page_title": "Sorry, there is a problem with the service"}, status=500)


# Errors that mean the database cannot be reached (restarting, failing over), not a bug: 503, and
# the next request tries a fresh connection (CONN_HEALTH_CHECKS), so the portal recovers by itself.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is unreachable: JSON for the API, the NHS page for people. Neither
    reads the database (no signed-in header)."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": api.DATABASE_UNAVAILABLE}, status=503)
    else:
        response = render(request, "errors/503.jinja", {"page_title": "Sorry, the service is unavailable"}, status=503)
    response["Retry-After"] = "30"
    return response
