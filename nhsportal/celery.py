"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")

app = Celery("nhsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one place where periodic jobs are scheduled. Later issues add the monthly-return
# reminders and the nightly rollup rebuild here.
app.conf.beat_schedule = {
    "heartbeat": {"task": "nhsportal.tasks.heartbeat", "schedule": 300.0},
}
