"""PASSWORD_SIGN_IN: on for development and the demo, off in production, where only break-glass
accounts may use a password, each such sign-in audited and e-mailed to the administrators."""

from __future__ import annotations

import secrets

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from accounts.models import BreakGlassAccount
from nhsportal import config
from nhsportal.models import AuditEvent, Role, SignInFailure
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.nhsportal.test_health_and_settings import _manage

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="192.0.2.20")


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def passwords_off(settings):
    settings.PASSWORD_SIGN_IN = False
    return settings


def test_with_passwords_on_a_password_account_signs_in_as_before(client, settings):
    settings.PASSWORD_SIGN_IN = True
    person = user_with_role(Role.TASKFORCE_MEMBER)

    response = sign_in(client, person.username)

    assert response.status_code == 302 and signed_in(client)
    assert not AuditEvent.objects.filter(action="sign_in.break_glass").exists()


def test_with_passwords_off_the_right_password_is_refused_for_an_ordinary_account(client, passwords_off):
    person = user_with_role(Role.TASKFORCE_MEMBER)

    response = sign_in(client, person.username)

    page = response.content.decode()
    assert response.status_code == 200 and not signed_in(client)
    assert "Signing in with a password is turned off" in page
    assert "Only break-glass accounts may use a password" in page
    assert SignInFailure.objects.filter(username=person.username).count() == 1  # the lockout still counts it
    assert mail.outbox == []


def test_with_passwords_off_a_wrong_password_gets_the_same_words_so_break_glass_accounts_cannot_be_found(client, passwords_off):
    person = user_with_role(Role.ADMINISTRATOR)
    BreakGlassAccount.objects.create(user=person, reason="Identity services down")

    response = sign_in(client, person.username, "not-the-password-1")

    assert "Signing in with a password is turned off" in response.content.decode()
    assert not signed_in(client)


def test_with_passwords_off_a_break_glass_account_signs_in_audited_and_reported_to_administrators(
    client, passwords_off, django_capture_on_commit_callbacks
):
    other_admin = user_with_role(Role.ADMINISTRATOR, email="duty.admin@example.nhs.uk")
    person = user_with_role(Role.ADMINISTRATOR)
    BreakGlassAccount.objects.create(user=person, reason="Identity services down")

    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(client, person.username)

    assert response.status_code == 302 and signed_in(client)
    event = AuditEvent.objects.get(action="sign_in.break_glass")
    assert event.object_id == str(person.pk) and event.changes["address"] == "192.0.2.20"
    [message] = mail.outbox
    assert "Break-glass sign-in" in message.subject and person.username in message.body
    assert other_admin.email in message.to and person.email in message.to


def test_with_passwords_off_django_admin_login_obeys_the_same_rule(client, passwords_off):
    person = user_with_role(Role.ADMINISTRATOR)

    sign_in(client, person.username, url=reverse("admin:login"))

    assert not signed_in(client)


def test_the_sign_in_page_says_the_password_form_is_for_break_glass_only_when_passwords_are_off(client, passwords_off):
    page = client.get(reverse("login")).content.decode()

    assert "Break-glass sign-in with a password" in page


def test_production_turns_password_sign_in_off_by_default():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print('PASSWORD_SIGN_IN', settings.PASSWORD_SIGN_IN)",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="portal.example.nhs.uk",
    )

    assert result.returncode == 0, result.stderr
    assert "PASSWORD_SIGN_IN False" in result.stdout


def test_provider_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    key = tmp_path / "cis2.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nMII...\n-----END PRIVATE KEY-----\n")
    monkeypatch.setenv("OIDC_PROVIDERS", "cis2, entra")
    monkeypatch.setenv(
        "OIDC_CIS2_ISSUER",
        "https://am.nhsidentity.spineservices.nhs.uk/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare/",
    )
    monkeypatch.setenv("OIDC_CIS2_CLIENT_ID", "portal-cis2")
    monkeypatch.setenv("OIDC_CIS2_PRIVATE_KEY_FILE", str(key))
    monkeypatch.setenv("OIDC_CIS2_LABEL", "Sign in with NHS CIS2 Authentication")
    monkeypatch.setenv("OIDC_CIS2_SCOPES", "openid profile email nationalrbacaccess")
    monkeypatch.setenv("OIDC_CIS2_ACR_VALUES", "AAL3_ANY")
    monkeypatch.setenv("OIDC_ENTRA_ISSUER", "https://login.microsoftonline.com/tenant-id/v2.0")
    monkeypatch.setenv("OIDC_ENTRA_CLIENT_ID", "portal-entra")
    monkeypatch.setenv("OIDC_ENTRA_CLIENT_SECRET", "entra-secret")

    cis2, entra = config.oidc_providers("production")

    assert cis2["name"] == "cis2" and cis2["issuer"].endswith("/Healthcare") and cis2["private_key"].startswith("-----BEGIN")
    assert cis2["scopes"] == "openid profile email nationalrbacaccess" and cis2["acr_values"] == "AAL3_ANY"
    assert entra["client_secret"] == "entra-secret" and entra["private_key"] == "" and entra["label"] == "Sign in with ENTRA"


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"OIDC_X_ISSUER": "http://idp.example", "OIDC_X_CLIENT_ID": "c", "OIDC_X_CLIENT_SECRET": "s"}, "must be an https://"),
        ({"OIDC_X_ISSUER": "https://idp.example", "OIDC_X_CLIENT_ID": "c"}, "Set exactly one of OIDC_X_CLIENT_SECRET"),
        ({"OIDC_X_CLIENT_ID": "c", "OIDC_X_CLIENT_SECRET": "s"}, "OIDC_X_ISSUER and OIDC_X_CLIENT_ID must be set"),
    ],
)
def test_a_provider_set_up_wrongly_stops_production_with_the_variable_named(monkeypatch, variables, words):
    monkeypatch.setenv("OIDC_PROVIDERS", "x")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=words):
        config.oidc_providers("production")


def test_outside_production_a_local_provider_on_plain_http_is_allowed(monkeypatch):
    monkeypatch.setenv("OIDC_PROVIDERS", "local")
    monkeypatch.setenv("OIDC_LOCAL_ISSUER", "http://127.0.0.1:9000")
    monkeypatch.setenv("OIDC_LOCAL_CLIENT_ID", "c")
    monkeypatch.setenv("OIDC_LOCAL_CLIENT_SECRET", "s")

    [local] = config.oidc_providers("development")

    assert local["issuer"] == "http://127.0.0.1:9000"


def test_the_clock_skew_allowed_is_bounded(monkeypatch):
    monkeypatch.setenv("OIDC_CLOCK_SKEW_SECONDS", "3600")
    with pytest.raises(ImproperlyConfigured, match="between 0 and 300"):
        config.oidc_clock_skew()
    monkeypatch.setenv("OIDC_CLOCK_SKEW_SECONDS", "30")
    assert config.oidc_clock_skew() == 30
