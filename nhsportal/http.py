"""The request a view behind `login_required` receives, for type annotations: its `user` is a
signed-in `User`, never `AnonymousUser`. Django builds a plain `HttpRequest`; this class is
never instantiated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
