"""Wave one's onboarding checklist, as the site reviews issue lists it. Administrators change
it in Django admin afterwards; loading again never overwrites their changes (get_or_create by code)."""

from __future__ import annotations

from django.db import transaction

from reviews.models import AutomaticCheck, MilestoneTemplate
from sites.models import Wave

WAVE_ONE_MILESTONES = [
    # code, title, due days after the wave starts, automatic check
    ("leads-named", "Programme lead and senior responsible officer named", 30, ""),
    ("governance-agreed", "Governance agreed", 60, ""),
    ("data-sharing-agreement", "Data sharing agreement signed", 60, ""),
    ("dpia", "Data protection impact assessment (DPIA) completed", 75, ""),
    ("cohort-defined", "Local cohort defined", 90, ""),
    ("first-team-live", "First neighbourhood team live", 120, AutomaticCheck.FIRST_TEAM_LIVE),
    ("first-return", "First return submitted", 150, AutomaticCheck.FIRST_RETURN_SUBMITTED),
]


@transaction.atomic
def load_onboarding_milestones() -> dict[str, int]:
    wave = Wave.objects.filter(number=1).first()
    if wave is None:
        return {"onboarding milestones": 0}
    for order, (code, title, days, automatic) in enumerate(WAVE_ONE_MILESTONES, start=1):
        MilestoneTemplate.objects.get_or_create(
            wave=wave, code=code, defaults={"title": title, "order": order, "due_after_days": days, "automatic": automatic}
        )
    return {"onboarding milestones": MilestoneTemplate.objects.filter(wave=wave).count()}
