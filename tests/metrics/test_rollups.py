"""Rollups, as the taskforce reads them: hand-worked sums at every level, suppressed cells left
out (never zero), the two template layouts compared as 80+, provisional figures flagged, and a
failed rebuild that leaves yesterday's complete figures on the dashboards."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import (
    BreakdownCategory,
    CurrentRollup,
    MetricDefinition,
    Return,
    ReturnStatus,
    ReturnValue,
    ReturnVersion,
    Rollup,
    RollupLevel,
    RollupRun,
    RollupRunStatus,
    VersionSource,
)
from metrics.rollups import build as rollups
from metrics.rollups import sql as rollup_sql
from metrics.rollups import swap as rollup_swap
from sites.models import SiteStatus
from tests.metrics.factories import ReportingPeriodFactory
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)
SUPPRESSED = "*"


def signed_off_return(site, period, cells, *, layout="1.2", status=ReturnStatus.SUBMITTED, number=1):
    """A return whose signed-off version holds exactly `cells`: {(metric, category): (numerator,
    denominator)}, "*" for a suppressed figure, None for a count's missing denominator."""
    record, _ = Return.objects.get_or_create(site=site, period=period)
    version = ReturnVersion.objects.create(return_record=record, number=number, layout=layout, source=VersionSource.API)
    metrics = dict(MetricDefinition.objects.values_list("code", "pk"))
    categories = dict(BreakdownCategory.objects.values_list("code", "pk"))
    ReturnValue.objects.bulk_create(
        ReturnValue(
            version=version,
            metric_id=metrics[metric],
            category_id=categories[category],
            numerator=None if numerator == SUPPRESSED else numerator,
            denominator=None if denominator == SUPPRESSED else denominator,
            numerator_suppressed=numerator == SUPPRESSED,
            denominator_suppressed=denominator == SUPPRESSED,
        )
        for (metric, category), (numerator, denominator) in cells.items()
    )
    record.status, record.latest_version, record.signed_off_version = status, version, version
    record.save()
    return record


def period_ending(month: datetime.date, *, final_due: datetime.date):
    return ReportingPeriodFactory(
        month=month, today=final_due - datetime.timedelta(days=27), initial_in_days=20, final_in_days=27
    )


def rows(level, category="total", metric="O1_NEW", period=None):
    """The current rows of one level, by organisation id."""
    query = Rollup.objects.current().filter(level=level, metric__code=metric, category__code=category)
    if period is not None:
        query = query.filter(period=period)
    return {row.org_id: row for row in query}


def figures(row):
    return (row.sum_numerator, row.sum_denominator, row.rate, row.units_reporting, row.units_suppressed, row.units_expected)


@pytest.fixture
def programme(catalogue):
    """Two regions. North: Leeds (v1.2) and Bradford (the earlier v1.1 layout) in one ICB, and
    Sunderland, due but silent. South: Croydon (v1.2), plus an exited site and a wave-two site
    whose wave starts after the month, neither of them due."""
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    icb_north, icb_south = ICBFactory(region=north), ICBFactory(region=south)
    wave_one = WaveFactory(number=1, start_date=datetime.date(2025, 9, 9))
    wave_two = WaveFactory(number=2, name="Wave two", start_date=datetime.date(2027, 4, 1))
    sites = {
        name: SiteFactory(place__name=name, place__icb=icb, wave=wave, status=status)
        for name, icb, wave, status in [
            ("Leeds", icb_north, wave_one, SiteStatus.ACTIVE),
            ("Bradford", icb_north, wave_one, SiteStatus.ACTIVE),
            ("Sunderland", icb_north, wave_one, SiteStatus.ACTIVE),
            ("Croydon", icb_south, wave_one, SiteStatus.ACTIVE),
            ("Exited", icb_south, wave_one, SiteStatus.EXITED),
            ("Later", icb_south, wave_two, SiteStatus.ONBOARDING),
        ]
    }
    september = period_ending(datetime.date(2026, 9, 1), final_due=datetime.date(2026, 11, 13))  # final: deadline passed
    signed_off_return(
        sites["Leeds"],
        september,
        {
            ("O1_NEW", "total"): (120, 1000),
            ("O1_NEW", "age_80_89"): (30, 200),
            ("O1_NEW", "age_90_plus"): (10, 50),
            ("COHORT", "total"): (1000, None),
        },
    )
    signed_off_return(
        sites["Bradford"],
        september,
        {
            ("O1_NEW", "total"): (SUPPRESSED, 800),
            ("O1_NEW", "age_80_plus"): (40, 300),
            ("COHORT", "total"): (800, None),
        },
        layout="1.1",
    )
    signed_off_return(
        sites["Croydon"],
        september,
        {
            ("O1_NEW", "total"): (60, 500),
            ("O1_NEW", "age_80_89"): (20, 100),
            ("O1_NEW", "age_90_plus"): (SUPPRESSED, 40),
            ("COHORT", "total"): (500, None),
        },
    )
    return {"sites": sites, "regions": {"North": north, "South": south}, "icbs": (icb_north, icb_south), "period": september}


