"""Benchmark: checking and storing monthly returns (issue: monthly returns).

Runs against a throwaway test database (PostgreSQL when DATABASE_URL is set, else SQLite)
and prints, in one run: reading and checking one template alone; checking and storing one
upload (the full service: parse, validate, store the file, 368 values, audit); and 43
sites uploading in a row. Figures are medians of repeated runs on this machine.

    make bench            (or: DJANGO_ENV=test .venv/bin/python -m bench.returns)
"""

from __future__ import annotations

import os
import statistics
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
from django.utils import timezone  # noqa: E402


def _timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-uploads-")
    try:
        return _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run() -> int:
    from metrics import services
    from metrics.models import Return
    from metrics.returns.importer import read_return
    from metrics.returns.reference import load_metrics
    from nhsportal.models import Role
    from sites.models import Site
    from sites.reference import load_all
    from tests.metrics.factories import ReportingPeriodFactory
    from tests.metrics.workbooks import make_workbook
    from tests.nhsportal.factories import user_with_role

    load_all()
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    sites = list(Site.objects.order_by("name"))
    staff = {site.pk: user_with_role(Role.SITE_STAFF, site=site, username=f"bench.{site.pk}") for site in sites}
    books = {site.pk: make_workbook(place=site.name, period=period.month) for site in sites}
    first = sites[0]
    context = services.import_context(staff[first.pk])

    read = _timed(lambda: read_return(books[first.pk], context), repeat=15)

    # Two workbooks one figure apart, taken in turn: an upload identical to the latest version
    # stores nothing (ADR 10), and this measures storing.
    pair = [books[first.pk], make_workbook(place=first.name, period=period.month, D21=2901)]

    def upload_one():
        pair.reverse()
        version = services.upload_return(data=pair[0], filename="bench.xlsx", by=staff[first.pk])
        assert not version.unchanged

    store = _timed(upload_one, repeat=10)
    Return.objects.all().delete()

    def all_sites():
        for site in sites:
            services.upload_return(data=books[site.pk], filename="bench.xlsx", by=staff[site.pk])

    start = time.perf_counter()
    all_sites()
    in_a_row = time.perf_counter() - start
    assert Return.objects.count() == len(sites)

    engine = connection.vendor
    print(f"\nMonthly returns benchmark ({engine}, {len(sites)} sites, 368 values a return)\n")
    print(f"{'measure':58} {'median':>9} {'p95/max':>9}")
    print(
        f"{'read and check one template (no database writes)':58} {statistics.median(read) * 1000:7.0f}ms {max(read) * 1000:7.0f}ms"
    )
    print(
        f"{'check and store one upload (file, 368 values, audit)':58} {statistics.median(store) * 1000:7.0f}ms {max(store) * 1000:7.0f}ms"
    )
    print(f"{f'{len(sites)} uploads in a row, total':58} {in_a_row:8.2f}s")
    print(f"{f'{len(sites)} uploads in a row, per upload':58} {in_a_row / len(sites) * 1000:7.0f}ms")
    print(f"{'ratio: storing / checking alone':58} {statistics.median(store) / statistics.median(read):8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
