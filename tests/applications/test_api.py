"""The applications API keeps the pages' rules: scoped reads, one service per write, 409
when the application's state does not allow a move, and bounded queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications import services
from applications.models import Application, Status
from nhsportal.models import Role
from sites.models import Site
from tests.applications.factories import answer_all, round_with, scored_review, submitted
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, LocalAuthorityFactory, PlaceFactory, RegionFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_rounds_list_their_questions_and_criteria(api_as, cast, round_):
    body = api_as(cast.lead).get("/api/v1/application-rounds/").json()

    [row] = body["results"]
    assert (row["name"], row["state"], row["wave"]["number"]) == ("Wave two applications", "open", 2)
    assert [q["number"] for q in row["questions"]] == [1, 2]
    assert row["criteria"][0]["descriptors"][4] == {"score": 4, "description": "Descriptor 4"}
    assert ids(api_as(cast.lead).get("/api/v1/application-rounds/", {"state": "closed"})) == []


def test_a_lead_starts_answers_and_submits_and_a_second_submit_is_a_409(api_as, cast, round_):
    client = api_as(cast.lead)

    created = client.post("/api/v1/applications/", {"round": round_.pk, "place": cast.place.pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    questions = list(round_.questions.order_by("number"))

    too_long = client.post(f"/api/v1/applications/{pk}/answers/", {"question": questions[0].pk, "text": "w " * 51}, format="json")
    assert too_long.status_code == 400
    assert too_long.json() == {"text": ["Your answer must be 50 words or fewer. It has 51 words: shorten it and save again."]}

    incomplete = client.post(f"/api/v1/applications/{pk}/submit/")
    assert incomplete.status_code == 400
    assert len(incomplete.json()["answers"]) == 2

    for question in questions:
        saved = client.post(f"/api/v1/applications/{pk}/answers/", {"question": question.pk, "text": "Our plan."}, format="json")
        assert saved.status_code == 200 and saved.json()["word_count"] == 2
    submitted_ = client.post(f"/api/v1/applications/{pk}/submit/")
    assert submitted_.status_code == 200 and submitted_.json()["status"] == "submitted"

    twice = api_as(cast.colleague).post(f"/api/v1/applications/{pk}/submit/")
    assert twice.status_code == 409
    assert twice.json() == {"detail": "Knowsley's application has already been submitted."}
    withdrawn = client.post(f"/api/v1/applications/{pk}/withdraw/", {"reason": "Merging"}, format="json")
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/applications/{pk}/withdraw/", {"reason": "Again"}, format="json").status_code == 409


def test_submitting_after_the_deadline_is_a_409_that_names_the_deadline(api_as, cast, draft):
    answer_all(draft)
    draft.round.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    draft.round.opens_at = timezone.now() - datetime.timedelta(days=30)
    draft.round.save()

    response = api_as(cast.lead).post(f"/api/v1/applications/{draft.pk}/submit/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith(f"The deadline for {draft.round} was ")


def test_other_places_applications_do_not_exist_for_a_lead(api_as, cast, draft):
    client = api_as(cast.other_lead)

    assert ids(client.get("/api/v1/applications/")) == []
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert client.post(f"/api/v1/applications/{draft.pk}/submit/").status_code == 404
    started = client.post("/api/v1/applications/", {"round": draft.round_id, "place": cast.place.pk}, format="json")
    assert started.status_code == 400 and "place" in started.json()


def test_the_taskforce_reads_submitted_applications_but_not_drafts(api_as, cast, draft, round_):
    done = submitted(round=round_, place=cast.other_place)
    client = api_as(cast.member)

    assert ids(client.get("/api/v1/applications/")) == [done.pk]
    assert client.get(f"/api/v1/applications/{draft.pk}/").status_code == 404
    assert client.post(f"/api/v1/applications/{done.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 403


def test_reviews_through_the_api_stay_blind_and_conflicts_cannot_score(api_as, cast, round_):
    application = submitted(round=round_, place=cast.place)
    chair = api_as(cast.chair)
    first = chair.post("/api/v1/reviews/", {"application": application.pk, "reviewer": cast.member.pk}, format="json")
    second = chair.post("/api/v1/reviews/", {"application": application.pk, "reviewer": cast.member_two.pk}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (
        api_as(cast.member)
        .post("/api/v1/reviews/", {"application": application.pk, "reviewer": cast.chair.pk}, format="json")
        .status_code
        == 403
    )

    member = api_as(cast.member)
    mine = first.json()["id"]
    criteria = list(application.round.criteria.order_by("number"))
    assert member.post(f"/api/v1/reviews/{mine}/conflict/", {"has_conflict": False}, format="json").status_code == 200
    for criterion in criteria:
        scored = member.post(f"/api/v1/reviews/{mine}/scores/", {"criterion": criterion.pk, "score": 4}, format="json")
        assert scored.status_code == 200
    assert member.post(f"/api/v1/reviews/{mine}/recommendation/", {"recommendation": "select"}, format="json").status_code == 200
    done = member.post(f"/api/v1/reviews/{mine}/submit/")
    assert done.status_code == 200 and done.json()["weighted_score"] == "100.0"

    other = api_as(cast.member_two)
    theirs = second.json()["id"]
    assert ids(other.get("/api/v1/reviews/")) == [theirs]  # the submitted review stays hidden
    assert other.get(f"/api/v1/reviews/{mine}/").status_code == 404
    conflicted = other.post(
        f"/api/v1/reviews/{theirs}/conflict/", {"has_conflict": True, "details": "Former employer"}, format="json"
    )
    assert conflicted.json()["conflict"] == "declared"
    refused = other.post(f"/api/v1/reviews/{theirs}/scores/", {"criterion": criteria[0].pk, "score": 1}, format="json")
    assert refused.status_code == 403
    assert ids(other.get("/api/v1/reviews/")) == [theirs]
    assert (
        member.post(f"/api/v1/reviews/{theirs}/scores/", {"criterion": criteria[0].pk, "score": 1}, format="json").status_code
        == 404
    )
    assert ids(chair.get("/api/v1/reviews/")) == [mine]  # others' reviews are read once submitted
    assert sorted(ids(api_as(cast.admin).get("/api/v1/reviews/"))) == sorted([mine, theirs])
    assert ids(api_as(cast.lead).get("/api/v1/reviews/")) == []


def test_the_chair_decides_once_and_selection_creates_the_site(
    api_as, cast, round_, mailoutbox, django_capture_on_commit_callbacks
):
    application = submitted(round=round_, place=cast.place)
    application.lead_applicant = cast.lead
    application.save()
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [3, 4])
    payload = {"application": application.pk, "outcome": "selected", "rationale": "Ready and in need."}

    assert api_as(cast.member).post("/api/v1/decisions/", payload, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        made = api_as(cast.chair).post("/api/v1/decisions/", payload, format="json")
    again = api_as(cast.admin).post("/api/v1/decisions/", payload | {"outcome": "not_selected"}, format="json")

    assert made.status_code == 201, made.content
    site = Site.objects.get(place=cast.place)
    assert made.json()["site"] == {"id": site.pk, "name": "Knowsley"}
    assert again.status_code == 409 and again.json()["detail"] == "Knowsley's application has already been decided: selected."
    assert {m.to[0] for m in mailoutbox} == {"lead.knowsley@example.nhs.uk", "colleague.knowsley@example.nhs.uk"}
    assert api_as(cast.lead).get(f"/api/v1/sites/{site.pk}/").status_code == 200
    assert api_as(cast.other_lead).get(f"/api/v1/sites/{site.pk}/").status_code == 404
    lead_view = api_as(cast.lead).get(f"/api/v1/applications/{application.pk}/").json()
    assert lead_view["decision"]["outcome"] == "selected" and lead_view["status"] == "selected"
    assert ids(api_as(cast.other_lead).get("/api/v1/decisions/")) == []


def test_the_export_endpoint_is_for_the_taskforce(api_as, cast, round_):
    application = submitted(round=round_, place=cast.place)
    scored_review(application, cast.member, [2, 2])

    assert api_as(cast.lead).get("/api/v1/applications/export/").status_code == 403
    csv_response = api_as(cast.chair).get("/api/v1/applications/export/")
    xlsx = api_as(cast.chair).get("/api/v1/applications/export/", {"file_format": "xlsx"})

    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert "Knowsley" in csv_response.content.decode("utf-8-sig")
    assert load_workbook(io.BytesIO(xlsx.content)).active["B2"].value == "Knowsley"


def _grow(count, round_, reviewers):
    region = RegionFactory()
    for _ in range(count):
        place = PlaceFactory(icb=ICBFactory(region=region))
        place.local_authorities.add(LocalAuthorityFactory())
        application = submitted(round=round_, place=place, lead_applicant=user_with_role(Role.PROGRAMME_LEAD, place=place))
        Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
        for reviewer in reviewers:
            scored_review(application, reviewer, [3, 3])
        application.answers.update(text="An answer")
        application.collaborators.create(user=user_with_role(Role.PROGRAMME_LEAD, place=place))


@pytest.mark.parametrize("endpoint", ["application-rounds", "applications", "reviews", "decisions"])
def test_list_endpoints_run_the_same_queries_for_2_rows_as_for_20(api_as, cast, endpoint):
    client = api_as(cast.chair)
    round_ = round_with(name="Query count round")

    def grow(count):
        _grow(count, round_, [cast.member, cast.member_two])
        for _ in range(count):
            round_with(questions=3, criteria=3)
        for application in Application.objects.filter(status=Status.UNDER_REVIEW)[:count]:
            services.record_decision(application=application, by=cast.chair, outcome="not_selected", rationale="Not now.")

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(f"/api/v1/{endpoint}/")
        assert response.status_code == 200 and response.json()["count"] >= 2
        return len(context.captured_queries)

    grow(2)
    few = queries()
    grow(18)
    assert queries() == few
