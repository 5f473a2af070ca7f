"""Every role against every page: the status each must get. Another site's detail is a
404 for anyone tied to one site, so its existence does not leak."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AccessRequest
from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import NeighbourhoodFactory
from tests.teams.factories import NeighbourhoodTeamFactory, WorkforceEntryFactory

ROLES = [
    "anonymous",
    "no_role",
    "programme_lead",
    "site_staff",
    "site_lead",
    "taskforce_member",
    "taskforce_chair",
    "administrator",
]

LOGIN = "login"  # redirected to sign in

# Expected status per role, in ROLES order.
OPEN = [200] * 8
SIGNED_IN = [LOGIN] + [200] * 7
OWN_SITE_READ = [LOGIN, 404, 200, 200, 200, 200, 200, 200]
OTHER_SITE_READ = [LOGIN, 404, 404, 404, 404, 200, 200, 200]
OWN_SITE_MANAGE = [LOGIN, 404, 200, 403, 403, 403, 403, 200]
OTHER_SITE_MANAGE = [LOGIN, 404, 404, 404, 404, 403, 403, 200]
OWN_TEAMS_EDIT = [LOGIN, 404, 200, 200, 200, 403, 403, 200]
OTHER_TEAMS_EDIT = [LOGIN, 404, 404, 404, 404, 403, 403, 200]
PARTNER_ADD = [LOGIN, 403, 200, 200, 200, 403, 403, 200]
# Access (ADR 17): the requests page is for site leads and administrators; a site's people and a
# site staff request are its lead's (and administrators'); anyone else gets a 404.
APPROVERS = [LOGIN, 403, 403, 403, 200, 403, 403, 200]
OWN_SITE_LEAD = [LOGIN, 404, 404, 404, 200, 404, 404, 200]
OTHER_SITE_LEAD = [LOGIN, 404, 404, 404, 404, 404, 404, 200]
ADMIN = ["admin-login", "admin-login", "admin-login", "admin-login", "admin-login", "admin-login", "admin-login", 200]


@pytest.fixture
def world(site, other_site):
    mine = {"site": site, "neighbourhood": NeighbourhoodFactory(site=site), "team": NeighbourhoodTeamFactory(site=site)}
    mine["entry"] = WorkforceEntryFactory(team=mine["team"])
    mine["access_request"] = AccessRequest.objects.create(
        user=user_with_role(None), role=Role.SITE_STAFF, site=site, reason="Analyst at the site"
    )
    theirs = {
        "site": other_site,
        "neighbourhood": NeighbourhoodFactory(site=other_site),
        "team": NeighbourhoodTeamFactory(site=other_site),
    }
    theirs["entry"] = WorkforceEntryFactory(team=theirs["team"])
    return {"mine": mine, "theirs": theirs}


def _pages(world):
    m, t = world["mine"], world["theirs"]
    return [
        ("home", reverse("home"), OPEN),
        ("accessibility", reverse("accessibility"), OPEN),
        ("healthz", reverse("healthz"), OPEN),
        ("readyz", reverse("readyz"), OPEN),
        ("api docs", reverse("api-docs"), OPEN),
        ("api schema", reverse("api-schema"), OPEN),
        ("site list", reverse("site-list"), SIGNED_IN),
        ("own site", reverse("site-detail", args=[m["site"].pk]), OWN_SITE_READ),
        ("other site", reverse("site-detail", args=[t["site"].pk]), OTHER_SITE_READ),
        ("own site profile", reverse("site-edit", args=[m["site"].pk]), OWN_SITE_MANAGE),
        ("other site profile", reverse("site-edit", args=[t["site"].pk]), OTHER_SITE_MANAGE),
        ("own neighbourhood add", reverse("neighbourhood-add", args=[m["site"].pk]), OWN_SITE_MANAGE),
        ("other neighbourhood add", reverse("neighbourhood-add", args=[t["site"].pk]), OTHER_SITE_MANAGE),
        ("own neighbourhood edit", reverse("neighbourhood-edit", args=[m["neighbourhood"].pk]), OWN_SITE_MANAGE),
        ("other neighbourhood edit", reverse("neighbourhood-edit", args=[t["neighbourhood"].pk]), OTHER_SITE_MANAGE),
        ("own team add", reverse("team-add", args=[m["site"].pk]), OWN_TEAMS_EDIT),
        ("other team add", reverse("team-add", args=[t["site"].pk]), OTHER_TEAMS_EDIT),
        ("own team", reverse("team-detail", args=[m["team"].pk]), OWN_SITE_READ),
        ("other team", reverse("team-detail", args=[t["team"].pk]), OTHER_SITE_READ),
        ("own team edit", reverse("team-edit", args=[m["team"].pk]), OWN_TEAMS_EDIT),
        ("other team edit", reverse("team-edit", args=[t["team"].pk]), OTHER_TEAMS_EDIT),
        ("own workforce add", reverse("workforce-add", args=[m["team"].pk]), OWN_TEAMS_EDIT),
        ("other workforce add", reverse("workforce-add", args=[t["team"].pk]), OTHER_TEAMS_EDIT),
        ("own workforce edit", reverse("workforce-edit", args=[m["entry"].pk]), OWN_TEAMS_EDIT),
        ("other workforce edit", reverse("workforce-edit", args=[t["entry"].pk]), OTHER_TEAMS_EDIT),
        ("own workforce remove", reverse("workforce-remove", args=[m["entry"].pk]), OWN_TEAMS_EDIT),
        ("other workforce remove", reverse("workforce-remove", args=[t["entry"].pk]), OTHER_TEAMS_EDIT),
        ("partner add", reverse("partner-add"), PARTNER_ADD),
        ("access request", reverse("access-request"), SIGNED_IN),
        ("access requests", reverse("access-requests"), APPROVERS),
        ("own access decide", reverse("access-request-decide", args=[m["access_request"].pk]), OWN_SITE_LEAD),
        ("own access confirm", reverse("access-confirm", args=[m["site"].pk]), OWN_SITE_LEAD),
        ("other access confirm", reverse("access-confirm", args=[t["site"].pk]), OTHER_SITE_LEAD),
        ("admin", reverse("admin:index"), ADMIN),
    ]


def _outcome(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "admin-login"
        if location.startswith(reverse("login")):
            return LOGIN
        return f"302 to {location}"
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_expected(client, people, world, role):
    user = people[role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, path, expected in _pages(world):
        outcome = _outcome(client.get(path))
        if outcome != expected[ROLES.index(role)]:
            wrong.append(f"{name} ({path}): got {outcome}, expected {expected[ROLES.index(role)]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_site_staff_cannot_change_another_sites_team_by_posting(client, people, world):
    theirs = world["theirs"]
    client.force_login(people["site_staff"])

    responses = [
        client.post(reverse("team-edit", args=[theirs["team"].pk]), {"name": "Taken over"}),
        client.post(reverse("team-add", args=[theirs["site"].pk]), {"name": "Planted team"}),
        client.post(reverse("workforce-remove", args=[theirs["entry"].pk]), {"reason": "mischief"}),
        client.post(
            reverse("workforce-edit", args=[theirs["entry"].pk]),
            {"headcount": "0", "wte": "0", "start_date_day": "1", "start_date_month": "1", "start_date_year": "2026"},
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    theirs["team"].refresh_from_db()
    theirs["entry"].refresh_from_db()
    assert theirs["team"].name != "Taken over"
    assert not theirs["site"].teams.filter(name="Planted team").exists()
    assert theirs["entry"].headcount == 3


def test_taskforce_member_reads_but_cannot_add_a_team(client, people, world):
    client.force_login(people["taskforce_member"])

    response = client.post(reverse("team-add", args=[world["mine"]["site"].pk]), {"name": "National team"})

    assert response.status_code == 403
    assert not world["mine"]["site"].teams.filter(name="National team").exists()
