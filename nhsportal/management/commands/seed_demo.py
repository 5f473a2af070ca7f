from django.core.management.base import BaseCommand, CommandError

from nhsportal.demo.seed import DEFAULT_DEMO_PASSWORD, DemoNotAllowed, seed_demo


class Command(BaseCommand):
    help = (
        "Demo only: four wave-one sites with neighbourhoods, teams and workforce, and one account per role, "
        f"all sharing DEMO_PASSWORD (default {DEFAULT_DEMO_PASSWORD!r}). Loads the reference data first if it is "
        "missing. Safe to run again. Refuses in production unless --allow-production."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DJANGO_ENV is production (only for a throwaway copy: the password is published).",
        )

    def handle(self, *args, **options):
        try:
            result = seed_demo(allow_production=options["allow_production"])
        except DemoNotAllowed as exc:
            raise CommandError(str(exc)) from exc

        if result.loaded_reference_data:
            self.stdout.write("Reference data was missing: loaded it first.")
        for row in result.sites:
            self.stdout.write(
                f"{row['site']} ({row['site'].get_status_display().lower()}): {row['neighbourhoods']} neighbourhoods, "
                f"{row['teams']} teams, {row['workforce']} workforce entries"
            )

        self.stdout.write("")
        header = ("username", "name", "role", "scope")
        rows = [(a.username, f"{a.first_name} {a.last_name}", a.role.label, a.scope) for a, _ in result.accounts]
        widths = [max(len(str(value)) for value in column) for column in zip(header, *rows, strict=False)]
        for values in (header, tuple("-" * width for width in widths), *rows):
            self.stdout.write("  ".join(str(value).ljust(width) for value, width in zip(values, widths, strict=True)).rstrip())
        password = "the value of DEMO_PASSWORD" if result.password_from_environment else DEFAULT_DEMO_PASSWORD
        self.stdout.write(f"\nEvery demo account's password: {password} (demo only; never use these accounts for real data).")
        self.stdout.write("Sign in at /accounts/login/; the administrator also at /admin/.")
