"""The set-based SQL behind `metrics.rollups.build`, written once for PostgreSQL and SQLite alike.

For each period a run makes two INSERT … SELECT statements: the site level, from the returns'
signed-off values; then every level above it (ICB, region, England, wave), each its own
GROUP BY over the site rows, grouped once by (ICB, region, wave) first: the ICB a site's Place
belonged to in that month (its membership then), and that ICB's region. Table names come from
the models; every value is a bound parameter. Portability points:
- sums are CAST to BIGINT so that the rate's division is integer division on both
  (PostgreSQL's SUM(bigint) is numeric, SQLite's SUM is an integer);
- the rate is rounded half up to six places in integer arithmetic,
  (Σnum × 10⁹ + Σden div 2) div Σden, then scaled by 10⁶: exact on both, never a float average;
- booleans are written TRUE/FALSE and aggregated as counts (PostgreSQL has no MAX(boolean)).
"""

# ruff: noqa: S608 -- the SQL is composed of table names from the models and fixed fragments; values are bound.
from __future__ import annotations

from django.db import connection

from metrics.models import (
    BreakdownCategory,
    CurrentRollup,
    ReportingPeriod,
    Return,
    ReturnStatus,
    ReturnValue,
    Rollup,
    RollupLevel,
)
from sites.models import ICB, Place, PlaceICBMembership, Site, SiteStatus, Wave


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


ROLLUP, CURRENT, RETURN = _table(Rollup), _table(CurrentRollup), _table(Return)


def _join_sites(on: str) -> str:
    """Site s (joined on `on`), its wave w, place pl and ICB i: where a site sits in the programme."""
    return (
        f"JOIN {_table(Site)} s ON {on} JOIN {_table(Wave)} w ON w.id = s.wave_id "
        f"JOIN {_table(Place)} pl ON pl.id = s.place_id JOIN {_table(ICB)} i ON i.id = pl.icb_id"
    )


def icb_in_month(place: str, day: str) -> str:
    """The id of the ICB Place `place` belonged to on `day` (a period's first day): its membership
    in force then (`PlaceICBMembership`), else its ICB. One index lookup per site and period, in
    SQL; the latest-starting membership wins should two ever overlap, so a site is never counted
    twice."""
    return (
        f"COALESCE((SELECT m.icb_id FROM {_table(PlaceICBMembership)} m WHERE m.place_id = {place}.id "
        f"AND m.effective_from <= {day} AND (m.effective_to IS NULL OR m.effective_to >= {day}) "
        f"ORDER BY m.effective_from DESC LIMIT 1), {place}.icb_id)"
    )


NATIONAL_ORG_ID = 0
# The levels above the site, and the column of the (ICB, region, wave) grouping naming their organisation.
ABOVE = (
    (RollupLevel.ICB, "icb_id"),
    (RollupLevel.REGION, "region_id"),
    (RollupLevel.NATIONAL, None),
    (RollupLevel.WAVE, "wave_id"),
)

COLUMNS = (
    "run_id, period_id, level, org_id, metric_id, category_id, version_id, sum_numerator, sum_denominator, rate, "
    "units_reporting, units_suppressed, units_expected, provisional"
)
RATE = "CASE WHEN g.den > 0 AND g.num IS NOT NULL THEN (g.num * 1000000000 + g.den / 2) / g.den / 1000000.0 END"
PROVISIONAL = "(r.status <> %s OR p.final_submission_due >= %s)"  # not final: a return that may still change
EXPECTED = "(s.status <> %s AND w.start_date <= p.period_end)"  # due to report: wave started, not exited

# Every cell counts towards its own category and, where they differ, its comparable one:
# a v1.2 return's 80-89 and 90+ also make its 80+, the category a v1.1 return files directly.
CATEGORY_TARGETS = (
    f"SELECT c.id AS source_id, c.id AS target_id FROM {_table(BreakdownCategory)} c "
    f"UNION ALL SELECT c.id, t.id FROM {_table(BreakdownCategory)} c "
    f"JOIN {_table(BreakdownCategory)} t ON t.code = c.comparable_code WHERE t.id <> c.id"
)


