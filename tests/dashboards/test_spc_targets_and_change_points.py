"""SPC as Making Data Count reads it: points by what they mean, targets and their assurance icon,
change points the taskforce records (audited, with a reason) and a site's own events."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.models import SharingSetting, SpcChangePoint, SpcTarget
from dashboards.spc import COLOURS
from metrics.models import MetricDefinition
from metrics.stats.spc import xmr
from nhsportal.models import AuditEvent
from reviews.models import MilestoneStatus, MilestoneTemplate, SiteMilestone
from teams.models import NeighbourhoodTeam
from tests.dashboards import spc_world
from tests.dashboards.spc_world import set_site_series, site_series

world, taskforce, leeds_staff, croydon_staff = (
    spc_world.world,
    spc_world.taskforce,
    spc_world.leeds_staff,
    spc_world.croydon_staff,
)

METRIC = "O1_NEW"  # lower is better


def spc_url(code=METRIC):
    return reverse("dashboard-spc", args=[code])


def leeds_chart(client, world, code=METRIC):
    return client.get(spc_url(code), {"level": "site", "org": world.leeds.pk})


def chart_json(response):
    found = re.search(r'<script id="spc-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    return json.loads(found.group(1))


def target(world, value, **extra):
    fields = {"metric": MetricDefinition.objects.get(code=METRIC), "level": "site", "org_id": world.leeds.pk,
              "value": Decimal(value), "valid_from": datetime.date(2020, 1, 1)} | extra  # fmt: skip
    return SpcTarget.objects.create(**fields)


# Eight months rising (or falling) by 1 or 10: mean 13.5 (135), mean moving range 1 (10), limits
# 13.5 ± 2.66 (135 ± 26.6). The first and last months are outside the limits, read by their side of
# the mean; the six between are a trend, read by its direction.
RISING, FALLING, COHORTS = list(range(10, 18)), list(range(17, 9, -1)), list(range(100, 180, 10))
IMPROVEMENT, CONCERN, NEITHER = "improvement", "concern", "neither"


@pytest.mark.parametrize(
    "code, series, categories",
    [
        (METRIC, RISING, [IMPROVEMENT] + [CONCERN] * 7),  # lower is better: 10 is low, the rise a concern
        (METRIC, FALLING, [CONCERN] + [IMPROVEMENT] * 7),
        ("COHORT", COHORTS, [NEITHER] * 8),  # no improvement direction
    ],
)
def test_each_point_is_coloured_by_what_it_means_for_the_improvement_direction(
    client, world, taskforce, code, series, categories
):
    set_site_series(world.leeds, code, series)
    client.force_login(taskforce)

    response = leeds_chart(client, world, code)

    data = chart_json(response)
    assert data["categories"] == categories
    blue, orange, purple = "#00b0f0", "#e46c0a", "#490092"  # NHSRplotthedots' ptd_spc_colours
    assert data["colours"] == [{IMPROVEMENT: blue, CONCERN: orange, NEITHER: purple}[c] for c in categories]
    assert data["markers"] == [{IMPROVEMENT: "triangle", CONCERN: "rectRot", NEITHER: "rect"}[c] for c in categories]
    words = {IMPROVEMENT: "Special cause: improvement (triangle)", CONCERN: "Special cause: concern (diamond)",
             NEITHER: "Special cause: neither better nor worse (no improvement direction) (square)"}  # fmt: skip
    assert [row[6] for row in response.context["tables"][0].rows] == [words[c] for c in categories]
    html = response.content.decode()
    assert "Special cause: improvement: a triangle in blue" in html and "Common cause: a circle in grey" in html


def test_common_cause_points_are_grey_circles(client, world, taskforce):
    set_site_series(world.leeds, METRIC, [10, 12, 10, 12, 10, 12, 10, 12])
    client.force_login(taskforce)

    data = chart_json(leeds_chart(client, world))

    assert data["categories"] == ["common_cause"] * 8 and set(data["colours"]) == {COLOURS["common_cause"]} == {"#a6a6a6"}


@pytest.mark.parametrize(
    "where, assurance, words",
    [("below", "consistently_failing", "consistently be missed"), ("above", "consistently_passing", "consistently be met"),
     ("mean", "hit_or_miss", "hit or missed")],
)  # fmt: skip
def test_a_target_gives_the_assurance_icon_by_where_it_lies_against_the_limits(client, world, taskforce, where, assurance, words):
    client.force_login(taskforce)
    plain = xmr(site_series(world.leeds, METRIC)[1], improvement="lower_is_better")
    value = {"below": plain.lower_limit - 50, "above": plain.upper_limit + 50, "mean": plain.mean}[where]
    target(world, round(value, 4))

    response = leeds_chart(client, world)

    assert response.context["spc"].assurance == assurance
    html = response.content.decode()
    assert f"assurance_{assurance}.svg" in html and words in html
    assert chart_json(response)["target"][-1] == pytest.approx(round(value, 1), abs=0.051)


def test_without_a_target_or_a_direction_there_is_no_assurance_icon(client, world, taskforce):
    client.force_login(taskforce)
    assert "No target is set" in leeds_chart(client, world).content.decode()
    SpcTarget.objects.create(
        metric=MetricDefinition.objects.get(code="COHORT"), level="site", value=1, valid_from=datetime.date(2020, 1, 1)
    )
    response = leeds_chart(client, world, "COHORT")
    assert response.context["spc"].assurance is None
    assert "no improvement direction" in response.content.decode()


def test_the_organisations_own_target_in_force_that_month_is_the_one_drawn(client, world, taskforce):
    client.force_login(taskforce)
    months, _ = site_series(world.leeds, METRIC)
    target(world, "5", org_id=None)  # every site
    target(world, "7", valid_to=months[3])  # Leeds, up to the fourth month
    target(world, "9", org_id=world.croydon.pk)  # another site's

    data = chart_json(leeds_chart(client, world))

    assert data["target"] == [7.0] * 4 + [5.0] * (len(months) - 4)
    assert leeds_chart(client, world).context["target"].value == Decimal(5)


def test_overlapping_targets_are_refused_in_the_admin(world):
    from django.core.exceptions import ValidationError

    target(world, "7", valid_to=datetime.date(2026, 6, 30))
    clash = SpcTarget(metric=MetricDefinition.objects.get(code=METRIC), level="site", org_id=world.leeds.pk,
                      value=8, valid_from=datetime.date(2026, 6, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="covers some of these months"):
        clash.full_clean()


def record(client, world, month, reason="A new triage pathway began."):
    url = reverse("dashboard-spc-change-point", args=[METRIC]) + f"?level=site&org={world.leeds.pk}"
    return client.post(url, {"month": month.isoformat(), "reason": reason})


def test_the_taskforce_records_a_change_point_and_the_limits_are_recalculated_from_it(client, world, taskforce):
    client.force_login(taskforce)
    months, values = site_series(world.leeds, METRIC)

    response = record(client, world, months[4])

    assert response.status_code == 302 and response.url.endswith(f"?level=site&org={world.leeds.pk}")
    change = SpcChangePoint.objects.get()
    assert (change.month, change.org_id, change.created_by) == (months[4], world.leeds.pk, taskforce)
    event = AuditEvent.objects.get(action="dashboards.spc_change_point_recorded")
    assert event.reason == "A new triage pathway began." and event.actor == taskforce
    page = leeds_chart(client, world)
    expected = xmr(values, improvement="lower_is_better", rebase=[4])
    assert [(s["mean"], s["lower_limit"], s["upper_limit"]) for s in page.context["segments"]] == [
        (s.mean, s.lower_limit, s.upper_limit) for s in expected.segments
    ]
    data = chart_json(page)
    assert data["mean"] == [pytest.approx(p.mean, abs=0.051) for p in expected.points]
    assert len(set(data["mean"])) == 2  # a step at the change point
    assert data["change_points"] == [months[4].strftime("%b %Y")]
    assert "A new triage pathway began." in page.content.decode()


def test_a_change_point_needs_a_reason_and_a_month_of_the_chart(client, world, taskforce):
    client.force_login(taskforce)
    months, _ = site_series(world.leeds, METRIC)

    response = record(client, world, months[4], reason="  ")
    assert response.status_code == 200 and "Say why the process changed in that month." in response.content.decode()
    response = record(client, world, months[0])
    assert "Choose a month of the chart, after its first and before its last." in response.content.decode()
    record(client, world, months[4])
    response = record(client, world, months[4])
    assert "A change point is already recorded from that month." in response.content.decode()
    assert SpcChangePoint.objects.count() == 1


def test_the_taskforce_removes_a_change_point_and_it_is_audited(client, world, taskforce):
    client.force_login(taskforce)
    months, _ = site_series(world.leeds, METRIC)
    record(client, world, months[4])
    change = SpcChangePoint.objects.get()

    response = client.post(reverse("dashboard-spc-change-point-remove", args=[change.pk]))

    assert response.status_code == 302 and not SpcChangePoint.objects.exists()
    assert AuditEvent.objects.get(action="dashboards.spc_change_point_removed").from_state == months[4].isoformat()
    assert len(leeds_chart(client, world).context["segments"]) == 1


def test_only_the_taskforce_records_or_removes_change_points(client, world, taskforce, leeds_staff):
    months, _ = site_series(world.leeds, METRIC)
    client.force_login(leeds_staff)
    assert record(client, world, months[4]).status_code == 403
    page = leeds_chart(client, world)
    assert page.status_code == 200 and "Record a change point" not in page.content.decode()
    change = SpcChangePoint.objects.create(metric=MetricDefinition.objects.get(code=METRIC), level="site",
                                           org_id=world.leeds.pk, month=months[4], reason="Pathway")  # fmt: skip
    assert client.post(reverse("dashboard-spc-change-point-remove", args=[change.pk])).status_code == 403
    assert "Pathway" in leeds_chart(client, world).content.decode()  # the site reads why its chart steps
    assert SpcChangePoint.objects.count() == 1


def test_a_site_sees_only_its_own_sites_chart(client, world, leeds_staff):
    client.force_login(leeds_staff)
    assert leeds_chart(client, world).status_code == 200
    assert client.get(spc_url(), {"level": "site", "org": world.croydon.pk}).status_code == 404


def events_at_leeds(world):
    months, _ = site_series(world.leeds, METRIC)
    NeighbourhoodTeam.objects.create(site=world.leeds, name="Chapeltown team", launched_on=months[2] + datetime.timedelta(days=9))
    template = MilestoneTemplate.objects.create(wave=world.leeds.wave, code="gov", title="Governance agreed", due_after_days=30)
    decided = datetime.datetime.combine(months[5] + datetime.timedelta(days=3), datetime.time(12), tzinfo=datetime.UTC)
    SiteMilestone.objects.create(site=world.leeds, template=template, status=MilestoneStatus.CONFIRMED, decided_at=decided)
    other = MilestoneTemplate.objects.create(wave=world.leeds.wave, code="data", title="Data flowing", due_after_days=60)
    SiteMilestone.objects.create(site=world.leeds, template=other, status=MilestoneStatus.SUBMITTED)
    return months


def test_a_sites_team_launches_and_confirmed_milestones_are_annotations_on_its_charts(client, world, taskforce):
    client.force_login(taskforce)
    months = events_at_leeds(world)

    response = leeds_chart(client, world)

    html = response.content.decode()
    launch, milestone = months[2] + datetime.timedelta(days=9), months[5] + datetime.timedelta(days=3)
    assert f"{launch:%-d %B %Y}: Neighbourhood team launched: Chapeltown team" in html
    assert f"{milestone:%-d %B %Y}: Onboarding milestone confirmed: Governance agreed" in html
    assert "Data flowing" not in html  # submitted, not confirmed
    assert chart_json(response)["events"] == [months[2].strftime("%b %Y"), months[5].strftime("%b %Y")]
    rows = response.context["tables"][0].rows
    assert rows[2][8] == "Neighbourhood team launched: Chapeltown team"


def test_another_sites_people_do_not_see_its_events_even_when_figures_are_shared(client, world, croydon_staff):
    events_at_leeds(world)
    SharingSetting.objects.update_or_create(pk=1, defaults={"sharing": "named"})
    client.force_login(croydon_staff)

    response = leeds_chart(client, world)

    assert response.status_code == 200
    assert "Chapeltown" not in response.content.decode() and response.context["annotations"] == []
