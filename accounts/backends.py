"""The password check, under PASSWORD_SIGN_IN (ADR 17).

With PASSWORD_SIGN_IN on (development, the demo) every account may use its password, as
before. With it off (production) only break-glass accounts may: anyone else is refused even
with the right password, and the refusal counts as a failed sign-in, so the lockout (ADR 12)
still applies. The rule sits in the authentication backend, so the sign-in page and Django
admin's login obey it alike. OpenID Connect sign-ins log in with this backend's path too, so
sessions load through one backend (Django's ModelBackend `get_user`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import BreakGlassAccount
from nhsportal.lockout import LockoutModelBackend, client_address


class PasswordPolicyBackend(LockoutModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or settings.PASSWORD_SIGN_IN:
            return user
        if not BreakGlassAccount.objects.filter(user=user).exists():
            raise PermissionDenied("Password sign-in is turned off for this account.")
        from accounts.services import record_break_glass_sign_in

        record_break_glass_sign_in(user=user, address=client_address(request))
        return user
