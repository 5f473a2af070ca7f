from django.core.management.base import BaseCommand

from dictionary.reference import load_definitions
from metrics.returns.reference import load_metrics, load_periods
from reviews.reference import load_onboarding_milestones
from sites.reference import load_all
from teams.reference import load_team_vocabulary


class Command(BaseCommand):
    help = (
        "Load the regions, ICBs, deprivation figures, wave one's 43 sites, the team vocabulary, "
        "the metric catalogue, the reporting timetable and wave one's onboarding checklist. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = (
            load_all()
            | load_team_vocabulary()
            | load_metrics()
            | load_periods()
            | load_onboarding_milestones()
            | load_definitions()
        )
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
