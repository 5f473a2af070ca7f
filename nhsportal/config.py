"""The one reader of configuration from the environment.

Every setting that can change between machines is read here, typed, with its default
and a sentence on what it means; `README.md` lists the same names. Nothing else in the
project reads `os.environ`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
