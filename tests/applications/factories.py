"""Test data for applications: rounds with questions and criteria, applications in any
state, reviews with scores."""

import datetime

import factory
from django.utils import timezone

from applications.models import (
    Answer,
    Application,
    ApplicationRound,
    Conflict,
    Criterion,
    Question,
    Recommendation,
    Review,
    Score,
    ScoreDescriptor,
    Status,
)
from tests.sites.factories import PlaceFactory, WaveFactory


class ApplicationRoundFactory(factory.django.DjangoModelFactory):
    """Open now: opened a week ago, closes in three weeks."""

    class Meta:
        model = ApplicationRound

    wave = factory.SubFactory(WaveFactory, number=2, name="Wave two", start_date=datetime.date(2027, 4, 1))
    name = factory.Sequence(lambda n: f"Wave two applications {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=21))
    guidance = "Single Places of around 300,000 people."
    eligibility = "Place-based partnerships in England that are not yet sites."


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    round = factory.SubFactory(ApplicationRoundFactory)
    number = factory.Sequence(lambda n: n + 1)
    prompt = factory.Sequence(lambda n: f"Question {n}: how will your Place do it?")
    word_limit = 50
    required = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    round = factory.SubFactory(ApplicationRoundFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 25
    max_score = 4


class ScoreDescriptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreDescriptor

    criterion = factory.SubFactory(CriterionFactory)
    score = 0
    description = "No evidence"


def round_with(*, questions=2, criteria=2, **kwargs):
    """A round with numbered questions (50-word limit) and criteria (0–4, equal weights)."""
    round_ = ApplicationRoundFactory(**kwargs)
    for number in range(1, questions + 1):
        QuestionFactory(round=round_, number=number, prompt=f"Question {number} of {round_.name}")
    for number in range(1, criteria + 1):
        criterion = CriterionFactory(round=round_, number=number, title=f"Criterion {number}")
        for score in range(criterion.max_score + 1):
            ScoreDescriptorFactory(criterion=criterion, score=score, description=f"Descriptor {score}")
    return round_


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    round = factory.SubFactory(ApplicationRoundFactory)
    place = factory.SubFactory(PlaceFactory)
    status = Status.DRAFT


def answer_all(application, text="We will integrate community nursing with general practice."):
    for question in application.round.questions.all():
        Answer.objects.update_or_create(application=application, question=question, defaults={"text": text})


def submitted(application_or_none=None, **kwargs):
    """An application answered in full and submitted (without the service, for set-up)."""
    application = application_or_none or ApplicationFactory(**kwargs)
    answer_all(application)
    application.status = Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save()
    return application


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = None
    conflict = Conflict.UNDECLARED


def scored_review(application, reviewer, scores, recommendation=Recommendation.SELECT):
    """A submitted review with the given score per criterion, in criterion order."""
    review = Review.objects.create(
        application=application,
        reviewer=reviewer,
        conflict=Conflict.NONE,
        recommendation=recommendation,
        submitted_at=timezone.now(),
    )
    for criterion, score in zip(application.round.criteria.order_by("number"), scores, strict=True):
        Score.objects.create(review=review, criterion=criterion, score=score)
    return review
