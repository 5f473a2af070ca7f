import datetime
from types import SimpleNamespace

import pytest

from nhsportal.models import Role
from reviews import services
from reviews.models import Domain
from tests.nhsportal.factories import user_with_role

ALL_GREEN = {d.value: ("green", f"{d.label} is on track.") for d in Domain}


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def write_review(review, by, *, ratings=None, overall="amber", actions=0, publish=True):
    services.rate_review(review=review, by=by, ratings=ratings or ALL_GREEN, overall_rating=overall, summary="Good progress.")
    for n in range(actions):
        services.add_action(
            review=review, by=by, description=f"Agreed action {n + 1}", owner="site", due_on=datetime.date(2026, 5, 1 + n)
        )
    if publish:
        services.publish_review(review=review, by=by)
    review.refresh_from_db()
    return review


@pytest.fixture
def reviewed(site, other_site, people):
    """A published review of each site (taskforce member reviewing), and a draft of `site`'s next one."""
    reviewer = people["taskforce_member"]
    chair = people["taskforce_chair"]
    own = services.schedule_review(site=site, scheduled_for=datetime.date(2026, 3, 1), reviewer=reviewer, by=chair)
    write_review(own, reviewer, actions=1)
    other = services.schedule_review(site=other_site, scheduled_for=datetime.date(2026, 3, 2), reviewer=reviewer, by=chair)
    write_review(other, reviewer, actions=1)
    draft = services.schedule_review(site=site, scheduled_for=datetime.date(2026, 6, 1), reviewer=reviewer, by=chair)
    return SimpleNamespace(own=own, other=other, draft=draft, own_action=own.actions.get(), other_action=other.actions.get())


@pytest.fixture
def reviewer_of_nothing(db):
    return user_with_role(Role.TASKFORCE_MEMBER)
