"""The ICB pages after a Place moves ICB (1 April 2026): the new ICB has the Place's site and
its figures from April, the old one keeps them for the months before; a site's own people open
both of their ICBs."""

import pytest
from django.urls import reverse

from dashboards import selectors
from metrics.models import Rollup, RollupLevel
from metrics.returns.reference import load_metrics
from metrics.rollups import build as rollups
from nhsportal.models import Role
from tests.metrics.rollup_world import MOVED_TODAY, moved_place_world
from tests.nhsportal.factories import user_with_role


@pytest.fixture
def world(db):
    load_metrics()
    built = moved_place_world()
    rollups.rebuild_all(today=MOVED_TODAY)
    return built


def _page(client, level, org_id):
    """The page's drill-down and breadcrumbs, as rendered from the selector."""
    response = client.get(reverse("dashboard-org", args=[level, org_id]))
    assert response.status_code == 200
    data = selectors.org_overview(response.wsgi_request.user, level, org_id)
    page = response.content.decode()
    assert all(child["name"] in page for child in data["children"])
    return data


def _drill_down(client, level, org_id) -> list[str]:
    return [child["name"] for child in _page(client, level, org_id)["children"]]


def test_the_new_icbs_page_has_the_moved_place_and_the_old_one_keeps_it_for_its_months(client, world):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))
    icbs, mover = world["icbs"], world["sites"]["Mover"]

    assert _drill_down(client, "icb", icbs["new"].pk) == ["Mover"]
    assert _drill_down(client, "icb", icbs["old"].pk) == ["Mover", "Stayer"]  # February and March
    assert _drill_down(client, "region", world["regions"]["north"].pk) == ["NHS New North ICB", "NHS Old North ICB"]
    crumbs = _page(client, "site", mover.pk)["parents"]
    assert [c["name"] for c in crumbs] == ["North", "NHS New North ICB"]  # its ICB in the latest month shown
    new_months = (
        Rollup.objects.current().filter(level=RollupLevel.ICB, org_id=icbs["new"].pk).values_list("period__month", flat=True)
    )
    assert sorted({m.month for m in new_months}) == [4, 5]
    page = client.get(reverse("dashboard-org", args=["icb", icbs["new"].pk])).content.decode()
    assert "Mover" in page


def test_a_moved_sites_staff_open_the_icb_it_left_and_the_one_it_joined_and_no_other(client, world):
    client.force_login(user_with_role(Role.SITE_STAFF, site=world["sites"]["Mover"]))
    icbs = world["icbs"]

    assert client.get(reverse("dashboard-org", args=["icb", icbs["new"].pk])).status_code == 200
    assert client.get(reverse("dashboard-org", args=["icb", icbs["old"].pk])).status_code == 200
    assert client.get(reverse("dashboard-org", args=["icb", icbs["south"].pk])).status_code == 404


def test_a_site_that_stayed_has_only_its_own_icb(client, world):
    client.force_login(user_with_role(Role.SITE_STAFF, site=world["sites"]["Stayer"]))
    icbs = world["icbs"]

    assert client.get(reverse("dashboard-org", args=["icb", icbs["old"].pk])).status_code == 200
    assert client.get(reverse("dashboard-org", args=["icb", icbs["new"].pk])).status_code == 404
