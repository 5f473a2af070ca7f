"""API tokens belong to a person with a role (ADR 17): a token whose holder has lost every role
(removed at a quarterly check, expired after inactivity, a leaver) stops working at once."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from nhsportal.roles import roles_of

NO_ROLE = (
    "This API token's holder no longer holds a role in the programme, so the token no longer works. "
    "Ask your site lead or the national programme office to restore the role, or for a new token."
)


class RoleHolderTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        roles = roles_of(user)
        if not roles.roles and not roles.superuser:
            raise exceptions.AuthenticationFailed(NO_ROLE)
        return user, token
