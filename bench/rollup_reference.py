"""The benchmark's yardstick: the rollups' sums written by hand as ONE SQL statement.

The same figures as `metrics.rollups.build` at every level (site, ICB, region, wave, England): Σ
numerator, Σ denominator, rate per 1,000 (rounded half up to 6 places), units reporting and
suppressed, built from each return's signed-off version with 80-89 and 90+ also counted as 80+
and a site's cell suppressed (in neither sum) if any figure in it is; a site's ICB is its
Place's in that month (docs/adr/0017). It leaves out what a
dashboard needs but a single aggregation does not (units expected, provisional, generations and
pointers) and writes to an unindexed temporary table (no write-ahead log), so the ratio against
it is, if anything, unkind to the real rebuild. It runs with the rebuild's own settings (64 MB of
work_mem, no JIT). On PostgreSQL
the levels are one GROUP BY GROUPING SETS; SQLite has none, so there it is a UNION ALL.
"""

# ruff: noqa: S608 -- table names from the models; no user input.
from __future__ import annotations

from django.db import connection

from metrics.models import BreakdownCategory, ReportingPeriod, Return, ReturnValue, Rollup
from metrics.rollups.sql import icb_in_month
from sites.models import ICB, Place, Site

TABLE = "bench_reference_rollup"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _where_sites_were() -> str:
    """Each site's ICB (its Place's membership that month, `metrics.rollups.sql.icb_in_month`), that
    ICB's region and its wave, per period: sites × months rows, joined to the cells."""
    return (
        f"SELECT x.period_id, x.site_id, x.icb_id, i.region_id, x.wave_id FROM (SELECT p.id AS period_id, "
        f"s.id AS site_id, s.wave_id, {icb_in_month('pl', 'p.period_start')} AS icb_id FROM {_t(ReportingPeriod)} p "
        f"CROSS JOIN {_t(Site)} s JOIN {_t(Place)} pl ON pl.id = s.place_id) x JOIN {_t(ICB)} i ON i.id = x.icb_id"
    )


def _site_cells() -> str:
    suppressed = "MAX(CASE WHEN v.numerator_suppressed OR v.denominator_suppressed THEN 1 ELSE 0 END)"
    return (
        f"SELECT r.period_id, r.site_id, o.icb_id, o.region_id, o.wave_id, v.metric_id, t.target_id AS category_id, "
        f"CASE WHEN {suppressed} = 1 THEN NULL ELSE SUM(v.numerator) END AS num, "
        f"CASE WHEN {suppressed} = 1 THEN NULL ELSE SUM(v.denominator) END AS den, {suppressed} AS suppressed "
        f"FROM {_t(ReturnValue)} v JOIN {_t(Return)} r ON r.signed_off_version_id = v.version_id "
        f"JOIN ({_where_sites_were()}) o ON o.period_id = r.period_id AND o.site_id = r.site_id "
        f"JOIN (SELECT c.id AS source_id, c.id AS target_id FROM {_t(BreakdownCategory)} c UNION ALL "
        f"SELECT c.id, t.id FROM {_t(BreakdownCategory)} c JOIN {_t(BreakdownCategory)} t ON t.code = c.comparable_code "
        f"WHERE t.id <> c.id) t ON t.source_id = v.category_id "
        f"GROUP BY r.period_id, r.site_id, o.icb_id, o.region_id, o.wave_id, v.metric_id, t.target_id"
    )


RATE = "CASE WHEN SUM(den) > 0 AND SUM(num) IS NOT NULL THEN (SUM(num) * 1000000000 + SUM(den) / 2) / SUM(den) / 1000000.0 END"
SUMS = f"CAST(SUM(num) AS BIGINT) AS num, CAST(SUM(den) AS BIGINT) AS den, {RATE} AS rate, COUNT(*) AS reporting, SUM(suppressed) AS suppressed"


