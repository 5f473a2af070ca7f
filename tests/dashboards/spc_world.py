"""Two sites (Leeds in the North, Croydon in the South) with eight months rolled up, for the SPC
targets, change points and annotations tests; and the series the charts are read from."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from metrics.models import MetricDefinition, Rollup, RollupLevel
from nhsportal.models import Role
from tests.metrics.rollup_world import rolled_up_world
from tests.nhsportal.factories import user_with_role

MONTHS = 8


@pytest.fixture
def world(db):
    cache.clear()
    made = rolled_up_world(sites=2, months=MONTHS)
    yield made
    cache.clear()


@pytest.fixture
def taskforce(db):
    return user_with_role(Role.TASKFORCE_MEMBER, username="analyst")


@pytest.fixture
def leeds_staff(world):
    return user_with_role(Role.SITE_STAFF, site=world.leeds, username="staff.leeds")


@pytest.fixture
def croydon_staff(world):
    return user_with_role(Role.SITE_STAFF, site=world.croydon, username="staff.croydon")


def site_series(site, code: str) -> tuple[list[datetime.date], list]:
    """A site's months and its figures for one metric (total), oldest first, read from the rollups."""
    metric = MetricDefinition.objects.get(code=code)
    rows = (
        Rollup.objects.current()
        .filter(level=RollupLevel.SITE, org_id=site.pk, metric=metric, category__code="total")
        .select_related("period")
        .order_by("period__month")
    )
    values = [row.rate if metric.has_rate else row.sum_numerator for row in rows]
    return [row.period.month for row in rows], values


def set_site_series(site, code: str, values: list) -> None:
    """Overwrite a site's rolled-up figures for one metric (total), oldest month first: a series
    with a known shape for the chart to read."""
    metric = MetricDefinition.objects.get(code=code)
    rows = (
        Rollup.objects.current()
        .filter(level=RollupLevel.SITE, org_id=site.pk, metric=metric, category__code="total")
        .order_by("period__month")
    )
    for row, value in zip(list(rows), values, strict=True):
        if metric.has_rate:
            Rollup.objects.filter(pk=row.pk).update(rate=value)
        else:
            Rollup.objects.filter(pk=row.pk).update(sum_numerator=value)
