"""Places move between ICBs (the 2026 mergers and boundary changes): each month's ICB figures
follow the membership in force that month, in every rollup path (full rebuild, in place or
swapped in; the incremental run after a sign-off), and no national or regional figure changes
because a Place moved. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime

import pytest

from metrics.models import ReportingPeriod, Rollup, RollupLevel
from metrics.rollups import build as rollups
from metrics.rollups import swap as rollup_swap
from sites.models import PlaceICBMembership, Site
from tests.metrics.rollup_world import MOVE, MOVED_TODAY, moved_place_world

TODAY = MOVED_TODAY


@pytest.fixture
def programme(catalogue):
    return moved_place_world()


def _figures(*levels: str) -> dict[tuple, tuple]:
    rows = Rollup.objects.current().filter(level__in=levels)
    return {
        (r.period.month, r.level, r.org_id, r.metric_id, r.category_id): (
            r.sum_numerator, r.sum_denominator, r.rate, r.units_reporting, r.units_suppressed, r.units_expected, r.provisional,
        )
        for r in rows.select_related("period")
    }  # fmt: skip


def _units(level: str, org_id: int) -> dict[datetime.date, tuple[int, int]]:
    """(units reporting, units expected) of an organisation's total cohort line, by month."""
    rows = Rollup.objects.current().filter(level=level, org_id=org_id, metric__code="COHORT", category__code="total")
    return {r.period.month: (r.units_reporting, r.units_expected) for r in rows.select_related("period")}


FEB, MAR, APR, MAY = (datetime.date(2026, m, 1) for m in (2, 3, 4, 5))


def test_each_months_icb_figures_follow_the_membership_in_force_that_month(programme):
    rollups.rebuild_all(today=TODAY)
    icbs = programme["icbs"]

    # Before April the old ICB has both its Places; from April the Mover counts under the new one.
    assert _units(RollupLevel.ICB, icbs["old"].pk) == {FEB: (2, 2), MAR: (2, 2), APR: (1, 1), MAY: (1, 1)}
    assert _units(RollupLevel.ICB, icbs["new"].pk) == {APR: (1, 1), MAY: (1, 1)}
    mover = programme["sites"]["Mover"]
    site_cohort = Rollup.objects.current().get(
        level=RollupLevel.SITE, org_id=mover.pk, period__month=APR, metric__code="COHORT", category__code="total"
    )
    new_cohort = Rollup.objects.current().get(
        level=RollupLevel.ICB, org_id=icbs["new"].pk, period__month=APR, metric__code="COHORT", category__code="total"
    )
    assert new_cohort.sum_numerator == site_cohort.sum_numerator  # the new ICB's April is the Mover's April


def test_a_places_move_changes_no_national_or_regional_figure(programme):
    rollups.rebuild_all(today=TODAY)
    moved = _figures(RollupLevel.NATIONAL, RollupLevel.REGION, RollupLevel.WAVE)
    moved_icbs = _figures(RollupLevel.ICB)
    # The same programme had the Place never moved: no memberships, always in the old ICB.
    mover = programme["sites"]["Mover"].place
    mover.icb_memberships.all().delete()
    mover.icb = programme["icbs"]["old"]
    mover.save()

    rollups.rebuild_all(today=TODAY)

    assert moved and _figures(RollupLevel.NATIONAL, RollupLevel.REGION, RollupLevel.WAVE) == moved
    assert _figures(RollupLevel.ICB) != moved_icbs  # while the ICBs' figures did change
    assert _units(RollupLevel.REGION, programme["regions"]["north"].pk) == {m: (2, 2) for m in (FEB, MAR, APR, MAY)}


def test_the_incremental_run_after_a_sign_off_follows_the_membership_as_a_full_rebuild_does(programme):
    mover = programme["sites"]["Mover"].place
    memberships = list(mover.icb_memberships.all())
    mover.icb_memberships.all().delete()  # rolled up before the move was recorded
    rollups.rebuild_all(today=TODAY)
    assert _units(RollupLevel.ICB, programme["icbs"]["new"].pk) == {m: (1, 1) for m in (FEB, MAR, APR, MAY)}  # Place.icb
    for membership in memberships:
        membership.pk = None
        membership.save()

    for month in (FEB, MAR, APR, MAY):  # as a sign-off in each month would
        rollups.rollup_period(ReportingPeriod.objects.get(month=month), today=TODAY)
    incremental = _figures(*RollupLevel.values)
    rollups.rebuild_all(today=TODAY)

    assert _figures(*RollupLevel.values) == incremental
    assert _units(RollupLevel.ICB, programme["icbs"]["new"].pk) == {APR: (1, 1), MAY: (1, 1)}


def test_a_swapped_in_rebuild_and_an_in_place_one_agree(programme, monkeypatch):
    rollups.rebuild_all(today=TODAY)  # on PostgreSQL: its own table, swapped in
    swapped = _figures(*RollupLevel.values)
    monkeypatch.setattr(rollup_swap, "in_use", lambda: False)

    rollups.rebuild_all(today=TODAY)

    assert _figures(*RollupLevel.values) == swapped
    assert _units(RollupLevel.ICB, programme["icbs"]["new"].pk) == {APR: (1, 1), MAY: (1, 1)}


def test_a_place_moving_to_another_region_keeps_its_earlier_months_in_the_old_region(programme):
    """None of the 2026 moves crosses a region (tests/sites/test_icb_memberships.py); were one to,
    a Place's region follows its ICB's month by month, so no month already reported changes."""
    mover = programme["sites"]["Mover"].place
    mover.icb_memberships.filter(effective_from=MOVE).update(icb=programme["icbs"]["south"])
    rollups.rebuild_all(today=TODAY)
    north, south = programme["regions"]["north"].pk, programme["regions"]["south"].pk

    assert _units(RollupLevel.REGION, north) == {FEB: (2, 2), MAR: (2, 2), APR: (1, 1), MAY: (1, 1)}
    assert _units(RollupLevel.REGION, south) == {FEB: (1, 1), MAR: (1, 1), APR: (2, 2), MAY: (2, 2)}
    assert _units(RollupLevel.NATIONAL, 0) == {m: (3, 3) for m in (FEB, MAR, APR, MAY)}


def test_a_place_with_no_membership_for_a_month_counts_under_its_icb(programme):
    southern = programme["sites"]["Southern"]
    rollups.rebuild_all(today=TODAY)

    assert not PlaceICBMembership.objects.filter(place=southern.place).exists()
    assert _units(RollupLevel.ICB, programme["icbs"]["south"].pk) == {m: (1, 1) for m in (FEB, MAR, APR, MAY)}
    assert Site.objects.count() == 3


def test_the_benchmarks_hand_written_statement_follows_the_memberships_too(programme):
    """bench/rollups.py measures the rebuild against it and counts rows that differ: none may."""
    from bench import rollup_reference

    rollups.rebuild_all(today=TODAY)

    assert rollup_reference.run() > 0
    assert rollup_reference.differences() == (0, 0)