def test_each_level_sums_numerators_and_denominators_of_the_sites_that_reported(programme):
    rollups.rebuild_all(today=TODAY)
    sites, regions = programme["sites"], programme["regions"]
    icb_north, icb_south = programme["icbs"]

    site = rows(RollupLevel.SITE)
    assert figures(site[sites["Leeds"].pk]) == (120, 1000, Decimal("120.000000"), 1, 0, 1)
    assert figures(site[sites["Croydon"].pk]) == (60, 500, Decimal("120.000000"), 1, 0, 1)
    assert sites["Sunderland"].pk not in site, "a site that filed nothing has no row of its own"

    # Bradford's suppressed numerator keeps its denominator out too: 120/1000, not 120/1800.
    assert figures(rows(RollupLevel.ICB)[icb_north.pk]) == (120, 1000, Decimal("120.000000"), 2, 1, 3)
    assert figures(rows(RollupLevel.ICB)[icb_south.pk]) == (60, 500, Decimal("120.000000"), 1, 0, 1)
    assert figures(rows(RollupLevel.REGION)[regions["North"].pk]) == (120, 1000, Decimal("120.000000"), 2, 1, 3)
    national = rows(RollupLevel.NATIONAL)[rollup_sql.NATIONAL_ORG_ID]
    assert figures(national) == (180, 1500, Decimal("120.000000"), 3, 1, 4)
    wave_one = rows(RollupLevel.WAVE)[sites["Leeds"].wave_id]
    assert figures(wave_one) == figures(national)


def test_a_suppressed_cell_is_never_counted_as_zero(programme):
    rollups.rebuild_all(today=TODAY)
    bradford = rows(RollupLevel.SITE)[programme["sites"]["Bradford"].pk]

    assert (bradford.sum_numerator, bradford.sum_denominator, bradford.rate) == (None, None, None)
    assert (bradford.units_reporting, bradford.units_suppressed, bradford.units_contributing) == (1, 1, 0)


def test_when_every_unit_is_suppressed_the_sum_is_empty_not_zero(catalogue):
    period = period_ending(datetime.date(2026, 9, 1), final_due=datetime.date(2026, 11, 13))
    for name in ("Leeds", "Hull"):
        signed_off_return(SiteFactory(place__name=name), period, {("O1_NEW", "total"): (SUPPRESSED, 700)})

    rollups.rebuild_all(today=TODAY)

    national = rows(RollupLevel.NATIONAL)[0]
    assert figures(national)[:5] == (None, None, None, 2, 2)


def test_v1_1_and_v1_2_returns_are_summed_as_80_plus(programme):
    rollups.rebuild_all(today=TODAY)
    sites = programme["sites"]

    site_80_plus = rows(RollupLevel.SITE, "age_80_plus")
    assert figures(site_80_plus[sites["Leeds"].pk])[:3] == (40, 250, Decimal("160.000000")), "80-89 + 90+ make 80+"
    assert figures(site_80_plus[sites["Bradford"].pk])[:3] == (40, 300, Decimal("133.333333"))
    # Croydon's 90+ is suppressed, so its 80+ is too: a partial 80+ would count the 90+ as zero.
    assert figures(site_80_plus[sites["Croydon"].pk])[:5] == (None, None, None, 1, 1)

    assert figures(rows(RollupLevel.NATIONAL, "age_80_plus")[0]) == (80, 550, Decimal("145.454545"), 3, 1, 4)
    # The finer v1.2 bands sum the v1.2 sites only, and say so in their unit counts.
    assert figures(rows(RollupLevel.NATIONAL, "age_80_89")[0]) == (50, 300, Decimal("166.666667"), 2, 0, 4)
    assert figures(rows(RollupLevel.NATIONAL, "age_90_plus")[0]) == (10, 50, Decimal("200.000000"), 2, 1, 4)