def insert_sites(*, run_id: int, period_id: int, today, only_changed: bool, table: str = ROLLUP) -> tuple[str, list]:
    """Site level, from each return's signed-off version. A site's cell is suppressed when any
    figure in it is (numerator or denominator, or either band of a derived 80+): it then adds
    nothing to either sum, rather than a partial figure or a zero. With `only_changed`, only
    sites whose pointer no longer matches their return (a new version signed off, or a change
    in whether it is provisional or expected) are written; the others keep their rows. `table`
    is where the rows go: the rollup table, or a full rebuild's new table (`metrics.rollups.swap`)."""
    suppressed = "MAX(CASE WHEN v.numerator_suppressed OR v.denominator_suppressed THEN 1 ELSE 0 END)"
    unchanged = (
        f"AND NOT EXISTS (SELECT 1 FROM {CURRENT} k WHERE k.period_id = r.period_id AND k.level = %s "
        f"AND k.org_id = r.site_id AND k.version_id = r.signed_off_version_id "
        f"AND k.provisional = {PROVISIONAL} AND k.expected = {EXPECTED})"
    )
    signature = [ReturnStatus.SUBMITTED, today, SiteStatus.EXITED]
    # The changed returns are picked first, on their own: joined after the values instead, as the
    # planner otherwise chooses, they cost a scan of every value of every period.
    changed = (
        f"WITH changed AS MATERIALIZED (SELECT r.id FROM {RETURN} r "
        f"JOIN {_table(ReportingPeriod)} p ON p.id = r.period_id {_join_sites('s.id = r.site_id')} "
        f"WHERE r.period_id = %s AND r.signed_off_version_id IS NOT NULL {unchanged}) "
    )
    inner = (
        f"SELECT r.period_id, r.site_id AS org_id, v.metric_id, t.target_id AS category_id, "
        f"MAX(r.signed_off_version_id) AS version_id, "
        f"CASE WHEN {suppressed} = 1 THEN NULL ELSE CAST(SUM(v.numerator) AS BIGINT) END AS num, "
        f"CASE WHEN {suppressed} = 1 THEN NULL ELSE CAST(SUM(v.denominator) AS BIGINT) END AS den, "
        f"{suppressed} AS suppressed, "
        f"MAX(CASE WHEN {PROVISIONAL} THEN 1 ELSE 0 END) AS provisional, "
        f"MAX(CASE WHEN {EXPECTED} THEN 1 ELSE 0 END) AS expected "
        f"FROM {_table(ReturnValue)} v JOIN {RETURN} r ON r.signed_off_version_id = v.version_id "
        f"JOIN {_table(ReportingPeriod)} p ON p.id = r.period_id {_join_sites('s.id = r.site_id')} "
        f"JOIN ({CATEGORY_TARGETS}) t ON t.source_id = v.category_id "
        f"WHERE r.period_id = %s {'AND r.id IN (SELECT id FROM changed)' if only_changed else ''} "
        f"GROUP BY r.period_id, r.site_id, v.metric_id, t.target_id"
    )
    sql = (
        f"INSERT INTO {table} ({COLUMNS}) {changed if only_changed else ''}"
        f"SELECT %s, g.period_id, %s, g.org_id, g.metric_id, g.category_id, g.version_id, g.num, g.den, {RATE}, "
        f"1, g.suppressed, g.expected, CASE WHEN g.provisional > 0 THEN TRUE ELSE FALSE END FROM ({inner}) g "
        f"ORDER BY g.org_id, g.metric_id, g.category_id"  # the index's order: written in runs, not scattered
    )
    params = [run_id, RollupLevel.SITE, *signature, period_id]
    return sql, ([period_id, RollupLevel.SITE, *signature] if only_changed else []) + params


def _site_rows(*, run_id: int, period_id: int, incremental: bool, table: str) -> tuple[str, list]:
    """The site rows the levels above are summed from: this run's, and in an incremental run
    also the current rows of the sites it did not rewrite (their figures have not changed), so
    every level of the run sums the same site rows readers will see."""
    columns = (
        "c.period_id, c.org_id, c.metric_id, c.category_id, c.sum_numerator, c.sum_denominator, "
        "c.units_reporting, c.units_suppressed, c.provisional"
    )
    sql = f"SELECT {columns} FROM {table} c WHERE c.period_id = %s AND c.level = %s AND c.run_id = %s"
    params = [period_id, RollupLevel.SITE, run_id]
    if incremental:
        sql += (
            f" UNION ALL SELECT {columns} FROM {ROLLUP} c JOIN {CURRENT} k ON k.period_id = c.period_id "
            f"AND k.level = c.level AND k.org_id = c.org_id AND k.run_id = c.run_id "
            f"WHERE c.period_id = %s AND c.level = %s AND NOT EXISTS (SELECT 1 FROM {ROLLUP} n "
            f"WHERE n.period_id = c.period_id AND n.level = c.level AND n.org_id = c.org_id AND n.run_id = %s) "
            f"AND EXISTS (SELECT 1 FROM {RETURN} r WHERE r.period_id = c.period_id AND r.site_id = c.org_id "
            f"AND r.signed_off_version_id IS NOT NULL)"  # not a site whose return has since been removed
        )
        params += [period_id, RollupLevel.SITE, run_id]
    return sql, params


