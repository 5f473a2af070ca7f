"""Reviewing stays blind and conflicts stay out; scores add up as published; the chair's
ranking shows whether every region would have a site."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from applications import services
from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Criterion, Review, Status
from applications.moderation import moderation
from applications.scoring import summarise, weighted_score
from applications.selectors import reviews_visible_to
from tests.applications.factories import CriterionFactory, round_with, scored_review, submitted
from tests.sites.factories import ICBFactory, LocalAuthorityFactory, PlaceFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(cast, round_):
    application = submitted(round=round_, place=cast.place)
    for reviewer in (cast.member, cast.member_two):
        services.assign_reviewer(application=application, reviewer=reviewer, by=cast.chair)
    application.refresh_from_db()
    return application


def review(application, user):
    return Review.objects.get(application=application, reviewer=user)


def score_everything(application, user, scores=(3, 3), recommendation="select"):
    mine = review(application, user)
    services.declare_conflict(review=mine, by=user, has_conflict=False)
    for criterion, score in zip(application.round.criteria.order_by("number"), scores, strict=True):
        services.save_score(review=mine, by=user, criterion=criterion, score=score)
    services.save_recommendation(review=mine, by=user, recommendation=recommendation)
    return services.submit_review(review=mine, by=user)


def test_assigning_the_first_reviewer_puts_a_submitted_application_under_review(cast, round_):
    application = submitted(round=round_, place=cast.place)

    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)

    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW
    with pytest.raises(ValidationError, match="already reviewing"):
        services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    with pytest.raises(ValidationError, match="not a taskforce member"):
        services.assign_reviewer(application=application, reviewer=cast.other_lead, by=cast.chair)
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(application=application, reviewer=cast.member_two, by=cast.member)


def test_a_reviewer_declares_a_conflict_before_scoring(cast, under_review):
    mine = review(under_review, cast.member)
    criterion = under_review.round.criteria.first()

    with pytest.raises(TransitionNotAllowed, match="Declare whether you have a conflict of interest before you score"):
        services.save_score(review=mine, by=cast.member, criterion=criterion, score=3)
    with pytest.raises(ValidationError, match="Describe the conflict"):
        services.declare_conflict(review=mine, by=cast.member, has_conflict=True)
    with pytest.raises(PermissionDenied):
        services.declare_conflict(review=mine, by=cast.member_two, has_conflict=False)


def test_a_declared_conflict_blocks_scoring_and_hides_the_other_reviews(client, cast, under_review):
    score_everything(under_review, cast.member_two, scores=(4, 4))
    mine = review(under_review, cast.member)
    services.declare_conflict(review=mine, by=cast.member, has_conflict=True, details="My sister runs Knowsley CVS.")

    with pytest.raises(PermissionDenied):
        services.save_score(review=mine, by=cast.member, criterion=under_review.round.criteria.first(), score=2)
    with pytest.raises(TransitionNotAllowed, match="declared a conflict"):
        services.declare_conflict(review=mine, by=cast.member, has_conflict=False)
    assert list(reviews_visible_to(cast.member)) == [mine]

    client.force_login(cast.member)
    blocked = [
        client.get(reverse("review-score", args=[under_review.pk, 1])).status_code,
        client.get(reverse("review-recommendation", args=[under_review.pk])).status_code,
        client.get(reverse("review-check", args=[under_review.pk])).status_code,
    ]
    detail = client.get(reverse("application-detail", args=[under_review.pk])).content.decode()
    assert blocked == [403, 403, 403]
    assert "You have declared a conflict of interest" in detail
    assert "Omar Haddad: Select" not in detail and "4 of 4" not in detail
    assert (
        client.get(reverse("review-start", args=[under_review.pk])).context["page_title"]
        == "You have declared a conflict of interest"
    )


def test_other_reviews_stay_hidden_until_your_own_is_submitted(client, cast, under_review):
    score_everything(under_review, cast.member_two, scores=(4, 4))
    client.force_login(cast.member)

    before = client.get(reverse("application-detail", args=[under_review.pk])).content.decode()
    assert "hidden until you submit your own review" in before
    assert "Omar Haddad: Select" not in before
    assert [r.reviewer for r in reviews_visible_to(cast.member)] == [cast.member]

    score_everything(under_review, cast.member, scores=(1, 1), recommendation="do_not_select")
    after = client.get(reverse("application-detail", args=[under_review.pk])).content.decode()
    assert "Omar Haddad: Select" in after
    assert "Strong disagreement" in after
    assert {r.reviewer for r in reviews_visible_to(cast.member)} == {cast.member, cast.member_two}


def test_a_review_is_submitted_only_when_complete_and_then_is_final(cast, under_review):
    mine = review(under_review, cast.member)
    services.declare_conflict(review=mine, by=cast.member, has_conflict=False)
    first, second = under_review.round.criteria.order_by("number")
    services.save_score(review=mine, by=cast.member, criterion=first, score=2)

    with pytest.raises(ValidationError) as incomplete:
        services.submit_review(review=mine, by=cast.member)
    assert incomplete.value.message_dict["review"] == ["Score “Criterion 2”", "Choose your overall recommendation"]
    with pytest.raises(ValidationError, match="from 0 to 4"):
        services.save_score(review=mine, by=cast.member, criterion=second, score=5)

    services.save_score(review=mine, by=cast.member, criterion=second, score=4)
    services.save_recommendation(review=mine, by=cast.member, recommendation="discuss")
    services.submit_review(review=mine, by=cast.member)
    with pytest.raises(TransitionNotAllowed, match="can no longer be changed"):
        services.save_score(review=mine, by=cast.member, criterion=second, score=1)
    with pytest.raises(TransitionNotAllowed):
        services.unassign_reviewer(review=mine, by=cast.chair)


def test_the_weighted_score_is_out_of_100_and_weights_each_criterion_on_its_own_scale(cast):
    round_ = round_with(questions=1, criteria=0)
    for number, (weight, top) in enumerate([(30, 4), (25, 4), (20, 4), (25, 10)], start=1):
        CriterionFactory(round=round_, number=number, weight=weight, max_score=top)
    application = submitted(round=round_, place=cast.place)
    criteria = list(Criterion.objects.filter(round=round_).order_by("number"))

    high = scored_review(application, cast.member, [4, 3, 3, 10])
    low = scored_review(application, cast.member_two, [1, 1, 2, 4])

    # (4/4×30 + 3/4×25 + 3/4×20 + 10/10×25) ÷ 100 × 100 = 88.75
    assert weighted_score(high.scores.all(), criteria) == Decimal("88.8")
    # (1/4×30 + 1/4×25 + 2/4×20 + 4/10×25) ÷ 100 × 100 = 33.75
    assert weighted_score(low.scores.all(), criteria) == Decimal("33.8")
    summary = summarise(Review.objects.filter(application=application).prefetch_related("scores"), criteria)
    assert (summary.mean, summary.spread, summary.strong_disagreement) == (Decimal("61.3"), Decimal("55.0"), True)
    assert weighted_score(high.scores.all()[:2], criteria) is None  # not every criterion scored


def _place_in(region, name, *, deprived_20):
    place = PlaceFactory(name=name, icb=ICBFactory(region=region))
    place.local_authorities.add(LocalAuthorityFactory(name=f"{name} district", pct_lsoas_most_deprived_20=Decimal(deprived_20)))
    return place


def test_the_chairs_ranking_breaks_ties_on_deprivation_and_shows_regional_coverage(cast, round_):
    north, south, east = RegionFactory(name="North"), RegionFactory(name="South"), RegionFactory(name="East")
    scores = {"Alpha": (4, 4), "Beta": (3, 3), "Gamma": (3, 3), "Delta": (2, 2)}
    regions = {"Alpha": north, "Beta": north, "Gamma": north, "Delta": south}
    deprived = {"Alpha": "10.0", "Beta": "20.0", "Gamma": "45.0", "Delta": "30.0"}
    for name, pair in scores.items():
        application = submitted(round=round_, place=_place_in(regions[name], name, deprived_20=deprived[name]))
        Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
        scored_review(application, cast.member, pair)

    view = moderation(round_, user=cast.chair, top=2)

    ranked = [(row.rank, row.application.place.name) for row in view["rows"]]
    assert ranked == [(1, "Alpha"), (2, "Gamma"), (3, "Beta"), (4, "Delta")]  # Gamma is more deprived than Beta
    coverage = view["coverage"]
    assert [row.application.place.name for row in view["rows"] if row.would_be_selected] == ["Alpha", "Gamma"]
    missing = {region.name: (best.application.place.name if best else None) for region, best in coverage.regions_missing}
    assert missing["South"] == "Delta" and missing["East"] is None
    assert not coverage.complete
    assert "North" in {region.name for region in coverage.regions_covered}
    assert east.pk not in {region.pk for region in coverage.regions_covered}


def test_places_already_selected_count_towards_coverage(cast, round_):
    south = RegionFactory(name="South")
    chosen = submitted(round=round_, place=_place_in(south, "Chosen", deprived_20="5.0"))
    scored_review(chosen, cast.member, (1, 1))
    Application.objects.filter(pk=chosen.pk).update(status=Status.SELECTED)
    contender = submitted(round=round_, place=_place_in(south, "Contender", deprived_20="5.0"))
    scored_review(contender, cast.member, (4, 4))
    Application.objects.filter(pk=contender.pk).update(status=Status.UNDER_REVIEW)

    view = moderation(round_, user=cast.chair, top=1)

    assert [row.application.place.name for row in view["rows"] if row.would_be_selected] == ["Chosen"]
    assert [row.application.place.name for row in view["undecided"]] == ["Contender"]
