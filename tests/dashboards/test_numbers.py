"""The numbers on the dashboards, as a reader checks them: every figure equals what the signed-off
returns say, worked out independently from the values the sites filed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from metrics.models import MetricDefinition
from metrics.stats.funnel import funnel
from metrics.stats.spc import xmr
from nhsportal.models import Role
from tests.dashboards.expected import ALL, NORTH, cell, rate, same_sites, shown, totals, value
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def taskforce(client, programme):
    user = user_with_role(Role.TASKFORCE_MEMBER)
    client.force_login(user)
    return user


def test_the_overview_shows_each_metric_this_month_last_month_and_the_difference(client, programme, taskforce):
    latest, previous = programme["periods"][-1], programme["periods"][-2]

    response = client.get(reverse("dashboard-overview"))

    assert response.status_code == 200
    rows = {m["code"]: m for m in response.context["metrics"]}
    assert len(rows) == MetricDefinition.objects.count()
    for metric in MetricDefinition.objects.all():
        now = value(programme, ALL, latest, metric.code, has_rate=metric.has_rate)
        before = value(programme, ALL, previous, metric.code, has_rate=metric.has_rate)
        sites, now_same, before_same = same_sites(programme, ALL, latest, previous, metric.code, has_rate=metric.has_rate)
        assert rows[metric.code]["latest"] == now, metric.code
        assert rows[metric.code]["previous_published"] == before, metric.code
        # Compared like with like: a site whose cell is suppressed in either month is in neither.
        assert rows[metric.code]["sites_compared"] == sites, metric.code
        assert rows[metric.code]["previous"] == before_same, metric.code
        assert rows[metric.code]["difference"] == (None if sites == 0 else now_same - before_same)
    cohort = value(programme, ALL, latest, "COHORT", has_rate=False)
    assert f"{cohort:,}" in response.content.decode()
    assert str(shown(value(programme, ALL, latest, "O1_NEW"))) in response.content.decode()


def test_the_overview_counts_the_sites_outside_the_95_percent_limits(client, programme, taskforce):
    latest = programme["periods"][-1]

    rows = {m["code"]: m for m in client.get(reverse("dashboard-overview")).context["metrics"]}

    for metric in MetricDefinition.objects.filter(has_rate=True):
        units = [(name, *(cell(programme["filed"][(name, latest.pk)], metric.code, "total") or (None, None))) for name in ALL]
        result = funnel(units)
        outside = sum(u.classification.band != "within" for u in result.units)
        assert (rows[metric.code]["outside_95"], rows[metric.code]["in_funnel"]) == (
            (outside, len(result.units)) if result.units else (None, None)
        ), metric.code


def test_the_overview_icon_is_the_spc_variation_of_englands_series(client, programme, taskforce):
    rows = {m["code"]: m for m in client.get(reverse("dashboard-overview")).context["metrics"]}

    for metric in MetricDefinition.objects.all():
        series = [value(programme, ALL, p, metric.code, has_rate=metric.has_rate) for p in programme["periods"]]
        assert rows[metric.code]["variation"] == xmr(series, improvement=metric.direction).variation


def test_a_region_shows_its_own_sites_sums_against_england(client, programme, taskforce):
    north = programme["regions"]["North"]
    latest = programme["periods"][-1]

    response = client.get(reverse("dashboard-org", args=["region", north.pk]))

    rows = {m["code"]: m for m in response.context["metrics"]}
    assert rows["O1_NEW"]["latest"] == value(programme, NORTH, latest, "O1_NEW")
    assert rows["O1_NEW"]["national"] == value(programme, ALL, latest, "O1_NEW")
    assert rows["COHORT"]["latest"] == value(programme, NORTH, latest, "COHORT", has_rate=False)
    series = [value(programme, NORTH, p, "O3_BED_DAYS") for p in programme["periods"]]
    assert rows["O3_BED_DAYS"]["average"] == sum(series, Decimal(0)) / len(series)
    assert [c["name"] for c in response.context["children"]] == ["North ICB"]


def test_a_site_overview_drills_down_from_its_icb(client, programme, taskforce):
    icb, leeds = programme["icbs"]["North"], programme["sites"]["Leeds"]
    latest = programme["periods"][-1]

    icb_page = client.get(reverse("dashboard-org", args=["icb", icb.pk]))
    site_page = client.get(reverse("dashboard-org", args=["site", leeds.pk]))

    assert {c["name"] for c in icb_page.context["children"]} == {"Leeds", "Bradford"}
    rows = {m["code"]: m for m in site_page.context["metrics"]}
    assert rows["O5_TYPE1"]["latest"] == value(programme, ["Leeds"], latest, "O5_TYPE1")
    assert [p["name"] for p in site_page.context["parents"]] == ["North", "North ICB"]


def test_the_funnel_plot_pools_englands_rate_and_marks_each_site(client, programme, taskforce):
    latest = programme["periods"][-1]
    units = [(name, *cell(programme["filed"][(name, latest.pk)], "O1_FU", "total")) for name in ALL]
    independent = funnel(units)

    response = client.get(reverse("dashboard-funnel", args=["O1_FU"]), {"month": latest.slug})

    data = response.context
    assert data["data"]["target"] == independent.target_rate_per_1000
    numerator, denominator, _ = totals(programme, ALL, latest, "O1_FU")
    assert (data["data"]["total_numerator"], data["data"]["total_denominator"]) == (numerator, denominator)
    assert round(data["data"]["target"], 6) == float(rate(numerator, denominator))
    pooled = shown(Decimal(repr(independent.target_rate_per_1000)))
    assert f"<strong>{pooled} per 1,000</strong>" in response.content.decode()  # rounded half up, as in the table
    by_name = {u["name"]: u for u in data["units"]}
    for unit in independent.units:
        assert by_name[unit.key]["band"] == unit.classification.band
        assert by_name[unit.key]["limits"]["upper99"] == unit.limits.upper99


def test_the_funnel_plot_reads_a_breakdown_category_across_layouts(client, programme, taskforce):
    latest = programme["periods"][-1]

    response = client.get(reverse("dashboard-funnel", args=["O1_NEW"]), {"category": "age_80_plus"})

    numerator, denominator, sites = totals(programme, ALL, latest, "O1_NEW", "age_80_plus")
    assert response.context["sites_in_funnel"] == sites
    assert {"Leeds", "Bradford"} <= {u["name"] for u in response.context["units"]}  # Bradford files 80+, Leeds 80-89 and 90+
    assert response.context["data"]["total_numerator"] == numerator
    assert response.context["data"]["total_denominator"] == denominator


def test_the_spc_chart_of_a_site_flags_what_xmr_flags(client, programme, taskforce):
    leeds = programme["sites"]["Leeds"]
    series = [value(programme, ["Leeds"], p, "O2_ONE_PLUS_LOS") for p in programme["periods"]]

    response = client.get(reverse("dashboard-spc", args=["O2_ONE_PLUS_LOS"]), {"level": "site", "org": leeds.pk})

    spc = response.context["spc"]
    expected = xmr(series, improvement="lower_is_better")
    assert [p["value"] for p in response.context["points"]] == series
    assert (spc.mean, spc.lower_limit, spc.upper_limit, spc.variation) == (
        expected.mean,
        expected.lower_limit,
        expected.upper_limit,
        expected.variation,
    )


def test_engagement_is_caseload_over_cohort_nationally_and_per_site(client, programme, taskforce):
    response = client.get(reverse("dashboard-engagement"))

    for period, row in zip(programme["periods"], response.context["series"], strict=True):
        cohort = value(programme, ALL, period, "COHORT", has_rate=False)
        caseload = value(programme, ALL, period, "P1_CASELOAD", has_rate=False)
        assert (row["cohort"], row["caseload"]) == (cohort, caseload)
        assert row["rate"] == shown(Decimal(caseload) * 100 / Decimal(cohort))
    sites = {s["name"]: s for s in response.context["sites"]}
    for period, month in zip(programme["periods"], sites["Croydon"]["months"], strict=True):
        cohort = value(programme, ["Croydon"], period, "COHORT", has_rate=False)
        caseload = value(programme, ["Croydon"], period, "P1_CASELOAD", has_rate=False)
        assert (month["cohort"], month["caseload"], month["rate"]) == (cohort, caseload, shown(Decimal(caseload) * 100 / cohort))
    assert sites["Croydon"]["cohort"] == month["cohort"]


def test_demographics_compare_age_as_80_plus_with_the_sites_contributing(client, programme, taskforce):
    response = client.get(reverse("dashboard-demographics"))

    dims = {d["key"]: d for d in response.context["dimensions"]}
    age = dims["age"]
    codes = [c.code for c in age["categories"]]
    assert "age_80_plus" in codes and "age_80_89" not in codes
    for period, row in zip(programme["periods"], age["rows"], strict=True):
        for code, figure, units in zip(codes, row["values"], row["units"], strict=True):
            numerator, _, sites = totals(programme, ALL, period, "COHORT", code)
            assert (figure, units or 0) == (numerator, sites), (period, code)
    imd = dims["imd"]
    assert [c.code for c in imd["categories"]][:5] == ["imd_1", "imd_2", "imd_3", "imd_4", "imd_5"]


def test_site_key_metrics_give_the_review_pack_each_metric_for_the_site(programme):
    from dashboards.selectors import site_key_metrics

    leeds = programme["sites"]["Leeds"]
    latest, previous = programme["periods"][-1], programme["periods"][-2]

    entries = {e["code"]: e for e in site_key_metrics(leeds, user=user_with_role(Role.TASKFORCE_MEMBER))}

    assert set(entries) == set(MetricDefinition.objects.values_list("code", flat=True))
    o1 = entries["O1_NEW"]
    assert (o1["latest"], o1["previous"], o1["national"]) == (
        value(programme, ["Leeds"], latest, "O1_NEW"),
        value(programme, ["Leeds"], previous, "O1_NEW"),
        value(programme, ALL, latest, "O1_NEW"),
    )
    series = [value(programme, ["Leeds"], p, "O1_NEW") for p in programme["periods"]]
    assert o1["spc"].mean == xmr(series, improvement="lower_is_better").mean
    units = [(name, *cell(programme["filed"][(name, latest.pk)], "O1_NEW", "total")) for name in ALL]
    mine = next(u for u in funnel(units).units if u.key == "Leeds")
    assert o1["funnel"] == {"band": mine.classification.band, "side": mine.classification.side}
    assert entries["COHORT"]["funnel"] is None  # a count has no funnel
    assert site_key_metrics(leeds, user=programme["people"]["staff.Croydon"]) == []
