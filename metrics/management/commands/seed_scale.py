import time

from django.core.management.base import BaseCommand, CommandError

from metrics.returns.scale import ScaleNotAllowed, seed_scale


class Command(BaseCommand):
    help = (
        "Benchmarks only: synthetic national-scale returns, every site × every metric line and breakdown category × "
        "--months months, all signed off (400 × 60 by default: the reference data's sites plus synthetic comparators). "
        "Replaces its own synthetic data when run again; touches nothing else. Refuses to run in production. "
        "Run `manage.py rollup` afterwards for the rollups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sites", type=int, default=400, help="How many sites file returns (default 400).")
        parser.add_argument("--months", type=int, default=60, help="How many months back from last month (default 60).")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            result = seed_scale(sites=options["sites"], months=options["months"])
        except (ScaleNotAllowed, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.sites} sites ({result.synthetic_sites} synthetic comparators) × {result.periods} months: "
            f"{result.returns:,} signed-off returns, {result.values:,} values in {time.perf_counter() - started:.1f}s."
        )
