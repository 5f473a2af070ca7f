"""Every response carries a strict content security policy and the other protective headers;
sessions end 8 hours after signing in, or after an hour idle."""

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from nhsportal import config
from nhsportal.models import Role
from nhsportal.security import LAST_SEEN_AT, SIGNED_IN_AT, content_security_policy
from tests.nhsportal.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/api/v1/sites/", "/api/docs/", "/no-such-page/", "/admin/login/", "/sites/"]
)
def test_every_kind_of_response_has_the_policy_without_unsafe_inline(client, path):
    response = client.get(path)

    policy = directives(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["script-src"][0] == "'self'" and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_only_the_nhsuk_templates_own_inline_script_is_allowed_by_its_hash(client):
    page = client.get("/").content.decode()
    script_sources = directives(client.get("/"))["script-src"]

    inline_scripts = page.count("<script>") + page.count("<script ")  # every script element
    external = page.count('<script type="module" src=')
    assert inline_scripts - external == 1, "only the NHS.UK template's js-enabled line may be inline"
    assert len(script_sources) == 2 and script_sources[1].startswith("'sha256-")


def test_the_policy_is_built_once_from_settings(settings):
    assert content_security_policy().startswith("default-src 'self'")


def test_bad_api_rates_name_the_variable(monkeypatch):
    monkeypatch.setenv("API_THROTTLE_USER", "lots")

    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_USER must look like 60/minute"):
        config.api_throttle_rates("production")


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def rewind(client, key, seconds):
    session = client.session
    session[key] = session[key] - seconds
    session.save()


def test_a_session_ends_eight_hours_after_signing_in_however_busy(client, settings):
    sign_in(client, user_with_role(Role.TASKFORCE_MEMBER))
    assert client.get(reverse("site-list")).status_code == 200  # busy: the idle clock keeps restarting
    rewind(client, SIGNED_IN_AT, settings.SESSION_COOKIE_AGE + 1)

    response = client.get(reverse("site-list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_ends_after_an_hour_idle(client, settings):
    sign_in(client, user_with_role(Role.TASKFORCE_MEMBER))
    rewind(client, LAST_SEEN_AT, settings.SESSION_IDLE_SECONDS + 1)

    response = client.get(reverse("site-list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_session_in_use_stays_signed_in(client, settings):
    sign_in(client, user_with_role(Role.TASKFORCE_MEMBER))
    rewind(client, LAST_SEEN_AT, settings.SESSION_IDLE_SECONDS - 120)

    assert client.get(reverse("site-list")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_AT] < 60  # the idle clock restarted
    assert client.get(reverse("site-list")).status_code == 200
