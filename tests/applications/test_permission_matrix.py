"""Every role against every application page and endpoint: the status each must get.

Another Place's application is a 404 for a programme lead (its existence does not leak);
a draft is a 404 for the taskforce; a reviewer who declared a conflict cannot score or
read the reviews (403 where they can see the application)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from applications import services
from applications.models import Application, Decision, Status
from nhsportal.models import Role
from tests.applications.factories import round_with, scored_review, submitted
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

ROLES = [
    "anonymous",
    "no_role",
    "lead",
    "other_lead",
    "site_staff",
    "member",
    "reviewer",
    "conflicted",
    "chair",
    "administrator",
]
LOGIN, GO = "login", "redirect"

# Expected outcome per role, in ROLES order.
SIGNED_IN = [LOGIN] + [200] * 9
TASKFORCE = [LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 200]
CHAIR = [LOGIN, 403, 403, 403, 403, 403, 403, 403, 200, 200]
START = [LOGIN, 403, 200, 200, 403, 403, 403, 403, 403, 403]
OWN_DRAFT_READ = [LOGIN, 404, 200, 404, 404, 404, 404, 404, 404, 200]
OTHER_DRAFT_READ = [LOGIN, 404, 404, 200, 404, 404, 404, 404, 404, 200]
OWN_DRAFT_WRITE = [LOGIN, 404, 200, 404, 404, 404, 404, 404, 404, 403]
OTHER_DRAFT_WRITE = [LOGIN, 404, 404, 200, 404, 404, 404, 404, 404, 403]
SUBMITTED_READ = [LOGIN, 404, 200, 404, 404, 200, 200, 200, 200, 200]
OTHER_SUBMITTED_READ = [LOGIN, 404, 404, 200, 404, 200, 200, 200, 200, 200]
SUBMITTED_APPLICANT = [LOGIN, 404, 200, 404, 404, 403, 403, 403, 403, 403]
NO_OPEN_QUESTION = [LOGIN, 404, GO, 404, 404, 403, 403, 403, 403, 403]
ASK_QUESTION = [LOGIN, 404, 403, 404, 404, 403, 200, 403, 200, 200]
SUBMITTED_CHAIR = [LOGIN, 404, 403, 404, 404, 403, 403, 403, 200, 200]
REVIEW_START = [LOGIN, 404, 403, 404, 404, 403, GO, 200, 403, 403]
REVIEW_SCORE = [LOGIN, 404, 403, 404, 404, 403, 200, 403, 403, 403]

API_SIGNED_IN = [401] + [200] * 9
API_OWN_DRAFT = [401, 404, 200, 404, 404, 404, 404, 404, 404, 200]
API_SUBMITTED = [401, 404, 200, 404, 404, 200, 200, 200, 200, 200]
API_EXPORT = [401, 403, 403, 403, 403, 200, 200, 200, 200, 200]
# Another reviewer's submitted review: hidden from applicants, from a reviewer who has not
# submitted yet and from one with a conflict; read by the rest of the taskforce.
API_OTHERS_REVIEW = [401, 404, 404, 404, 404, 200, 404, 404, 200, 200]
API_OTHER_DECISION = [401, 404, 404, 200, 404, 200, 200, 200, 200, 200]


@pytest.fixture
def world(cast, round_):
    second = round_with(name="Wave two, second call")
    later = round_with(name="Wave two, third call")
    people = {
        "anonymous": None,
        "no_role": user_with_role(None),
        "lead": cast.lead,
        "other_lead": cast.other_lead,
        "site_staff": user_with_role(Role.SITE_STAFF, site=SiteFactory()),
        "member": cast.member,
        "reviewer": cast.member_two,
        "conflicted": user_with_role(Role.TASKFORCE_MEMBER, username="conflicted"),
        "chair": cast.chair,
        "administrator": cast.admin,
    }
    mine_draft = Application.objects.create(round=round_, place=cast.place, lead_applicant=cast.lead)
    theirs_draft = Application.objects.create(round=round_, place=cast.other_place, lead_applicant=cast.other_lead)
    mine = submitted(round=second, place=cast.place)
    theirs = submitted(round=second, place=cast.other_place)
    for application in (mine_draft, mine):
        application.evidence.create(
            file=ContentFile(b"%PDF-1.4 demo", name="x.pdf"), original_name="plan.pdf", kind="pdf", size=13, sha256="0" * 64
        )
    collaborator = mine_draft.collaborators.create(user=cast.colleague)
    reviewer = services.assign_reviewer(application=mine, reviewer=people["reviewer"], by=cast.chair)
    services.declare_conflict(review=reviewer, by=people["reviewer"], has_conflict=False)
    conflicted = services.assign_reviewer(application=mine, reviewer=people["conflicted"], by=cast.chair)
    services.declare_conflict(review=conflicted, by=people["conflicted"], has_conflict=True, details="Former employer.")
    done = scored_review(mine, user_with_role(Role.TASKFORCE_MEMBER, username="scored"), [3, 3])
    Application.objects.filter(pk=theirs.pk).update(status=Status.NOT_SELECTED)
    their_decision = Decision.objects.create(
        application=theirs, outcome="not_selected", rationale="Not yet.", decided_by=cast.chair
    )
    return {
        "people": people,
        "later": later,
        "mine_draft": mine_draft,
        "theirs_draft": theirs_draft,
        "mine": Application.objects.get(pk=mine.pk),
        "theirs": theirs,
        "collaborator": collaborator,
        "reviewer_review": reviewer,
        "done_review": done,
        "their_decision": their_decision,
        "round": round_,
        "second": second,
    }


def _pages(w):
    draft, other_draft, mine, theirs = w["mine_draft"], w["theirs_draft"], w["mine"], w["theirs"]
    evidence_draft, evidence_mine = draft.evidence.get(), mine.evidence.get()
    return [
        ("list", reverse("application-list"), SIGNED_IN),
        ("export csv", reverse("application-export-csv"), TASKFORCE),
        ("export xlsx", reverse("application-export-xlsx"), TASKFORCE),
        ("round", reverse("round-detail", args=[w["round"].pk]), SIGNED_IN),
        ("start", reverse("application-start", args=[w["later"].pk]), START),
        ("moderation", reverse("round-moderation", args=[w["second"].pk]), CHAIR),
        ("own draft", reverse("application-detail", args=[draft.pk]), OWN_DRAFT_READ),
        ("other draft", reverse("application-detail", args=[other_draft.pk]), OTHER_DRAFT_READ),
        ("own answer", reverse("application-answer", args=[draft.pk, 1]), OWN_DRAFT_WRITE),
        ("other answer", reverse("application-answer", args=[other_draft.pk, 1]), OTHER_DRAFT_WRITE),
        ("own collaborators", reverse("application-collaborators", args=[draft.pk]), OWN_DRAFT_WRITE),
        ("other collaborators", reverse("application-collaborators", args=[other_draft.pk]), OTHER_DRAFT_WRITE),
        (
            "own collaborator remove",
            reverse("application-collaborator-remove", args=[draft.pk, w["collaborator"].pk]),
            OWN_DRAFT_WRITE,
        ),
        ("own evidence", reverse("application-evidence", args=[draft.pk]), OWN_DRAFT_WRITE),
        ("other evidence", reverse("application-evidence", args=[other_draft.pk]), OTHER_DRAFT_WRITE),
        ("own evidence remove", reverse("evidence-remove", args=[draft.pk, evidence_draft.pk]), OWN_DRAFT_WRITE),
        ("draft evidence download", reverse("evidence-download", args=[draft.pk, evidence_draft.pk]), OWN_DRAFT_READ),
        ("own check", reverse("application-check", args=[draft.pk]), OWN_DRAFT_WRITE),
        ("other check", reverse("application-check", args=[other_draft.pk]), OTHER_DRAFT_WRITE),
        ("own withdraw", reverse("application-withdraw", args=[draft.pk]), OWN_DRAFT_WRITE),
        ("submitted", reverse("application-detail", args=[mine.pk]), SUBMITTED_READ),
        ("other submitted", reverse("application-detail", args=[theirs.pk]), OTHER_SUBMITTED_READ),
        ("submitted evidence download", reverse("evidence-download", args=[mine.pk, evidence_mine.pk]), SUBMITTED_READ),
        ("submitted withdraw", reverse("application-withdraw", args=[mine.pk]), SUBMITTED_APPLICANT),
        ("clarification answer", reverse("clarification-answer", args=[mine.pk]), NO_OPEN_QUESTION),
        ("clarification ask", reverse("clarification-request", args=[mine.pk]), ASK_QUESTION),
        ("reviewers", reverse("application-reviewers", args=[mine.pk]), SUBMITTED_CHAIR),
        ("reviewer remove", reverse("reviewer-remove", args=[mine.pk, w["reviewer_review"].pk]), SUBMITTED_CHAIR),
        ("start review", reverse("application-start-review", args=[mine.pk]), SUBMITTED_CHAIR),
        ("decision", reverse("application-decision", args=[mine.pk]), SUBMITTED_CHAIR),
        ("review start", reverse("review-start", args=[mine.pk]), REVIEW_START),
        ("review score", reverse("review-score", args=[mine.pk, 1]), REVIEW_SCORE),
        ("review recommendation", reverse("review-recommendation", args=[mine.pk]), REVIEW_SCORE),
        ("review check", reverse("review-check", args=[mine.pk]), REVIEW_SCORE),
    ]


def _endpoints(w):
    return [
        ("api rounds", "/api/v1/application-rounds/", API_SIGNED_IN),
        ("api round", f"/api/v1/application-rounds/{w['round'].pk}/", API_SIGNED_IN),
        ("api applications", "/api/v1/applications/", API_SIGNED_IN),
        ("api own draft", f"/api/v1/applications/{w['mine_draft'].pk}/", API_OWN_DRAFT),
        ("api submitted", f"/api/v1/applications/{w['mine'].pk}/", API_SUBMITTED),
        ("api export", "/api/v1/applications/export/", API_EXPORT),
        ("api reviews", "/api/v1/reviews/", API_SIGNED_IN),
        ("api others' review", f"/api/v1/reviews/{w['done_review'].pk}/", API_OTHERS_REVIEW),
        ("api decisions", "/api/v1/decisions/", API_SIGNED_IN),
        ("api other place's decision", f"/api/v1/decisions/{w['their_decision'].pk}/", API_OTHER_DECISION),
    ]


def _outcome(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else GO
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_application_page_answers_each_role_as_expected(client, world, role):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, path, expected in _pages(world):
        outcome = _outcome(client.get(path))
        if outcome != expected[ROLES.index(role)]:
            wrong.append(f"{name} ({path}): got {outcome}, expected {expected[ROLES.index(role)]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_applications_endpoint_answers_each_role_as_expected(world, role):
    client = APIClient()
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, path, expected in _endpoints(world):
        status = client.get(path).status_code
        if status != expected[ROLES.index(role)]:
            wrong.append(f"{name} ({path}): got {status}, expected {expected[ROLES.index(role)]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_lead_cannot_change_another_places_application_by_posting(client, world):
    theirs = world["theirs_draft"]
    client.force_login(world["people"]["lead"])

    responses = [
        client.post(reverse("application-answer", args=[theirs.pk, 1]), {"text": "Planted", "then": "later"}),
        client.post(reverse("application-check", args=[theirs.pk])),
        client.post(reverse("application-withdraw", args=[theirs.pk]), {"reason": "mischief"}),
        client.post(reverse("application-collaborators", args=[theirs.pk]), {"user": world["people"]["lead"].pk}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT and not theirs.answers.exists() and not theirs.collaborators.exists()


def test_a_conflicted_reviewer_cannot_score_by_posting(client, world):
    mine = world["mine"]
    client.force_login(world["people"]["conflicted"])

    response = client.post(reverse("review-score", args=[mine.pk, 1]), {"score": "4", "comment": "Sneaky"})
    api = APIClient()
    api.force_login(world["people"]["conflicted"])
    review = mine.reviews.get(reviewer=world["people"]["conflicted"])
    api_response = api.post(
        f"/api/v1/reviews/{review.pk}/scores/", {"criterion": mine.round.criteria.first().pk, "score": 4}, format="json"
    )

    assert (response.status_code, api_response.status_code) == (403, 403)
    assert not review.scores.exists()


def test_the_taskforce_cannot_decide_or_assign_by_posting_unless_chair(client, world):
    mine = world["mine"]
    client.force_login(world["people"]["member"])

    decided = client.post(reverse("application-decision", args=[mine.pk]), {"outcome": "selected", "rationale": "Me"})
    assigned = client.post(reverse("application-reviewers", args=[mine.pk]), {"reviewer": world["people"]["member"].pk})

    assert (decided.status_code, assigned.status_code) == (403, 403)
    assert Application.objects.get(pk=mine.pk).status == Status.UNDER_REVIEW
