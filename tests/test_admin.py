"""The national programme office runs reference data, people and roles through Django admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from nhsportal import audit
from nhsportal.models import AuditEvent, Role, RoleAssignment
from sites.models import Site
from teams.models import NeighbourhoodTeam, WorkforceEntry
from tests.nhsportal.factories import UserFactory, user_with_role
from tests.sites.factories import LocalAuthorityFactory, NeighbourhoodFactory, SiteFactory
from tests.teams.factories import (
    FocusCohortFactory,
    FocusConditionFactory,
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    WorkforceEntryFactory,
)

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def administrator(db):
    return UserFactory(username="programme.office", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def one_of_everything(administrator):
    """At least one row for every registered model, so each list and change page renders real data."""
    site = SiteFactory(programme_lead=administrator)
    neighbourhood = NeighbourhoodFactory(site=site)
    team = NeighbourhoodTeamFactory(site=site, neighbourhood=neighbourhood)
    team.focus_conditions.add(FocusConditionFactory(name="Diabetes"))
    team.focus_cohorts.add(FocusCohortFactory(name="Adults with multiple long-term conditions"))
    entry = WorkforceEntryFactory(team=team)
    site.place.local_authorities.add(LocalAuthorityFactory())
    staff = user_with_role(Role.SITE_STAFF, site=site)
    audit.record(actor=administrator, action="workforce.added", obj=entry)
    Group.objects.create(name="Analysts")
    Token.objects.create(user=staff)


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_portal_model_is_in_admin():
    portal_models = [model for label in ("nhsportal", "sites", "teams") for model in apps.get_app_config(label).get_models()]
    assert portal_models
    assert [model for model in portal_models if model not in admin.site._registry] == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_administrator_opens_the_list_add_and_change_pages_of_every_model(admin_client, one_of_everything, model):
    model_admin = admin.site._registry[model]

    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200

    request = admin_client.get("/").wsgi_request
    expected_add = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(_url(model, "add")).status_code == expected_add

    obj = model._default_manager.first()
    if obj is not None:
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


def _make_sites(n):
    for _ in range(n):
        SiteFactory(programme_lead=UserFactory())


def _make_teams(n):
    for _ in range(n):
        team = NeighbourhoodTeamFactory(neighbourhood=NeighbourhoodFactory())
        team.focus_conditions.add(FocusConditionFactory())
        team.focus_cohorts.add(FocusCohortFactory())


def _make_workforce(n):
    for _ in range(n):
        WorkforceEntryFactory()


def _make_role_assignments(n):
    for i in range(n):
        if i % 2:
            user_with_role(Role.SITE_STAFF, site=SiteFactory())
        else:
            user_with_role(Role.PROGRAMME_LEAD, place=SiteFactory().place)


def _make_users(n):
    _make_role_assignments(n)


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (Site, _make_sites),
        (NeighbourhoodTeam, _make_teams),
        (WorkforceEntry, _make_workforce),
        (RoleAssignment, _make_role_assignments),
        (RoleAssignment.user.field.related_model, _make_users),
    ],
    ids=["Site", "NeighbourhoodTeam", "WorkforceEntry", "RoleAssignment", "User"],
)
def test_change_list_queries_do_not_grow_with_rows(admin_client, model, make):
    url = _url(model, "changelist")

    make(2)
    admin_client.get(url)  # warm caches (content types, sessions) so both counts compare like with like
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200

    make(13)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 15

    assert len(many) == len(few), f"{model.__name__}: {len(few)} queries for a few rows, {len(many)} for 15"


@pytest.mark.parametrize("url", ["/admin/", "/admin/sites/site/", "/admin/nhsportal/auditevent/"])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, site, url):
    staff_member = user_with_role(Role.SITE_STAFF, site=site)
    client.force_login(staff_member)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_are_sent_to_the_admin_login(client, db):
    response = client.get("/admin/teams/workforceentry/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_nobody_adds_changes_or_deletes_audit_events(admin_client, administrator):
    event = audit.record(actor=administrator, action="team.created", changes={"name": "Team A"}, reason="set-up")
    change_url = _url(AuditEvent, "change", event.pk)

    assert admin_client.get(_url(AuditEvent, "add")).status_code == 403
    assert admin_client.post(_url(AuditEvent, "add"), {"action": "forged"}).status_code == 403
    assert admin_client.post(change_url, {"action": "forged", "reason": "tidying"}).status_code == 403
    assert admin_client.get(_url(AuditEvent, "delete", event.pk)).status_code == 403
    assert admin_client.post(_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        _url(AuditEvent, "changelist"), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)

    viewing = admin_client.get(change_url)
    assert viewing.status_code == 200
    assert viewing.context["has_change_permission"] is False
    event.refresh_from_db()
    assert (event.action, event.reason) == ("team.created", "set-up")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_events_are_found_by_action_date_object_and_actor(admin_client, administrator):
    audit.record(actor=administrator, action="team.created", obj=NeighbourhoodTeamFactory(name="Bloxwich team"))
    audit.record(actor=None, action="workforce.added", obj=NeighbourhoodTeamFactory(name="Darlaston team"))
    url = _url(AuditEvent, "changelist")

    def shown(**params):
        return {event.object_repr for event in admin_client.get(url, params).context["cl"].result_list}

    assert shown(action="team.created") == {"Bloxwich team"}
    assert shown(q="Darlaston") == {"Darlaston team"}
    assert shown(q="programme.office") == {"Bloxwich team"}
    assert shown(at__year=str(timezone.localdate().year)) == {"Bloxwich team", "Darlaston team"}


def _user_change_form(user, **inline):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": "",
        "role_assignments-0-place": "",
        "role_assignments-0-site": "",
    }
    data |= {f"role_assignments-0-{name}": value for name, value in inline.items()}
    return data


def test_administrator_gives_a_person_a_site_role_on_their_user_page(admin_client, administrator, site):
    person = UserFactory(username="h.kaur", first_name="Harjit", last_name="Kaur")

    response = admin_client.post(
        _url(person.__class__, "change", person.pk), _user_change_form(person, role="site_staff", site=site.pk)
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(RoleAssignment.objects.filter(user=person).values_list("role", "site")) == [("site_staff", site.pk)]
    event = AuditEvent.objects.get(action="role.granted")
    assert event.actor == administrator
    assert event.changes["user"] == "h.kaur"
    listing = admin_client.get(_url(person.__class__, "changelist"), {"q": "h.kaur"})
    assert f"Site staff — {site}" in listing.content.decode()


def test_a_role_without_the_scope_it_needs_is_refused_with_a_reason(admin_client, site):
    person = UserFactory()

    response = admin_client.post(_url(person.__class__, "change", person.pk), _user_change_form(person, role="site_staff"))

    assert response.status_code == 200
    assert "site staff and site leads need a site" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_revoking_a_role_is_audited(admin_client, administrator, site):
    assignment = RoleAssignment.objects.create(user=UserFactory(), role=Role.SITE_LEAD, site=site)

    response = admin_client.post(_url(RoleAssignment, "delete", assignment.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    event = AuditEvent.objects.get(action="role.revoked")
    assert (event.actor, event.changes["role"], event.changes["site"]) == (administrator, "Site lead", str(site))


def test_role_assignments_are_filtered_by_role_and_found_by_person_site_or_place(admin_client, site, other_site):
    user_with_role(Role.SITE_STAFF, site=site, username="staff.one")
    user_with_role(Role.PROGRAMME_LEAD, place=other_site.place, username="lead.two")
    user_with_role(Role.TASKFORCE_MEMBER, username="taskforce.three")
    url = _url(RoleAssignment, "changelist")

    def shown(**params):
        return {a.user.username for a in admin_client.get(url, params).context["cl"].result_list}

    assert shown(role="site_staff") == {"staff.one"}
    assert shown(q="lead.two") == {"lead.two"}
    assert shown(q=site.name) == {"staff.one"}
    assert shown(q=other_site.place.name) == {"lead.two"}


def test_a_team_cannot_be_put_in_another_sites_neighbourhood(admin_client, site, other_site):
    elsewhere = NeighbourhoodFactory(site=other_site)

    response = admin_client.post(
        _url(NeighbourhoodTeam, "add"),
        {
            "site": site.pk,
            "neighbourhood": elsewhere.pk,
            "name": "Wrong place team",
            "workforce-TOTAL_FORMS": "0",
            "workforce-INITIAL_FORMS": "0",
            "workforce-MIN_NUM_FORMS": "0",
            "workforce-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert f"Choose one of {site}&#x27;s own neighbourhoods" in response.content.decode()
    assert not NeighbourhoodTeam.objects.filter(name="Wrong place team").exists()


def test_workforce_with_more_wte_than_people_is_refused(admin_client):
    team = NeighbourhoodTeamFactory()
    profession = WorkforceEntryFactory(team=team).profession
    employer = PartnerOrganisationFactory()

    response = admin_client.post(
        _url(WorkforceEntry, "add"),
        {
            "team": team.pk,
            "profession": profession.pk,
            "employer": employer.pk,
            "headcount": "2",
            "wte": "2.50",
            "start_date": "01/04/2026",
        },
    )

    assert response.status_code == 200
    assert "WTE cannot be more than the headcount" in response.content.decode()
    assert WorkforceEntry.objects.filter(team=team).count() == 1
