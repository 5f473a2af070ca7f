"""Benchmark: rollups and the pages and endpoints that read them, at national scale (issue 5).

On a throwaway test database (PostgreSQL when DATABASE_URL is set, else SQLite) it seeds
`seed_scale` data (BENCH_SITES × BENCH_MONTHS; 400 × 60 on PostgreSQL, 100 × 12 on SQLite by
default) and prints one table:

(a) the full rebuild, run in a separate worker process (its time and peak memory, VmHWM),
    against a hand-written single-statement aggregation of the same data (bench/rollup_reference.py),
    with a check that both give the same sums;
(b) the incremental rollup of one period after one site's new version is signed off;
(c) server time (p50, p95) and query count of every dashboard page and rollup endpoint, through
    django.test.Client in-process (a URL name not there yet is reported "not built").

    make bench            (or: DJANGO_ENV=test .venv/bin/python -m bench.rollups)
"""

from __future__ import annotations

import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
os.environ.setdefault("DJANGO_ENV", "test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

GOALS = {"ratio": 1.5, "incremental": 1.0, "p95_ms": 300, "memory_mib": 1024}
WORKER_FLAG = "--rebuild-worker"


def main() -> int:
    logging.disable(logging.INFO)  # one table, not a log line per request
    if WORKER_FLAG in sys.argv:
        return _worker(sys.argv[-1])
    setup_test_environment()
    reuse = os.environ.get("BENCH_SEEDED_DB")
    if reuse:  # a throwaway database an earlier run seeded and left (kept, not destroyed)
        connection.settings_dict["NAME"] = reuse
        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-rollups-media-")
        return _run(reuse_seeded=True)
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":  # a file, so that the worker process can open it too
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(
            tempfile.mkdtemp(prefix="bench-rollups-"), "db.sqlite3"
        )
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-rollups-media-")
    try:
        return _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _worker(database_name: str) -> int:
    """In a process of its own, like a Celery worker: the full rebuild, its time and peak memory."""
    connection.settings_dict["NAME"] = database_name
    from metrics.rollups import build as rollups

    start = time.perf_counter()
    run = rollups.rebuild_all(trigger="command")
    seconds = time.perf_counter() - start
    with open("/proc/self/status") as status:
        peak_kib = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    print(json.dumps({"seconds": seconds, "rows": run.rows, "peak_kib": peak_kib}))
    return 0


def _rebuild_in_worker() -> dict:
    connection.close()  # the worker must not wait on a transaction of ours
    output = subprocess.run(  # noqa: S603 -- this interpreter and this module
        [sys.executable, "-m", "bench.rollups", WORKER_FLAG, str(connection.settings_dict["NAME"])],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_ENV": "test"},
    )
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["children_max_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return result


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _seed_or_reuse(sites: int, months: int, reuse_seeded: bool):
    from metrics.models import ReportingPeriod, Return, ReturnValue, Rollup
    from metrics.returns.scale import ScaleResult, seed_scale

    if not reuse_seeded:
        start = time.perf_counter()
        seeded = seed_scale(sites=sites, months=months)
        return seeded, time.perf_counter() - start
    # Reusing: the rollups start empty, as after seed_scale.
    if connection.vendor == "postgresql":
        _truncate_rollups()
    else:
        Rollup.objects.all().delete()
    returns = Return.objects.count()
    periods = ReportingPeriod.objects.filter(returns__isnull=False).distinct().count()
    seeded = ScaleResult(
        sites=returns // max(periods, 1), synthetic_sites=0, periods=periods, returns=returns, values=ReturnValue.objects.count()
    )
    return seeded, None


def _truncate_rollups() -> None:
    from metrics.models import CurrentRollup, Rollup

    with connection.cursor() as cursor:
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Rollup, CurrentRollup))
        cursor.execute(f"TRUNCATE {tables}")  # noqa: S608


def _run(reuse_seeded: bool = False) -> int:
    from bench import rollup_pages, rollup_reference
    from metrics.models import Rollup
    from nhsportal.warmup import warm

    postgres = connection.vendor == "postgresql"
    sites = int(os.environ.get("BENCH_SITES") or (400 if postgres else 100))
    months = int(os.environ.get("BENCH_MONTHS") or (60 if postgres else 12))
    lines: list[tuple[str, str, str]] = []

    seeded, seed_seconds = _seed_or_reuse(sites, months, reuse_seeded)
    _analyze()
    print(f"{seeded.values:,} values seeded; rebuilding …", file=sys.stderr, flush=True)

    before = _timed(rollup_reference.run)  # also warms the cache as the rebuild will find it
    worker = _rebuild_in_worker()
    reference_seconds = min(before, _timed(rollup_reference.run))
    only_one, differing = rollup_reference.differences()
    ratio = worker["seconds"] / reference_seconds
    lines += [
        ("(a) full rebuild (worker process)", f"{worker['seconds']:.2f} s", f"{worker['rows']:,} rows"),
        ("(a) hand-written single-statement SQL, same sums", f"{reference_seconds:.2f} s", "best of 2 (before and after)"),
        (
            "(a) ratio rebuild / hand-written",
            f"{ratio:.2f}x",
            f"goal <= {GOALS['ratio']}x: {'met' if ratio <= GOALS['ratio'] else 'NOT met'}",
        ),
        (
            "(a) same sums as the hand-written SQL",
            "yes" if not (only_one or differing) else "NO",
            f"{only_one} rows in one only, {differing} differ",
        ),
    ]
    peak_mib = worker["peak_kib"] / 1024
    lines.append(
        (
            "(d) worker peak memory (VmHWM) during the rebuild",
            f"{peak_mib:.0f} MiB",
            f"goal < 1 GiB: {'met' if peak_mib < GOALS['memory_mib'] else 'NOT met'}",
        )
    )

    incremental = rollup_pages.incremental_rollups(repeat=3)
    worst = max(incremental)
    lines.append(
        (
            "(b) incremental rollup after one site's sign-off",
            f"{statistics.median(incremental):.3f} s",
            f"max {worst:.3f} s of {len(incremental)}; goal < 1 s: {'met' if worst < GOALS['incremental'] else 'NOT met'}",
        )
    )

    # Measured in a process prepared as the web server prepares its workers before forking them
    # (gunicorn.conf.py, nhsportal/warmup.py): views imported, templates compiled, heap frozen.
    warm()
    pages = rollup_pages.measure_pages(repeat=int(os.environ.get("BENCH_REPEAT") or 15))
    engine = "PostgreSQL" if postgres else "SQLite"
    rows_total = Rollup.objects.count()
    print(
        f"\nRollups benchmark ({engine}; {seeded.sites} sites × {seeded.periods} months; {seeded.values:,} values; {rows_total:,} rollup rows)"
    )
    print(
        f"seed_scale: {seed_seconds:.1f} s\n"
        if seed_seconds is not None
        else "seed_scale: reused the database an earlier run seeded\n"
    )
    print(f"{'measure':58} {'value':>12}  note")
    for measure, value, note in lines:
        print(f"{measure:58} {value:>12}  {note}")
    print(f"\n(c) {'page or endpoint':55} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, row in pages:
        if row is None:
            print(f"    {name:55} {'not built':>6}")
            continue
        flag = "" if row["p95"] < GOALS["p95_ms"] else "  (p95 over 300 ms)"
        print(f"    {name:55} {row['status']:>6} {row['p50']:8.0f} {row['p95']:8.0f} {row['queries']:8d}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
