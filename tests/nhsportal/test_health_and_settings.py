"""Operators' promises: health endpoints, production settings, configuration errors."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from nhsportal import config

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_says_the_process_is_up(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_broker_when_one_is_configured(client, settings):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert ("broker" in checks) == bool(settings.REDIS_URL)


@pytest.mark.django_db
def test_readyz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "unavailable"


def _manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="portal.example.nhs.uk",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="portal.example.nhs.uk")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_debug_is_off_unless_asked_for(settings):
    assert settings.DEBUG is False


def test_boolean_settings_name_the_variable_when_they_are_wrong(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "perhaps")

    with pytest.raises(Exception, match="DJANGO_DEBUG must be one of"):
        config.env_bool("DJANGO_DEBUG")
