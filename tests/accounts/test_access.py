"""Access is requested, approved or refused (e-mails both ways, audited through the role
service), confirmed each quarter by site leads, and lost after 90 days without a sign-in. An API
token stops working when its holder has no role."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import AccessRequest, BreakGlassAccount, RequestStatus, SiteConfirmation
from nhsportal.models import AuditEvent, Role, RoleAssignment
from tests.nhsportal.factories import UserFactory, user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer():
    return UserFactory(first_name="Nia", last_name="Newcomer", email="nia@example.nhs.uk")


@pytest.fixture
def lead(site):
    return user_with_role(Role.SITE_LEAD, site=site, email="lead@example.nhs.uk")


@pytest.fixture
def admin():
    return user_with_role(Role.ADMINISTRATOR, email="admin@example.nhs.uk")


def _ask(client, user, **data):
    client.force_login(user)
    return client.post(reverse("access-request"), data)


def test_a_person_with_no_role_is_asked_to_request_access_and_the_site_lead_is_emailed(
    client, site, lead, admin, newcomer, django_capture_on_commit_callbacks
):
    client.force_login(newcomer)
    page = client.get(reverse("access-request")).content.decode()
    assert "Request access" in page and "you have no role in the programme yet" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, newcomer, role=Role.SITE_STAFF, site=site.name, reason="Analyst in the BI team")

    assert response.status_code == 302
    request = AccessRequest.objects.get(user=newcomer)
    assert (request.role, request.site, request.status) == (Role.SITE_STAFF, site, RequestStatus.PENDING)
    [message] = mail.outbox
    assert message.to == ["lead@example.nhs.uk"]  # the site's lead approves site staff, not the administrators
    assert "Analyst in the BI team" in message.body and reverse("access-request-decide", args=[request.pk]) in message.body
    assert AuditEvent.objects.filter(action="access.requested", object_id=str(request.pk)).exists()


def test_the_approvers_home_pages_say_a_request_is_waiting(client, site, lead, admin, newcomer):
    _ask(client, newcomer, role=Role.SITE_STAFF, site=site.name, reason="Analyst in the BI team")
    site_staff = user_with_role(Role.SITE_STAFF, site=site)
    waiting = f'<a href="{reverse("access-requests")}">Decide 1 request for access</a>'

    pages = {}
    for person in (lead, admin, site_staff):
        client.force_login(person)
        pages[person] = client.get("/").content.decode()

    assert waiting in pages[lead]  # the site lead decides site staff requests at their site
    assert waiting in pages[admin]  # administrators decide every request
    assert "request for access" not in pages[site_staff]


def test_a_site_lead_or_programme_lead_request_goes_to_the_administrators(
    client, site, lead, admin, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, newcomer, role=Role.PROGRAMME_LEAD, place=site.place.name, reason="SRO for the Place")

    [message] = mail.outbox
    assert message.to == ["admin@example.nhs.uk"]
    assert AccessRequest.objects.get(user=newcomer).place == site.place


def test_a_mistyped_site_is_refused_with_what_to_do(client, newcomer):
    response = _ask(client, newcomer, role=Role.SITE_STAFF, site="Nowhereshire", reason="Analyst")

    assert response.status_code == 200
    assert "No site in the programme is called &#39;Nowhereshire&#39;" in response.content.decode()
    assert not AccessRequest.objects.exists()


def test_asking_twice_for_the_same_access_is_refused(client, site, newcomer):
    _ask(client, newcomer, role=Role.SITE_STAFF, site=site.name, reason="Analyst")
    response = _ask(client, newcomer, role=Role.SITE_STAFF, site=site.name, reason="Analyst again")

    assert "already asked for this access" in response.content.decode()
    assert AccessRequest.objects.count() == 1


def test_approving_a_role_the_person_was_given_meanwhile_says_so_and_changes_nothing(client, site, lead, newcomer):
    request = services.request_access(
        user=newcomer, role=Role.SITE_STAFF, site=site, place=None, reason="Analyst", organisations=[]
    )
    RoleAssignment.objects.create(user=newcomer, role=Role.SITE_STAFF, site=site)  # an administrator got there first
    client.force_login(lead)

    response = client.post(reverse("access-request-decide", args=[request.pk]), {"decision": "approve", "note": ""})

    assert response.status_code == 200
    assert "already has this role at" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert RoleAssignment.objects.filter(user=newcomer).count() == 1


def test_the_site_lead_approves_and_the_person_gets_the_role_and_an_email(
    client, site, lead, newcomer, django_capture_on_commit_callbacks
):
    request = services.request_access(
        user=newcomer, role=Role.SITE_STAFF, site=site, place=None, reason="Analyst", organisations=[]
    )
    client.force_login(lead)
    listing = client.get(reverse("access-requests")).content.decode()
    assert "Nia Newcomer" in listing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("access-request-decide", args=[request.pk]), {"decision": "approve", "note": ""})

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=newcomer)
    assert (assignment.role, assignment.site) == (Role.SITE_STAFF, site)
    assert AuditEvent.objects.filter(action="role.granted", actor=lead).exists()  # through the role service
    assert AuditEvent.objects.filter(action="access.approved", object_id=str(request.pk)).exists()
    assert mail.outbox[-1].to == ["nia@example.nhs.uk"] and "approved" in mail.outbox[-1].subject


def test_a_refusal_needs_a_reason_and_tells_the_person(client, site, lead, newcomer, django_capture_on_commit_callbacks):
    request = services.request_access(
        user=newcomer, role=Role.SITE_STAFF, site=site, place=None, reason="Analyst", organisations=[]
    )
    client.force_login(lead)

    without = client.post(reverse("access-request-decide", args=[request.pk]), {"decision": "refuse", "note": ""})
    assert "Say why you are refusing" in without.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access-request-decide", args=[request.pk]), {"decision": "refuse", "note": "Not on our staff list"})

    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED and not RoleAssignment.objects.filter(user=newcomer).exists()
    assert "Not on our staff list" in mail.outbox[-1].body


def test_only_the_right_approver_may_decide(client, site, other_site, lead, newcomer):
    staff_request = services.request_access(
        user=newcomer, role=Role.SITE_STAFF, site=site, place=None, reason="Analyst", organisations=[]
    )
    lead_request = services.request_access(
        user=newcomer, role=Role.SITE_LEAD, site=site, place=None, reason="SRO", organisations=[]
    )
    other_lead = user_with_role(Role.SITE_LEAD, site=other_site)
    taskforce = user_with_role(Role.TASKFORCE_MEMBER)

    client.force_login(other_lead)
    assert client.get(reverse("access-request-decide", args=[staff_request.pk])).status_code == 404
    client.force_login(lead)
    assert client.get(reverse("access-request-decide", args=[lead_request.pk])).status_code == 404  # site leads: admins only
    client.force_login(taskforce)
    assert client.get(reverse("access-requests")).status_code == 403
    client.force_login(newcomer)
    assert client.post(reverse("access-request-decide", args=[staff_request.pk]), {"decision": "approve"}).status_code == 404
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


def test_cis2_organisations_are_shown_to_the_approver(client, site, lead, newcomer):
    orgs = [{"org_code": "RRK", "org_name": "University Hospitals Birmingham", "role": "Analyst"}]
    request = services.request_access(
        user=newcomer, role=Role.SITE_STAFF, site=site, place=None, reason="Analyst", organisations=orgs
    )
    client.force_login(lead)

    page = client.get(reverse("access-request-decide", args=[request.pk])).content.decode()

    assert "University Hospitals Birmingham (RRK)" in page


def test_a_site_lead_confirms_their_sites_people_each_quarter(client, site, lead, django_capture_on_commit_callbacks):
    keeper = user_with_role(Role.SITE_STAFF, site=site)
    leaver = user_with_role(Role.SITE_STAFF, site=site, email="leaver@example.nhs.uk")
    leaver_role = RoleAssignment.objects.get(user=leaver)
    client.force_login(lead)
    page = client.get(reverse("access-confirm", args=[site.pk])).content.decode()
    assert keeper.get_full_name() in page and leaver.get_full_name() in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access-confirm", args=[site.pk]), {"remove": [str(leaver_role.pk)]})

    assert RoleAssignment.objects.filter(user=keeper).exists()
    assert not RoleAssignment.objects.filter(user=leaver).exists()
    confirmation = SiteConfirmation.objects.get(site=site)
    assert confirmation.quarter == services.quarter_of(timezone.localdate())
    assert [r["user"] for r in confirmation.removed] == [leaver.username]
    assert AuditEvent.objects.filter(action="role.revoked", actor=lead).exists()
    assert mail.outbox[-1].to == ["leaver@example.nhs.uk"]


def test_the_confirmation_page_is_only_the_sites_lead(client, site, other_site):
    other_lead = user_with_role(Role.SITE_LEAD, site=other_site)
    staff = user_with_role(Role.SITE_STAFF, site=site)
    for person in (other_lead, staff):
        client.force_login(person)
        assert client.get(reverse("access-confirm", args=[site.pk])).status_code == 404


def test_site_leads_are_reminded_once_a_quarter(site, lead):
    assert services.send_confirmation_reminders(today=datetime.date(2026, 10, 1)) == 1
    assert services.send_confirmation_reminders(today=datetime.date(2026, 10, 2)) == 0
    assert reverse("access-confirm", args=[site.pk]) in mail.outbox[0].body
    assert services.send_confirmation_reminders(today=datetime.date(2027, 1, 1)) == 1


def test_ninety_days_without_a_sign_in_loses_the_roles_with_notice(site, django_capture_on_commit_callbacks):
    now = timezone.now()
    idle = user_with_role(Role.SITE_STAFF, site=site, email="idle@example.nhs.uk")
    active = user_with_role(Role.SITE_STAFF, site=site)
    glass = user_with_role(Role.ADMINISTRATOR)
    BreakGlassAccount.objects.create(user=glass, reason="Break glass")
    type(idle).objects.filter(pk__in=[idle.pk, glass.pk]).update(last_login=now - datetime.timedelta(days=91))
    type(idle).objects.filter(pk=active.pk).update(last_login=now - datetime.timedelta(days=89))

    with django_capture_on_commit_callbacks(execute=True):
        expired = services.expire_inactive(now=now)

    assert expired == [idle.username]
    assert not RoleAssignment.objects.filter(user=idle).exists()
    assert RoleAssignment.objects.filter(user=active).exists() and RoleAssignment.objects.filter(user=glass).exists()
    assert AuditEvent.objects.filter(action="access.expired", object_id=str(idle.pk)).exists()
    assert mail.outbox[-1].to == ["idle@example.nhs.uk"] and "90 days" in mail.outbox[-1].body


def test_an_api_token_stops_working_when_its_holder_loses_their_role(client, site, lead):
    staff = user_with_role(Role.SITE_STAFF, site=site)
    token = Token.objects.create(user=staff)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get("/api/v1/sites/", **headers).status_code == 200

    services.confirm_site_people(site=site, by=lead, remove=[RoleAssignment.objects.get(user=staff).pk])

    response = client.get("/api/v1/sites/", **headers)
    assert response.status_code == 401
    assert "no longer holds a role" in response.json()["detail"]


def test_another_sites_lead_cannot_remove_my_people(site, other_site):
    from django.core.exceptions import PermissionDenied

    staff = user_with_role(Role.SITE_STAFF, site=site)
    other_lead = user_with_role(Role.SITE_LEAD, site=other_site)
    with pytest.raises(PermissionDenied):
        services.confirm_site_people(site=site, by=other_lead, remove=[RoleAssignment.objects.get(user=staff).pk])
    assert RoleAssignment.objects.filter(user=staff).exists()
    assert SiteFactory._meta.model.objects.filter(pk=site.pk).exists()


def test_two_weeks_before_the_roles_go_the_person_is_warned_once(site, django_capture_on_commit_callbacks):
    now = timezone.now()
    fading = user_with_role(Role.SITE_STAFF, site=site, email="fading@example.nhs.uk")
    type(fading).objects.filter(pk=fading.pk).update(last_login=now - datetime.timedelta(days=80))

    with django_capture_on_commit_callbacks(execute=True):
        services.expire_inactive(now=now)
        services.expire_inactive(now=now + datetime.timedelta(days=1))

    [warning] = mail.outbox
    assert warning.to == ["fading@example.nhs.uk"] and "Unless you sign in by" in warning.body
    assert RoleAssignment.objects.filter(user=fading).exists()
