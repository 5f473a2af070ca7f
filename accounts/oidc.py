"""OpenID Connect sign-in through Authlib (ADR 17): one client per provider in
settings.OIDC_PROVIDERS, Authorization Code with PKCE (S256), `state` and `nonce` kept in the
session and checked once, the ID token's signature checked against the provider's JWKS (kept
in the process, fetched again when a token names a key it does not hold, so rotated keys are
picked up), `iss`, `aud`, `azp`, `exp`, `iat` and `nonce` checked within OIDC_CLOCK_SKEW_SECONDS,
and the `acr` at least the provider's OIDC_<NAME>_ACR_VALUES.

Every way a sign-in can fail becomes a `SignInRefused` with a sentence a person can act on;
the view answers it with a 4xx page and nothing is created.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, cast

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.http import HttpRequest
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from requests import RequestException

_AAL = re.compile(r"AAL(\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str
    private_key: str
    key_id: str
    label: str
    scopes: str
    acr_values: str
    post_logout: bool

    @property
    def uses_private_key(self) -> bool:
        return bool(self.private_key)


class SignInRefused(Exception):
    """The provider's answer cannot be trusted, or does not meet the portal's rules."""

    def __init__(self, message: str, *, status: int = 403, code: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def providers() -> list[Provider]:
    # `nhsportal.config.oidc_providers` builds each entry with exactly Provider's fields.
    entries = cast(list[dict[str, Any]], settings.OIDC_PROVIDERS)
    return [Provider(**entry) for entry in entries]


def provider_named(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


# One Authlib client per provider configuration, kept for the life of the process so the
# discovery document and the JWKS are fetched once (and again only for an unknown key).
_clients: dict[Provider, DjangoOAuth2App] = {}


def client_for(provider: Provider) -> DjangoOAuth2App:
    client = _clients.get(provider)
    if client is not None:
        return client
    kwargs: dict[str, Any] = {
        "scope": provider.scopes,
        "code_challenge_method": "S256",
        "timeout": 10,
    }
    secret = provider.client_secret
    auth_methods = None
    if provider.uses_private_key:
        key = RSAKey.import_key(provider.private_key)
        kid = provider.key_id or key.thumbprint()
        secret = provider.private_key
        kwargs["token_endpoint_auth_method"] = "private_key_jwt"  # noqa: S105 - a method name
        auth_methods = [PrivateKeyJWT(headers={"kid": kid})]
    else:
        kwargs["token_endpoint_auth_method"] = "client_secret_post"  # noqa: S105 - a method name
    client = DjangoOAuth2App(
        DjangoIntegration(provider.name),
        name=provider.name,
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
        client_kwargs=kwargs,
        client_auth_methods=auth_methods,
    )
    _clients[provider] = client
    return client


def forget_clients() -> None:
    """Drop the cached clients (tests that start a new provider)."""
    _clients.clear()


def aal(acr: str) -> int | None:
    match = _AAL.search(acr or "")
    return int(match.group(1)) if match else None


def acr_acceptable(acr: str | None, minimum: str) -> bool:
    """Whether a token's `acr` meets the provider's minimum (space-separated values). A value of
    the AALn kind (CIS2: AAL1_USERPASS … AAL3_ANY) passes at that level or higher; any other value
    must be listed. With a minimum set, a token that states no `acr` is refused."""
    wanted = minimum.split()
    if not wanted:
        return True
    if not acr:
        return False
    if acr in wanted:
        return True
    levels = [level for level in (aal(value) for value in wanted) if level is not None]
    have = aal(acr)
    return bool(levels) and have is not None and have >= min(levels)


def start(request: HttpRequest, provider: Provider, redirect_uri: str) -> Any:
    """The redirect to the provider's authorization endpoint (with state, nonce and PKCE)."""
    extra = {"acr_values": provider.acr_values} if provider.acr_values else {}
    try:
        return client_for(provider).authorize_redirect(request, redirect_uri, **extra)
    except (RequestException, ValueError, KeyError) as exc:
        raise SignInRefused(
            f"{provider.label} cannot be reached just now, so signing in is not possible. Try again in a few minutes.",
            status=503,
            code="unreachable",
        ) from exc


