"""How the taskforce follows each site: onboarding milestones, periodic reviews with RAG
ratings and agreed actions, and the coaching log. Workflow lives in the services."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q

from applications.models import EvidenceKind  # the same checked kinds as application evidence

# --- Onboarding -----------------------------------------------------------------------------


class AutomaticCheck(models.TextChoices):
    """Milestones the portal can see for itself in its own data."""

    NONE = "", "Marked by the site"
    FIRST_TEAM_LIVE = "first_team_live", "A neighbourhood team has started working"
    FIRST_RETURN_SUBMITTED = "first_return_submitted", "A monthly return has been signed off"


class MilestoneTemplate(models.Model):
    """One item of a wave's onboarding checklist, configured by administrators."""

    wave = models.ForeignKey("sites.Wave", on_delete=models.CASCADE, related_name="milestones")
    code = models.SlugField(max_length=50)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What counts as done, and what evidence the taskforce expects.")
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(
        default=True, help_text="Every required milestone must be confirmed before the site is active."
    )
    due_after_days = models.PositiveIntegerField(help_text="Due this many days after the wave starts.")
    automatic = models.CharField(
        max_length=32,
        choices=AutomaticCheck.choices,
        blank=True,
        default=AutomaticCheck.NONE,
        help_text="Ticked by the portal's own data rather than by the site.",
    )

    class Meta:
        ordering = ["wave__number", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["wave", "code"], name="unique_milestone_code_per_wave")]

    def __str__(self) -> str:
        return f"{self.wave}: {self.title}"

    def due_on(self, wave_start: datetime.date) -> datetime.date:
        return wave_start + datetime.timedelta(days=self.due_after_days)


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    SUBMITTED = "submitted", "Waiting for the taskforce"
    SENT_BACK = "sent_back", "Sent back"
    CONFIRMED = "confirmed", "Confirmed"


def milestone_evidence_path(instance: SiteMilestone, filename: str) -> str:
    """Under MEDIA_ROOT, named by a random id: the uploader's file name never reaches the disk."""
    return f"onboarding/{instance.site_id}/{uuid.uuid4().hex}.{instance.evidence_kind}"


class SiteMilestone(models.Model):
    """A site's progress on one checklist item. Made when the site first acts on it (or the
    portal's data ticks it); until then the checklist shows the item as not started."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="milestones")
    template = models.ForeignKey(MilestoneTemplate, on_delete=models.PROTECT, related_name="site_milestones")
    status = models.CharField(max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED)
    note = models.TextField(blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)
    evidence_file = models.FileField(upload_to=milestone_evidence_path, max_length=300, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_kind = models.CharField(max_length=8, choices=EvidenceKind.choices, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    ticked_by_data = models.BooleanField(default=False, help_text="Confirmed by the portal's own data, not by a person.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    sent_back_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["site_id", "template__order"]
        constraints = [models.UniqueConstraint(fields=["site", "template"], name="one_milestone_row_per_site")]

    def __str__(self) -> str:
        return f"{self.site} — {self.template.title}"

    @property
    def download_name(self) -> str:
        stem = PurePath(self.evidence_name).stem or "evidence"
        return f"{stem}.{self.evidence_kind}"


# --- Reviews --------------------------------------------------------------------------------


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    LOCKED = "locked", "Signed off"


class Domain(models.TextChoices):
    DELIVERY = "delivery", "Delivery"
    ENGAGEMENT = "engagement", "Engagement"
    DATA_QUALITY = "data_quality", "Data quality"
    WORKFORCE = "workforce", "Workforce"
    GOVERNANCE = "governance", "Governance"


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RATING_ORDER: dict[str, int] = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2}


class Review(models.Model):
    """A periodic review of one site. A draft is the taskforce's alone; once published the
    site reads it and responds; once the reviewer and the site lead have both signed it off
    it is locked, and later notes are appended, never edited."""

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="reviews")
    scheduled_for = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_to_lead")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    overall_rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    summary = models.TextField(blank=True, help_text="The overall judgement in a few sentences.")
    published_at = models.DateTimeField(null=True, blank=True)
    site_response = models.TextField(blank=True)
    site_responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site_responded_at = models.DateTimeField(null=True, blank=True)
    reviewer_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_signed_off_at = models.DateTimeField(null=True, blank=True)
    site_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site_signed_off_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["site", "status", "scheduled_for"])]
        constraints = [
            models.CheckConstraint(
                name="locked_review_has_both_sign_offs",
                condition=~Q(status="locked") | Q(reviewer_signed_off_at__isnull=False, site_signed_off_at__isnull=False),
                violation_error_message="A review is locked only once the reviewer and the site lead have both signed it off.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} review, {self.scheduled_for:%-d %B %Y}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReviewStatus.LOCKED


class DomainRating(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    domain = models.CharField(max_length=16, choices=Domain.choices)
    rating = models.CharField(max_length=8, choices=Rating.choices)
    narrative = models.TextField()

    class Meta:
        ordering = ["review_id", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "domain"], name="one_rating_per_domain")]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_rating_display()}"


class ReviewNote(models.Model):
    """Appended to a review at any time; never changed or removed."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_id", "added_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.review}"


class ActionOwner(models.TextChoices):
    SITE = "site", "The site"
    NATIONAL = "national", "The national team"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Action(models.Model):
    """Something agreed at a review, owned by the site or the national team."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="actions")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="review_actions")
    description = models.TextField()
    owner = models.CharField(max_length=10, choices=ActionOwner.choices)
    owner_name = models.CharField("named owner", max_length=150, blank=True)
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closing_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["site", "status"])]
        constraints = [
            models.CheckConstraint(
                name="closed_action_has_note",
                condition=~Q(status="closed") | ~Q(closing_note=""),
                violation_error_message="Closing an action needs a note.",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.status != ActionStatus.CLOSED and self.due_on < day


# --- Coaching -------------------------------------------------------------------------------


class SessionKind(models.TextChoices):
    COACHING = "coaching", "Coaching session"
    WORKSHOP = "workshop", "Workshop day"


class CoachingSession(models.Model):
    kind = models.CharField(max_length=10, choices=SessionKind.choices)
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    facilitator = models.CharField(max_length=150, blank=True)
    topics = models.TextField()
    follow_ups = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%-d %B %Y})"


class Attendance(models.Model):
    """Who came from which site."""

    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="attendance")
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="coaching_attendance")
    person_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["session_id", "site__name", "person_name"]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.site})"


# --- Reminders ------------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    ACTION_DUE_SOON = "action_due_soon", "An action is due in a week"
    ACTION_OVERDUE = "action_overdue", "An action is overdue (weekly)"
    MILESTONES_OVERDUE = "milestones_overdue", "Onboarding milestones are overdue (weekly)"


class ReviewReminderSent(models.Model):
    """Each reminder once: running the job twice sends nothing twice."""

    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    action = models.ForeignKey(Action, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("sites.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=16, blank=True, help_text="The ISO week it covers, for weekly reminders.")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "action", "key"], condition=Q(action__isnull=False), name="one_action_reminder_each"
            ),
            models.UniqueConstraint(
                fields=["kind", "site", "key"], condition=Q(action__isnull=True), name="one_site_review_reminder_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.action or self.site} {self.key}"