def _each_level(source: str, keys: tuple[str, ...], sums: str) -> tuple[str, list]:
    """One GROUP BY per level above the site over `source`, grouped by (ICB, region, wave)."""
    parts = []
    for _, org in ABOVE:
        group = ", ".join(["period_id", *([org] if org else []), *keys])
        parts.append(f"SELECT %s AS level, period_id, {org or NATIONAL_ORG_ID} AS org_id, {sums} FROM {source} GROUP BY {group}")
    return " UNION ALL ".join(parts), [level for level, _ in ABOVE]


def insert_levels_above(*, run_id: int, period_id: int, incremental: bool, table: str = ROLLUP) -> tuple[str, list]:
    """ICB, region, England and wave for one period, from the site rows in `table`: sums add up,
    and so do the units reporting and suppressed; a level is provisional if any site under it is."""
    rows, rows_params = _site_rows(run_id=run_id, period_id=period_id, incremental=incremental, table=table)
    sums = (
        "metric_id, category_id, CAST(SUM(num) AS BIGINT) AS num, CAST(SUM(den) AS BIGINT) AS den, "
        "SUM(reporting) AS reporting, SUM(suppressed) AS suppressed, SUM(provisional) AS provisional"
    )
    levels, levels_params = _each_level("by_place", ("metric_id", "category_id"), sums)
    expected, expected_params = _each_level("due", (), "SUM(n) AS n")
    sql = (
        f"INSERT INTO {table} ({COLUMNS}) "
        f"WITH c AS ({rows}), "
        # Where each site sits in the period's month, looked up once per site rather than per row:
        # the ICB its Place belonged to then, and that ICB's region; and whether it was due to report.
        f"o AS MATERIALIZED (SELECT x.period_id, x.site_id, x.icb_id, i.region_id, x.wave_id, x.due FROM ("
        f"SELECT p.id AS period_id, s.id AS site_id, s.wave_id, CASE WHEN {EXPECTED} THEN 1 ELSE 0 END AS due, "
        f"{icb_in_month('pl', 'p.period_start')} AS icb_id "
        f"FROM {_table(ReportingPeriod)} p JOIN {_table(Site)} s ON p.id = %s JOIN {_table(Wave)} w ON w.id = s.wave_id "
        f"JOIN {_table(Place)} pl ON pl.id = s.place_id) x JOIN {_table(ICB)} i ON i.id = x.icb_id), "
        f"by_place AS (SELECT c.period_id, o.icb_id, o.region_id, o.wave_id, c.metric_id, c.category_id, "
        f"CAST(SUM(c.sum_numerator) AS BIGINT) AS num, CAST(SUM(c.sum_denominator) AS BIGINT) AS den, "
        f"SUM(c.units_reporting) AS reporting, SUM(c.units_suppressed) AS suppressed, "
        f"SUM(CASE WHEN c.provisional THEN 1 ELSE 0 END) AS provisional "
        f"FROM c JOIN o ON o.site_id = c.org_id "
        f"GROUP BY c.period_id, o.icb_id, o.region_id, o.wave_id, c.metric_id, c.category_id), "
        f"due AS (SELECT period_id, icb_id, region_id, wave_id, COUNT(*) AS n FROM o WHERE due = 1 "
        f"GROUP BY period_id, icb_id, region_id, wave_id) "
        f"SELECT %s, g.period_id, g.level, g.org_id, g.metric_id, g.category_id, NULL, g.num, g.den, {RATE}, "
        f"g.reporting, g.suppressed, COALESCE(e.n, 0), CASE WHEN g.provisional > 0 THEN TRUE ELSE FALSE END "
        f"FROM ({levels}) g LEFT JOIN ({expected}) e "
        f"ON e.period_id = g.period_id AND e.level = g.level AND e.org_id = g.org_id"
    )
    params = [*rows_params, SiteStatus.EXITED, period_id, run_id, *levels_params, *expected_params]
    return sql, params


# Switching readers to a run: statements run in one transaction by `metrics.rollups.build`.


