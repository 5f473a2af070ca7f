"""Signing in as NHS staff do, in Chromium, through a real OpenID Connect provider (the npm
`oidc-provider`, started on loopback): a newcomer signs in, requests site staff access, the site
lead approves it in another browser, and the newcomer files the month's return. A token signed
by the wrong key, an expired one, one for another audience, one at too low an assurance level and
a replayed `state` are each refused with a 4xx page that says so, and nobody is created (see
tests/accounts/test_oidc_sign_in.py for how the provider is made to produce each)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import oidc
from accounts.models import OidcIdentity
from metrics.models import Return
from metrics.returns.reference import load_metrics
from nhsportal.models import Role, RoleAssignment
from tests.accounts.provider import provider_settings, running_provider
from tests.browser.conftest import assert_accessible
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWCOMER = {"name": "Nia Newcomer", "given_name": "Nia", "family_name": "Newcomer", "email": "nia.newcomer@nhs.net"}
NEWCOMER["nhsid_nrbac_roles"] = [{"org_code": "RXK", "org_name": "Sandwell and West Birmingham", "role_name": "Analyst"}]


@pytest.fixture(autouse=True)
def fresh_clients():
    oidc.forget_clients()
    yield
    oidc.forget_clients()


def sign_in_at_the_provider(page, login):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with NHS CIS2 Authentication").click()
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Sign in").click()


def test_a_newcomer_signs_in_requests_access_is_approved_and_files_a_return(page, browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    sandwell = SiteFactory(place__name="Sandwell")
    user_with_role(Role.SITE_LEAD, site=sandwell, username="lead.sandwell", email="lead@example.nhs.uk")

    with running_provider(redirect_uris=[f"{live_server.url}/auth/oidc/cis2/callback/"], accounts={"nia": NEWCOMER}) as issuer:
        settings.OIDC_PROVIDERS = provider_settings(issuer)

        # First sign-in: the account is made from the provider's claims, and the page offers to request access.
        sign_in_at_the_provider(page, "nia")
        expect(page.get_by_role("heading", level=1)).to_have_text("Request access")
        expect(page.locator("#organisations")).to_contain_text("Sandwell and West Birmingham (RXK): Analyst")
        assert_accessible(page)
        page.get_by_label("What do you need to do?").select_option(label="Site staff")
        page.get_by_label("Your site's name").fill(sandwell.name)
        page.get_by_label("Why do you need this access?").fill("Analyst preparing Sandwell's monthly returns")
        page.get_by_role("button", name="Request access").click()
        expect(page.get_by_role("alert")).to_contain_text("Your request has been sent")

        # The site lead approves it, in a browser of their own.
        lead_context = browser.new_context(base_url=live_server.url)
        lead = lead_context.new_page()
        lead.goto("/accounts/login/")
        lead.get_by_label("Username").fill("lead.sandwell")
        lead.get_by_label("Password").fill(PASSWORD)
        lead.get_by_role("button", name="Sign in", exact=True).click()
        lead.goto("/access/requests/")
        lead.get_by_role("link", name="Decide the request from Nia Newcomer").click()
        expect(lead.get_by_text("Analyst preparing Sandwell's monthly returns")).to_be_visible()
        expect(lead.get_by_text("Sandwell and West Birmingham (RXK)")).to_be_visible()
        assert_accessible(lead)
        lead.get_by_label("Your decision").select_option("approve")
        lead.get_by_role("button", name="Save decision").click()
        expect(lead.get_by_role("alert")).to_contain_text("has been approved")
        lead_context.close()

        # The newcomer, now site staff, files the month's return.
        nia = OidcIdentity.objects.get(subject="nia").user
        assert RoleAssignment.objects.filter(user=nia, role=Role.SITE_STAFF, site=sandwell).exists()
        page.goto(f"/returns/{sandwell.pk}/{period.slug}/")
        page.get_by_role("button", name="Upload this month's return").click()
        workbook = tmp_path / "sandwell.xlsx"
        workbook.write_bytes(make_workbook(place="Sandwell", period=period.month))
        page.locator("input[type=file]").set_input_files(str(workbook))
        page.get_by_role("button", name="Check and upload").click()
        expect(page.get_by_role("alert")).to_contain_text("Version 1")

    record = Return.objects.get(site=sandwell, period=period)
    assert record.versions.get().created_by == nia


REFUSALS = {
    # case: (provider options, portal overrides, words on the page)
    "too-low acr": ({"acr": "AAL1_USERPASS"}, {"acr_values": "AAL3_ANY"}, "AAL3_ANY"),
    "expired token": ({"clockOffsetSeconds": -3600, "idTokenTtl": 300}, {}, "expired"),
    "wrong key": ({"tamper": "wrong-key"}, {}, "signature"),
    "wrong audience": ({"tamper": "wrong-audience"}, {}, "another service"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_bad_sign_in_is_refused_with_a_page_that_says_so(page, live_server, settings, case):
    options, overrides, words = REFUSALS[case]
    with running_provider(redirect_uris=[f"{live_server.url}/auth/oidc/cis2/callback/"], **options) as issuer:
        settings.OIDC_PROVIDERS = provider_settings(issuer, **overrides)
        with page.expect_response(lambda r: "/auth/oidc/cis2/callback/" in r.url) as callback:
            sign_in_at_the_provider(page, "nia")

        assert callback.value.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Signing in was refused")
        expect(page.locator("#refusal-reason")).to_contain_text(words)
        if case == "too-low acr":
            assert_accessible(page)
    assert not OidcIdentity.objects.exists()


def test_a_replayed_sign_in_is_refused_with_a_page_that_says_so(page, live_server, settings):
    with running_provider(redirect_uris=[f"{live_server.url}/auth/oidc/cis2/callback/"]) as issuer:
        settings.OIDC_PROVIDERS = provider_settings(issuer)
        with page.expect_response(lambda r: "/auth/oidc/cis2/callback/" in r.url) as callback:
            sign_in_at_the_provider(page, "nia")
        expect(page.get_by_role("heading", level=1)).to_have_text("Request access")
        page.get_by_role("button", name="Sign out").click()
        # Signed out of the portal, the page moves on to the provider's sign-out by itself:
        # let it arrive there before replaying, or the replay races that navigation.
        page.wait_for_url(f"{issuer}/session/end**")
        users = OidcIdentity.objects.count()

        replay = page.goto(callback.value.url)

        assert replay.status == 400
        expect(page.locator("#refusal-reason")).to_contain_text("already been used")
    assert OidcIdentity.objects.count() == users == 1
