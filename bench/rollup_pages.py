"""Parts of the rollups benchmark (bench/rollups.py): the incremental rollup after a sign-off,
and the pages and endpoints that read the rollups, timed in-process."""

# ruff: noqa: S608 -- table names from the models; no user input.
from __future__ import annotations

import statistics
import time
from typing import Any

from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone


def incremental_rollups(*, repeat: int) -> list[float]:
    """A new version signed off for one site's return (every figure one higher), then its
    period's rollup, timed; each time another site. Checks England's total moved by one."""
    from metrics.models import ReportingPeriod, Return, ReturnValue, ReturnVersion, Rollup, VersionSource
    from metrics.rollups import build as rollups

    recent = list(
        ReportingPeriod.objects.filter(returns__isnull=False).distinct().order_by("-month").values_list("pk", flat=True)[:4]
    )
    period_id = recent[-1]  # a few months back: final, as most corrections are
    returns = list(Return.objects.filter(period_id=period_id).order_by("site_id")[:repeat])
    times = []
    for record in returns:

        def england():
            row = Rollup.objects.current().get(
                period_id=period_id, level="national", metric__code="O1_NEW", category__code="total"
            )
            return row.sum_numerator

        before = england()
        site_had_figure = ReturnValue.objects.filter(
            version_id=record.signed_off_version_id, metric__code="O1_NEW", category__code="total", numerator__isnull=False
        ).exists()
        number = (ReturnVersion.objects.filter(return_record=record).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReturnVersion.objects.create(
            return_record=record,
            number=number,
            layout=record.signed_off_version.layout,
            source=VersionSource.API,
            note="bench: correction",
            signed_off_at=timezone.now(),
        )
        table = connection.ops.quote_name(ReturnValue._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (version_id, metric_id, category_id, numerator, denominator, numerator_suppressed, "
                f"denominator_suppressed) SELECT %s, metric_id, category_id, numerator + 1, denominator, numerator_suppressed, "
                f"denominator_suppressed FROM {table} WHERE version_id = %s",
                [version.pk, record.signed_off_version_id],
            )
        record.latest_version = record.signed_off_version = version
        record.save(update_fields=["latest_version", "signed_off_version", "updated_at"])
        start = time.perf_counter()
        rollups.rollup_period(record.period, trigger="sign_off")
        times.append(time.perf_counter() - start)
        assert england() == before + (1 if site_had_figure else 0), "the incremental rollup missed the new version"
    return times


def _pages(site_id: int, region_id: int, icb_id: int, month: str) -> list[tuple[str, str, list, dict, str]]:
    """(label, URL name, args, query, who) for every dashboard page and rollup endpoint."""
    national = "taskforce"
    return [
        ("dashboard-overview", "dashboard-overview", [], {}, national),
        ("dashboard-overview ?format=csv", "dashboard-overview", [], {"format": "csv"}, national),
        ("dashboard-engagement", "dashboard-engagement", [], {}, national),
        ("dashboard-demographics", "dashboard-demographics", [], {}, national),
        ("dashboard-funnel O1_NEW (latest month)", "dashboard-funnel", ["O1_NEW"], {}, national),
        (
            "dashboard-funnel O1_NEW ?month&category",
            "dashboard-funnel",
            ["O1_NEW"],
            {"month": month, "category": "age_70_79"},
            national,
        ),
        (
            "dashboard-funnel O1_NEW ?limits=shmi&label=outliers",
            "dashboard-funnel",
            ["O1_NEW"],
            {"limits": "shmi", "label": "outliers"},
            national,
        ),
        (
            "dashboard-funnel O1_NEW ?limits=cqc&trim=truncate&month",
            "dashboard-funnel",
            ["O1_NEW"],
            {"limits": "cqc", "trim": "truncate", "month": month},
            national,
        ),
        ("dashboard-spc O1_NEW national", "dashboard-spc", ["O1_NEW"], {"level": "national"}, national),
        ("dashboard-spc O1_NEW one site", "dashboard-spc", ["O1_NEW"], {"level": "site", "org": site_id}, national),
        ("dashboard-org region", "dashboard-org", ["region", region_id], {}, national),
        ("dashboard-org icb", "dashboard-org", ["icb", icb_id], {}, national),
        ("dashboard-org site", "dashboard-org", ["site", site_id], {}, national),
        ("dashboard-org site (its own site staff)", "dashboard-org", ["site", site_id], {}, "staff"),
        ("public-summary (anonymous)", "public-summary", [], {}, "anonymous"),
        ("api:dashboard-overview", "api:dashboard-overview", [], {}, national),
        ("api:dashboard-funnel O1_NEW", "api:dashboard-funnel", ["O1_NEW"], {}, national),
        ("api:dashboard-funnel O1_NEW ?limits=cqc", "api:dashboard-funnel", ["O1_NEW"], {"limits": "cqc"}, national),
        ("api:dashboard-spc O1_NEW national", "api:dashboard-spc", ["O1_NEW"], {}, national),
        ("api:rollup-list (first page, no filter)", "api:rollup-list", [], {}, national),
        (
            "api:rollup-list national O1_NEW total, all months",
            "api:rollup-list",
            [],
            {"level": "national", "metric": "O1_NEW", "category": "total"},
            national,
        ),
        (
            "api:rollup-list one site, one month",
            "api:rollup-list",
            [],
            {"level": "site", "org": site_id, "from": month, "to": month},
            national,
        ),
        (
            "api:rollup-list site level O1_NEW total (site staff)",
            "api:rollup-list",
            [],
            {"level": "site", "metric": "O1_NEW", "category": "total"},
            "staff",
        ),
        ("api:coverage (12 months)", "api:coverage", [], {}, national),
        ("api:coverage (60 months)", "api:coverage", [], {"months": 60}, national),
        (
            "api:rollup-export csv, one region O1_NEW",
            "api:rollup-export",
            [],
            {"format": "csv", "level": "region", "org": region_id, "metric": "O1_NEW"},
            national,
        ),
    ]


def _clients(site) -> dict[str, Client]:
    from django.contrib.auth import get_user_model

    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    # A reused database (BENCH_SEEDED_DB) still has the users of the run before.
    get_user_model().objects.filter(username__in=["bench.taskforce", "bench.staff"]).delete()
    clients = {"anonymous": Client()}
    for who, user in (
        ("taskforce", user_with_role(Role.TASKFORCE_MEMBER, username="bench.taskforce")),
        ("staff", user_with_role(Role.SITE_STAFF, site=site, username="bench.staff")),
    ):
        clients[who] = Client()
        clients[who].force_login(user)
    return clients


def measure_pages(*, repeat: int) -> list[tuple[str, dict[str, Any] | None]]:
    from metrics.models import ReportingPeriod, Rollup
    from sites.models import Site

    site = Site.objects.select_related("place__icb").filter(returns__isnull=False).order_by("pk").first()
    month = Rollup.objects.current().order_by("-period__month").values_list("period__month", flat=True).first()
    month_slug = month.strftime("%Y-%m") if month else ReportingPeriod.objects.order_by("-month").first().month.strftime("%Y-%m")
    clients = _clients(site)
    results: list[tuple[str, dict[str, Any] | None]] = []
    for label, name, args, query, who in _pages(site.pk, site.place.icb.region_id, site.place.icb_id, month_slug):
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            results.append((label, None))
            continue
        client = clients[who]
        _get(client, url, query)  # warm-up: caches, session, first-use imports
        times, queries, status = [], 0, 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                status = _get(client, url, query)
                times.append((time.perf_counter() - start) * 1000)
            queries = max(queries, len(captured))
        times.sort()
        p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
        results.append((label, {"status": status, "p50": statistics.median(times), "p95": p95, "queries": queries}))
    return results


def _get(client: Client, url: str, query: dict) -> int:
    response = client.get(url, query)
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass
    return response.status_code
