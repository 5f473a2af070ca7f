"""Synthetic national-scale data for benchmarks (`manage.py seed_scale`).

400 sites by default: every wave site in the reference data plus synthetic comparators, each a
Place named after a real local authority under a real ICB (so every region has its share), in a
synthetic wave; then for 60 months every site files a signed-off return with every metric line
and breakdown category. A fifth of the sites file the earlier layout (one 80+ band) for their
first year, so both layouts are rolled up.

Everything is written set-based, one INSERT … SELECT per table over sites × months × cells,
on PostgreSQL and SQLite alike; figures come from integer arithmetic on the ids, so the same
sites and months always give the same numbers. Counts 1–5 are suppressed, as the guide asks.

What it writes is its own and nothing else is touched: its returns are those whose version
carries SYNTHETIC_NOTE, its sites are in SYNTHETIC_WAVE. Running it again replaces those returns
and keeps its sites (removing any beyond the number asked for); rollups of what it replaced wait
for the next rebuild (`manage.py rollup`). It refuses to run in production.
"""

# ruff: noqa: S608 -- table names from the models, ids from the database; values are bound.
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import BreakdownCategory, MetricDefinition, ReportingPeriod, Return, ReturnValue, ReturnVersion
from metrics.returns.synthetic import AGE_WEIGHTS, ETHNICITY_WEIGHTS, RATES_PER_1000
from sites.models import ICB, LocalAuthority, Place, Site, SiteStatus, Wave

SYNTHETIC_NOTE = "seed_scale: synthetic data for benchmarks"
SYNTHETIC_WAVE = 99
SYNTHETIC_PLACE_PREFIX = "Synthetic comparator"
IMD_WEIGHTS = {"imd_1": 26, "imd_2": 23, "imd_3": 20, "imd_4": 16, "imd_5": 13, "imd_not_known": 2}
COUNT_PER_1000 = {"COHORT": 1000, "P1_CASELOAD": RATES_PER_1000["P1_CASELOAD"]}


class ScaleNotAllowed(Exception):
    pass


@dataclass(frozen=True)
class ScaleResult:
    sites: int
    synthetic_sites: int
    periods: int
    returns: int
    values: int


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def seed_scale(*, sites: int = 400, months: int = 60, today: datetime.date | None = None) -> ScaleResult:
    """Replace this command's synthetic data with `sites` × `months` signed-off returns."""
    if settings.IS_PRODUCTION:
        raise ScaleNotAllowed("seed_scale writes synthetic returns and refuses to run in production.")
    if sites < 1 or months < 1:
        raise ValueError("--sites and --months must be at least 1.")
    today = today or timezone.localdate()
    _ensure_reference_data()
    with transaction.atomic():
        remove_synthetic()
        chosen, created = _sites(sites, first_month=_month_back(today, months))
        periods = _periods(today, months)
        returns, values = _returns(chosen, periods, today)
    return ScaleResult(sites=len(chosen), synthetic_sites=created, periods=len(periods), returns=returns, values=values)


def _ensure_reference_data() -> None:
    from metrics.returns.reference import load_metrics
    from sites.reference import load_all

    if not Site.objects.exists():
        load_all()
    if not MetricDefinition.objects.exists():
        load_metrics()


def remove_synthetic() -> None:
    """Delete this command's returns, set-based (there are millions of values)."""
    versions = f"SELECT id FROM {_table(ReturnVersion)} WHERE note = %s"
    returns = f"SELECT return_record_id FROM {_table(ReturnVersion)} WHERE note = %s"
    with connection.cursor() as cursor:
        for statement in (
            f"DELETE FROM {_table(ReturnValue)} WHERE version_id IN ({versions})",
            f"UPDATE {_table(Return)} SET latest_version_id = NULL, signed_off_version_id = NULL WHERE id IN ({returns})",
            f"DELETE FROM {_table(Return)} WHERE id IN ({returns})",
            f"DELETE FROM {_table(ReturnVersion)} WHERE note = %s",
        ):
            cursor.execute(statement, [SYNTHETIC_NOTE])


