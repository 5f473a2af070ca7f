"""The one reader of configuration from the environment.

Every setting that can change between machines is read here, typed, with its default
and a sentence on what it means; `README.md` lists the same names. Nothing else in the
project reads `os.environ`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

ENVIRONMENTS = ("development", "test", "production")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = env_str(name)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
    return value


def environment() -> str:
    value = env_str("DJANGO_ENV", "production").lower()
    if value not in ENVIRONMENTS:
        raise ImproperlyConfigured(f"DJANGO_ENV must be one of {', '.join(ENVIRONMENTS)}; got {value!r}.")
    return value


def secret_key(env: str) -> str:
    """DJANGO_SECRET_KEY in production; elsewhere a random key kept in var/ for this checkout.

    No secret is ever committed: development and test machines make their own.
    """
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production (50+ random characters).")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


# API request rates (DRF throttle syntax, "<n>/<second|minute|hour|day>"). Generous under
# test so the suite never trips them; tests that check throttling set their own.
API_THROTTLE_DEFAULTS = {
    "anon": {"production": "60/minute", "development": "120/minute", "test": "100000/minute"},
    "user": {"production": "600/minute", "development": "1200/minute", "test": "100000/minute"},
}


def api_throttle_rates(env: str) -> dict[str, str]:
    """API_THROTTLE_ANON (signed-out callers, per address) and API_THROTTLE_USER (per person)."""
    rates = {}
    for scope, defaults in API_THROTTLE_DEFAULTS.items():
        name = f"API_THROTTLE_{scope.upper()}"
        rate = env_str(name, defaults[env])
        number, _, period = rate.partition("/")
        if not number.isdigit() or period not in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}:
            raise ImproperlyConfigured(f"{name} must look like 60/minute; got {rate!r}.")
        rates[scope] = rate
    return rates


def cache_redis_url(redis_url: str, *, environment: str) -> str:
    """The cache's Redis URL. Under the test suite's parallel workers (pytest-xdist sets
    PYTEST_XDIST_WORKER, which the workers' own subprocesses inherit) each worker gets a Redis
    database of its own, so one test clearing the cache never empties another's mid-test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if environment != "test" or not worker.startswith("gw"):
        return redis_url
    parts = urlsplit(redis_url)
    base = int(parts.path.strip("/") or 0)
    database = (base + 1 + int(worker[2:])) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


def oidc_providers(env: str) -> list[dict[str, object]]:
    """The OpenID Connect providers people sign in with (ADR 17), from OIDC_PROVIDERS (names,
    comma-separated, e.g. `cis2,entra`) and, for each NAME upper-cased, OIDC_<NAME>_ISSUER,
    _CLIENT_ID, _CLIENT_SECRET or _PRIVATE_KEY_FILE (or _PRIVATE_KEY, the PEM itself; _KEY_ID its
    kid), _LABEL, _SCOPES (space-separated), _ACR_VALUES (the lowest acr accepted) and
    _POST_LOGOUT (off to skip the provider's sign-out). In production an issuer must be https."""
    providers = []
    for name in env_list("OIDC_PROVIDERS"):
        name = name.lower()
        if not name.replace("_", "").isalnum():
            raise ImproperlyConfigured(f"OIDC_PROVIDERS: {name!r} is not a name (letters, digits and _ only).")
        prefix = f"OIDC_{name.upper()}_"
        issuer = env_str(prefix + "ISSUER").rstrip("/")
        client_id = env_str(prefix + "CLIENT_ID")
        if not issuer or not client_id:
            raise ImproperlyConfigured(f"{prefix}ISSUER and {prefix}CLIENT_ID must be set for the provider {name!r}.")
        scheme = urlsplit(issuer).scheme
        if scheme != "https" and not (env != "production" and scheme == "http"):
            raise ImproperlyConfigured(f"{prefix}ISSUER must be an https:// address in production; got {issuer!r}.")
        secret = env_str(prefix + "CLIENT_SECRET")
        key_file = env_str(prefix + "PRIVATE_KEY_FILE")
        private_key = os.environ.get(prefix + "PRIVATE_KEY", "").strip()
        if key_file:
            try:
                private_key = Path(key_file).read_text()
            except OSError as exc:
                raise ImproperlyConfigured(f"{prefix}PRIVATE_KEY_FILE: cannot read {key_file!r} ({exc.strerror}).") from exc
        if bool(secret) == bool(private_key):
            raise ImproperlyConfigured(
                f"Set exactly one of {prefix}CLIENT_SECRET and {prefix}PRIVATE_KEY_FILE (private_key_jwt) for {name!r}."
            )
        providers.append(
            {
                "name": name,
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": secret,
                "private_key": private_key,
                "key_id": env_str(prefix + "KEY_ID"),
                "label": env_str(prefix + "LABEL", f"Sign in with {name.upper()}"),
                "scopes": env_str(prefix + "SCOPES", "openid profile email"),
                "acr_values": env_str(prefix + "ACR_VALUES"),
                "post_logout": env_bool(prefix + "POST_LOGOUT", default=True),
            }
        )
    return providers


def oidc_clock_skew() -> int:
    """OIDC_CLOCK_SKEW_SECONDS: how far apart the portal's and a provider's clocks may be when an
    ID token's exp and iat are checked. Bounded at five minutes: more would let old tokens in."""
    skew = env_int("OIDC_CLOCK_SKEW_SECONDS", 60)
    if not 0 <= skew <= 300:
        raise ImproperlyConfigured(f"OIDC_CLOCK_SKEW_SECONDS must be between 0 and 300; got {skew}.")
    return skew


def celery_time_limits(*, visibility_timeout: int) -> tuple[int, int]:
    """CELERY_TASK_SOFT_TIME_LIMIT and CELERY_TASK_TIME_LIMIT, in seconds: every task's soft and
    hard limits unless it names its own. The soft one must come first (else it never fires), and
    the hard one before the broker's visibility timeout (else Redis hands a task still running
    to a second worker)."""
    soft = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600)
    hard = env_int("CELERY_TASK_TIME_LIMIT", 660)
    if not 0 < soft < hard < visibility_timeout:
        raise ImproperlyConfigured(
            f"CELERY_TASK_SOFT_TIME_LIMIT ({soft}) must be more than 0 and less than CELERY_TASK_TIME_LIMIT "
            f"({hard}), and that less than the broker's visibility timeout ({visibility_timeout} s)."
        )
    return soft, hard
