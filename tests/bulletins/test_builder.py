"""What the November bulletin says about the crafted programme (tests/bulletins/world.py), section
by section, with the October bulletin issued before it and a correction filed in between."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulletins import builder, services
from bulletins.models import BulletinStatus
from metrics.stats import overdispersion as od
from tests.bulletins.world import NOVEMBER, OCTOBER, SEPTEMBER, build_world, correct

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def issue(period):
    bulletin, _ = services.request(period)
    return services.build(bulletin.pk)


@pytest.fixture
def november(world):
    october = issue(world.october)
    correct(world, "Croydon", SEPTEMBER, {"O1_NEW": 120, "O2_ZERO_LOS": 100})
    bulletin = issue(world.november)
    assert october.status == bulletin.status == BulletinStatus.ISSUED
    return bulletin.contents


def names(rows):
    return [r["site"] for r in rows]


def test_coverage_and_timeliness_count_each_site_due(november):
    assert november["headline"] == {"expected": 5, "signed_off": 4, "on_time": 3, "late": 1, "missing": 1}
    status = {r["site"]: r["status"] for r in november["coverage"]}
    # Oldham has exited: not due, not listed. Newham's wave started in November: due.
    assert status == {"Bradford": "late", "Croydon": "on_time", "Hull": "missing", "Leeds": "on_time", "Newham": "on_time"}
    bradford = next(r for r in november["coverage"] if r["site"] == "Bradford")
    assert bradford["signed_off_on"] == "2027-01-27"  # two days after the initial deadline, 25 January 2027


def test_first_time_and_missing_sites(november):
    assert names(november["first_time"]) == ["Newham"]
    assert november["missing"] == [
        {"site_id": november["missing"][0]["site_id"], "site": "Hull", "icb": "South ICB", "region": "South",
         "detail": "Return draft, not signed off"}
    ]  # fmt: skip


def test_caveats_are_the_queries_not_closed(november):
    found = {(r["site"], r["month"], r["status"], r["question"]) for r in november["caveats"]}
    assert found == {
        ("Bradford", "2026-11-01", "Open", "Why did O3 bed days double?"),
        ("Leeds", "2026-10-01", "Answered", "Is the cohort right?"),
    }


def test_new_special_cause_signals_leave_out_those_the_last_bulletin_had(november):
    assert [(r["metric_code"], r["site"], r["variation"]) for r in november["signals"]] == [("O1_NEW", "Leeds", "Concern")]
    leeds = november["signals"][0]
    assert leeds["value"] == 400.0 and leeds["rules"].startswith("outside the process limits")
    assert leeds["value"] > leeds["upper"]
    # Croydon's O2 was special cause in October too: still a signal, not a new one.
    assert {k.split(":")[0] for k in november["spc_keys"]} == {"O1_NEW", "O2_ZERO_LOS"}
    assert "Croydon" not in names(november["signals"])


def test_funnel_outliers_with_poisson_and_adjusted_limits(november, world):
    o1 = [r for r in november["outliers"] if r["metric_code"] == "O1_NEW"]
    # Against England's 175 per 1,000, every site is outside the Poisson 99% limits: Leeds above, the
    # others (100) below. That is overdispersion: the adjusted limits say which still stand out.
    assert {r["site"]: r["side"] for r in o1} == {"Bradford": "below", "Croydon": "below", "Leeds": "above", "Newham": "below"}
    assert all(r["poisson_outside"] for r in o1)
    leeds = next(r for r in o1 if r["site"] == "Leeds")
    assert leeds["rate"] == 400.0 and leeds["side"] == "above" and leeds["poisson_outside"]
    # England: (400 + 100 + 100 + 100) / 4,000 (Hull's draft is not in the figures)
    assert leeds["england"] == pytest.approx(175.0)
    dispersion = next(d for d in november["dispersion"] if d["metric_code"] == "O1_NEW")
    # φ and τ² as the published method gives them (SHMI: log scale, truncation) for these four sites,
    # each expected to count 175
    est = od.estimate([(400, 175.0), (100, 175.0), (100, 175.0), (100, 175.0)], "shmi")
    assert dispersion["sites"] == 4
    assert dispersion["phi"] == pytest.approx(est.phi) and dispersion["overdispersed"] is est.overdispersed is True
    limits = od.ratio_limits(175.0, "shmi", est.tau2)
    assert leeds["adjusted_upper"] == pytest.approx(limits.upper998 * 175)
    assert leeds["adjusted_outside"] is (limits.upper998 < 400 / 175) is False  # 2.29 is within 0.10 to 9.71
    bradford = next(r for r in o1 if r["site"] == "Bradford")
    assert bradford["adjusted_outside"] is (limits.lower998 > 100 / 175)
    assert leeds["new"] is True


def test_the_icbs_and_regions_that_moved(november):
    moved = {(r["level"], r["name"], r["metric_code"]) for r in november["moved"]}
    assert ("icb", "North ICB", "O1_NEW") in moved
    assert ("region", "North", "O1_NEW") in moved
    north = next(r for r in november["moved"] if r["name"] == "North ICB" and r["metric_code"] == "O1_NEW")
    assert north["value"] == 250.0  # (400 + 100) / 2,000 × 1,000
    assert "Special cause" in north["reason"]
    south = next(r for r in november["moved"] if r["name"] == "South ICB" and r["metric_code"] == "O2_ZERO_LOS")
    assert south["value"] == 250.0 and "Special cause" in south["reason"]  # Croydon's 400 with Newham's 100
    assert not any(r["level"] == "site" for r in november["moved"])
    # Against England's 175, South's 100 is far outside the regions' Poisson limits, but with two
    # regions that differ this much the level is overdispersed: by the adjusted limits it has not moved.
    assert not any(r["name"] == "South" and r["metric_code"] == "O1_NEW" for r in november["moved"])


def test_changelog_lists_figures_corrected_since_the_last_bulletin(november):
    assert [
        (r["site"], r["month"], r["metric_code"], r["category"], r["old_version"], r["new_version"])
        for r in november["changelog"]
    ] == [("Croydon", "2026-09-01", "O1_NEW", "Total", 1, 2)]
    row = november["changelog"][0]
    assert (row["old"]["numerator"], row["new"]["numerator"], row["new"]["denominator"]) == (100, 120, 1000)


def test_the_first_bulletin_has_no_changelog_and_every_signal_is_new(world):
    contents = issue(world.november).contents
    assert contents["previous"] is None and contents["changelog"] == []
    assert {(r["metric_code"], r["site"]) for r in contents["signals"]} == {("O1_NEW", "Leeds"), ("O2_ZERO_LOS", "Croydon")}


def test_the_builder_asks_a_fixed_number_of_queries_whatever_the_number_of_sites(world):
    with CaptureQueriesContext(connection) as queries:
        builder.build_contents(world.november)
    assert len(queries) <= 25, [q["sql"][:120] for q in queries.captured_queries]


def test_the_daily_check_finds_months_past_their_final_deadline_without_a_bulletin(world):
    today = world.november.final_submission_due + datetime.timedelta(days=1)  # 2 February 2027
    # October's final deadline was 1 January 2027, September's 2 December 2026: 40 days back reach October only.
    assert [p.month for p in builder.months_due(today, catch_up_days=40)] == [OCTOBER, NOVEMBER]
    issue(world.november)
    assert [p.month for p in builder.months_due(today, catch_up_days=40)] == [OCTOBER]