def test_counts_are_sums_without_a_rate(programme):
    rollups.rebuild_all(today=TODAY)

    cohort = rows(RollupLevel.NATIONAL, metric="COHORT")[0]

    assert figures(cohort) == (2300, None, None, 3, 0, 4)


def test_the_latest_signed_off_version_is_used_not_an_older_one_nor_a_newer_draft(programme):
    leeds, period = programme["sites"]["Leeds"], programme["period"]
    signed_off_return(leeds, period, {("O1_NEW", "total"): (150, 1000)}, number=2)  # a correction, signed off
    record = Return.objects.get(site=leeds, period=period)
    draft = ReturnVersion.objects.create(return_record=record, number=3, layout="1.2", source=VersionSource.API)
    ReturnValue.objects.create(
        version=draft,
        metric=MetricDefinition.objects.get(code="O1_NEW"),
        category=BreakdownCategory.objects.get(code="total"),
        numerator=999,
        denominator=1000,
    )
    Return.objects.filter(pk=record.pk).update(latest_version=draft)

    rollups.rebuild_all(today=TODAY)

    assert rows(RollupLevel.SITE)[leeds.pk].sum_numerator == 150


def test_a_month_whose_final_deadline_is_ahead_is_provisional_at_every_level(programme):
    october = period_ending(datetime.date(2026, 10, 1), final_due=datetime.date(2026, 12, 11))
    signed_off_return(programme["sites"]["Leeds"], october, {("O1_NEW", "total"): (100, 1000)})

    rollups.rebuild_all(today=TODAY)

    for level in RollupLevel:
        assert {row.provisional for row in rows(level, period=october).values()} == {True}, level
        assert {row.provisional for row in rows(level, period=programme["period"]).values()} == {False}, level


def test_a_correction_requested_makes_its_sites_figures_and_those_above_provisional(programme):
    Return.objects.filter(site=programme["sites"]["Croydon"]).update(status=ReturnStatus.CORRECTION_REQUESTED)

    rollups.rebuild_all(today=TODAY)

    assert rows(RollupLevel.SITE)[programme["sites"]["Croydon"].pk].provisional
    assert not rows(RollupLevel.SITE)[programme["sites"]["Leeds"].pk].provisional
    assert rows(RollupLevel.REGION)[programme["regions"]["South"].pk].provisional
    assert not rows(RollupLevel.REGION)[programme["regions"]["North"].pk].provisional
    assert rows(RollupLevel.NATIONAL)[0].provisional


def test_a_resubmission_awaiting_sign_off_is_provisional_too(programme):
    Return.objects.filter(site=programme["sites"]["Leeds"]).update(status=ReturnStatus.AWAITING_SIGN_OFF)

    rollups.rebuild_all(today=TODAY)

    assert rows(RollupLevel.SITE)[programme["sites"]["Leeds"].pk].provisional


def _snapshot(*, with_flags=False):
    fields = ["period_id", "level", "org_id", "metric_id", "category_id", "sum_numerator", "sum_denominator", "rate"]
    flags = ["version_id", "units_reporting", "units_suppressed", "units_expected", "provisional"] if with_flags else []
    return sorted(Rollup.objects.current().values_list(*fields, *flags))


def test_a_rebuild_switches_readers_to_the_new_generation_and_removes_the_old(programme):
    first = rollups.rebuild_all(today=TODAY)
    before = _snapshot()

    second = rollups.rebuild_all(today=TODAY)

    assert (first.status, second.status) == (RollupRunStatus.COMPLETE, RollupRunStatus.COMPLETE)
    assert _snapshot() == before
    assert set(Rollup.objects.values_list("run_id", flat=True)) == {second.pk}
    assert second.rows == Rollup.objects.count() and second.steps_done == second.steps_total


