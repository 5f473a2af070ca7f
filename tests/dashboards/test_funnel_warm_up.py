"""After a rollup run the worker computes the latest month's funnels, so the first person to open
the overview after a sign-off is not the one who waits for them."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import funnels
from dashboards.figures import catalogue, periods_with_figures
from metrics import tasks
from metrics.models import Rollup


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
