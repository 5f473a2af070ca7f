import pytest
from django.utils import timezone

from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.fixture
def catalogue(db):
    load_metrics()


@pytest.fixture
def croydon(db):
    return SiteFactory(place__name="Croydon")


@pytest.fixture
def period(db):
    """Last month, open: its initial deadline is 20 days away."""
    return ReportingPeriodFactory(today=timezone.localdate())


@pytest.fixture
def staff(croydon):
    return user_with_role(Role.SITE_STAFF, site=croydon, username="staff.croydon", email="staff@croydon.example.nhs.uk")


@pytest.fixture
def lead(croydon):
    return user_with_role(Role.SITE_LEAD, site=croydon, username="lead.croydon", email="lead@croydon.example.nhs.uk")


@pytest.fixture
def taskforce(db):
    return user_with_role(Role.TASKFORCE_MEMBER, username="taskforce.member", email="taskforce@example.nhs.uk")


@pytest.fixture
def workbook(catalogue, croydon, period):
    """A valid return for Croydon for `period`, as the official template (bytes)."""

    def make(**options):
        options.setdefault("place", croydon.name)
        options.setdefault("period", period.month)
        return make_workbook(**options)

    return make
