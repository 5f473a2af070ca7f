"""Every person a page names is a nullable foreign key: never recorded (imported or demo data),
or the account has since been deleted (SET_NULL). Each page that names one answers 200 and
says so ("Not recorded", or who it must have been) rather than crashing or printing nothing.
The returns pages are covered in tests/metrics/test_data_quality_loop.py."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications.models import EvidenceFile
from nhsportal import audit
from reviews import services as review_services
from reviews.models import Action, ActionStatus, Domain, MilestoneStatus, ReviewNote, SiteMilestone
from tests.applications.factories import ApplicationFactory
from tests.reviews.factories import MilestoneTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")


@pytest.fixture
def published_review(site, people):
    chair, reviewer = people["taskforce_chair"], people["taskforce_member"]
    review = review_services.schedule_review(site=site, scheduled_for=datetime.date(2026, 3, 1), reviewer=reviewer, by=chair)
    review_services.rate_review(
        review=review,
        by=reviewer,
        ratings={d.value: ("green", f"{d.label} is on track.") for d in Domain},
        overall_rating="amber",
        summary="Good progress.",
    )
    review_services.add_action(
        review=review, by=reviewer, description="Agree the cohort", owner="site", due_on=datetime.date(2026, 5, 1)
    )
    review_services.publish_review(review=review, by=reviewer)
    review.refresh_from_db()
    return review


def test_a_review_whose_people_are_gone_names_nobody(client, published_review, people):
    review = published_review
    now = timezone.now()
    review.site_response = "We agree."
    review.site_responded_at = now
    review.site_responded_by = None
    review.reviewer_signed_off_at = now
    review.reviewer_signed_off_by = None
    review.save()
    ReviewNote.objects.create(review=review, author=None, text="Follow-up call held.")
    Action.objects.filter(review=review).update(
        status=ActionStatus.CLOSED, closing_note="Cohort agreed", closed_by=None, closed_at=now
    )
    client.force_login(people["taskforce_chair"])

    detail = client.get(reverse("review-detail", args=[review.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Follow-up call held." in html and "Not recorded, " in html

    action = client.get(reverse("action-update", args=[review.actions.get().pk]))
    assert action.status_code == 200
    assert "Cohort agreed (Not recorded, " in action.content.decode()


def test_a_milestone_marked_done_by_a_deleted_account_can_still_be_decided(client, site, people):
    template = MilestoneTemplateFactory(wave=site.wave, title="Board approval")
    SiteMilestone.objects.create(
        site=site,
        template=template,
        status=MilestoneStatus.SUBMITTED,
        note="Approved",
        submitted_by=None,
        submitted_at=timezone.now(),
    )
    client.force_login(people["taskforce_member"])

    page = client.get(reverse("milestone-decide", args=[site.pk, template.pk]))

    assert page.status_code == 200
    assert "Not recorded, " in page.content.decode()


def test_evidence_added_by_a_deleted_account_is_listed(client, site, people):
    application = ApplicationFactory(place=site.place)
    evidence = EvidenceFile(application=application, original_name="plan.pdf", kind="pdf", size=4, sha256="0" * 64)
    evidence.file.save("plan.pdf", ContentFile(b"%PDF"), save=False)
    evidence.uploaded_by = None
    evidence.save()
    client.force_login(people["programme_lead"])

    page = client.get(reverse("application-evidence", args=[application.pk]))

    assert page.status_code == 200
    assert "Added by unknown" in page.content.decode()


def test_the_audit_log_shows_a_step_by_nobody_as_the_portal(client, site, people):
    audit.record(actor=None, action="site.updated", obj=site, reason="Nightly sync")
    client.force_login(people["administrator"])

    page = client.get(reverse("audit-log"))

    assert page.status_code == 200
    assert "The portal" in page.content.decode()