def finish(request: HttpRequest, provider: Provider) -> tuple[dict[str, Any], str]:
    """Check the provider's answer on the callback: the claims of a valid ID token, and the raw token."""
    client = client_for(provider)
    error = request.GET.get("error")
    if error:
        detail = request.GET.get("error_description") or error
        raise SignInRefused(f"{provider.label} did not sign you in: {detail}.", status=403, code="provider_error")
    if not request.GET.get("state") or not request.GET.get("code"):
        raise SignInRefused("This sign-in link is incomplete. Start signing in again.", status=400, code="incomplete")
    skew = settings.OIDC_CLOCK_SKEW_SECONDS
    try:
        metadata = client.load_server_metadata()
        returned_issuer = request.GET.get("iss")
        if returned_issuer and returned_issuer != metadata.get("issuer"):
            # RFC 9207: the answer names another issuer than the one this sign-in went to (mix-up).
            raise SignInRefused(
                f"The answer did not come from {provider.label}. Start signing in again.", status=400, code="iss_param"
            )
        claims_options = {
            "iss": {"essential": True, "value": metadata.get("issuer")},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
        }
        token = client.authorize_access_token(request, claims_options=claims_options, leeway=skew)
    except MismatchingStateError as exc:
        raise SignInRefused(
            "This sign-in has already been used, or was started in another browser or too long ago. Start signing in again.",
            status=400,
            code="state",
        ) from exc
    except OAuthError as exc:
        raise SignInRefused(
            f"{provider.label} refused the portal's request ({exc.error}). Start signing in again; if it keeps "
            f"happening, contact {settings.SUPPORT_EMAIL}.",
            status=403,
            code="token_endpoint",
        ) from exc
    except JoseError as exc:
        raise SignInRefused(_jose_message(exc, provider), status=403, code=f"id_token:{exc.error}") from exc
    except RequestException as exc:
        raise SignInRefused(
            f"{provider.label} could not be reached to finish signing in. Try again in a few minutes.",
            status=502,
            code="unreachable",
        ) from exc
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise SignInRefused(f"{provider.label} sent no ID token, so who you are cannot be checked.", code="no_id_token")
    claims = dict(claims)
    _check_times(claims, skew, provider)
    claims = _with_userinfo(client, token, claims, provider)
    if not acr_acceptable(claims.get("acr"), provider.acr_values):
        raise SignInRefused(
            f"You signed in at an assurance level ({claims.get('acr') or 'not stated'}) lower than the portal needs "
            f"({provider.acr_values}). Sign in again with your smartcard or another authenticator at that level.",
            code="acr",
        )
    return claims, token["id_token"]


def _with_userinfo(client: DjangoOAuth2App, token: dict[str, Any], claims: dict[str, Any], provider: Provider) -> dict[str, Any]:
    """Name, e-mail and organisations from the UserInfo endpoint (CIS2 sends `nhsid_nrbac_roles`
    there), for the same subject only. The ID token's own claims are never overwritten."""
    endpoint = client.load_server_metadata().get("userinfo_endpoint")
    if not endpoint or not token.get("access_token"):
        return claims
    try:
        info = dict(client.userinfo(token=token))
    except (RequestException, OAuthError, ValueError):
        return claims  # the ID token is enough to know who they are
    if str(info.get("sub")) != str(claims["sub"]):
        raise SignInRefused(f"{provider.label} described a different person than its ID token names.", code="userinfo_sub")
    return {**info, **claims}


def _check_times(claims: dict[str, Any], skew: int, provider: Provider) -> None:
    """Authlib checks `exp` and a future `iat`; an ID token issued long ago is refused too."""
    now = time.time()
    if claims["iat"] < now - settings.OIDC_MAX_TOKEN_AGE_SECONDS - skew:
        raise SignInRefused(f"{provider.label} sent an ID token issued too long ago. Start signing in again.", code="iat")
    if claims["exp"] < now - skew:  # Authlib checks this too; kept explicit as it is the rule.
        raise SignInRefused(f"{provider.label} sent an ID token that has expired. Start signing in again.", code="exp")


def _jose_message(exc: JoseError, provider: Provider) -> str:
    messages = {
        "bad_signature": "its signature does not match any of the provider's published keys",
        "invalid_key_id": "it is signed with a key the provider does not publish",
        "expired_token": "it has expired",
        "invalid_claim": f"its claim {getattr(exc, 'claim', '')!s} is wrong".replace("claim  is", "claims are"),
        "missing_claim": f"it lacks the claim {getattr(exc, 'claim', '')!s}",
        "invalid_token": "it is not valid yet",
    }
    what = messages.get(exc.error, exc.description or exc.error)
    if exc.error == "invalid_claim" and getattr(exc, "claim", "") == "aud":
        what = "it was issued for another service (its audience is not this portal)"
    if exc.error == "invalid_claim" and getattr(exc, "claim", "") == "iss":
        what = "it was issued by another provider"
    return f"The ID token from {provider.label} cannot be trusted: {what}. Nothing has been signed in. Start signing in again."


def logout_url(provider: Provider, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), where it offers one."""
    if not provider.post_logout:
        return None
    try:
        metadata = client_for(provider).load_server_metadata()
    except RequestException:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client_for(provider).create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=provider.client_id
    )["url"]
