"""`seed_demo` turns an empty database into a portal someone can explore with one account per role."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from nhsportal.demo.seed import ACCOUNTS, DEFAULT_DEMO_PASSWORD, SITES
from nhsportal.models import AuditEvent, Role, RoleAssignment
from sites.models import Neighbourhood, Site, SiteStatus
from teams.models import NeighbourhoodTeam, OrganisationKind, PartnerOrganisation, WorkforceEntry

USERNAMES = {
    "lead.walsall": (Role.PROGRAMME_LEAD, "Walsall"),
    "staff.walsall": (Role.SITE_STAFF, "Walsall"),
    "sitelead.walsall": (Role.SITE_LEAD, "Walsall"),
    "staff.sunderland": (Role.SITE_STAFF, "Sunderland"),
    "lead.knowsley": (Role.PROGRAMME_LEAD, "Knowsley"),
    "taskforce": (Role.TASKFORCE_MEMBER, None),
    "chair": (Role.TASKFORCE_CHAIR, None),
    "admin": (Role.ADMINISTRATOR, None),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


def test_on_an_empty_database_it_loads_the_reference_data_and_one_account_per_role(db):
    assert not Site.objects.exists()

    output = seed()

    assert Site.objects.filter(wave__number=1).count() == 43
    users = get_user_model().objects.in_bulk(field_name="username")
    assert set(users) == set(USERNAMES)
    for username, (role, scope) in USERNAMES.items():
        assignment = RoleAssignment.objects.select_related("site", "place").get(user=users[username])
        assert assignment.role == role
        assert str(assignment.site or assignment.place or "") == (scope or "")
        assert users[username].email == f"{username}@example.nhs.uk"
        assert users[username].first_name and users[username].last_name
        assert username in output
    assert {role for role, _ in USERNAMES.values()} == set(Role)
    assert RoleAssignment.objects.get(user=users["lead.walsall"]).place.name == "Walsall"
    assert (users["admin"].is_staff, users["admin"].is_superuser) == (True, True)
    assert not any(users[name].is_staff or users[name].is_superuser for name in USERNAMES if name != "admin")
    assert Site.objects.get(name="Walsall").programme_lead == users["lead.walsall"]
    assert DEFAULT_DEMO_PASSWORD in output


def test_the_demo_looks_like_a_programme_under_way(db):
    seed()

    demo_sites = Site.objects.filter(name__in=[spec.name for spec in SITES])
    assert demo_sites.count() == len(SITES) in (3, 4)
    assert set(Site.objects.filter(status=SiteStatus.ACTIVE).values_list("name", flat=True)) == {
        "Walsall",
        "Sunderland",
        "Croydon",
    }
    assert Site.objects.exclude(status=SiteStatus.ACTIVE).filter(status=SiteStatus.ONBOARDING).count() == 40
    for site in demo_sites:
        assert 3 <= site.neighbourhoods.count() <= 5
        assert 2 <= site.teams.count() <= 3
        assert site.summary
    assert all(30_000 <= n.population <= 50_000 for n in Neighbourhood.objects.all())

    for team in NeighbourhoodTeam.objects.select_related("neighbourhood"):
        assert team.neighbourhood.site_id == team.site_id
        assert team.lead_name and team.lead_email.endswith("@example.nhs.uk")
        assert datetime.date(2025, 9, 9) <= team.launched_on <= datetime.date(2026, 12, 31)
        assert team.focus_conditions.exists() and team.focus_cohorts.exists()
        assert team.workforce.values("profession").distinct().count() >= 8

    kinds = set(PartnerOrganisation.objects.values_list("kind", flat=True))
    wanted = {OrganisationKind.GP_PRACTICE, OrganisationKind.PCN, OrganisationKind.NHS_TRUST, OrganisationKind.COUNCIL}
    assert wanted | {OrganisationKind.VCSE, OrganisationKind.PHARMACY} <= kinds
    ended = WorkforceEntry.objects.filter(end_date__isnull=False)
    assert ended.exists() and WorkforceEntry.objects.filter(end_date__isnull=True).exists()
    # Teams were registered through the services, so the audit trail shows who did it.
    assert AuditEvent.objects.filter(action="team.created", actor__username="admin").count() == NeighbourhoodTeam.objects.count()


def test_running_it_twice_changes_no_counts(db):
    seed()
    before = counts()

    output = seed()

    assert counts() == before
    assert "Reference data was missing" not in output


def test_it_keeps_what_an_administrator_changed_since(db):
    seed()
    Site.objects.filter(name="Walsall").update(status=SiteStatus.PAUSED, summary="Paused while the ICB merges.")

    seed()

    walsall = Site.objects.get(name="Walsall")
    assert (walsall.status, walsall.summary) == (SiteStatus.PAUSED, "Paused while the ICB merges.")


def test_every_demo_account_signs_in_with_the_demo_password(client, db):
    seed()

    for account in ACCOUNTS:
        assert client.login(username=account.username, password=DEFAULT_DEMO_PASSWORD), account.username
        client.logout()


def test_the_password_can_come_from_the_environment(client, db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "a-longer-local-demo-secret")

    output = seed()

    assert client.login(username="staff.walsall", password="a-longer-local-demo-secret")
    assert not client.login(username="staff.walsall", password=DEFAULT_DEMO_PASSWORD)
    assert "a-longer-local-demo-secret" not in output


def test_the_demo_respects_every_model_constraint(db):
    seed()

    for model in apps.get_models():
        if model._meta.app_label not in {"nhsportal", "sites", "teams"}:
            continue
        for obj in model._default_manager.all():
            try:
                obj.full_clean()
            except ValidationError as exc:  # pragma: no cover - the assertion message is the point
                pytest.fail(f"{model._meta.label} {obj.pk} ({obj}): {exc}")
    assert all(entry.wte <= entry.headcount for entry in WorkforceEntry.objects.all())
    assert all(entry.end_date is None or entry.end_date >= entry.start_date for entry in WorkforceEntry.objects.all())


def test_it_refuses_to_run_in_production_unless_told_to(db, settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    assert not get_user_model().objects.exists()

    seed("--allow-production")
    assert get_user_model().objects.filter(username="admin").exists()


def test_the_demos_icb_figures_follow_the_april_2026_moves(db):
    from metrics.models import Rollup, RollupLevel
    from sites.models import ICB

    seed()

    def months_with_figures(icb: ICB) -> set[datetime.date]:
        rows = Rollup.objects.current().filter(level=RollupLevel.ICB, org_id=icb.pk)
        return set(rows.values_list("period__month", flat=True))

    suffolk_and_north_east_essex = ICB.objects.get(ods_code="QJG")  # all three of its Places move
    norfolk_and_suffolk = ICB.objects.get(ons_code="E54000068")
    old, new = months_with_figures(suffolk_and_north_east_essex), months_with_figures(norfolk_and_suffolk)
    assert old and new
    assert max(old) < datetime.date(2026, 4, 1) <= min(new)
