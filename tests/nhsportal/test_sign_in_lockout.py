"""Repeated failed sign-ins lock the username (and the address) for a while, plainly explained."""

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from nhsportal.models import AuditEvent, Role, SignInFailure
from tests.nhsportal.factories import PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


def sign_in(client, username, password, address="192.0.2.10", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def person():
    return user_with_role(Role.TASKFORCE_MEMBER)


def test_five_wrong_passwords_lock_the_account_and_say_until_when_and_whom_to_contact(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT - 1):
        response = sign_in(client, person.username, "wrong-password-123")
        assert "Enter a correct username and password" in response.content.decode()

    response = sign_in(client, person.username, "wrong-password-123")

    page = response.content.decode()
    assert response.status_code == 200
    assert "too many failed attempts to sign in to this account" in page
    until = timezone.localtime(SignInFailure.objects.latest("at").at + timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES))
    # A lock that runs past midnight names its day as well as its time.
    when = f"{until:%H:%M}" if until.date() == timezone.localdate() else f"{until:%H:%M} on {until:%-d %B %Y}"
    assert f"locked until {when} (UK time)" in page
    assert settings.SUPPORT_EMAIL in page
    assert "Error: Sign in" in page

    # Even the right password is refused while the lock lasts.
    response = sign_in(client, person.username, PASSWORD)
    assert not signed_in(client)
    assert "too many failed attempts" in response.content.decode()


def test_the_lock_is_audited_once(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT + 3):
        sign_in(client, person.username, "wrong-password-123")

    [event] = AuditEvent.objects.filter(action="sign_in.locked")
    assert event.object_id == str(person.pk)
    assert event.changes["scope"] == "username" and event.changes["address"] == "192.0.2.10"
    # Attempts during the lock are refused without being counted, so the lock does not grow.
    assert SignInFailure.objects.count() == settings.SIGN_IN_USERNAME_LIMIT


def test_the_lock_ends_after_the_lockout_period(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT):
        sign_in(client, person.username, "wrong-password-123")
    SignInFailure.objects.update(at=timezone.now() - timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES + 1))

    response = sign_in(client, person.username, PASSWORD)

    assert response.status_code == 302 and signed_in(client)


def test_a_successful_sign_in_resets_the_count(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT - 1):
        sign_in(client, person.username, "wrong-password-123")
    assert sign_in(client, person.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.SIGN_IN_USERNAME_LIMIT - 1):
        sign_in(client, person.username, "wrong-password-123")

    assert sign_in(client, person.username, PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="sign_in.failures_cleared", object_id=str(person.pk)).count() == 2


def test_the_username_is_locked_whatever_its_case_and_from_any_address(client, person, settings):
    for n in range(settings.SIGN_IN_USERNAME_LIMIT):
        sign_in(client, person.username.upper(), "wrong-password-123", address=f"198.51.100.{n}")

    sign_in(client, person.username, PASSWORD, address="203.0.113.99")

    assert not signed_in(client)


def test_many_failures_from_one_address_lock_that_address_for_every_username(client, person, settings):
    settings.SIGN_IN_ADDRESS_LIMIT = 8
    for n in range(8):
        sign_in(client, f"guess{n}", "wrong-password-123", address="192.0.2.66")

    response = sign_in(client, person.username, PASSWORD, address="192.0.2.66")
    assert not signed_in(client)
    assert "accounts from your network" in response.content.decode()

    # The same person from another address is not affected.
    assert sign_in(client, person.username, PASSWORD, address="192.0.2.67").status_code == 302


def test_django_admin_sign_in_is_locked_too(client, settings):
    admin = user_with_role(Role.ADMINISTRATOR)
    admin_login = reverse("admin:login")
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT):
        sign_in(client, admin.username, "wrong-password-123", url=admin_login)

    response = sign_in(client, admin.username, PASSWORD, url=admin_login)

    assert not signed_in(client)
    assert "too many failed attempts" in response.content.decode()


def test_the_client_address_behind_a_trusted_proxy_is_the_one_the_proxy_saw(client, person, settings):
    settings.SIGN_IN_TRUSTED_PROXIES = 1
    # The client forges the left-hand entry; the proxy appends the address it really saw.
    client.post(
        reverse("login"),
        {"username": person.username, "password": "wrong-password-123"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44",
    )

    assert SignInFailure.objects.get().address == "192.0.2.44"


def test_an_administrator_lifts_a_lock_from_admin(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT):
        sign_in(client, person.username, "wrong-password-123")
    admin = user_with_role(Role.ADMINISTRATOR, is_superuser=True)
    client.force_login(admin)

    response = client.post(
        reverse("admin:nhsportal_signinfailure_changelist"),
        {"action": "lift_lock", "_selected_action": list(SignInFailure.objects.values_list("pk", flat=True))},
    )
    client.logout()

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="sign_in.unlocked", actor=admin).exists()
    assert sign_in(client, person.username, PASSWORD).status_code == 302


def test_the_api_has_no_password_path(client, person):
    """Basic auth is not accepted, so the API cannot be used to guess passwords around the lock."""
    credentials = base64.b64encode(f"{person.username}:{PASSWORD}".encode()).decode()
    response = client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code == 401


def test_a_locked_person_cannot_get_a_session_for_the_api(client, person, settings):
    for _ in range(settings.SIGN_IN_USERNAME_LIMIT):
        sign_in(client, person.username, "wrong-password-123")
    sign_in(client, person.username, PASSWORD)

    assert client.get("/api/v1/sites/").status_code in {401, 403}


def test_a_lock_that_runs_past_midnight_says_which_day(monkeypatch):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from nhsportal.lockout import Lock

    london = ZoneInfo("Europe/London")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 2))
    tonight = Lock("username", datetime(2026, 12, 2, 23, 50, tzinfo=london))
    after_midnight = Lock("username", datetime(2026, 12, 3, 0, 7, tzinfo=london))

    assert "locked until 23:50 (UK time)" in tonight.message
    assert "locked until 00:07 on 3 December 2026 (UK time)" in after_midnight.message


def test_a_wrong_password_is_told_plainly_and_the_page_gives_the_contact(client, person, settings):
    page = sign_in(client, person.username, "wrong-password-123").content.decode()

    assert "Enter a correct username and password" in page
    assert "Please enter" not in page  # Django's default wording, not NHS style
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in page
