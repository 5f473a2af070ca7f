import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from metrics.models import ReportingPeriod
from metrics.rollups import jobs as rollup_jobs


class Command(BaseCommand):
    help = (
        "Rebuild the rollups the dashboards read, now: every period, or one with --period 2026-09 (waiting for a "
        "rollup already running to finish). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="One reporting month, as YYYY-MM.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["period"]:
            try:
                month = datetime.datetime.strptime(options["period"], "%Y-%m").date()
            except ValueError as exc:
                raise CommandError(f"--period takes a month as YYYY-MM, such as 2026-09, not {options['period']!r}.") from exc
            period = ReportingPeriod.objects.filter(month=month).first()
            if period is None:
                raise CommandError(f"There is no reporting period for {month:%B %Y}. Load the timetable or add it in admin.")
            run = rollup_jobs.build_now(period=period)
            scope = str(period)
        else:
            run = rollup_jobs.build_now()
            scope = "every period"
        self.stdout.write(f"Rollup run {run.pk} ({scope}): {run.rows} rows in {time.perf_counter() - started:.2f} s.")
