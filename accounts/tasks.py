"""Beat jobs (nhsportal/celery.py): the quarterly confirmation reminder and the inactivity expiry."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(name="accounts.tasks.send_access_confirmation_reminders")
def send_access_confirmation_reminders() -> int:
    return services.send_confirmation_reminders()


@shared_task(name="accounts.tasks.expire_inactive_access")
def expire_inactive_access() -> int:
    return len(services.expire_inactive())
