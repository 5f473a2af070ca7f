"""Rollups: signed-off returns summed into every level the dashboards read (docs/adr/0008-rollups.md).

The rules they enforce:
- built only from each return's latest signed-off version;
- a rate is Σ numerator / Σ denominator × 1,000 of the units whose cell was not suppressed,
  never an average of rates; a suppressed cell is in neither sum and is counted as suppressed;
- a v1.1 return's 80+ and a v1.2 return's 80-89 + 90+ are summed together as 80+;
- never half-written: a run writes new rows, and readers switch to them in one transaction once
  they are complete (`Rollup.objects.current()`); a failed run leaves the previous rows in place
  and removes its own.

Runs are expected one at a time (`metrics.rollups.jobs` holds the lock); a later run still wins
over an earlier one that finishes after it. Each step stamps the run's heartbeat (database
time); a run with no sign of life for long is abandoned: swept, and refused at its switch.
"""

from __future__ import annotations

import datetime
import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from metrics.models import CurrentRollup, ReportingPeriod, Rollup, RollupRun, RollupRunStatus
from metrics.rollups import sql
from metrics.rollups import swap as rollup_swap

logger = logging.getLogger(__name__)

# A run still "building" with no heartbeat for this long belongs to a worker that stopped: its
# rows are removed. `metrics.rollups.jobs`, holding the lock, uses two lock leases instead.
ABANDONED_AFTER = timedelta(minutes=10)


class RunAbandoned(RuntimeError):
    """The run was swept as abandoned while it built (its worker stalled past its lease)."""


def rebuild_all(*, trigger: str = "command", today: datetime.date | None = None) -> RollupRun:
    """Rebuild every period's rollups, every site afresh, then switch readers to them."""
    clear_abandoned_runs()
    run = _build(period=None, trigger=trigger, today=today)
    with connection.cursor() as cursor:  # both tables were replaced: plans need their new statistics
        if not rollup_swap.in_use():  # a swapped-in table was analysed before the swap
            cursor.execute(f"ANALYZE {sql.ROLLUP}")  # noqa: S608
        # Stale pointer statistics make `Rollup.objects.current()` look as if it kept a handful of
        # rows, and PostgreSQL then sorts millions rather than walk an index to the first page.
        cursor.execute(f"ANALYZE {sql.CURRENT}")  # noqa: S608
    return run


def reclaim_space() -> None:
    """After a full rebuild, the replaced rows' space (PostgreSQL, outside a transaction). The
    autovacuum daemon would get there; the nightly job does not wait for it."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {sql.ROLLUP}, {sql.CURRENT}")  # noqa: S608


def rollup_period(period: ReportingPeriod, *, trigger: str = "command", today: datetime.date | None = None) -> RollupRun:
    """Bring one period's rollups up to date (after a sign-off). Only the sites whose signed-off
    version, provisional or expected state changed get new rows; every level above the site
    is summed again. The result is the same as a full rebuild's for that period."""
    return _build(period=period, trigger=trigger, today=today)


def _build(*, period: ReportingPeriod | None, trigger: str, today: datetime.date | None) -> RollupRun:
    today = today or timezone.localdate()
    periods = [period] if period else list(ReportingPeriod.objects.order_by("month"))
    incremental = period is not None
    _delete_replaced()  # left by a run that stopped between its switch and its clean-up
    # Created (and committed) before the returns are read: a run with a higher id than any run
    # that existed when a sign-off committed has read that sign-off (`metrics.rollups.jobs`).
    run = RollupRun.objects.create(period=period, trigger=trigger, steps_total=2 * len(periods) + 1)
    # A full rebuild on PostgreSQL fills a table of its own and swaps it in (`metrics.rollups.swap`).
    swap = not incremental and rollup_swap.in_use()
    try:
        table = rollup_swap.create(run) if swap else sql.ROLLUP
        run.source_read_at = timezone.now()
        run.save(update_fields=["source_read_at"])

        def build(chunk: list[ReportingPeriod], stop: threading.Event | None = None) -> None:
            _build_periods(run, chunk, table=table, today=today, incremental=incremental, swap=swap, stop=stop)

        lanes = settings.ROLLUP_BUILD_CONNECTIONS if swap and not connection.in_atomic_block else 1
        if lanes > 1:
            _in_lanes(lanes, periods, build)
        else:
            build(periods)
        run.refresh_from_db(fields=["rows", "steps_done"])
        if swap:
            rollup_swap.build_indexes(run)
        _switch(run, period.pk if period else None, swap=swap)
    except Exception as exc:
        _fail(run, exc, period.pk if period else None, swap=swap)
        raise
    _delete_replaced()
    return run


