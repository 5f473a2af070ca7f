"""The widest pages of the monthly cycle stay at the window's width: their tables scroll
inside their own region, and nothing inside the region (the grid's visually hidden labels,
above all) widens the page around it."""

import pytest
from django.utils import timezone

from metrics import services
from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.browser.test_returns import sign_in
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_return_its_grid_and_the_coverage_grid_fit_the_window(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    croydon = SiteFactory(place__name="Croydon")
    staff = user_with_role(Role.SITE_STAFF, site=croydon, username="staff.croydon")
    user_with_role(Role.TASKFORCE_MEMBER, username="taskforce")
    services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="croydon.xlsx", by=staff)
    page.set_viewport_size({"width": 1280, "height": 900})

    widths = {}
    sign_in(page, "staff.croydon")
    for url in (f"/returns/{croydon.pk}/{period.slug}/", f"/returns/{croydon.pk}/{period.slug}/edit/"):
        page.goto(url)
        widths[url] = page.evaluate("document.documentElement.scrollWidth")
        # The table is still all there: its region scrolls.
        assert page.evaluate("document.querySelector('.nhsuk-scroll__content').scrollWidth") > 1000
    sign_in(page, "taskforce")
    page.goto("/returns/")
    widths["/returns/"] = page.evaluate("document.documentElement.scrollWidth")

    assert widths == dict.fromkeys(widths, 1280)
