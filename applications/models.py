"""How Places join a wave: rounds with their questions and scoring criteria, applications
with answers, evidence and collaborators, reviews with scores, and decisions.

Tables and constraints only. Every state change is a service (`applications.services`);
who may do what is in `applications.rules`.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from applications.deadlines import london_deadline


class RoundState(models.TextChoices):
    UPCOMING = "upcoming", "Not open yet"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ApplicationRound(models.Model):
    """A call for Places to apply to join a wave. Open from `opens_at` (inclusive) until
    `closes_at` (exclusive): instants, stored in UTC, entered and shown in Europe/London."""

    wave = models.ForeignKey("sites.Wave", on_delete=models.PROTECT, related_name="application_rounds")
    name = models.CharField(max_length=200, unique=True)
    opens_at = models.DateTimeField(help_text="UK time (Europe/London: GMT in winter, BST in summer).")
    closes_at = models.DateTimeField(
        help_text="UK time (Europe/London). Submissions at or after this moment are refused. A time that happens "
        "twice or not at all when the clocks change (1am to 2am) is refused: choose another."
    )
    guidance = models.TextField(blank=True, help_text="What Places should know before they apply.")
    eligibility = models.TextField(blank=True, help_text="Who may apply, for example single Places of around 300,000 people.")
    sites_to_select = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many Places the round expects to select; the moderation ranking uses it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                name="round_closes_after_it_opens",
                condition=Q(closes_at__gt=F("opens_at")),
                violation_error_message="A round must close after it opens.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def state(self, at: datetime.datetime | None = None) -> RoundState:
        now = at or timezone.now()
        if now < self.opens_at:
            return RoundState.UPCOMING
        if now < self.closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED

    def is_open(self, at: datetime.datetime | None = None) -> bool:
        return self.state(at) == RoundState.OPEN

    @property
    def state_label(self) -> str:
        return self.state().label

    @property
    def opens_display(self) -> str:
        return london_deadline(self.opens_at)

    @property
    def closes_display(self) -> str:
        return london_deadline(self.closes_at)


class Question(models.Model):
    round = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(help_text="Questions are asked in this order.")
    prompt = models.CharField(max_length=500)
    help_text = models.TextField(blank=True)
    word_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Leave blank for no limit.")
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["round_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"],
                name="unique_question_number_per_round",
                violation_error_message="Numbers must differ.",
            ),
            models.CheckConstraint(
                name="question_word_limit_positive",
                condition=Q(word_limit__isnull=True) | Q(word_limit__gt=0),
                violation_error_message="A word limit must be at least 1 (leave it blank for no limit).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.prompt}"


class Criterion(models.Model):
    """What reviewers score, on a 0–`max_score` scale, weighted against the round's other criteria."""

    round = models.ForeignKey(ApplicationRound, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1, help_text="Relative weight, for example 30 for 30%.")
    max_score = models.PositiveSmallIntegerField(default=4, help_text="Scores run from 0 to this number.")

    class Meta:
        verbose_name_plural = "criteria"
        ordering = ["round_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"],
                name="unique_criterion_number_per_round",
                violation_error_message="Numbers must differ.",
            ),
            models.CheckConstraint(
                name="criterion_scale_1_to_10",
                condition=Q(max_score__gte=1, max_score__lte=10),
                violation_error_message="The top score must be between 1 and 10.",
            ),
            models.CheckConstraint(
                name="criterion_weight_positive", condition=Q(weight__gt=0), violation_error_message="A weight must be above 0."
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ScoreDescriptor(models.Model):
    """What a score means for one criterion, so reviewers score alike."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="descriptors")
    score = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)

    class Meta:
        ordering = ["criterion_id", "score"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "score"], name="unique_descriptor_per_score", violation_error_message="One per score."
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}: {self.description}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    CLARIFICATION_REQUESTED = "clarification_requested", "Clarification requested"
    SELECTED = "selected", "Selected"
    NOT_SELECTED = "not_selected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# While reviewers may score: after submission, before a decision or withdrawal.
IN_REVIEW = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW, Status.CLARIFICATION_REQUESTED})
DECIDED = frozenset({Status.SELECTED, Status.NOT_SELECTED})


class Application(models.Model):
    """One Place's application to one round."""

    round = models.ForeignKey(ApplicationRound, on_delete=models.PROTECT, related_name="applications")
    place = models.ForeignKey("sites.Place", on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    lead_applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The programme lead who started the application.",
    )
    site = models.ForeignKey(
        "sites.Site",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        help_text="The site its selection created.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="When it was first submitted.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["place__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "place"],
                name="one_application_per_place_per_round",
                violation_error_message="This Place has already started an application to this round.",
            )
        ]
        indexes = [models.Index(fields=["round", "status"], name="application_round_status")]

    def __str__(self) -> str:
        return f"{self.place} — {self.round}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["application_id", "question__number"]
        constraints = [models.UniqueConstraint(fields=["application", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question}"

    @property
    def word_count(self) -> int:
        return count_words(self.text)


def count_words(text: str) -> int:
    """Words as the NHS character count component counts them: runs of non-space characters."""
    return len(text.split())


class Collaborator(models.Model):
    """Another programme lead of the same Place, named on the application. Being named gives
    no access of its own: access comes from the Programme lead role on the Place (ADR 0007)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_collaborations")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "added_at"]
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="one_collaboration_per_person")]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class EvidenceKind(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document (DOCX)"
    XLSX = "xlsx", "Excel spreadsheet (XLSX)"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    """Under MEDIA_ROOT, named by a random id: the uploader's file name never reaches the disk."""
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}.{instance.kind}"


class EvidenceFile(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=EvidenceKind.choices, help_text="Decided by the file's content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "evidence file"
        ordering = ["application_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """The uploader's name for it, with the extension its content proves."""
        stem = PurePath(self.original_name).stem or "evidence"
        return f"{stem}.{self.kind}"


class Clarification(models.Model):
    """A question the taskforce asks a Place about its application, and the Place's answer."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application_id", "asked_at", "id"]

    def __str__(self) -> str:
        return f"Clarification on {self.application}"


class Conflict(models.TextChoices):
    UNDECLARED = "", "Not declared yet"
    NONE = "none", "No conflict"
    DECLARED = "declared", "Conflict declared"


class Recommendation(models.TextChoices):
    SELECT = "select", "Select"
    DISCUSS = "discuss", "Discuss at moderation"
    DO_NOT_SELECT = "do_not_select", "Do not select"


class Review(models.Model):
    """One taskforce member's review of one application: first a conflict-of-interest
    declaration, then a score per criterion, then an overall recommendation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="application_reviews")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    conflict = models.CharField(max_length=16, choices=Conflict.choices, default=Conflict.UNDECLARED, blank=True)
    conflict_details = models.TextField(blank=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    recommendation = models.CharField(max_length=16, choices=Recommendation.choices, blank=True)
    comment = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application_id", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="one_review_per_reviewer",
                violation_error_message="This person is already reviewing this application.",
            ),
            models.CheckConstraint(
                name="conflicted_review_never_submitted",
                condition=~Q(conflict=Conflict.DECLARED, submitted_at__isnull=False),
                violation_error_message="A reviewer with a conflict of interest cannot submit a review.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer.get_username()} on {self.application}"

    @property
    def is_conflicted(self) -> bool:
        return self.conflict == Conflict.DECLARED

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def progress(self) -> str:
        if self.is_conflicted:
            return "Conflict declared"
        if self.is_submitted:
            return "Submitted"
        if self.conflict == Conflict.UNDECLARED:
            return "Not started"
        return "In progress"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["review_id", "criterion__number"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class Outcome(models.TextChoices):
    SELECTED = "selected", "Selected"
    NOT_SELECTED = "not_selected", "Not selected"


class Decision(models.Model):
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the applicants were e-mailed.")

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"


class EmailKind(models.TextChoices):
    SELECTED = "decision_selected", "Decision: selected"
    NOT_SELECTED = "decision_not_selected", "Decision: not selected"
    CLARIFICATION = "clarification_requested", "Clarification requested"


class EmailTemplate(models.Model):
    """An e-mail the portal sends to applicants, as administrators word it. `{{ place }}`
    and the other placeholders listed in the help text are filled in when it is sent."""

    kind = models.CharField(max_length=32, choices=EmailKind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = "e-mail template"

    def __str__(self) -> str:
        return self.get_kind_display()
