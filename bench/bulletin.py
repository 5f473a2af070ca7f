"""Benchmark: building one month's bulletin at national scale (issue 14, item 6; ADR 24).

On a throwaway test database (PostgreSQL when DATABASE_URL is set, else SQLite) it seeds
`seed_scale` data (BENCH_SITES × BENCH_MONTHS; 400 × 60 on PostgreSQL, 100 × 12 on SQLite by
default), rolls it up, issues the month before the latest's bulletin (so the latest is compared
with one), then times the latest month's bulletin as the Celery job builds it: the contents
(every section, set-based) and its XLSX. Prints one table; exits 1 if over the goal.

    make bench            (or: DJANGO_ENV=test .venv/bin/python -m bench.bulletin)
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
os.environ.setdefault("DJANGO_ENV", "test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

GOAL_SECONDS = 60


def main() -> int:
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-bulletin-")
    try:
        return _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _issue(period) -> tuple[object, float, int]:
    from bulletins import services

    bulletin, _ = services.request(period, trigger="command")
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        bulletin = services.build(bulletin.pk)
        seconds = time.perf_counter() - start
    return bulletin, seconds, len(captured)


def _run() -> int:
    from metrics.models import ReportingPeriod
    from metrics.returns.scale import seed_scale
    from metrics.rollups import build as rollups

    postgres = connection.vendor == "postgresql"
    sites = int(os.environ.get("BENCH_SITES") or (400 if postgres else 100))
    months = int(os.environ.get("BENCH_MONTHS") or (60 if postgres else 12))
    start = time.perf_counter()
    seed_scale(sites=sites, months=months)
    seeded = time.perf_counter() - start
    start = time.perf_counter()
    rollups.rebuild_all(trigger="command")
    rolled = time.perf_counter() - start
    periods = list(ReportingPeriod.objects.filter(returns__isnull=False).distinct().order_by("-month")[:2])
    latest, before = periods[0], periods[1] if len(periods) > 1 else None
    previous_seconds = _issue(before)[1] if before else None
    bulletin, seconds, queries = _issue(latest)
    contents = bulletin.contents
    ok = bulletin.is_issued and seconds < GOAL_SECONDS
    print(
        f"bulletin bench: {sites} sites × {months} months ({connection.vendor}); seed {seeded:.1f} s, rollups {rolled:.1f} s\n"
        f"{'what':<44}{'seconds':>10}{'queries':>10}{'goal':>10}\n"
        + (f"{'bulletin for ' + str(before) + ' (first)':<44}{previous_seconds:>10.1f}{'':>10}{'':>10}\n" if before else "")
        + f"{'bulletin for ' + str(latest) + ' (contents + XLSX)':<44}{seconds:>10.1f}{queries:>10}{'< ' + str(GOAL_SECONDS):>10}\n"
        f"sections: coverage {len(contents['coverage'])}, first time {len(contents['first_time'])}, missing "
        f"{len(contents['missing'])}, caveats {len(contents['caveats'])}, new signals {len(contents['signals'])}, "
        f"outliers {len(contents['outliers'])}, moved {len(contents['moved'])}, changelog {len(contents['changelog'])}\n"
        f"{'OK' if ok else 'OVER THE GOAL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
