"""Sign-in throttling: repeated failed sign-ins lock the username, and the client's address.

The rule (ADR 12): `SIGN_IN_USERNAME_LIMIT` failures for one username, or
`SIGN_IN_ADDRESS_LIMIT` from one address, within `SIGN_IN_WINDOW_MINUTES` lock that
username (or address) until `SIGN_IN_LOCKOUT_MINUTES` after the failure that tipped it
over. While locked, no password is checked at all and further attempts are not counted,
so the time shown to the person is the time it ends. A successful sign-in clears the
username's failures. Everything that checks a password goes through
`django.contrib.auth.authenticate` (the sign-in page, Django admin's login), so the check
sits in an authentication backend and the counting in the auth signals: one rule for
every way in. The API has no password path; an API token is 40 random hex characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from nhsportal import audit
from nhsportal.formats import clock
from nhsportal.models import SignInFailure


@dataclass(frozen=True)
class Lock:
    """Why sign-in is refused, and until when."""

    scope: str  # "username" or "address"
    until: datetime

    @property
    def message(self) -> str:
        local = timezone.localtime(self.until)
        when = clock(local) if local.date() == timezone.localdate() else f"{clock(local)} on {local:%-d %B %Y}"
        what = "this account" if self.scope == "username" else "accounts from your network"
        return (
            f"There have been too many failed attempts to sign in to {what}, so signing in is locked "
            f"until {when} (UK time) to protect it. Try again after then. If you have forgotten your password, "
            f"or did not make these attempts, contact the national programme office at {settings.SUPPORT_EMAIL}."
        )


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address. Behind `SIGN_IN_TRUSTED_PROXIES` reverse proxies, the address the
    nearest trusted proxy saw (X-Forwarded-For read from the right, so a client cannot forge it)."""
    if request is None:
        return ""
    proxies = settings.SIGN_IN_TRUSTED_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def _normal(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def _lock_from(rows: dict[str, Any], limit: int, scope: str, now: datetime) -> Lock | None:
    if rows["n"] >= limit:
        until = rows["last"] + timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)
        if until > now:
            return Lock(scope=scope, until=until)
    return None


def lock_for(*, username: str | None, address: str) -> Lock | None:
    """The lock on this username or address now, if there is one (the username's first)."""
    now = timezone.now()
    since = now - timedelta(minutes=settings.SIGN_IN_WINDOW_MINUTES)
    recent = SignInFailure.objects.filter(at__gte=since)
    name = _normal(username)
    if name:
        lock = _lock_from(
            recent.filter(username=name).aggregate(n=Count("id"), last=Max("at")),
            settings.SIGN_IN_USERNAME_LIMIT,
            "username",
            now,
        )
        if lock:
            return lock
    if address:
        return _lock_from(
            recent.filter(address=address).aggregate(n=Count("id"), last=Max("at")),
            settings.SIGN_IN_ADDRESS_LIMIT,
            "address",
            now,
        )
    return None


@transaction.atomic
def record_failure(*, username: str | None, request: HttpRequest | None) -> None:
    """Count a failed sign-in (not one refused because of a lock); audit the failure that starts a lock."""
    name, address = _normal(username), client_address(request)
    if lock_for(username=name, address=address):
        return
    SignInFailure.objects.create(username=name, address=address)
    lock = lock_for(username=name, address=address)
    if lock:
        user = get_user_model().objects.filter(username__iexact=name).first() if name else None
        audit.record(
            actor=None,
            action="sign_in.locked",
            obj=user,
            to_state=f"locked ({lock.scope})",
            changes={"username": name, "address": address, "scope": lock.scope, "until": lock.until.isoformat()},
            reason=f"Too many failed sign-ins within {settings.SIGN_IN_WINDOW_MINUTES} minutes.",
        )


def clear_failures(*, username: str) -> int:
    """A successful sign-in: the username's earlier failures no longer count."""
    deleted, _ = SignInFailure.objects.filter(username=_normal(username)).delete()
    return deleted


@transaction.atomic
def unlock(*, username: str = "", address: str = "", by: Any) -> int:
    """An administrator lifts a lock early (for example after confirming who the person is)."""
    failures = SignInFailure.objects.none()
    if username:
        failures = failures | SignInFailure.objects.filter(username=_normal(username))
    if address:
        failures = failures | SignInFailure.objects.filter(address=address)
    deleted, _ = failures.delete()
    audit.record(
        actor=by,
        action="sign_in.unlocked",
        changes={"username": _normal(username), "address": address},
        reason="Lock lifted by an administrator.",
    )
    return deleted


class SaysWhenLocked:
    """For a sign-in form (Django's or the admin's): when the account or address is locked, before
    this attempt or by it, say that and when it ends, not "wrong password"."""

    data: Any
    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except ValidationError:
            lock = lock_for(username=self.data.get("username"), address=client_address(self.request))
            if lock:
                raise ValidationError(lock.message, code="locked") from None
            raise


class LockoutModelBackend(ModelBackend):
    """Django's username and password check, refused without looking at the password while locked.

    Raising PermissionDenied stops `authenticate()` trying any other backend."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is not None and lock_for(username=username, address=client_address(request)):
            raise PermissionDenied("Signing in is locked.")
        return super().authenticate(request, username=username, password=password, **kwargs)


def on_login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    record_failure(username=credentials.get("username"), request=request)


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if clear_failures(username=user.get_username()):
        audit.record(actor=user, action="sign_in.failures_cleared", obj=user, reason="Signed in successfully.")
