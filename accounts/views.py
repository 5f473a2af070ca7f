"""Signing in through OpenID Connect, signing out of the provider too, and access requests.

Who may use each view is said on it; objects are scoped (a request or site someone may not
decide answers 404)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts import oidc, rules, selectors, services
from accounts.forms import AccessRequestForm, DecisionForm
from accounts.models import AccessRequest, OidcIdentity
from nhsportal.forms import add_service_errors
from nhsportal.http import AuthenticatedHttpRequest
from nhsportal.roles import roles_of
from sites.models import Site

BACKEND = "accounts.backends.PasswordPolicyBackend"
SESSION_PROVIDER = "accounts_oidc_provider"
SESSION_ID_TOKEN = "accounts_oidc_id_token"  # noqa: S105 - a session key
SESSION_NEXT = "accounts_oidc_next"


def _provider_or_404(name: str) -> oidc.Provider:
    provider = oidc.provider_named(name)
    if provider is None:
        raise Http404("No such sign-in provider.")
    return provider


def _refused(request: HttpRequest, provider: oidc.Provider | None, error: oidc.SignInRefused) -> HttpResponse:
    return render(
        request,
        "accounts/refused.jinja",
        {
            "page_title": "Signing in was refused",
            "message": error.message,
            "provider": provider,
            "code": error.code,
            "support_email": settings.SUPPORT_EMAIL,
        },
        status=error.status,
    )


@require_GET
def oidc_start(request: HttpRequest, name: str) -> HttpResponse:
    """Open to all: sends the browser to the provider, with state, nonce and PKCE kept in the session.
    The redirect URI is built from the request's own host and port."""
    provider = _provider_or_404(name)
    following = request.GET.get("next", "")
    if following and url_has_allowed_host_and_scheme(following, allowed_hosts={request.get_host()}):
        request.session[SESSION_NEXT] = following
    redirect_uri = request.build_absolute_uri(reverse("oidc-callback", args=[provider.name]))
    try:
        return oidc.start(request, provider, redirect_uri)
    except oidc.SignInRefused as error:
        return _refused(request, provider, error)


@require_GET
def oidc_callback(request: HttpRequest, name: str) -> HttpResponse:
    """Open to all: the provider's answer. Checked whole before anyone is signed in or created;
    a refusal is a 4xx page saying why."""
    provider = _provider_or_404(name)
    try:
        claims, id_token = oidc.finish(request, provider)
        user, created = services.sign_in_from_claims(provider=provider.name, claims=claims)
    except oidc.SignInRefused as error:
        return _refused(request, provider, error)
    except PermissionDenied as error:
        return _refused(request, provider, oidc.SignInRefused(str(error), code="inactive"))
    following = request.session.pop(SESSION_NEXT, "")
    login(request, user, backend=BACKEND)
    request.session[SESSION_PROVIDER] = provider.name
    request.session[SESSION_ID_TOKEN] = id_token
    roles = roles_of(user)
    if created or not (roles.roles or roles.superuser):
        return redirect("access-request")
    return redirect(following or settings.LOGIN_REDIRECT_URL)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Signed-in people, by POST with a CSRF token: ends the portal session and, where the person
    signed in through a provider that offers it, the provider's session too (RP-initiated logout)."""
    provider = oidc.provider_named(request.session.get(SESSION_PROVIDER, ""))
    id_token = request.session.get(SESSION_ID_TOKEN, "")
    auth_logout(request)
    end_session = None
    if provider is not None and id_token:
        end_session = oidc.logout_url(
            provider, id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("home"))
        )
    if end_session is None:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    # A page that moves on by itself (a meta refresh): the CSP's form-action would stop a redirect
    # from this form's POST to another origin.
    return render(
        request,
        "accounts/signed_out.jinja",
        {"page_title": "You have signed out", "provider": provider, "end_session": end_session},
    )


@login_required
def access_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Signed-in people: ask for a role at a site or Place, with a reason."""
    identity = OidcIdentity.objects.filter(user=request.user).order_by("-last_sign_in_at").first()
    organisations = identity.organisations if identity else []
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_access(
                user=request.user,
                role=data["role"],
                site=data.get("site"),
                place=data.get("place"),
                reason=data["reason"],
                organisations=organisations,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your request has been sent. You will get an e-mail when it has been decided.")
            return redirect("access-request")
    roles = roles_of(request.user)
    return render(
        request,
        "accounts/request.jinja",
        {
            "page_title": "Request access",
            "form": form,
            "form_has_errors": bool(form.errors),
            "organisations": organisations,
            "has_role": bool(roles.roles),
            "requests": list(selectors.own_requests(request.user)[:20]),
        },
    )


@login_required
def access_requests(request: HttpRequest) -> HttpResponse:
    """Site leads (their site's staff requests) and administrators (every request)."""
    if not rules.is_approver(request.user):
        raise PermissionDenied("Only site leads and administrators decide access requests.")
    return render(
        request,
        "accounts/requests.jinja",
        {
            "page_title": "Access requests",
            "nav": "access",
            "requests": list(selectors.requests_for_approver(request.user)),
            "lead_sites": list(Site.objects.filter(pk__in=roles_of(request.user).lead_site_ids).order_by("name")),
        },
    )


@login_required
def access_request_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's approver (the site's lead for site staff, else an administrator); anyone else 404."""
    access = get_object_or_404(AccessRequest.objects.select_related("user", "site", "place"), pk=pk)
    if not rules.can_decide(request.user, access):
        raise Http404("No such request.")
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_access(
                request=access,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = "approved" if form.cleaned_data["decision"] == "approve" else "refused"
            messages.success(request, f"The request from {access.user.get_full_name() or access.user.username} has been {verb}.")
            return redirect("access-requests")
    return render(
        request,
        "accounts/decide.jinja",
        {"page_title": "Decide an access request", "access": access, "form": form, "form_has_errors": bool(form.errors)},
    )


@login_required
def access_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's lead and administrators: each quarter, keep or remove each of the site's people.
    Anyone else: 404 (a site's people are not theirs to see)."""
    site = get_object_or_404(Site, pk=pk)
    if not rules.can_confirm_site(request.user, site):
        raise Http404("No such site.")
    people = selectors.site_people(site)
    if request.method == "POST":
        remove = [int(value) for value in request.POST.getlist("remove") if value.isdigit()]
        confirmation = services.confirm_site_people(site=site, by=request.user, remove=remove)
        messages.success(
            request,
            f"Confirmed for {confirmation.quarter}: {len(confirmation.kept)} kept, {len(confirmation.removed)} removed.",
        )
        return redirect("access-confirm", pk=site.pk)
    return render(
        request,
        "accounts/confirm.jinja",
        {
            "page_title": f"Who keeps access to {site.name}",
            "nav": "access",
            "site": site,
            "people": people,
            "quarter": services.quarter_of(timezone.localdate()),
            "me": request.user.pk,
        },
    )


def sign_in_context(request: HttpRequest) -> dict[str, Any]:
    """What the sign-in page needs: the providers' start links by label, and whether passwords are on."""
    following = request.GET.get("next", "")
    suffix = (
        "?" + urlencode({"next": following})
        if following and url_has_allowed_host_and_scheme(following, {request.get_host()})
        else ""
    )
    return {
        "oidc_providers": [{"label": p.label, "href": reverse("oidc-start", args=[p.name]) + suffix} for p in oidc.providers()],
        "password_sign_in": settings.PASSWORD_SIGN_IN,
    }
