"""A full rebuild on PostgreSQL writes a new rollup table and swaps it in (docs/adr/0016-rollup-table-swap.md).

Writing 10 million rows into the live table costs three index entries and their write-ahead
log per row, and leaves the replaced 10 million to delete. Instead the run fills a table of its
own with no index but a small BRIN one (rows arrive period by period, so it finds a period's
site rows for the levels above in their few pages), builds the live table's indexes on it afterwards in
one sort each, analyses it, and then, in the switch's one transaction, takes the live table's
place: rows that a later run made current meanwhile are copied across, the old table is
dropped, and the new one takes its name, its indexes' names and its constraints' names. Readers
see the old complete set until that transaction commits, then the new one.

The indexes and constraints to build are read from the live table's catalog, so a migration
that changes them needs no change here. PostgreSQL only: SQLite builds in the live table.
"""

# ruff: noqa: S608 -- table and index names come from the catalog and the models; no user input.
from __future__ import annotations

import logging
import re

from django.db import OperationalError, connection, transaction

from metrics.models import Rollup, RollupRun, RollupRunStatus
from metrics.rollups import sql

logger = logging.getLogger(__name__)

LIVE = Rollup._meta.db_table
PREFIX = f"{LIVE}_build_"
# The swap waits at most this long for readers to let go of the live table (a long export, say),
# so that it never leaves the dashboards queued behind it; it then tries again a few times.
LOCK_TIMEOUT = "3s"
LOCK_TRIES = 5


def in_use() -> bool:
    return connection.vendor == "postgresql"


def table_for(run: RollupRun) -> str:
    return f"{PREFIX}{run.pk}"


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def create(run: RollupRun) -> str:
    """The run's empty table: the live table's columns, defaults, identity and checks."""
    name = quoted(table_for(run))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TABLE {name} (LIKE {quoted(LIVE)} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)")
        cursor.execute(
            f"CREATE INDEX {quoted(table_for(run) + '_period')} ON {name} USING brin (period_id) WITH (pages_per_range = 32)"
        )
    return name


def summarise_new_rows(run: RollupRun) -> None:
    """BRIN ranges are summarised only when asked (or by autovacuum, some time): until then a
    lookup reads every row. Asked after each period's site rows, it reads just those pages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT brin_summarize_new_values(%s::regclass)", [quoted(table_for(run) + "_period")])


def _live_indexes(cursor) -> list[tuple[str, str, str | None]]:
    """(name, definition, constraint type 'p'/'u' or None) of every index on the live table."""
    cursor.execute(
        "SELECT ci.relname, pg_get_indexdef(i.indexrelid), c.contype FROM pg_index i "
        "JOIN pg_class ci ON ci.oid = i.indexrelid "
        "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
        "WHERE i.indrelid = %s::regclass ORDER BY ci.relname",
        [quoted(LIVE)],
    )
    return cursor.fetchall()


def _temporary_index_name(run: RollupRun, number: int) -> str:
    return f"{table_for(run)}_ix{number}"


def build_indexes(run: RollupRun) -> None:
    """The live table's indexes, built on the run's table in one sort each, then its statistics."""
    table = table_for(run)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        try:
            for number, (_, definition, _) in enumerate(_live_indexes(cursor)):
                # "CREATE [UNIQUE] INDEX name ON schema.table USING …": the same, named for the run's table.
                statement, found = re.subn(
                    r"^(CREATE (?:UNIQUE )?INDEX) \S+ ON \S+ ",
                    rf"\1 {quoted(_temporary_index_name(run, number))} ON {quoted(table)} ",
                    definition,
                )
                if not found:
                    raise RuntimeError(f"Cannot rebuild the rollup table's index: {definition}")
                cursor.execute(statement)
            cursor.execute(f"DROP INDEX {quoted(table + '_period')}")
            cursor.execute(f"ANALYZE {quoted(table)}")
        finally:
            cursor.execute("RESET maintenance_work_mem")


def swap_in(run: RollupRun) -> None:
    """In the caller's (the switch's) transaction: the run's table becomes the rollup table.
    Current rows of runs later than this one are kept; every other row of the old table goes."""
    table = quoted(table_for(run))
    columns = sql.COLUMNS
    with connection.cursor() as cursor:
        for attempt in range(1, LOCK_TRIES + 1):
            cursor.execute("SAVEPOINT rollup_swap_lock")
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            try:
                cursor.execute(f"LOCK TABLE {sql.ROLLUP} IN ACCESS EXCLUSIVE MODE")
            except OperationalError:  # readers held on past the timeout: let them finish, then try again
                cursor.execute("ROLLBACK TO SAVEPOINT rollup_swap_lock")
                if attempt == LOCK_TRIES:
                    raise
                logger.warning("Rollup run %s: the rollup table is busy; trying the swap again", run.pk)
                continue
            cursor.execute("RESET lock_timeout")
            break
        indexes = _live_indexes(cursor)
        # A run that started after this one and switched meanwhile (they are expected one at a
        # time, but a run must never undo a later one): its current rows come across.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {', '.join('r.' + c.strip() for c in columns.split(','))} "
            f"FROM {sql.ROLLUP} r JOIN {sql.CURRENT} k ON k.period_id = r.period_id AND k.level = r.level "
            f"AND k.org_id = r.org_id AND k.run_id = r.run_id WHERE k.run_id > %s",
            [run.pk],
        )
        cursor.execute(f"DROP TABLE {sql.ROLLUP}")
        cursor.execute(f"ALTER TABLE {table} RENAME TO {sql.ROLLUP}")
        for number, (name, _, kind) in enumerate(indexes):
            built = quoted(_temporary_index_name(run, number))
            if kind == "p":
                cursor.execute(f"ALTER TABLE {sql.ROLLUP} ADD CONSTRAINT {quoted(name)} PRIMARY KEY USING INDEX {built}")
            elif kind == "u":
                cursor.execute(f"ALTER TABLE {sql.ROLLUP} ADD CONSTRAINT {quoted(name)} UNIQUE USING INDEX {built}")
            else:
                cursor.execute(f"ALTER INDEX {built} RENAME TO {quoted(name)}")


def drop(run_id: int) -> bool:
    """The run's table, if it is there. A worker that stalled (but lives) may still hold it:
    then it is left, for the next sweep, rather than waited for."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
            cursor.execute(f"DROP TABLE IF EXISTS {quoted(PREFIX + str(run_id))}")
    except OperationalError:
        logger.warning("Rollup run %s's table is still in use; it will be dropped later", run_id)
        return False
    return True


def drop_leftovers() -> list[int]:
    """Tables of runs that are no longer building (failed, swept, or a worker killed before it
    could drop its own): nobody will swap them in."""
    if not in_use():
        return []
    run_ids = [int(name[len(PREFIX) :]) for name in build_tables() if name[len(PREFIX) :].isdigit()]
    building = set(RollupRun.objects.filter(pk__in=run_ids, status=RollupRunStatus.BUILDING).values_list("pk", flat=True))
    return [run_id for run_id in run_ids if run_id not in building and drop(run_id)]


def build_tables() -> list[str]:
    """Runs' own tables still in the database, by name."""
    return sorted(name for name in connection.introspection.table_names() if name.startswith(PREFIX))


def rows_in(run: RollupRun) -> int:
    """How many rows the run has written to its table so far (tests, and admins' curiosity)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted(table_for(run))}")
        return cursor.fetchone()[0]