def test_a_rebuild_that_fails_midway_leaves_the_previous_figures_served(programme, monkeypatch):
    rollups.rebuild_all(today=TODAY)
    before = _snapshot()
    seen_while_building = []

    def failing_insert(**kwargs):  # the site level is written; the levels above fail
        seen_while_building.append((_snapshot(), _rows_built(kwargs["run_id"])))
        raise RuntimeError("database went away")

    monkeypatch.setattr(rollup_sql, "insert_levels_above", failing_insert)
    Return.objects.filter(site=programme["sites"]["Leeds"]).delete()  # what the failed run would have changed

    with pytest.raises(RuntimeError):
        rollups.rebuild_all(today=TODAY)

    ((served_midway, half_built),) = seen_while_building
    assert served_midway == before and half_built > 0, "readers saw the old set while the new one was half-built"
    assert _snapshot() == before
    failed = RollupRun.objects.get(status=RollupRunStatus.FAILED)
    assert "database went away" in failed.error and failed.finished_at
    assert (failed.steps_done, failed.steps_total) == (1, 3)
    assert not Rollup.objects.filter(run=failed).exists(), "a failed run's rows are removed"
    assert not rollup_swap.build_tables(), "and so is a full rebuild's own table"


def _rows_built(run_id: int) -> int:
    """Rows a run has written so far: in the rollup table, or (a full rebuild on PostgreSQL) its own."""
    run = RollupRun.objects.get(pk=run_id)
    if rollup_swap.in_use() and run.period_id is None:
        return rollup_swap.rows_in(run)
    return Rollup.objects.filter(run=run).count()


def test_rolling_up_one_period_rewrites_only_the_sites_that_changed_and_the_levels_above(programme):
    october = period_ending(datetime.date(2026, 10, 1), final_due=datetime.date(2026, 12, 11))
    leeds, croydon = programme["sites"]["Leeds"], programme["sites"]["Croydon"]
    signed_off_return(leeds, october, {("O1_NEW", "total"): (100, 1000)})
    full = rollups.rebuild_all(today=TODAY)
    signed_off_return(croydon, october, {("O1_NEW", "total"): (50, 1000)})

    run = rollups.rollup_period(october, today=TODAY)

    assert rollups.latest_run(october) == run and rollups.latest_run(programme["period"]) == full
    assert figures(rows(RollupLevel.NATIONAL, period=october)[0])[:4] == (150, 2000, Decimal("75.000000"), 2)
    current = Rollup.objects.current().filter(period=october)
    assert set(current.filter(level=RollupLevel.SITE, org_id=leeds.pk).values_list("run", flat=True)) == {full.pk}
    assert set(current.filter(level=RollupLevel.SITE, org_id=croydon.pk).values_list("run", flat=True)) == {run.pk}
    assert set(current.exclude(level=RollupLevel.SITE).values_list("run", flat=True)) == {run.pk}
    assert not Rollup.objects.filter(run=full, period=october).exclude(level=RollupLevel.SITE).exists(), "replaced rows go"
    assert set(Rollup.objects.filter(period=programme["period"]).values_list("run", flat=True)) == {full.pk}


def test_a_period_rollup_gives_the_same_rows_as_a_full_rebuild(programme):
    """A new version signed off, a correction requested, a site's first return, an exit."""
    october = period_ending(datetime.date(2026, 10, 1), final_due=datetime.date(2026, 12, 11))
    sites = programme["sites"]
    signed_off_return(sites["Leeds"], october, {("O1_NEW", "total"): (100, 1000)})
    rollups.rebuild_all(today=TODAY)
    signed_off_return(sites["Leeds"], october, {("O1_NEW", "total"): (120, 1000)}, number=2)
    Return.objects.filter(site=sites["Croydon"]).update(status=ReturnStatus.CORRECTION_REQUESTED)
    signed_off_return(sites["Sunderland"], october, {("O1_NEW", "total"): (9, 90)})
    type(sites["Bradford"]).objects.filter(pk=sites["Bradford"].pk).update(status=SiteStatus.EXITED)

    rollups.rollup_period(october, today=TODAY)
    rollups.rollup_period(programme["period"], today=TODAY)
    incremental = _snapshot(with_flags=True)
    rollups.rebuild_all(today=TODAY)

    assert _snapshot(with_flags=True) == incremental


