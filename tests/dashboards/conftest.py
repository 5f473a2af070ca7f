"""A small programme with known returns, filed and signed off through the services and rolled up:
two regions, three sites, three months."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from metrics import services
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import build as rollups
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

COHORTS = {"Leeds": 9000, "Bradford": 6000, "Croydon": 400}
MONTHS = 3


@pytest.fixture(autouse=True)
def fresh_cache(db):
    """Funnels are cached per rollup generation; ids repeat between tests on SQLite."""
    cache.clear()
    yield
    cache.clear()


def file_and_sign_off(site, period, values, *, staff, lead, layout="1.2"):
    services.submit_values(site=site, period=period, values=values, layout=layout, source="api", by=staff, based_on=None)
    record = site.returns.get(period=period)
    if record.latest_version.warnings.exists():
        services.acknowledge_warnings(return_record=record, by=staff, comment="Checked with the analyst.")
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    return record


def three_sites():
    """North (Leeds and Bradford, one ICB) and South (Croydon), in wave one, each with its
    site staff and site lead: the regions, ICBs, wave, sites and people by name."""
    today = timezone.localdate()
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    icb_north, icb_south = ICBFactory(region=north, name="North ICB"), ICBFactory(region=south, name="South ICB")
    wave = WaveFactory(number=1, start_date=today - datetime.timedelta(days=400))
    sites = {
        "Leeds": SiteFactory(place__name="Leeds", place__icb=icb_north, wave=wave),
        "Bradford": SiteFactory(place__name="Bradford", place__icb=icb_north, wave=wave),
        "Croydon": SiteFactory(place__name="Croydon", place__icb=icb_south, wave=wave),
    }
    people = {}
    for name, site in sites.items():
        people[f"staff.{name}"] = user_with_role(Role.SITE_STAFF, site=site, username=f"staff.{name.lower()}")
        people[f"lead.{name}"] = user_with_role(Role.SITE_LEAD, site=site, username=f"lead.{name.lower()}")
    return {"north": north, "south": south, "icb_north": icb_north, "icb_south": icb_south, "wave": wave}, sites, people


@pytest.fixture
def programme(db):
    """North (Leeds and Bradford, one ICB) and South (Croydon, a small site), each filing three
    months; Bradford files the earlier v1.1 layout. Every return is signed off by its site lead,
    then the rollups are rebuilt. Returns what the tests need, including the values filed."""
    load_metrics()
    today = timezone.localdate()
    orgs, sites, people = three_sites()
    periods = [
        ReportingPeriodFactory(month=month_start(today, back), today=today) for back in range(MONTHS, 0, -1)
    ]  # oldest first, every one still open for filing
    filed = {}
    for index, period in enumerate(periods):
        for name, site in sites.items():
            layout = "1.1" if name == "Bradford" else "1.2"
            values = synthetic_return(seed=name, cohort=COHORTS[name], month_index=index, layout=layout)
            file_and_sign_off(site, period, values, staff=people[f"staff.{name}"], lead=people[f"lead.{name}"], layout=layout)
            filed[(name, period.pk)] = values
    rollups.rebuild_all()  # sign-offs enqueue their rollup on commit, which a test transaction never reaches
    return {"regions": {"North": orgs["north"], "South": orgs["south"]}, "icbs": {"North": orgs["icb_north"], "South": orgs["icb_south"]},
            "sites": sites, "people": people, "periods": periods, "filed": filed}  # fmt: skip
