import datetime

import factory

from nhsportal.models import Role
from reviews.models import Action, ActionOwner, MilestoneTemplate, Review
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory, WaveFactory


class MilestoneTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneTemplate
        django_get_or_create = ("wave", "code")

    wave = factory.SubFactory(WaveFactory)
    code = factory.Sequence(lambda n: f"milestone-{n}")
    title = factory.Sequence(lambda n: f"Milestone {n}")
    order = factory.Sequence(lambda n: n)
    due_after_days = 30


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    site = factory.SubFactory(SiteFactory)
    scheduled_for = datetime.date(2026, 3, 1)
    reviewer = factory.LazyFunction(lambda: user_with_role(Role.TASKFORCE_MEMBER))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    review = factory.SubFactory(ReviewFactory)
    site = factory.LazyAttribute(lambda o: o.review.site)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = ActionOwner.SITE
    due_on = datetime.date(2026, 4, 1)
