"""Benchmark: the site review pack page (issue: site reviews), with the action list and the
national ratings matrix, timed in-process on `seed_scale` data.

Runs against a throwaway test database (PostgreSQL when DATABASE_URL is set, else SQLite):
BENCH_SITES × BENCH_MONTHS signed-off returns (defaults 43 × 24), rolled up; every site
gets two published reviews with five actions each, and the measured site a team with
workforce entries. Prints p50/p95 server time and the query count per page.

    make bench            (or: DJANGO_ENV=test .venv/bin/python -m bench.review_pack)
"""

from __future__ import annotations

import datetime
import logging
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
os.environ.setdefault("DJANGO_ENV", "test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEAT = 15


def main() -> int:
    logging.disable(logging.INFO)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-reviews-")
    try:
        return _run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _seed(sites: int, months: int):
    from metrics.returns.scale import seed_scale
    from metrics.rollups import build as rollups
    from nhsportal.models import Role
    from reviews import services
    from reviews.models import Domain
    from sites.models import Site
    from tests.nhsportal.factories import user_with_role
    from tests.teams.factories import (
        NeighbourhoodTeamFactory,
        PartnerOrganisationFactory,
        ProfessionFactory,
        WorkforceEntryFactory,
    )

    seed_scale(sites=sites, months=months)
    rollups.rebuild_all(trigger="command")
    reviewer = user_with_role(Role.TASKFORCE_MEMBER, username="bench.reviewer")
    ratings = {d.value: ("amber", "Discussed at the review.") for d in Domain}
    today = timezone.localdate()
    chosen = list(Site.objects.filter(returns__isnull=False).distinct().order_by("pk")[:sites])
    for site in chosen:
        for back in (200, 100):
            review = services.schedule_review(
                site=site, scheduled_for=today - datetime.timedelta(days=back), reviewer=reviewer, by=reviewer
            )
            services.rate_review(review=review, by=reviewer, ratings=ratings, overall_rating="amber", summary="")
            for n in range(5):
                services.add_action(
                    review=review,
                    by=reviewer,
                    description=f"Action {n}",
                    owner="site",
                    due_on=today + datetime.timedelta(days=n - 2),
                )
            services.publish_review(review=review, by=reviewer)
    site = chosen[0]
    profession, employer = ProfessionFactory(), PartnerOrganisationFactory()
    for t in range(8):
        team = NeighbourhoodTeamFactory(site=site, name=f"Bench team {t}", launched_on=today - datetime.timedelta(days=300))
        for n in range(10):
            WorkforceEntryFactory(
                team=team, profession=profession, employer=employer, headcount=2, wte=Decimal("1.5"),
                start_date=today - datetime.timedelta(days=250 - n), end_date=None if n % 3 else today - datetime.timedelta(days=20),
            )  # fmt: skip
    draft = services.schedule_review(site=site, scheduled_for=today, reviewer=reviewer, by=reviewer)
    return reviewer, draft


def _measure(client: Client, url: str, *, cold: bool = True) -> tuple[int, float, float, int]:
    """Cold: the cache cleared before each request (the dashboards cache funnels per rollup
    generation, so only the first reader after a rollup pays for them)."""
    times, queries, status = [], 0, 0
    for _ in range(REPEAT):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        status, queries = response.status_code, len(captured)
    times.sort()
    return status, statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def _run() -> int:
    sites = int(os.environ.get("BENCH_SITES") or 43)
    months = int(os.environ.get("BENCH_MONTHS") or 24)
    start = time.perf_counter()
    reviewer, draft = _seed(sites, months)
    print(f"seeded {sites} sites × {months} months and 2 reviews per site in {time.perf_counter() - start:.0f}s", file=sys.stderr)
    client = Client()
    client.force_login(reviewer)
    pages = [
        ("review-detail (the assembled pack, one site), cold cache", reverse("review-detail", args=[draft.pk])),
        ("review-detail (the assembled pack), warm cache", reverse("review-detail", args=[draft.pk])),
        ("action-list (first page)", reverse("action-list")),
        ("action-list ?overdue=on", reverse("action-list") + "?overdue=on"),
        ("review-matrix (every site)", reverse("review-matrix")),
        ("review-matrix ?format=xlsx", reverse("review-matrix") + "?format=xlsx"),
        ("api:site-review-detail", reverse("api:site-review-detail", args=[draft.pk])),
    ]
    print(f"\nsite reviews on {connection.vendor}, {sites} sites × {months} months")
    print(f"{'page or endpoint':55} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name, url in pages:
        status, p50, p95, queries = _measure(client, url, cold="warm cache" not in name)
        print(f"{name:55} {status:>6} {p50:8.0f} {p95:8.0f} {queries:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
