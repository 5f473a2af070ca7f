from django.core.management.base import BaseCommand

from sites.reference import load_all
from teams.reference import load_team_vocabulary


class Command(BaseCommand):
    help = "Load the regions, ICBs, deprivation figures, wave one's 43 sites and the team vocabulary. Safe to run again."

    def handle(self, *args, **options):
        counts = load_all() | load_team_vocabulary()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
