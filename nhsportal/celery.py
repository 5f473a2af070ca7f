"""The Celery app. Redis is the broker when REDIS_URL is set; otherwise tasks run in-process."""

import os

from celery import Celery, signals
from celery.schedules import crontab
from django.conf import settings

from nhsportal import logging as portal_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")

app = Celery("nhsportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker and beat log through settings.LOGGING (JSON lines, LOG_LEVEL; Celery's --loglevel is
# not used). A task sent during a request carries its request id; the worker logs with it.
signals.setup_logging.connect(portal_logging.use_django_logging, weak=False)
signals.before_task_publish.connect(portal_logging.stamp_request_id, weak=False)
signals.task_prerun.connect(portal_logging.task_context_started, weak=False)
signals.task_postrun.connect(portal_logging.task_context_finished, weak=False)

# The one place where periodic jobs are scheduled (Europe/London times).
app.conf.beat_schedule = {
    "heartbeat": {"task": "nhsportal.tasks.heartbeat", "schedule": 300.0},
    "return-reminders": {"task": "metrics.tasks.send_return_reminders", "schedule": crontab(hour=7, minute=0)},
    "rollups-nightly": {"task": "metrics.tasks.rebuild_rollups_task", "schedule": crontab(hour=2, minute=30)},
    # The rollup requests' outbox (every minute; ROLLUP_OUTBOX_SECONDS): nothing waits on the broker.
    "rollups-outbox": {"task": "metrics.tasks.drain_rollup_requests_task", "schedule": float(settings.ROLLUP_OUTBOX_SECONDS)},
    "rollup-exports-expired": {"task": "metrics.tasks.delete_expired_exports_task", "schedule": crontab(hour=3, minute=15)},
    "review-reminders": {"task": "reviews.tasks.send_review_reminders", "schedule": crontab(hour=7, minute=10)},
    "onboarding-sync": {"task": "reviews.tasks.sync_onboarding", "schedule": crontab(hour=6, minute=45)},
    # Access (ADR 17): site leads asked each quarter to confirm their people (sent once a quarter,
    # checked daily so a new lead is asked too); roles lost after ACCESS_INACTIVE_DAYS without a sign-in.
    "access-confirmation-reminders": {
        "task": "accounts.tasks.send_access_confirmation_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # The monthly bulletin (ADR 24): each month past its final submission deadline without one.
    "bulletins-due": {"task": "bulletins.request_due_bulletins", "schedule": crontab(hour=6, minute=30)},
    "access-inactive-expiry": {"task": "accounts.tasks.expire_inactive_access", "schedule": crontab(hour=4, minute=0)},
}
