"""The SPC endpoint says what the page draws: each point's category and colour, the stretch's
limits, the target and assurance, the change points and the site's events; scoped like the page."""

import datetime
from decimal import Decimal

from django.urls import reverse

from dashboards.models import SpcChangePoint, SpcTarget
from metrics.models import MetricDefinition
from metrics.stats.spc import xmr
from teams.models import NeighbourhoodTeam
from tests.dashboards import spc_world
from tests.dashboards.spc_world import set_site_series, site_series

world, taskforce, leeds_staff = spc_world.world, spc_world.taskforce, spc_world.leeds_staff
METRIC = "O1_NEW"
SERIES = [10, 12, 10, 12, 20, 22, 20, 22]  # a step up after the fourth month


def api(client, site, code=METRIC):
    return client.get(reverse("api:dashboard-spc", args=[code]), {"level": "site", "org": site.pk})


def test_the_endpoint_gives_categories_colours_target_assurance_stretches_change_points_and_events(client, world, taskforce):
    set_site_series(world.leeds, METRIC, SERIES)
    months, _ = site_series(world.leeds, METRIC)
    metric = MetricDefinition.objects.get(code=METRIC)
    SpcTarget.objects.create(metric=metric, level="site", org_id=world.leeds.pk, value=Decimal("30"), valid_from=months[2])
    SpcChangePoint.objects.create(metric=metric, level="site", org_id=world.leeds.pk, month=months[4], reason="New pathway")
    NeighbourhoodTeam.objects.create(site=world.leeds, name="Harehills team", launched_on=months[4] + datetime.timedelta(days=2))
    client.force_login(taskforce)

    body = api(client, world.leeds).json()

    expected = xmr(SERIES, improvement="lower_is_better", target=30, rebase=[4])
    assert body["improvement"] == "lower_is_better"
    # The latest stretch: mean 21, limits 21 ± 5.32; a target of 30 above 26.32 where lower is better
    assert (body["mean"], body["upper_limit"]) == (21, expected.upper_limit)
    assert body["assurance"] == "consistently_passing" == expected.assurance
    assert body["target"] == {"value": "30.0000", "valid_from": months[2].isoformat(), "valid_to": None, "note": ""}
    assert [(s["first"], s["last"], s["mean"]) for s in body["segments"]] == [
        (months[0].isoformat(), months[3].isoformat(), 11),
        (months[4].isoformat(), months[7].isoformat(), 21),
    ]
    assert body["change_points"] == [{"month": months[4].isoformat(), "reason": "New pathway", "status": "applied"}]
    points = body["points"]
    assert [p["category"] for p in points] == ["common_cause"] * 8
    assert [p["colour"] for p in points] == ["#a6a6a6"] * 8 and body["colours"]["improvement"] == "#00b0f0"
    assert [p["mean"] for p in points] == [11] * 4 + [21] * 4
    assert [p["change_point"] for p in points] == [False] * 4 + [True] + [False] * 3
    assert [p["target"] for p in points] == [None, None] + ["30.0000"] * 6
    launch = (months[4] + datetime.timedelta(days=2)).isoformat()
    assert points[4]["events"] == [{"date": launch, "kind": "team", "text": "Neighbourhood team launched: Harehills team"}]
    assert body["annotations"] == [{"date": launch, "kind": "team", "text": "Neighbourhood team launched: Harehills team"}]


def test_unrebased_the_step_is_special_cause(client, world, taskforce):
    set_site_series(world.leeds, METRIC, SERIES)
    client.force_login(taskforce)

    points = api(client, world.leeds).json()["points"]

    expected = xmr(SERIES, improvement="lower_is_better")
    assert [p["category"] for p in points] == [
        {"special_cause_improving": "improvement", "special_cause_concerning": "concern", "common_cause": "common_cause"}[
            p.variation
        ]
        for p in expected.points
    ]
    # Unrebased: mean 16, mean moving range 20/7 (the step of 8 is not screened: 3.267 × 20/7 = 9.33),
    # two-thirds lines 16 ± 5.07: the 10s are two of three below 10.93 (an improvement, lower being
    # better), the 22s two of three above 21.07 (a concern).
    common, better, worse = "common_cause", "improvement", "concern"
    assert [p["category"] for p in points] == [better, common, better, common, common, worse, common, worse]


def test_a_site_reads_only_its_own_sites_chart(client, world, leeds_staff):
    client.force_login(leeds_staff)
    assert api(client, world.leeds).status_code == 200
    assert api(client, world.croydon).status_code == 404