def test_a_site_whose_return_was_removed_leaves_the_rollups_at_its_period_s_next_run(programme):
    rollups.rebuild_all(today=TODAY)
    croydon = programme["sites"]["Croydon"]
    Return.objects.filter(site=croydon).delete()  # an administrator's clean-up

    rollups.rollup_period(programme["period"], today=TODAY)

    assert croydon.pk not in rows(RollupLevel.SITE)
    assert programme["regions"]["South"].pk not in rows(RollupLevel.REGION)
    assert not CurrentRollup.objects.filter(org_id=croydon.pk, level=RollupLevel.SITE).exists()
    assert rows(RollupLevel.NATIONAL)[0].units_reporting == 2


def test_a_full_rebuild_that_finishes_after_a_newer_period_run_does_not_undo_it(programme, monkeypatch):
    september = programme["period"]
    real_insert = rollup_sql.insert_levels_above
    period_runs = []

    def sign_off_during_the_rebuild(**kwargs):
        if not kwargs["incremental"] and not period_runs:  # the full rebuild has written the site level
            signed_off_return(programme["sites"]["Sunderland"], september, {("O1_NEW", "total"): (7, 100)})
            period_runs.append(rollups.rollup_period(september, today=TODAY))
        return real_insert(**kwargs)

    monkeypatch.setattr(rollup_sql, "insert_levels_above", sign_off_during_the_rebuild)
    full = rollups.rebuild_all(today=TODAY)

    assert full.status == RollupRunStatus.COMPLETE
    assert set(CurrentRollup.objects.filter(period=september).values_list("run", flat=True)) == {period_runs[0].pk}
    assert rows(RollupLevel.NATIONAL)[0].units_reporting == 4, "Sunderland's later sign-off is still there"
    assert not Rollup.objects.filter(run=full).exists()


def test_a_period_rollup_takes_the_same_number_of_queries_for_any_number_of_sites(programme):
    period = programme["period"]
    rollups.rollup_period(period, today=TODAY)
    with CaptureQueriesContext(connection) as few:
        rollups.rollup_period(period, today=TODAY)
    for name in ("Hull", "York", "Wakefield"):
        signed_off_return(SiteFactory(place__name=name), period, {("O1_NEW", "total"): (5, 50)})

    with CaptureQueriesContext(connection) as many:
        rollups.rollup_period(period, today=TODAY)

    assert len(many) == len(few)
    assert rows(RollupLevel.NATIONAL)[0].units_reporting == 6


def test_rows_left_by_an_abandoned_run_go_at_the_next_rebuild(programme):
    abandoned = RollupRun.objects.create(trigger="sign_off")
    RollupRun.objects.filter(pk=abandoned.pk).update(started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    Rollup.objects.create(run=abandoned, period=programme["period"], level="site", org_id=1, metric_id=1, category_id=1,
                          units_reporting=1, units_suppressed=0, units_expected=1, provisional=False)  # fmt: skip

    latest = rollups.rebuild_all(today=TODAY)

    abandoned.refresh_from_db()
    assert abandoned.status == RollupRunStatus.FAILED and "Abandoned" in abandoned.error
    assert set(Rollup.objects.values_list("run_id", flat=True)) == {latest.pk}


def test_replaced_rows_a_stopped_worker_left_behind_go_at_the_next_run(programme, monkeypatch):
    first = rollups.rebuild_all(today=TODAY)
    monkeypatch.setattr(rollups, "_delete_replaced", lambda: None)  # the worker stops right after its switch
    second = rollups.rollup_period(programme["period"], today=TODAY)  # rewrites the levels above the sites
    replaced = Rollup.objects.filter(run=first).exclude(level=RollupLevel.SITE)
    assert replaced.exists() and not Rollup.objects.current().filter(pk__in=replaced).exists()
    monkeypatch.undo()

    third = rollups.rollup_period(programme["period"], today=TODAY)

    assert not Rollup.objects.filter(run__in=[first, second]).exclude(level=RollupLevel.SITE).exists()
    assert Rollup.objects.current().exclude(level=RollupLevel.SITE).filter(run=third).exists()
    assert Rollup.objects.current().filter(run=first, level=RollupLevel.SITE).exists(), "unchanged sites keep their rows"
