"""Signing in through a real OpenID Connect provider (the npm `oidc-provider`, started per test
on loopback), and every way a bad answer is refused: a 4xx page that says why, nobody signed in,
nothing created.

Which case uses what:
- replayed `state`, a callback from another browser, a too-low `acr`: the real provider as it is;
- an expired ID token: the real provider with its clock an hour slow (it signs `iat`/`exp` itself);
- the wrong key and the wrong audience: the real provider's token response, with the ID token
  re-signed by the provider script (with a key not in its JWKS; with its own key for another `aud`).
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from joserfc.jwk import RSAKey

from accounts import oidc
from accounts.models import OidcIdentity
from nhsportal.models import AuditEvent
from tests.accounts.provider import path_and_query, provider_settings, running_provider, sign_in_at_provider
from tests.nhsportal.factories import UserFactory

PORTAL = "http://testserver"
CALLBACK = f"{PORTAL}/auth/oidc/cis2/callback/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_clients():
    oidc.forget_clients()
    yield
    oidc.forget_clients()


def _use(settings, issuer, **overrides):
    settings.OIDC_PROVIDERS = provider_settings(issuer, **overrides)


def _through_provider(client, login="a.smith"):
    """Start at the portal, sign in at the provider, return the callback URL it sent back."""
    start = client.get(reverse("oidc-start", args=["cis2"]))
    assert start.status_code == 302
    return sign_in_at_provider(start["Location"], login, portal_prefix=PORTAL)


def _assert_refused(response, *words):
    assert 400 <= response.status_code < 500, response.status_code
    text = response.content.decode()
    assert "Signing in was refused" in text
    for word in words:
        assert word in text, f"{word!r} not in the refusal page"
    assert not response.wsgi_request.user.is_authenticated


def test_the_sign_in_page_offers_each_provider_by_its_label(client, settings):
    settings.OIDC_PROVIDERS = provider_settings("http://127.0.0.1:1") + provider_settings(
        "http://127.0.0.1:2", name="entra", label="Sign in with your organisation's Microsoft account"
    )

    page = client.get(reverse("login")).content.decode()

    assert 'href="/auth/oidc/cis2/start/"' in page and "Sign in with NHS CIS2 Authentication" in page
    assert 'href="/auth/oidc/entra/start/"' in page and "Sign in with your organisation&#39;s Microsoft account" in page


def test_first_sign_in_creates_the_account_from_the_claims_and_offers_to_request_access(client, settings):
    accounts = {"a.smith": {"name": "Alex Smith", "given_name": "Alex", "family_name": "Smith", "email": "alex.smith@nhs.net"}}
    accounts["a.smith"]["nhsid_nrbac_roles"] = [{"org_code": "RRK", "person_roleid": "5551", "role_name": "Analyst"}]
    with running_provider(redirect_uris=[CALLBACK], accounts=accounts) as issuer:
        _use(settings, issuer)
        callback = _through_provider(client)
        assert "code=" in callback and "state=" in callback
        response = client.get(path_and_query(callback))

        assert response.status_code == 302 and response["Location"] == reverse("access-request")
        landing = client.get(response["Location"]).content.decode()
        assert "Request access" in landing
        assert "RRK" in landing and "Analyst" in landing
        identity = OidcIdentity.objects.get(subject="a.smith")
        assert identity.issuer == issuer and identity.provider == "cis2"
        user = identity.user
        assert (user.first_name, user.last_name, user.email) == ("Alex", "Smith", "alex.smith@nhs.net")
        assert not user.has_usable_password()
        assert AuditEvent.objects.filter(action="account.created", object_id=str(user.pk)).exists()

        # The second time is the same person: matched by issuer and subject, no new account.
        client.post(reverse("logout"))
        again = client.get(path_and_query(_through_provider(client)))
        assert again.status_code == 302
        assert get_user_model().objects.filter(oidc_identities__subject="a.smith").count() == 1
        assert OidcIdentity.objects.count() == 1


def test_a_person_is_never_matched_by_email_alone(client, settings):
    existing = UserFactory(username="alex", email="a.smith@example.nhs.uk")
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.get(path_and_query(_through_provider(client)))

    identity = OidcIdentity.objects.get(subject="a.smith")
    assert identity.user != existing
    assert identity.user.email == existing.email


def test_a_replayed_state_is_refused(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        callback = path_and_query(_through_provider(client))
        assert client.get(callback).status_code == 302
        client.post(reverse("logout"))
        users = get_user_model().objects.count()

        replay = client.get(callback)

    _assert_refused(replay, "already been used")
    assert replay.status_code == 400
    assert get_user_model().objects.count() == users


def test_a_callback_from_another_browser_is_refused(client, settings):
    from django.test import Client

    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        callback = path_and_query(_through_provider(client))
        response = Client().get(callback)

    _assert_refused(response, "Start signing in again")
    assert not OidcIdentity.objects.exists()


def test_an_assurance_level_below_the_minimum_is_refused(client, settings):
    with running_provider(redirect_uris=[CALLBACK], acr="AAL1_USERPASS") as issuer:
        _use(settings, issuer, acr_values="AAL3_ANY")
        response = client.get(path_and_query(_through_provider(client)))

    _assert_refused(response, "AAL1_USERPASS", "AAL3_ANY", "smartcard")
    assert response.status_code == 403
    assert not OidcIdentity.objects.exists() and not get_user_model().objects.exists()


def test_an_assurance_level_at_or_above_the_minimum_is_accepted(client, settings):
    with running_provider(redirect_uris=[CALLBACK], acr="AAL3_ANY") as issuer:
        _use(settings, issuer, acr_values="AAL2_OR_HIGHER")
        response = client.get(path_and_query(_through_provider(client)))

    assert response.status_code == 302
    assert OidcIdentity.objects.filter(subject="a.smith").exists()


def test_an_expired_id_token_is_refused(client, settings):
    settings.OIDC_CLOCK_SKEW_SECONDS = 30
    with running_provider(redirect_uris=[CALLBACK], clockOffsetSeconds=-3600, idTokenTtl=300) as issuer:
        _use(settings, issuer)
        response = client.get(path_and_query(_through_provider(client)))

    _assert_refused(response, "expired")
    assert response.status_code == 403
    assert not get_user_model().objects.exists()


def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_refused(client, settings):
    with running_provider(redirect_uris=[CALLBACK], tamper="wrong-key") as issuer:
        _use(settings, issuer)
        response = client.get(path_and_query(_through_provider(client)))

    _assert_refused(response, "signature")
    assert response.status_code == 403
    assert not get_user_model().objects.exists()


def test_an_id_token_for_another_audience_is_refused(client, settings):
    with running_provider(redirect_uris=[CALLBACK], tamper="wrong-audience") as issuer:
        _use(settings, issuer)
        response = client.get(path_and_query(_through_provider(client)))

    _assert_refused(response, "another service")
    assert response.status_code == 403
    assert not get_user_model().objects.exists()


def test_private_key_jwt_client_authentication_signs_in(client, settings, tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public = RSAKey.import_key(pem).as_dict(private=False)
    public.update(kid="portal-client-key", alg="RS256", use="sig")
    with running_provider(redirect_uris=[CALLBACK], client_jwks={"keys": [public]}) as issuer:
        _use(settings, issuer, client_secret="", private_key=pem, key_id="portal-client-key")
        response = client.get(path_and_query(_through_provider(client)))

    assert response.status_code == 302, response.content.decode()[:2000]
    assert OidcIdentity.objects.filter(subject="a.smith").exists()


def test_signing_out_ends_the_providers_session_too(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.get(path_and_query(_through_provider(client)))
        assert client.get(reverse("access-request")).status_code == 200

        response = client.post(reverse("logout"))

    assert response.status_code == 200
    text = response.content.decode()
    assert f'content="0;url={issuer}/session/end?' in text
    assert "id_token_hint=" in text and "post_logout_redirect_uri=" in text
    assert client.get(reverse("access-request")).status_code == 302  # signed out of the portal


def test_an_unknown_provider_is_a_404(client, settings):
    settings.OIDC_PROVIDERS = []
    assert client.get(reverse("oidc-start", args=["cis2"])).status_code == 404
    assert client.get(reverse("oidc-callback", args=["cis2"])).status_code == 404


def test_no_mail_is_sent_by_signing_in(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.get(path_and_query(_through_provider(client)))
    assert mail.outbox == []


def test_the_jwks_is_kept_and_fetched_again_when_the_provider_rotates_its_key(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.get(path_and_query(_through_provider(client, "first")))
        provider = oidc.providers()[0]
        cached = oidc.client_for(provider).server_metadata["jwks"]
        assert [key["kid"] for key in cached["keys"]] == ["portal-test-key"]  # kept after the first sign-in
        # As if the portal had cached the provider's keys before it rotated to a new one.
        old = RSAKey.generate_key(2048).as_dict(private=False)
        oidc.client_for(provider).server_metadata["jwks"] = {"keys": [{**old, "kid": "retired-key"}]}
        client.post(reverse("logout"))

        response = client.get(path_and_query(_through_provider(client, "second")))

    assert response.status_code == 302
    assert OidcIdentity.objects.filter(subject="second").exists()
    assert [key["kid"] for key in oidc.client_for(provider).server_metadata["jwks"]["keys"]] == ["portal-test-key"]


def test_an_answer_naming_another_issuer_is_refused(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        callback = path_and_query(_through_provider(client)).replace("iss=", "was=")
        response = client.get(callback + "&iss=https%3A%2F%2Fevil.example")

    _assert_refused(response, "did not come from")
    assert not get_user_model().objects.exists()


def test_a_closed_account_cannot_sign_in_through_the_provider(client, settings):
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.get(path_and_query(_through_provider(client)))
        leaver = OidcIdentity.objects.get(subject="a.smith").user
        leaver.is_active = False
        leaver.save()
        client.post(reverse("logout"))

        response = client.get(path_and_query(_through_provider(client)))

    _assert_refused(response, "closed")


def test_a_provider_that_cannot_be_reached_says_so(client, settings):
    _use(settings, "http://127.0.0.1:9")  # the discard port: nothing answers

    response = client.get(reverse("oidc-start", args=["cis2"]))

    assert response.status_code == 503
    assert "cannot be reached just now" in response.content.decode()


def test_an_administrator_links_an_existing_password_account_which_then_signs_in_through_the_provider(client, settings):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    admin = user_with_role(Role.ADMINISTRATOR, is_superuser=True)
    existing = user_with_role(Role.TASKFORCE_MEMBER, username="alex.existing")
    with running_provider(redirect_uris=[CALLBACK]) as issuer:
        _use(settings, issuer)
        client.force_login(admin)
        response = client.post(
            reverse("admin:accounts_oidcidentity_add"),
            {"user": existing.pk, "provider": "cis2", "issuer": issuer, "subject": "alex-sub"},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert AuditEvent.objects.filter(action="account.linked", actor=admin, object_id=str(existing.pk)).exists()
        client.post(reverse("logout"))

        response = client.get(path_and_query(_through_provider(client, "alex-sub")))

    assert response.status_code == 302 and response["Location"] == reverse("home")  # they hold a role already
    assert client.session["_auth_user_id"] == str(existing.pk)
    assert get_user_model().objects.count() == 2
