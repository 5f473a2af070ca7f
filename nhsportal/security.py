"""Response headers Django 5.2 does not set itself, and the session's absolute and idle limits.

- Content-Security-Policy from `settings.SECURE_CSP` (the name and shape Django 6.0's own CSP
  support uses, so moving to it is a settings change), plus the hash of the one inline script
  in the NHS.UK page template (`document.body.className += ' js-enabled' …`), read from the
  installed template so an upgrade of nhsuk-frontend-jinja cannot silently break it.
- Permissions-Policy from `settings.PERMISSIONS_POLICY`: the portal uses no device features.
- A session ends `SESSION_COOKIE_AGE` after signing in, or `SESSION_IDLE_SECONDS` after the
  last request, whichever comes first (ADR 12).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import nhsuk_frontend_jinja
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "nhsportal_signed_in_at"
LAST_SEEN_AT = "nhsportal_last_seen_at"
# Write the idle clock at most this often, so a busy page does not save its session on every request.
LAST_SEEN_RESOLUTION_SECONDS = 60

_TEMPLATE_SCRIPT = re.compile(r"<script \{%- if cspNonce %\}[^>]*\{% endif %\}>(?P<body>.*?)</script>", re.S)


@cache
def nhsuk_template_script_hash() -> str:
    """CSP source for the inline script in the NHS.UK frontend's page template."""
    template = Path(nhsuk_frontend_jinja.__file__).parent / "templates" / "nhsuk" / "template.jinja"
    match = _TEMPLATE_SCRIPT.search(template.read_text())
    if not match:
        raise ImproperlyConfigured(f"No inline script found in {template}: check the CSP in nhsportal/security.py.")
    digest = hashlib.sha256(match.group("body").encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@cache
def content_security_policy() -> str:
    directives = {name: list(sources) for name, sources in settings.SECURE_CSP.items()}
    directives.setdefault("script-src", ["'self'"]).append(nhsuk_template_script_hash())
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """Every response gets the CSP and the permissions policy (unless a view set its own)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionLifetimeMiddleware:
    """Signs a person out when their session has passed its absolute or idle limit.

    The next page then sends them to sign in as usual (an API call answers 401/403)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            if now - signed_in_at > settings.SESSION_COOKIE_AGE or now - last_seen_at > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif now - last_seen_at >= LAST_SEEN_RESOLUTION_SECONDS or LAST_SEEN_AT not in session:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="nhsportal.security.session_started")
def _start_session_clock(sender, request: HttpRequest | None, user, **kwargs) -> None:  # noqa: ANN001
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now
