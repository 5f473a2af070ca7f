"""Every task the worker can run stops in time: a soft limit (SoftTimeLimitExceeded inside the task,
so it can fail cleanly), then a hard one (the worker kills it), and both before Redis would hand
the task, still running, to a second worker (the visibility timeout, acks_late)."""

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from nhsportal import config
from nhsportal.celery import app


def _portal_tasks():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _limits(task):
    """What the worker applies: the task's own options, else the app's defaults."""
    soft = task.soft_time_limit if task.soft_time_limit is not None else app.conf.task_soft_time_limit
    hard = task.time_limit if task.time_limit is not None else app.conf.task_time_limit
    return soft, hard


def test_every_task_has_a_soft_limit_before_its_hard_limit_before_the_visibility_timeout():
    tasks = _portal_tasks()
    # Not vacuous: every job beat schedules is among the tasks checked.
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(tasks)
    visibility_timeout = app.conf.broker_transport_options["visibility_timeout"]
    for name, task in tasks.items():
        soft, hard = _limits(task)
        assert soft and hard, f"{name} has no time limit"
        assert 0 < soft < hard < visibility_timeout, f"{name}: soft {soft} s, hard {hard} s, visibility {visibility_timeout} s"


def test_the_defaults_come_from_settings_and_leave_the_task_time_to_fail_cleanly():
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.broker_transport_options["visibility_timeout"] == settings.BROKER_VISIBILITY_TIMEOUT
    # The gap is the time a task has, after SoftTimeLimitExceeded, to record its failure.
    assert settings.CELERY_TASK_TIME_LIMIT - settings.CELERY_TASK_SOFT_TIME_LIMIT >= 30


def test_limits_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CELERY_TASK_SOFT_TIME_LIMIT", "120")
    monkeypatch.setenv("CELERY_TASK_TIME_LIMIT", "180")
    assert config.celery_time_limits(visibility_timeout=3600) == (120, 180)


@pytest.mark.parametrize(
    ("soft", "hard"),
    [("0", "60"), ("300", "300"), ("400", "300"), ("300", "3600"), ("soon", "300")],
)
def test_limits_that_could_not_work_are_refused_with_the_reason(monkeypatch, soft, hard):
    monkeypatch.setenv("CELERY_TASK_SOFT_TIME_LIMIT", soft)
    monkeypatch.setenv("CELERY_TASK_TIME_LIMIT", hard)
    with pytest.raises(ImproperlyConfigured, match="CELERY_TASK_SOFT_TIME_LIMIT"):
        config.celery_time_limits(visibility_timeout=3600)
