"""A small crafted programme for the bulletin tests: every figure chosen so each section has a
known answer.

- North (ICB "North ICB"): Leeds and Bradford; South ("South ICB"): Croydon and Hull; Newham (South)
  joins in wave two, which starts in November 2026; Oldham has exited.
- January to November 2026, each site's O1 (new appointments) and O2 (zero-day admissions) per
  1,000 alternate 100, 104, 100, … (numerator over a cohort of 1,000), except:
  Leeds' O1 in November is 400 (a new special cause, a funnel outlier, and its ICB and region move);
  Croydon's O2 is 400 in October and November (special cause in both: not new in November).
- November: Leeds and Croydon sign off on time, Bradford late, Newham on time (its first return);
  Hull's return is a draft (missing). Queries: one open on Bradford's November return, one
  answered on Leeds' October return, one closed on Croydon's (not a caveat).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from metrics.models import (
    BreakdownCategory,
    DataQualityQuery,
    MetricDefinition,
    QueryStatus,
    ReportingPeriod,
    Return,
    ReturnStatus,
    ReturnValue,
    ReturnVersion,
)
from metrics.returns.reference import load_metrics
from metrics.returns.timetable import dates_for_month
from metrics.rollups import build as rollups
from nhsportal.models import Role
from sites.models import Site, SiteStatus
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

MONTHS = [datetime.date(2026, m, 1) for m in range(1, 12)]
NOVEMBER, OCTOBER, SEPTEMBER = MONTHS[-1], MONTHS[-2], MONTHS[-3]
TODAY = datetime.date(2027, 3, 1)  # every month's final deadline has passed
COHORT = 1000


@dataclass
class World:
    sites: dict[str, Site]
    periods: dict[datetime.date, ReportingPeriod]
    people: dict[str, object] = field(default_factory=dict)
    icbs: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)

    @property
    def november(self) -> ReportingPeriod:
        return self.periods[NOVEMBER]

    @property
    def october(self) -> ReportingPeriod:
        return self.periods[OCTOBER]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def file_return(
    site: Site, period: ReportingPeriod, figures: dict[str, int], *, signed_off_on: datetime.date | None, number: int = 1
):
    """A return (or a new version of it) holding `figures` (metric code → numerator over COHORT)."""
    record, _ = Return.objects.get_or_create(site=site, period=period)
    total = BreakdownCategory.objects.get(code="total")
    version = ReturnVersion.objects.create(
        return_record=record, number=number, layout="1.2", source="api",
        signed_off_at=_at(signed_off_on) if signed_off_on else None,
        late=bool(signed_off_on and signed_off_on > period.initial_submission_due),
    )  # fmt: skip
    ReturnValue.objects.bulk_create(
        ReturnValue(
            version=version, metric=MetricDefinition.objects.get(code=code), category=total, numerator=n, denominator=COHORT
        )
        for code, n in figures.items()
    )
    record.latest_version = version
    if signed_off_on:
        record.signed_off_version = version
        record.status = ReturnStatus.SUBMITTED
        record.first_signed_off_at = record.first_signed_off_at or version.signed_off_at
    else:
        record.status = ReturnStatus.DRAFT
    record.save()
    return version


def figures_for(name: str, index: int) -> dict[str, int]:
    base = 100 if index % 2 == 0 else 104
    o1, o2 = base, base
    if name == "Leeds" and index == 10:
        o1 = 400
    if name == "Croydon" and index in (9, 10):
        o2 = 400
    return {"O1_NEW": o1, "O2_ZERO_LOS": o2}


def build_world() -> World:
    load_metrics()
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    icb_north, icb_south = ICBFactory(region=north, name="North ICB"), ICBFactory(region=south, name="South ICB")
    one = WaveFactory(number=1, start_date=datetime.date(2025, 9, 9))
    two = WaveFactory(number=2, name="Wave two", start_date=NOVEMBER)
    where = {"Leeds": (icb_north, one), "Bradford": (icb_north, one), "Croydon": (icb_south, one), "Hull": (icb_south, one),
             "Newham": (icb_south, two), "Oldham": (icb_north, one)}  # fmt: skip
    sites = {
        name: SiteFactory(
            place__name=name, place__icb=icb, wave=wave, status=SiteStatus.EXITED if name == "Oldham" else SiteStatus.ACTIVE
        )
        for name, (icb, wave) in where.items()
    }
    periods = {}
    for month in MONTHS:
        d = dates_for_month(month)
        periods[month] = ReportingPeriod.objects.create(**{k: getattr(d, k) for k in (
            "month", "period_start", "period_end", "initial_submission_due", "data_quality_report_due",
            "final_submission_due", "final_report_due")})  # fmt: skip
    for index, month in enumerate(MONTHS):
        period = periods[month]
        on_time = period.initial_submission_due - datetime.timedelta(days=3)
        for name in ("Leeds", "Bradford", "Croydon", "Hull"):
            signed = on_time
            if month == NOVEMBER and name == "Bradford":
                signed = period.initial_submission_due + datetime.timedelta(days=2)
            if month == NOVEMBER and name == "Hull":
                signed = None
            file_return(sites[name], period, figures_for(name, index), signed_off_on=signed)
        if month == NOVEMBER:
            file_return(sites["Newham"], period, figures_for("Newham", index), signed_off_on=on_time)
    world = World(
        sites=sites, periods=periods, icbs={"North": icb_north, "South": icb_south}, regions={"North": north, "South": south}
    )
    _queries(world)
    world.people = {
        "taskforce": user_with_role(Role.TASKFORCE_MEMBER, username="analyst", email="analyst@nhs.invalid"),
        "chair": user_with_role(Role.TASKFORCE_CHAIR, username="chair", email="chair@nhs.invalid"),
        "lead.leeds": user_with_role(Role.SITE_LEAD, site=sites["Leeds"], username="lead.leeds", email="lead@leeds.invalid"),
        "staff.croydon": user_with_role(Role.SITE_STAFF, site=sites["Croydon"], username="staff.croydon"),
        "programme_lead": user_with_role(Role.PROGRAMME_LEAD, place=sites["Leeds"].place, username="pl.leeds"),
        "no_role": user_with_role(None, username="nobody"),
    }
    rollups.rebuild_all(today=TODAY)
    return world


def _queries(world: World) -> None:
    def record(name, month):
        return Return.objects.get(site=world.sites[name], period=world.periods[month])

    DataQualityQuery.objects.create(return_record=record("Bradford", NOVEMBER), question="Why did O3 bed days double?")
    DataQualityQuery.objects.create(
        return_record=record("Leeds", OCTOBER), question="Is the cohort right?", status=QueryStatus.ANSWERED, answer="Yes."
    )
    DataQualityQuery.objects.create(return_record=record("Croydon", OCTOBER), question="Closed one", status=QueryStatus.CLOSED)


def correct(world: World, name: str, month: datetime.date, figures: dict[str, int]) -> ReturnVersion:
    """A corrected version signed off now (after any bulletin already issued), then rolled up."""
    period = world.periods[month]
    record = Return.objects.get(site=world.sites[name], period=period)
    number = record.versions.count() + 1
    version = file_return(world.sites[name], period, figures, signed_off_on=None, number=number)
    version.signed_off_at = timezone.now()
    version.save(update_fields=["signed_off_at"])
    Return.objects.filter(pk=record.pk).update(signed_off_version=version, status=ReturnStatus.SUBMITTED)
    rollups.rebuild_all(today=TODAY)
    return version