def _build_periods(
    run: RollupRun,
    periods: list[ReportingPeriod],
    *,
    table: str,
    today: datetime.date,
    incremental: bool,
    swap: bool,
    stop: threading.Event | None = None,
) -> None:
    """Each period's site level, then the levels above it, each in its own transaction."""
    for each in periods:
        if stop is not None and stop.is_set():  # another lane failed: the run is lost anyway
            return
        for reads_new_rows in (False, True):
            if reads_new_rows:
                statement = sql.insert_levels_above(run_id=run.pk, period_id=each.pk, incremental=incremental, table=table)
            else:
                statement = sql.insert_sites(run_id=run.pk, period_id=each.pk, today=today, only_changed=incremental, table=table)
            with transaction.atomic(), connection.cursor() as cursor, _planner_hints(cursor, reads_new_rows, swap):
                cursor.execute(*statement)
                written = max(cursor.rowcount, 0)
                if swap and not reads_new_rows:
                    rollup_swap.summarise_new_rows(run)  # for the levels above to find them
            # Progress, visible in admin while it builds, and the run's sign of life.
            RollupRun.objects.filter(pk=run.pk).update(
                rows=F("rows") + written, steps_done=F("steps_done") + 1, heartbeat_at=Now()
            )


def _in_lanes(lanes: int, periods: list[ReportingPeriod], build) -> None:
    """A full rebuild's periods shared among `lanes` threads, each on its own connection (an
    INSERT … SELECT runs on one core: the hand-written single statement gets parallel workers
    for the same work). Only outside a transaction: the lanes must see the run's table."""
    errors: list[BaseException] = []
    stop = threading.Event()

    def lane(chunk: list[ReportingPeriod]) -> None:
        try:
            build(chunk, stop)
        except BaseException as exc:  # handed to the caller, which fails the run
            errors.append(exc)
            stop.set()
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=lane, args=(periods[n::lanes],), name=f"rollup-lane-{n}") for n in range(lanes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@contextmanager
def _planner_hints(cursor, reads_new_rows: bool, swap: bool) -> Iterator[None]:
    """PostgreSQL only, for one statement. The levels above the site read rows this run has just
    written, which are not in the planner's statistics yet: expecting a handful, it would nest
    loops over them (hundreds of sites × every row), so hash joins are asked for. Memory enough
    to aggregate a period's site rows in a hash table rather than sort them on disk; and no JIT
    compilation (up to half a second a statement), which never pays for itself here."""
    if connection.vendor != "postgresql":
        yield
        return
    hints = ["SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'"]
    if reads_new_rows:
        hints += ["SET LOCAL enable_nestloop = off"]
        # The run's own table has no statistics yet either: its BRIN index is asked for, and hash
        # aggregation rather than sorting the period's site rows (a third quicker).
        hints += ["SET LOCAL enable_seqscan = off", "SET LOCAL enable_sort = off"] if swap else []
    cursor.execute("; ".join(hints))
    yield
    cursor.execute("RESET jit; RESET work_mem; RESET enable_nestloop; RESET enable_seqscan; RESET enable_sort")


@transaction.atomic
def _switch(run: RollupRun, period_id: int | None, *, swap: bool = False) -> None:
    """Readers move to the run's rows in this one transaction: every pointer the run rewrote,
    and none that a later run already holds. Organisations and sites with no figures any more
    lose their pointers and rows. With `swap`, the run's own table first becomes the rollup
    table: the rows it replaces went with the old table."""
    if not RollupRun.objects.select_for_update().filter(pk=run.pk, status=RollupRunStatus.BUILDING).exists():
        raise RunAbandoned(f"Rollup run {run.pk} was swept as abandoned before it could switch.")
    if swap:
        rollup_swap.swap_in(run)
    with connection.cursor() as cursor:
        stale, stale_params = sql.stale_pointers(run_id=run.pk, period_id=period_id)
        for statement in sql.switch_pointers(run_id=run.pk, period_id=period_id, remember_replaced=not swap):
            cursor.execute(*statement)
        if not swap:
            cursor.execute(sql.delete_rows_of_pointers(stale, "run_id"), stale_params)
        cursor.execute(f"DELETE FROM {sql.CURRENT} WHERE id IN ({stale})", stale_params)  # noqa: S608
        if CurrentRollup.objects.filter(run_id__gt=run.pk).exists():
            cursor.execute(*sql.delete_superseded(run_id=run.pk))
    run.status, run.finished_at, run.steps_done = RollupRunStatus.COMPLETE, timezone.now(), run.steps_total
    run.save(update_fields=["status", "finished_at", "steps_done"])


def _delete_replaced() -> None:
    """After a switch, the rows of the runs its pointers left: nobody reads them any more."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.delete_rows_of_pointers(sql.REPLACED, "replaced_run_id"))
        CurrentRollup.objects.filter(replaced_run_id__isnull=False).update(replaced_run_id=None)


def _fail(run: RollupRun, exc: BaseException, period_id: int | None, *, swap: bool = False) -> None:
    """Record why the run failed and take its half-built rows away; readers never saw them."""
    logger.exception("Rollup run %s failed", run.pk)
    try:
        if swap:
            rollup_swap.drop(run.pk)
        rows = Rollup.objects.filter(run=run)
        (rows.filter(period_id=period_id) if period_id else rows).delete()
        RollupRun.objects.filter(pk=run.pk).update(
            status=RollupRunStatus.FAILED,
            finished_at=timezone.now(),
            error="".join(traceback.format_exception(exc))[-4000:],
        )
    except Exception:  # the database itself may be what failed: the abandoned-run sweep will tidy up
        logger.exception("Could not record the failure of rollup run %s", run.pk)


@transaction.atomic
def clear_abandoned_runs(*, idle_for: timedelta = ABANDONED_AFTER) -> list[int]:
    """Runs still building with no heartbeat (or start) for `idle_for`, by the database's clock:
    marked failed and their rows removed. Locked first, so a run switching now is left alone."""
    last_sign_of_life = Coalesce(F("heartbeat_at"), F("started_at"))
    abandoned = list(
        RollupRun.objects.select_for_update()
        .alias(last_sign_of_life=last_sign_of_life)
        .filter(status=RollupRunStatus.BUILDING, last_sign_of_life__lt=Now() - Value(idle_for))
        .values_list("pk", flat=True)
    )
    if abandoned:
        RollupRun.objects.filter(pk__in=abandoned).update(
            status=RollupRunStatus.FAILED, finished_at=timezone.now(), error="Abandoned: the worker stopped before finishing."
        )
        Rollup.objects.filter(run_id__in=abandoned).delete()
        for run_id in abandoned if rollup_swap.in_use() else ():
            rollup_swap.drop(run_id)
        logger.warning("Rollup runs %s were abandoned by their worker; their rows are removed", abandoned)
    return abandoned


def latest_run(period: ReportingPeriod) -> RollupRun | None:
    """The latest run whose figures readers see for `period` (at least its totals)."""
    pointer = CurrentRollup.objects.filter(period=period).select_related("run").order_by("-run_id").first()
    return pointer.run if pointer else None
