"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise tasks run in-process."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")

app = Celery("nhsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one place where periodic jobs are scheduled (Europe/London times).
app.conf.beat_schedule = {
    "heartbeat": {"task": "nhsportal.tasks.heartbeat", "schedule": 300.0},
    "return-reminders": {"task": "metrics.tasks.send_return_reminders", "schedule": crontab(hour=7, minute=0)},
    "rollups-nightly": {"task": "metrics.tasks.rebuild_rollups_task", "schedule": crontab(hour=2, minute=30)},
}