def statement() -> str:
    create = f"CREATE TEMPORARY TABLE {TABLE} AS "
    if connection.vendor == "postgresql":
        # SUM(bigint) is numeric on PostgreSQL: the rate's division is made integer as the rollups' is.
        rate = (
            "CASE WHEN SUM(den) > 0 AND SUM(num) IS NOT NULL THEN "
            "div(SUM(num) * 1000000000 + div(SUM(den), 2), SUM(den)) / 1000000.0 END"
        )
        level = (
            "CASE GROUPING(site_id, icb_id, region_id, wave_id) WHEN 7 THEN 'site' WHEN 11 THEN 'icb' "
            "WHEN 13 THEN 'region' WHEN 14 THEN 'wave' ELSE 'national' END"
        )
        return (
            f"{create}SELECT period_id, {level} AS level, COALESCE(site_id, icb_id, region_id, wave_id, 0) AS org_id, "
            f"metric_id, category_id, CAST(SUM(num) AS BIGINT) AS num, CAST(SUM(den) AS BIGINT) AS den, {rate} AS rate, "
            f"COUNT(*) AS reporting, SUM(suppressed) AS suppressed FROM ({_site_cells()}) c "
            f"GROUP BY period_id, metric_id, category_id, "
            f"GROUPING SETS ((site_id), (icb_id), (region_id), (wave_id), ())"
        )
    parts = [
        f"SELECT period_id, '{level}' AS level, {org} AS org_id, metric_id, category_id, {SUMS} FROM c "
        f"GROUP BY period_id, metric_id, category_id{', ' + org if org != '0' else ''}"
        for level, org in (
            ("site", "site_id"),
            ("icb", "icb_id"),
            ("region", "region_id"),
            ("wave", "wave_id"),
            ("national", "0"),
        )
    ]
    return f"{create}WITH c AS ({_site_cells()}) SELECT * FROM ({' UNION ALL '.join(parts)}) AS levels"


def run() -> int:
    """Build the reference table (dropping an earlier one); the rows written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        if connection.vendor == "postgresql":  # the settings the rollups' own statements run with
            cursor.execute("SET jit = off; SET work_mem = '64MB'")
        cursor.execute(statement())
        if connection.vendor == "postgresql":
            cursor.execute("RESET jit; RESET work_mem")
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return cursor.fetchone()[0]


def differences() -> tuple[int, int]:
    """(rows in only one of the two, rows whose figures differ) between the reference and the
    current rollups: one pass of a full outer join (two on SQLite, which has none)."""
    current = Rollup.objects.current().values_list(
        "period_id",
        "level",
        "org_id",
        "metric_id",
        "category_id",
        "sum_numerator",
        "sum_denominator",
        "rate",
        "units_reporting",
        "units_suppressed",
    )
    rollup_sql, params = current.query.sql_with_params()
    key = (
        "x.period_id = f.period_id AND x.level = f.level AND x.org_id = f.org_id "
        "AND x.metric_id = f.metric_id AND x.category_id = f.category_id"
    )
    same = (
        "COALESCE(x.sum_numerator, -1) = COALESCE(f.num, -1) AND COALESCE(x.sum_denominator, -1) = COALESCE(f.den, -1) "
        "AND COALESCE(x.rate, -1) = COALESCE(f.rate, -1) AND x.units_reporting = f.reporting AND x.units_suppressed = f.suppressed"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")  # a temporary table has no statistics until asked
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT COUNT(*) FILTER (WHERE x.period_id IS NULL OR f.period_id IS NULL), "
                f"COUNT(*) FILTER (WHERE x.period_id IS NOT NULL AND f.period_id IS NOT NULL AND NOT ({same})) "
                f"FROM {TABLE} f FULL JOIN ({rollup_sql}) x ON {key}",
                params,
            )
            return cursor.fetchone()
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {TABLE}), (SELECT COUNT(*) FROM ({rollup_sql}) n), "
            f"(SELECT COUNT(*) FROM {TABLE} f JOIN ({rollup_sql}) x ON {key}), "
            f"(SELECT COUNT(*) FROM {TABLE} f JOIN ({rollup_sql}) x ON {key} WHERE NOT ({same}))",
            params * 3,
        )
        reference, rollups, matched, differing = cursor.fetchone()
    return reference + rollups - 2 * matched, differing
