from django.core.management.base import BaseCommand

from reviews.reference import load_onboarding_milestones


class Command(BaseCommand):
    help = "Load wave one's onboarding checklist (needs the waves: run load_reference_data first). Safe to run again."

    def handle(self, *args, **options):
        for name, count in load_onboarding_milestones().items():
            self.stdout.write(f"{name}: {count}")
