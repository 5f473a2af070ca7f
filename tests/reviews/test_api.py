"""The reviews API: scoped like the pages (another site's review and any draft are a 404 to
site people), workflow steps through the same services, every endpoint for every role."""

import datetime

import pytest
from rest_framework.test import APIClient

from reviews.models import ReviewStatus

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


def api(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _ids(response):
    return sorted(item["id"] for item in response.json()["results"])


@pytest.mark.parametrize("role", ROLES)
def test_reading_reviews_and_actions_is_scoped(people, reviewed, role):
    client = api(people[role])
    national = role in {"taskforce_member", "taskforce_chair", "administrator"}
    own_site = role in {"programme_lead", "site_staff", "site_lead"}

    reviews = client.get("/api/v1/site-reviews/")
    actions = client.get("/api/v1/review-actions/")
    own, other, draft = (
        client.get(f"/api/v1/site-reviews/{r.pk}/").status_code for r in (reviewed.own, reviewed.other, reviewed.draft)
    )
    checklist = client.get(f"/api/v1/onboarding/{reviewed.own.site_id}/").status_code
    other_checklist = client.get(f"/api/v1/onboarding/{reviewed.other.site_id}/").status_code

    if role == "anonymous":
        assert {reviews.status_code, actions.status_code, own, checklist} == {401}
        return
    expected_reviews = sorted(
        [reviewed.own.pk, reviewed.other.pk, reviewed.draft.pk] if national else [reviewed.own.pk] if own_site else []
    )
    assert _ids(reviews) == expected_reviews
    expected_actions = sorted(
        [reviewed.own_action.pk, reviewed.other_action.pk] if national else [reviewed.own_action.pk] if own_site else []
    )
    assert _ids(actions) == expected_actions
    assert (own, other, draft) == ((200, 200, 200) if national else (200, 404, 404) if own_site else (404, 404, 404))
    assert (checklist, other_checklist) == ((200, 200) if national else (200, 404) if own_site else (404, 404))


def test_a_review_reads_with_its_ratings_actions_and_notes(people, reviewed):
    body = api(people["site_lead"]).get(f"/api/v1/site-reviews/{reviewed.own.pk}/").json()

    assert body["status"] == ReviewStatus.PUBLISHED
    assert {r["domain"] for r in body["ratings"]} == {"delivery", "engagement", "data_quality", "workforce", "governance"}
    assert [a["description"] for a in body["actions"]] == ["Agreed action 1"]
    assert body["notes"] == []


@pytest.mark.parametrize("role,expected", [("site_lead", 403), ("taskforce_member", 201), ("taskforce_chair", 201)])
def test_scheduling_through_the_api(people, site, role, expected):
    response = api(people[role]).post(
        "/api/v1/site-reviews/",
        {"site": site.pk, "scheduled_for": "2026-09-01", "reviewer": people["taskforce_member"].pk},
        format="json",
    )

    assert response.status_code == expected
    if expected == 201:
        assert response.json()["status"] == "draft"


def test_a_bad_reviewer_is_named_in_the_error(people, site):
    response = api(people["taskforce_chair"]).post(
        "/api/v1/site-reviews/",
        {"site": site.pk, "scheduled_for": "2026-09-01", "reviewer": people["site_staff"].pk},
        format="json",
    )

    assert response.status_code == 400
    assert "taskforce" in response.json()["reviewer"][0]


def test_closing_an_action_through_the_api_needs_a_note(people, reviewed):
    client = api(people["site_staff"])
    url = f"/api/v1/review-actions/{reviewed.own_action.pk}/status/"

    refused = client.post(url, {"status": "closed"}, format="json")
    done = client.post(url, {"status": "closed", "note": "Agreed with the PCNs."}, format="json")
    other = client.post(
        f"/api/v1/review-actions/{reviewed.other_action.pk}/status/", {"status": "closed", "note": "x"}, format="json"
    )

    assert refused.status_code == 400 and "note" in refused.json()
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert other.status_code == 404


def test_sign_off_and_notes_through_the_api(people, reviewed):
    from reviews import services

    review = reviewed.own
    services.respond_to_review(review=review, by=people["site_lead"], response="Agreed.")
    assert (
        api(people["site_staff"]).post(f"/api/v1/site-reviews/{review.pk}/sign-off/", {"side": "site"}, format="json").status_code
        == 403
    )
    api(people["site_lead"]).post(f"/api/v1/site-reviews/{review.pk}/sign-off/", {"side": "site"}, format="json")
    locked = api(people["taskforce_member"]).post(
        f"/api/v1/site-reviews/{review.pk}/sign-off/", {"side": "reviewer"}, format="json"
    )
    noted = api(people["site_staff"]).post(
        f"/api/v1/site-reviews/{review.pk}/notes/", {"text": "Team two is live."}, format="json"
    )

    assert locked.json()["status"] == "locked"
    assert noted.status_code == 201 and [n["text"] for n in noted.json()["notes"]] == ["Team two is live."]


def test_actions_filter_by_site_owner_status_and_overdue(people, reviewed):
    client = api(people["taskforce_chair"])
    own_site = reviewed.own.site_id

    assert _ids(client.get("/api/v1/review-actions/", {"site": own_site})) == [reviewed.own_action.pk]
    assert _ids(client.get("/api/v1/review-actions/", {"owner": "national"})) == []
    assert _ids(client.get("/api/v1/review-actions/", {"status": "open", "due_before": "2026-05-01"})) == sorted(
        [reviewed.own_action.pk, reviewed.other_action.pk]
    )
    assert len(_ids(client.get("/api/v1/review-actions/", {"overdue": "true"}))) == (
        2 if datetime.date.today() > datetime.date(2026, 5, 1) else 0
    )


def test_coaching_sessions_are_scoped_to_the_sites_that_attended(people, site, other_site):
    from reviews import services

    services.record_session(
        by=people["taskforce_member"],
        kind="coaching",
        title="Data quality clinic",
        held_on=datetime.date(2026, 2, 1),
        topics="Suppression",
        attendees=[(other_site, "Ben Ode", "Analyst")],
    )
    assert api(people["site_staff"]).get("/api/v1/coaching-sessions/").json()["results"] == []
    assert len(api(people["taskforce_member"]).get("/api/v1/coaching-sessions/").json()["results"]) == 1
