"""A full rebuild on PostgreSQL builds its own table and swaps it in (metrics.rollup_swap): the
table it leaves is the one the migrations made, with the same figures an in-place build gives,
and nothing of a failed or abandoned build is left behind. PostgreSQL only: SQLite builds in
place (the rest of the rollup suite runs on both)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from metrics.models import ReportingPeriod, Rollup, RollupRun, RollupRunStatus
from metrics.rollups import build as rollups
from metrics.rollups import sql as rollup_sql
from metrics.rollups import swap as rollup_swap
from tests.metrics.rollup_world import TODAY, rolled_up_world

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the table swap is PostgreSQL's; CI runs on it")


def _schema() -> tuple[list, list]:
    """The rollup table's indexes and constraints as PostgreSQL describes them, names included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [rollup_swap.LIVE])
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY conname",
            [rollup_swap.LIVE],
        )
        return indexes, cursor.fetchall()


def _figures() -> list[tuple]:
    return sorted(
        Rollup.objects.current().values_list(
            "period_id", "level", "org_id", "metric_id", "category_id", "sum_numerator", "sum_denominator", "rate",
            "units_reporting", "units_suppressed", "units_expected", "provisional",
        )
    )  # fmt: skip


def test_the_swapped_in_table_has_the_migrations_indexes_and_constraints_and_the_same_figures(catalogue):
    schema_before = _schema()
    rolled_up_world(sites=3, months=2)  # one full rebuild, swapped in
    figures = _figures()
    assert _schema() == schema_before, "same index and constraint names and definitions as the migrations made"
    assert not rollup_swap.build_tables()
    assert figures and set(Rollup.objects.values_list("run_id", flat=True)) == {RollupRun.objects.latest("pk").pk}

    second = rollups.rebuild_all(today=TODAY)

    assert _figures() == figures, "a second swap gives the same figures"
    assert set(Rollup.objects.values_list("run_id", flat=True)) == {second.pk}, "the replaced rows went with the old table"
    assert _schema() == schema_before


def test_a_full_rebuild_gives_the_same_rows_as_building_in_place(catalogue, monkeypatch):
    rolled_up_world(sites=3, months=3)
    swapped = _figures()
    monkeypatch.setattr(rollup_swap, "in_use", lambda: False)

    rollups.rebuild_all(today=TODAY)

    assert _figures() == swapped


def test_tables_of_runs_that_stopped_are_dropped_by_the_next_rebuild(catalogue):
    rolled_up_world(sites=2, months=1)
    stopped = RollupRun.objects.create(trigger="nightly", status=RollupRunStatus.BUILDING)
    rollup_swap.create(stopped)  # its worker was killed while it built
    RollupRun.objects.filter(pk=stopped.pk).update(started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    assert rollup_swap.build_tables() == [rollup_swap.table_for(stopped)]

    rollups.rebuild_all(today=TODAY)

    assert not rollup_swap.build_tables()
    stopped.refresh_from_db()
    assert stopped.status == RollupRunStatus.FAILED, "swept as abandoned"


def test_a_table_still_being_built_is_left_alone(catalogue):
    rolled_up_world(sites=2, months=1)
    building = RollupRun.objects.create(trigger="nightly", status=RollupRunStatus.BUILDING)
    rollup_swap.create(building)

    assert rollup_swap.drop_leftovers() == []
    assert rollup_swap.build_tables() == [rollup_swap.table_for(building)]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_periods_are_built_in_lanes_with_the_same_figures(catalogue, settings, monkeypatch):
    """The worker's case: no transaction around the run, so its periods are shared among
    connections (threads); the figures are those of one lane."""
    settings.ROLLUP_BUILD_CONNECTIONS = 1
    rolled_up_world(sites=3, months=4)
    one_lane = _figures()
    lanes_used = []
    real_in_lanes = rollups._in_lanes
    monkeypatch.setattr(rollups, "_in_lanes", lambda lanes, *args: lanes_used.append(lanes) or real_in_lanes(lanes, *args))
    settings.ROLLUP_BUILD_CONNECTIONS = 3

    run = rollups.rebuild_all(today=TODAY)

    assert lanes_used == [3]
    assert _figures() == one_lane
    assert (run.steps_done, run.rows) == (run.steps_total, Rollup.objects.count())
    assert not rollup_swap.build_tables()


@pytest.mark.django_db(transaction=True)
def test_a_lane_that_fails_fails_the_run_and_leaves_the_previous_figures(catalogue, settings, monkeypatch):
    rolled_up_world(sites=2, months=4)
    before = _figures()
    settings.ROLLUP_BUILD_CONNECTIONS = 2
    real_insert = rollup_sql.insert_levels_above
    months = sorted(ReportingPeriod.objects.values_list("pk", flat=True))

    def one_period_fails(**kwargs):
        if kwargs["period_id"] == months[-1]:
            raise RuntimeError("disk full")
        return real_insert(**kwargs)

    monkeypatch.setattr(rollup_sql, "insert_levels_above", one_period_fails)

    with pytest.raises(RuntimeError, match="disk full"):
        rollups.rebuild_all(today=TODAY)

    assert _figures() == before
    failed = RollupRun.objects.get(status=RollupRunStatus.FAILED)
    assert "disk full" in failed.error and not rollup_swap.build_tables()