def _new_pointers(run_id: int, period_id: int | None) -> tuple[str, list]:
    """One pointer per (period, level, organisation) the run wrote, with what a site's rows were built from."""
    period_sql = "" if period_id is None else "AND period_id = %s"
    sql = (
        f"SELECT period_id, level, org_id, MAX(version_id) AS version_id, "
        f"CASE WHEN MAX(CASE WHEN provisional THEN 1 ELSE 0 END) = 1 THEN TRUE ELSE FALSE END AS provisional, "
        f"CASE WHEN MAX(units_expected) > 0 THEN TRUE ELSE FALSE END AS expected "
        f"FROM {ROLLUP} WHERE run_id = %s {period_sql} GROUP BY period_id, level, org_id"
    )
    return sql, [run_id] + ([] if period_id is None else [period_id])


def switch_pointers(*, run_id: int, period_id: int | None, remember_replaced: bool = True) -> list[tuple[str, list]]:
    """Point every (period, level, organisation) the run wrote at it, unless a later run already
    has; remember the run each pointer leaves, whose rows are deleted after the switch (unless
    they have gone already, with the table a full rebuild replaced)."""
    new, new_params = _new_pointers(run_id, period_id)
    key = "k.period_id = n.period_id AND k.level = n.level AND k.org_id = n.org_id"
    return [
        # Summed once, read twice; created and dropped inside the switch's transaction.
        (f"CREATE TEMPORARY TABLE rollup_new_pointers AS {new}", new_params),
        (
            f"UPDATE {CURRENT} AS k SET replaced_run_id = {'k.run_id' if remember_replaced else 'NULL'}, "
            f"run_id = %s, version_id = n.version_id, "
            f"provisional = n.provisional, expected = n.expected FROM rollup_new_pointers AS n "
            f"WHERE {key} AND k.run_id < %s",
            [run_id, run_id],
        ),
        (
            f"INSERT INTO {CURRENT} (period_id, level, org_id, run_id, version_id, provisional, expected) "
            f"SELECT n.period_id, n.level, n.org_id, %s, n.version_id, n.provisional, n.expected "
            f"FROM rollup_new_pointers n WHERE NOT EXISTS (SELECT 1 FROM {CURRENT} k WHERE {key})",
            [run_id],
        ),
        ("DROP TABLE rollup_new_pointers", []),
    ]


def stale_pointers(*, run_id: int, period_id: int | None) -> tuple[str, list]:
    """Pointers of the run's periods that it should have rewritten but did not: an organisation
    with no figures any more (a level above the site, or after a full rebuild anything), or a
    site with no signed-off return. A site the run left alone (unchanged) is not stale."""
    if period_id is None:
        return f"SELECT k.id FROM {CURRENT} k WHERE k.run_id < %s", [run_id]
    no_return = (
        f"NOT EXISTS (SELECT 1 FROM {RETURN} r WHERE r.period_id = k.period_id "
        f"AND r.site_id = k.org_id AND r.signed_off_version_id IS NOT NULL)"
    )
    sql = f"SELECT k.id FROM {CURRENT} k WHERE k.run_id < %s AND k.period_id = %s AND (k.level <> %s OR {no_return})"
    return sql, [run_id, period_id, RollupLevel.SITE]


def delete_rows_of_pointers(pointers_sql: str, run_column: str) -> str:
    """The rows a set of pointers (`SELECT k.id …`) names through `run_column` (run_id or replaced_run_id)."""
    return (
        f"DELETE FROM {ROLLUP} WHERE EXISTS (SELECT 1 FROM {CURRENT} k WHERE k.id IN ({pointers_sql}) "
        f"AND k.period_id = {ROLLUP}.period_id AND k.level = {ROLLUP}.level AND k.org_id = {ROLLUP}.org_id "
        f"AND k.{run_column} = {ROLLUP}.run_id)"
    )


REPLACED = f"SELECT k.id FROM {CURRENT} k WHERE k.replaced_run_id IS NOT NULL"


def delete_superseded(*, run_id: int) -> tuple[str, list]:
    """The run's own rows where a later run's are current: they will never be read."""
    sql = (
        f"DELETE FROM {ROLLUP} WHERE run_id = %s AND EXISTS (SELECT 1 FROM {CURRENT} k "
        f"WHERE k.period_id = {ROLLUP}.period_id AND k.level = {ROLLUP}.level AND k.org_id = {ROLLUP}.org_id "
        f"AND k.run_id > %s)"
    )
    return sql, [run_id, run_id]
