"""Pages that belong to no one app: home, sign in and out, errors, accessibility."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nhsportal.home import next_steps


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Open to all. Signed-in people see what their roles need them to do next."""
    return render(request, "home.jinja", {"page_title": "Home", "nav": "home", **next_steps(request.user)})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """Open to all."""
    return render(request, "accessibility.jinja", {"page_title": "Accessibility statement"})


class SignInView(auth_views.LoginView):
    """Open to all. Django's login, drawn with the NHS error summary."""

    template_name = "registration/login.jinja"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_title"] = "Sign in"
        context["form_has_errors"] = bool(context["form"].errors)
        return context


class SignOutView(auth_views.LogoutView):
    """Signed-in people, by POST with a CSRF token."""


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.jinja", {"page_title": "Page not found"}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.jinja", {"page_title": "You cannot do that", "reason": str(exception or "")}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.jinja", {"page_title": "Sorry, there is a problem with the service"}, status=500)
