import datetime

import factory

from metrics.models import ReportingPeriod


def month_start(day: datetime.date, months_back: int = 0) -> datetime.date:
    year, month = day.year, day.month - months_back
    while month < 1:
        month, year = month + 12, year - 1
    return datetime.date(year, month, 1)


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    """A reporting month whose deadlines are set relative to it, like the official timetable:
    by default the initial deadline is 20 days ahead of today and the final one 27 days."""

    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("month",)

    class Params:
        today = factory.LazyFunction(datetime.date.today)
        initial_in_days = 20
        final_in_days = 27

    month = factory.LazyAttribute(lambda o: month_start(o.today, 1))
    period_start = factory.LazyAttribute(lambda o: o.month)
    period_end = factory.LazyAttribute(
        lambda o: (o.month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    )
    initial_submission_due = factory.LazyAttribute(lambda o: o.today + datetime.timedelta(days=o.initial_in_days))
    data_quality_report_due = factory.LazyAttribute(lambda o: o.initial_submission_due + datetime.timedelta(days=7))
    final_submission_due = factory.LazyAttribute(lambda o: o.today + datetime.timedelta(days=o.final_in_days))
    final_report_due = factory.LazyAttribute(lambda o: o.final_submission_due + datetime.timedelta(days=7))


def stored_counts() -> tuple[int, ...]:
    """How many returns, versions, values, warnings and audit events the database holds: the
    same before and after a refusal, whatever was refused."""
    from metrics.models import Return, ReturnValue, ReturnVersion, ReturnWarning
    from nhsportal.models import AuditEvent

    return (
        Return.objects.count(),
        ReturnVersion.objects.count(),
        ReturnValue.objects.count(),
        ReturnWarning.objects.count(),
        AuditEvent.objects.count(),
    )
