"""Who may open each dashboard page and endpoint: anonymous people are sent to sign in (the API
answers 401), a signed-in person with no role is refused, the sites' people and the taskforce
read them; only the taskforce and administrators change what sites see of each other; another
site's page is not found; the public summary is open to anyone."""

import pytest
from django.urls import reverse

from dashboards.models import Sharing
from metrics.returns.reference import load_metrics

pytestmark = pytest.mark.django_db

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
SITE_PEOPLE = {"programme_lead", "site_staff", "site_lead"}
NATIONAL = {"taskforce_member", "taskforce_chair", "administrator"}


def expected_for_reader(role, *, api=False):
    if role == "anonymous":
        return 401 if api else 302
    if role == "no_role":
        return 403
    return 200


def pages(site, other_site):
    region, icb = site.place.icb.region_id, site.place.icb_id
    return {
        "overview": (reverse("dashboard-overview"), expected_for_reader),
        "engagement": (reverse("dashboard-engagement"), expected_for_reader),
        "demographics": (reverse("dashboard-demographics"), expected_for_reader),
        "funnel": (reverse("dashboard-funnel", args=["O1_NEW"]), expected_for_reader),
        "spc": (reverse("dashboard-spc", args=["O1_NEW"]), expected_for_reader),
        "spc-own-site": (reverse("dashboard-spc", args=["O1_NEW"]) + f"?level=site&org={site.pk}", expected_for_reader),
        "region": (reverse("dashboard-org", args=["region", region]), expected_for_reader),
        "own-icb": (reverse("dashboard-org", args=["icb", icb]), expected_for_reader),
        "own-site": (reverse("dashboard-org", args=["site", site.pk]), expected_for_reader),
        "other-site": (
            reverse("dashboard-org", args=["site", other_site.pk]),
            lambda role: 404 if role in SITE_PEOPLE else expected_for_reader(role),
        ),
        "csv": (reverse("dashboard-overview") + "?format=csv", expected_for_reader),
        "sharing": (
            reverse("dashboard-sharing"),
            lambda role: 302 if role == "anonymous" else (200 if role in NATIONAL else 403),
        ),
        "public-summary": (reverse("public-summary"), lambda role: 200),
        "public-summary-csv": (reverse("public-summary") + "?format=csv", lambda role: 200),
        "api-overview": (reverse("api:dashboard-overview"), lambda role: expected_for_reader(role, api=True)),
        "api-funnel": (reverse("api:dashboard-funnel", args=["O1_NEW"]), lambda role: expected_for_reader(role, api=True)),
        "api-spc": (reverse("api:dashboard-spc", args=["O1_NEW"]), lambda role: expected_for_reader(role, api=True)),
        "api-other-site": (
            reverse("api:dashboard-spc", args=["O1_NEW"]) + f"?level=site&org={other_site.pk}",
            lambda role: 404 if role in SITE_PEOPLE else expected_for_reader(role, api=True),
        ),
    }


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_each_dashboard(client, people, site, other_site, role):
    load_metrics()
    user = people[role]
    if user is not None:
        client.force_login(user)
    outcomes = {}
    for name, (url, expected) in pages(site, other_site).items():
        outcomes[name] = (client.get(url).status_code, expected(role))
    assert {name: got for name, (got, _) in outcomes.items()} == {name: want for name, (_, want) in outcomes.items()}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_what_sites_see(client, people, role):
    user = people[role]
    if user is not None:
        client.force_login(user)

    status = client.post(reverse("dashboard-sharing"), {"sharing": Sharing.NAMED}).status_code

    assert status == (302 if role == "anonymous" or role in NATIONAL else 403)
