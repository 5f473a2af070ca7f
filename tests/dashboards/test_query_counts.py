"""Every dashboard page and endpoint reads in a fixed number of queries, whatever the number of
sites and months: counted at two sizes of programme, the counts are the same."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards import services
from dashboards.models import Sharing
from metrics.returns.reference import load_metrics
from metrics.rollups import build as rollups
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.test_rollups import signed_off_return
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db

CELLS = {
    ("O1_NEW", "total"): (120, 1000),
    ("O1_NEW", "age_80_89"): (30, 200),
    ("O6_GP", "total"): (700, 1000),
    ("COHORT", "total"): (1000, None),
    ("COHORT", "age_80_89"): (200, None),
    ("COHORT", "imd_1"): (300, None),
    ("P1_CASELOAD", "total"): (90, None),
}


def grow(*, sites, months, today):
    """Add sites and months (every site filing every month) up to the sizes given, then roll up."""
    wave = WaveFactory(number=1, start_date=today - datetime.timedelta(days=2000))
    region = RegionFactory()
    periods = [ReportingPeriodFactory(month=month_start(today, back), today=today) for back in range(months, 0, -1)]
    made = []
    for number in range(sites):
        site = SiteFactory(place__icb=ICBFactory(region=region if number % 2 else RegionFactory()), wave=wave)
        made.append(site)
        for offset, period in enumerate(periods):
            cells = {key: (num + number + offset, den) for key, (num, den) in CELLS.items()}
            signed_off_return(site, period, cells)
    rollups.rebuild_all()
    return made


def urls(site, region_id):
    month = f"{month_start(datetime.date.today(), 1):%Y-%m}"  # a month both sizes of programme have
    return [
        reverse("dashboard-overview"),
        reverse("dashboard-overview") + f"?month={month}&category=age_80_plus",
        reverse("dashboard-engagement") + f"?month={month}",
        reverse("dashboard-demographics") + f"?level=region&org={region_id}",
        reverse("dashboard-demographics") + f"?level=site&org={site.pk}",
        reverse("dashboard-funnel", args=["O1_NEW"]) + f"?month={month}&category=age_80_plus&limits=shmi",
        reverse("dashboard-spc", args=["O1_NEW"]) + f"?level=region&org={region_id}",
        reverse("dashboard-org", args=["site", site.pk]) + f"?month={month}&category=imd_1",
        reverse("api:dashboard-overview") + f"?level=region&org={region_id}&month={month}&category=imd_1",
        reverse("dashboard-overview") + "?format=csv",
        reverse("dashboard-engagement"),
        reverse("dashboard-demographics"),
        reverse("dashboard-funnel", args=["O1_NEW"]),
        reverse("dashboard-funnel", args=["O1_NEW"]) + "?category=age_80_plus&format=csv",
        reverse("dashboard-funnel", args=["O1_NEW"]) + "?limits=shmi&label=outliers",
        reverse("dashboard-funnel", args=["O1_NEW"]) + "?limits=cqc&trim=truncate",
        reverse("dashboard-spc", args=["O1_NEW"]),
        reverse("dashboard-spc", args=["COHORT"]) + f"?level=site&org={site.pk}",
        reverse("dashboard-org", args=["region", region_id]),
        reverse("dashboard-org", args=["icb", site.place.icb_id]),
        reverse("dashboard-org", args=["site", site.pk]),
        reverse("public-summary"),
        reverse("api:dashboard-overview"),
        reverse("api:dashboard-overview") + f"?level=site&org={site.pk}",
        reverse("api:dashboard-funnel", args=["O6_GP"]),
        reverse("api:dashboard-funnel", args=["O6_GP"]) + "?limits=cqc",
        reverse("api:dashboard-spc", args=["O6_GP"]),
    ]


def counts(client, site):
    found = {}
    for url in urls(site, site.place.icb.region_id):
        client.get(url)  # warm: the funnel of a generation is cached once computed
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        assert status == 200, url
        found[url] = len(queries)
    return found


@pytest.mark.parametrize("role", [Role.TASKFORCE_MEMBER, Role.SITE_STAFF, Role.PROGRAMME_LEAD])
def test_query_counts_do_not_grow_with_sites_or_months(client, role):
    load_metrics()
    today = datetime.date.today()
    first = grow(sites=2, months=2, today=today)
    site = first[0]
    services.change_sharing(sharing=Sharing.NAMED, by=user_with_role(Role.ADMINISTRATOR))
    kwargs = {"site": site} if role == Role.SITE_STAFF else {"place": site.place} if role == Role.PROGRAMME_LEAD else {}
    client.force_login(user_with_role(role, **kwargs))
    small = counts(client, site)

    grow(sites=6, months=5, today=today - datetime.timedelta(days=1))  # more sites, and older months too
    large = counts(client, site)

    assert large == small
    assert max(small.values()) <= 25