def _month_back(today: datetime.date, months: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _sites(count: int, *, first_month: datetime.date) -> tuple[list[int], int]:
    """The reference data's sites first, then synthetic comparators to make up `count`: those made
    by an earlier run are kept (so the same sites get the same figures), any surplus removed."""
    real = list(Site.objects.exclude(wave__number=SYNTHETIC_WAVE).order_by("pk").values_list("pk", flat=True)[:count])
    wanted = count - len(real)
    wave, _ = Wave.objects.get_or_create(
        number=SYNTHETIC_WAVE, defaults={"name": "Synthetic comparators (benchmarks)", "start_date": first_month}
    )
    if wave.start_date != first_month:
        wave.start_date = first_month
        wave.save(update_fields=["start_date"])
    kept = list(Site.objects.filter(wave=wave).order_by("pk").values_list("pk", "place_id"))
    surplus = kept[max(wanted, 0) :]
    if surplus:
        Return.objects.filter(site_id__in=[pk for pk, _ in surplus]).delete()
        Site.objects.filter(pk__in=[pk for pk, _ in surplus]).delete()
        Place.objects.filter(pk__in=[place for _, place in surplus]).delete()
    kept_ids = [pk for pk, _ in kept[: max(wanted, 0)]]
    missing = wanted - len(kept_ids)
    if missing <= 0:
        return real + kept_ids, len(kept_ids)
    icbs = list(ICB.objects.in_force_on(timezone.localdate()).order_by("region_id", "pk"))
    authorities = list(LocalAuthority.objects.order_by("name").values_list("name", "population"))
    numbers = range(len(kept_ids) + 1, wanted + 1)
    places = Place.objects.bulk_create(
        Place(
            name=f"{SYNTHETIC_PLACE_PREFIX} {n:03d} ({authorities[n % len(authorities)][0] if authorities else 'England'})",
            icb=icbs[n % len(icbs)],
            population=authorities[n % len(authorities)][1] if authorities else 250_000,
        )
        for n in numbers
    )
    created = Site.objects.bulk_create(
        Site(name=place.name, place=place, wave=wave, status=SiteStatus.ACTIVE, joined_on=first_month) for place in places
    )
    return real + kept_ids + [site.pk for site in created], wanted


def _periods(today: datetime.date, months: int) -> list[ReportingPeriod]:
    """The last `months` reporting months before this one, with deadlines in the official pattern
    (initial eight weeks after the month ends, final a week later)."""
    wanted = []
    for back in range(months, 0, -1):
        month = _month_back(today, back)
        end = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        initial = end + datetime.timedelta(weeks=8)
        wanted.append(
            ReportingPeriod(
                month=month,
                period_start=month,
                period_end=end,
                initial_submission_due=initial,
                data_quality_report_due=initial + datetime.timedelta(days=7),
                final_submission_due=initial + datetime.timedelta(days=7),
                final_report_due=initial + datetime.timedelta(days=14),
            )
        )
    existing = set(ReportingPeriod.objects.filter(month__in=[p.month for p in wanted]).values_list("month", flat=True))
    ReportingPeriod.objects.bulk_create([p for p in wanted if p.month not in existing])
    return list(ReportingPeriod.objects.filter(month__in=[p.month for p in wanted]).order_by("month"))


def _in_list(ids: list[int]) -> str:
    return ", ".join(str(int(pk)) for pk in ids)  # integers from the database, never user input


def _weights_table() -> tuple[str, list]:
    """(category code, share of its dimension in ‰) as a derived table."""
    shares: dict[str, int] = {"total": 1000}
    for weights in (AGE_WEIGHTS, ETHNICITY_WEIGHTS, IMD_WEIGHTS):
        whole = sum(weights.values())
        shares |= {code: round(1000 * w / whole) for code, w in weights.items()}
    shares["age_80_plus"] = shares["age_80_89"] + shares["age_90_plus"]
    return _values_table(shares)


def _rates_table() -> tuple[str, list]:
    return _values_table(RATES_PER_1000 | COUNT_PER_1000)


def _values_table(mapping: dict[str, int]) -> tuple[str, list]:
    sql = " UNION ALL ".join("SELECT %s AS code, %s AS n" for _ in mapping)
    return f"({sql})", [item for pair in mapping.items() for item in pair]


def _skip_foreign_key_triggers(cursor) -> None:
    """PostgreSQL, when connected as a superuser: checking millions of foreign keys one row at a
    time at commit would take longer than writing the rows. Every id written here is read from
    the table it refers to in the same statement, so none can dangle. Until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def _returns(site_ids: list[int], periods: list[ReportingPeriod], today: datetime.date) -> tuple[int, int]:
    """Every site × period without a return of its own gets a signed-off synthetic one."""
    now = timezone.now()
    period_ids = [p.pk for p in periods]
    first_period = min(period_ids)
    r, v, val = _table(Return), _table(ReturnVersion), _table(ReturnValue)
    sites, months = _in_list(site_ids), _in_list(period_ids)
    with connection.cursor() as cursor:
        _skip_foreign_key_triggers(cursor)
        # Returns, signed off on the initial deadline (so on time) and final.
        cursor.execute(
            f"INSERT INTO {r} (site_id, period_id, status, first_signed_off_at, correction_reason, created_at, updated_at) "
            f"SELECT s.id, p.id, 'submitted', %s, '', %s, %s FROM {_table(Site)} s CROSS JOIN {_table(ReportingPeriod)} p "
            f"WHERE s.id IN ({sites}) AND p.id IN ({months}) "
            f"AND NOT EXISTS (SELECT 1 FROM {r} x WHERE x.site_id = s.id AND x.period_id = p.id)",
            [now, now, now],
        )
        returns = cursor.rowcount
        # One version each; a fifth of the sites filed the earlier layout in their first year.
        cursor.execute(
            f"INSERT INTO {v} (return_record_id, number, layout, source, file, original_filename, created_at, note, "
            f"warnings_comment, signed_off_at, late) "
            f"SELECT r.id, 1, CASE WHEN r.site_id %% 5 = 0 AND r.period_id < %s THEN '1.1' ELSE '1.2' END, 'api', '', '', "
            f"%s, %s, '', %s, FALSE FROM {r} r WHERE r.site_id IN ({sites}) AND r.period_id IN ({months}) "
            f"AND NOT EXISTS (SELECT 1 FROM {v} x WHERE x.return_record_id = r.id)",
            [first_period + 12, now, SYNTHETIC_NOTE, now],
        )
        cursor.execute(
            f"UPDATE {r} SET latest_version_id = (SELECT x.id FROM {v} x WHERE x.return_record_id = {r}.id), "
            f"signed_off_version_id = (SELECT x.id FROM {v} x WHERE x.return_record_id = {r}.id) "
            f"WHERE id IN (SELECT return_record_id FROM {v} WHERE note = %s)",
            [SYNTHETIC_NOTE],
        )
        weights, weight_params = _weights_table()
        rates, rate_params = _rates_table()
        # The cohort of a site's category this month, and the metric's count in it.
        cohort = "((1500 + (r.site_id * 7919) %% 4500) * (1000 + (r.period_id %% 60) * 4) / 1000 * w.n / 1000)"
        noise = "(900 + (r.site_id * 131 + r.period_id * 71 + m.id * 31 + c.id * 17) %% 201)"
        count = f"({cohort} * k.n * {noise} / 1000000)"
        layout_categories = "((v.layout = '1.2' AND c.code <> 'age_80_plus') OR (v.layout = '1.1' AND c.code NOT IN ('age_80_89', 'age_90_plus')))"
        cursor.execute(
            f"INSERT INTO {val} (version_id, metric_id, category_id, numerator, denominator, numerator_suppressed, "
            f"denominator_suppressed) "
            f"SELECT version_id, metric_id, category_id, "
            f"CASE WHEN n BETWEEN 1 AND 5 THEN NULL ELSE n END, "
            f"CASE WHEN NOT has_rate OR cohort BETWEEN 1 AND 5 THEN NULL ELSE cohort END, "
            f"CASE WHEN n BETWEEN 1 AND 5 THEN TRUE ELSE FALSE END, "
            f"CASE WHEN has_rate AND cohort BETWEEN 1 AND 5 THEN TRUE ELSE FALSE END "
            f"FROM (SELECT v.id AS version_id, m.id AS metric_id, c.id AS category_id, m.has_rate, "
            f"{cohort} AS cohort, {count} AS n "
            f"FROM {v} v JOIN {r} r ON r.id = v.return_record_id "
            f"CROSS JOIN {_table(MetricDefinition)} m JOIN {rates} k ON k.code = m.code "
            f"CROSS JOIN {_table(BreakdownCategory)} c JOIN {weights} w ON w.code = c.code "
            f"WHERE v.note = %s AND {layout_categories}) cell "
            f"ORDER BY version_id, metric_id, category_id",
            [*rate_params, *weight_params, SYNTHETIC_NOTE],
        )
        values = cursor.rowcount
    return returns, values
