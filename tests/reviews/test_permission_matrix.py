"""Every role against every reviews page: the status each must get. Another site's review,
action, checklist or evidence is a 404 for anyone tied to one site; a draft review is a 404
for everyone but the taskforce; ratings (the matrix) are the taskforce's alone."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import services
from tests.reviews.factories import MilestoneTemplateFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_role",
    "programme_lead",
    "site_staff",
    "site_lead",
    "taskforce_member",
    "taskforce_chair",
    "administrator",
]
LOGIN = "login"
DONE = "done"

PEOPLE_PAGE = [LOGIN, 403, 200, 200, 200, 200, 200, 200]
TASKFORCE_ONLY = [LOGIN, 403, 403, 403, 403, 200, 200, 200]
OWN_READ = [LOGIN, 404, 200, 200, 200, 200, 200, 200]
OTHER_READ = [LOGIN, 404, 404, 404, 404, 200, 200, 200]
# The reviewer is the taskforce member; the chair and administrators may write any review.
OWN_WRITE = [LOGIN, 404, 403, 403, 403, 200, 200, 200]
DRAFT_WRITE = [LOGIN, 404, 404, 404, 404, 200, 200, 200]
OWN_RESPOND = [LOGIN, 404, 403, 403, 200, 403, 403, 200]
OWN_NOTE = [LOGIN, 404, 403, 200, 200, 200, 200, 200]
OWN_MARK = [LOGIN, 404, 200, 200, 200, 403, 403, 200]
OTHER_MARK = [LOGIN, 404, 404, 404, 404, 403, 403, 200]
OWN_DECIDE = [LOGIN, 404, 403, 403, 403, 200, 200, 200]
OTHER_DECIDE = [LOGIN, 404, 404, 404, 404, 200, 200, 200]
SIGN_OFF_SITE = [LOGIN, 404, 403, 403, DONE, 403, 403, DONE]
SIGN_OFF_REVIEWER = [LOGIN, 404, 403, 403, 403, DONE, DONE, DONE]


def _outcome(response, done_prefix: str = "") -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        if done_prefix and location.startswith(done_prefix):
            return DONE
        return f"302 to {location}"
    return response.status_code


def _client(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


@pytest.fixture
def milestones(site, other_site, people):
    pdf = b"%PDF-1.4\n%%EOF\n"
    made = {}
    for whose, each in (("own", site), ("other", other_site)):
        template = MilestoneTemplateFactory(wave=each.wave, code=f"dsa-{whose}")
        marker = people["site_staff"] if whose == "own" else people["administrator"]
        services.submit_milestone(
            site=each, template=template, by=marker, note="Signed.", upload=SimpleUploadedFile("dsa.pdf", pdf)
        )
        made[whose] = (each, template)
    return made


def _pages(reviewed, milestones):
    own, other, draft = reviewed.own, reviewed.other, reviewed.draft
    pages = [
        ("review list", reverse("review-list"), PEOPLE_PAGE),
        ("schedule", reverse("review-schedule"), TASKFORCE_ONLY),
        ("own review", reverse("review-detail", args=[own.pk]), OWN_READ),
        ("other review", reverse("review-detail", args=[other.pk]), OTHER_READ),
        ("own draft", reverse("review-detail", args=[draft.pk]), DRAFT_WRITE),
        ("rate own", reverse("review-rate", args=[own.pk]), OWN_WRITE),
        ("rate other", reverse("review-rate", args=[other.pk]), OTHER_READ),
        ("rate draft", reverse("review-rate", args=[draft.pk]), DRAFT_WRITE),
        ("add action", reverse("review-action-add", args=[own.pk]), OWN_WRITE),
        ("publish draft", reverse("review-publish", args=[draft.pk]), DRAFT_WRITE),
        ("respond", reverse("review-respond", args=[own.pk]), OWN_RESPOND),
        ("respond other", reverse("review-respond", args=[other.pk]), [LOGIN, 404, 404, 404, 404, 403, 403, 200]),
        ("note", reverse("review-note", args=[own.pk]), OWN_NOTE),
        ("action list", reverse("action-list"), PEOPLE_PAGE),
        ("own action", reverse("action-update", args=[reviewed.own_action.pk]), OWN_READ),
        ("other action", reverse("action-update", args=[reviewed.other_action.pk]), OTHER_READ),
        ("matrix", reverse("review-matrix"), TASKFORCE_ONLY),
        ("matrix export", reverse("review-matrix") + "?format=xlsx", TASKFORCE_ONLY),
        ("coaching", reverse("coaching-list"), PEOPLE_PAGE),
        ("record coaching", reverse("coaching-add"), TASKFORCE_ONLY),
    ]
    for whose, (each, template) in milestones.items():
        read, mark, decide = (OWN_READ, OWN_MARK, OWN_DECIDE) if whose == "own" else (OTHER_READ, OTHER_MARK, OTHER_DECIDE)
        pages += [
            (f"{whose} site reviews", reverse("site-reviews", args=[each.pk]), read),
            (f"{whose} onboarding", reverse("onboarding", args=[each.pk]), read),
            (f"{whose} mark milestone", reverse("milestone-submit", args=[each.pk, template.pk]), mark),
            (f"{whose} decide milestone", reverse("milestone-decide", args=[each.pk, template.pk]), decide),
            (f"{whose} evidence", reverse("milestone-evidence", args=[each.pk, template.pk]), read),
        ]
    return pages


@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_every_page_answers_each_role_as_it_should(client, people, reviewed, milestones, role_index, role):
    client = _client(client, people, role)
    wrong = {}
    for name, url, expected in _pages(reviewed, milestones):
        got = _outcome(client.get(url))
        if got != expected[role_index]:
            wrong[name] = (got, expected[role_index])
    assert wrong == {}


@pytest.mark.parametrize("side,expected", [("site", SIGN_OFF_SITE), ("reviewer", SIGN_OFF_REVIEWER)])
@pytest.mark.parametrize("role_index,role", list(enumerate(ROLES)))
def test_signing_off_answers_each_role_as_it_should(client, people, reviewed, role_index, role, side, expected):
    review = reviewed.own
    services.respond_to_review(review=review, by=people["site_lead"], response="Agreed.")
    client = _client(client, people, role)

    response = client.post(reverse("review-sign-off", args=[review.pk]), {"side": side})

    assert _outcome(response, reverse("review-detail", args=[review.pk])) == expected[role_index]
    review.refresh_from_db()
    signed = review.site_signed_off_at if side == "site" else review.reviewer_signed_off_at
    assert (signed is not None) == (expected[role_index] == DONE)


def test_the_public_summary_and_home_page_never_show_ratings(client, reviewed):
    for url in ("/", reverse("public-summary")):
        html = client.get(url).content.decode()
        assert "Green" not in html and "Amber" not in html and "nhsuk-tag--orange" not in html
