"""After a rollup run the worker computes the latest month's funnels, so the first person to open
the overview after a sign-off is not the one who waits for them."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import funnels
from dashboards.figures import catalogue, periods_with_figures
from metrics import rollups, tasks
from metrics.models import CurrentRollup, Return, Rollup


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


def _funnels_read_without_the_rollup_table(rate_metrics, cat, latest) -> dict:
    with CaptureQueriesContext(connection) as queries:
        found = funnels.site_funnels(latest, rate_metrics, cat.total.pk)
    table = f'"{Rollup._meta.db_table}"'
    assert not any(table in q["sql"] for q in queries.captured_queries), "funnels were computed, not cached"
    return found


def test_a_period_rollup_has_the_new_figures_funnels_ready_when_it_commits(programme):
    """Computed inside the switch (metrics.rollups.switching), before anyone can see the figures:
    the first reader after a sign-off finds them, for the new figures, with no task needed."""
    cat = catalogue()
    latest = periods_with_figures(1)[-1]
    rate_metrics = [m.pk for m in cat.metrics if m.has_rate]
    leeds = programme["sites"]["Leeds"]
    cache.clear()
    metric = next(m for m in cat.metrics if m.has_rate)
    version = Return.objects.get(site=leeds, period=latest).signed_off_version
    value = version.values.get(metric=metric, category=cat.total)
    value.numerator = (value.numerator or 0) + 7
    value.save(update_fields=["numerator"])
    Return.objects.filter(site=leeds, period=latest).update(signed_off_version=None)  # picked up as changed
    Return.objects.filter(site=leeds, period=latest).update(signed_off_version=version)
    CurrentRollup.objects.filter(period=latest, level="site", org_id=leeds.pk).update(version_id=0)

    run = rollups.rollup_period(latest)

    assert run.status == "complete"
    found = _funnels_read_without_the_rollup_table(rate_metrics, cat, latest)
    leeds_unit = next(u for u in found[metric.pk]["units"] if u["site_id"] == leeds.pk)
    assert leeds_unit["numerator"] == value.numerator, "the funnel is of the new figures"


def test_a_receiver_that_fails_never_fails_the_switch(programme, monkeypatch):
    latest = periods_with_figures(1)[-1]

    def broken():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")  # a database error, inside the switch's transaction

    monkeypatch.setattr(funnels, "warm_latest", broken)

    run = rollups.rollup_period(latest)

    assert run.status == "complete" and CurrentRollup.objects.filter(period=latest, run=run).exists()
