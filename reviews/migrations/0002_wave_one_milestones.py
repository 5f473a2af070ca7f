"""Wave one's onboarding checklist, for databases whose waves are already loaded. A fresh
database gets it from `load_reference_data` (reviews.reference), which this mirrors."""

from django.db import migrations

MILESTONES = [
    ("leads-named", "Programme lead and senior responsible officer named", 30, ""),
    ("governance-agreed", "Governance agreed", 60, ""),
    ("data-sharing-agreement", "Data sharing agreement signed", 60, ""),
    ("dpia", "Data protection impact assessment (DPIA) completed", 75, ""),
    ("cohort-defined", "Local cohort defined", 90, ""),
    ("first-team-live", "First neighbourhood team live", 120, "first_team_live"),
    ("first-return", "First return submitted", 150, "first_return_submitted"),
]


def seed(apps, schema_editor):
    Wave = apps.get_model("sites", "Wave")
    MilestoneTemplate = apps.get_model("reviews", "MilestoneTemplate")
    wave = Wave.objects.filter(number=1).first()
    if wave is None:
        return
    for order, (code, title, days, automatic) in enumerate(MILESTONES, start=1):
        MilestoneTemplate.objects.get_or_create(
            wave=wave, code=code, defaults={"title": title, "order": order, "due_after_days": days, "automatic": automatic}
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_site_reviews_onboarding_coaching"), ("sites", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
