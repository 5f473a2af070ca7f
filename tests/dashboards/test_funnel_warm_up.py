"""After a rollup run the worker computes the latest month's funnels, so the first person to open
the overview after a sign-off is not the one who waits for them."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import funnels
from dashboards.figures import catalogue, periods_with_figures
from metrics import tasks
from metrics.models import Rollup, RollupRequest, RollupRun
from metrics.rollups import jobs as rollup_jobs


def test_a_rollup_task_leaves_the_latest_funnels_cached(programme, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    tasks.rebuild_rollups_task.apply()

    cat = catalogue()
    latest = periods_with_figures(1)[-1]
    rate_metrics = [m.pk for m in cat.metrics if m.has_rate]
    with CaptureQueriesContext(connection) as queries:
        found = funnels.site_funnels(latest, rate_metrics, cat.total.pk)
    assert set(found) == set(rate_metrics)
    table = f'"{Rollup._meta.db_table}"'  # quoted: not the runs' or pointers' tables
    assert not any(table in q["sql"] for q in queries.captured_queries), "funnels were computed, not cached"
    sites_in_funnel = {unit["site_id"] for data in found.values() if data for unit in data["units"]}
    assert sites_in_funnel == {site.pk for site in programme["sites"].values()}


def test_each_run_of_a_burst_warms_the_funnels_as_soon_as_it_is_built(programme, monkeypatch):
    """Not after the whole burst: readers between two runs find the funnels of the figures they see."""
    completed = []
    monkeypatch.setattr(funnels, "warm_latest", lambda: completed.append(RollupRun.objects.filter(status="complete").count()))
    before = RollupRun.objects.filter(status="complete").count()
    for period in programme["periods"][:2]:
        rollup_jobs.record_request(period_id=period.pk, trigger="sign_off")

    assert rollup_jobs.build_pending() == "built"

    runs = RollupRun.objects.filter(status="complete").count() - before
    assert runs >= 2 and completed == list(range(before + 1, before + runs + 1)), "one warm-up after each run"


def test_a_failing_receiver_never_fails_the_rollup_job(programme, monkeypatch):
    def broken():
        raise RuntimeError("cache full")

    monkeypatch.setattr(funnels, "warm_latest", broken)
    rollup_jobs.record_request(period_id=programme["periods"][-1].pk, trigger="sign_off")

    assert rollup_jobs.build_pending() == "built"
    assert not RollupRequest.objects.filter(done_at__isnull=True).exists()
