"""A small, believable demo on top of the real reference data: four wave-one sites with
neighbourhoods, teams, partner organisations and workforce, and one account per role.

DEMO ONLY. Every demo account shares one password: `DEMO_PASSWORD` from the environment,
else the published default below. Never run this against a database real people use;
`seed_demo` refuses in production unless told `--allow-production`.

Idempotent: everything is keyed on natural keys (usernames, site and team names,
organisation name and kind, a workforce entry's team, profession, employer and start), so
running it twice changes no counts. It fills gaps and leaves alone what an administrator
has changed since (a site's status, lead and summary; a team's details).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from nhsportal import config
from nhsportal.models import Role, RoleAssignment
from sites.models import Neighbourhood, Place, Site, SiteStatus
from sites.reference import load_all
from teams import services
from teams.models import (
    FocusCohort,
    FocusCondition,
    NeighbourhoodTeam,
    OrganisationKind,
    PartnerOrganisation,
    Profession,
    WorkforceEntry,
)
from teams.reference import load_team_vocabulary

DEFAULT_DEMO_PASSWORD = "nhs-demo-2026"  # noqa: S105 — published demo-only password, see the module docstring.
EMAIL_DOMAIN = "example.nhs.uk"
WAVE_ONE_SITES = 43

MLTC = "Adults with multiple long-term conditions"
ONE_LTC_HIGH_RISK = "Adults with one long-term condition at high risk of admission"
FRAILTY = "People living with frailty"
URGENT_CARE = "Frequent users of urgent care"
HOUSEBOUND = "Housebound patients"


class DemoNotAllowed(RuntimeError):
    """The demo's shared password must never reach a production database by accident."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    role: Role
    place: str = ""
    site: str = ""

    @property
    def scope(self) -> str:
        if self.site:
            return f"{self.site} site"
        if self.place:
            return f"{self.place} Place"
        return "all sites"


ACCOUNTS = (
    DemoAccount("lead.walsall", "Rachel", "Bennett", Role.PROGRAMME_LEAD, place="Walsall"),
    DemoAccount("staff.walsall", "Harjit", "Kaur", Role.SITE_STAFF, site="Walsall"),
    DemoAccount("sitelead.walsall", "Michael", "Adeyemi", Role.SITE_LEAD, site="Walsall"),
    DemoAccount("staff.sunderland", "Laura", "Charlton", Role.SITE_STAFF, site="Sunderland"),
    DemoAccount("taskforce", "Fiona", "McKenzie", Role.TASKFORCE_MEMBER),
    DemoAccount("chair", "Anne", "Whitfield", Role.TASKFORCE_CHAIR),
    DemoAccount("admin", "Samuel", "Okoro", Role.ADMINISTRATOR),
)
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoTeam:
    name: str
    neighbourhood: str
    lead_name: str
    launched_on: datetime.date
    conditions: tuple[str, ...]
    cohorts: tuple[str, ...]
    practice: str
    pcn: str
    # Employers that differ from the site's (a team in another council's area).
    partners: dict[str, tuple[str, OrganisationKind]] = field(default_factory=dict)
    larger: bool = False


@dataclass(frozen=True)
class DemoSite:
    name: str
    status: SiteStatus
    summary: str
    neighbourhoods: tuple[tuple[str, int], ...]
    partners: dict[str, tuple[str, OrganisationKind]]
    teams: tuple[DemoTeam, ...]


K = OrganisationKind
SITES = (
    DemoSite(
        name="Walsall",
        status=SiteStatus.ACTIVE,
        summary="Walsall Together brings general practice, community nursing, the council and the voluntary "
        "sector into neighbourhood teams, starting with adults living with diabetes, hypertension and COPD.",
        neighbourhoods=(
            ("Bloxwich and Blakenall", 46_100),
            ("Willenhall and Short Heath", 41_500),
            ("Darlaston and Bentley", 33_800),
            ("Aldridge and Brownhills", 48_200),
            ("Walsall South and Palfrey", 44_700),
        ),
        partners={
            "community": ("Walsall Healthcare NHS Trust", K.NHS_TRUST),
            "acute": ("Walsall Healthcare NHS Trust", K.NHS_TRUST),
            "mental_health": ("Black Country Healthcare NHS Foundation Trust", K.NHS_TRUST),
            "council": ("Walsall Council", K.COUNCIL),
            "vcse": ("One Walsall", K.VCSE),
            "pharmacy": ("Bloxwich Community Pharmacy", K.PHARMACY),
            "ambulance": ("West Midlands Ambulance Service University NHS Foundation Trust", K.AMBULANCE),
        },
        teams=(
            DemoTeam(
                "Bloxwich and Blakenall Neighbourhood Team",
                "Bloxwich and Blakenall",
                "Priya Sandhu",
                datetime.date(2025, 10, 6),
                ("Diabetes", "Hypertension", "COPD"),
                (MLTC, URGENT_CARE),
                practice="Bloxwich Family Practice",
                pcn="Walsall North PCN",
                larger=True,
            ),
            DemoTeam(
                "Willenhall Neighbourhood Team",
                "Willenhall and Short Heath",
                "Gareth Lloyd",
                datetime.date(2025, 11, 3),
                ("Heart failure", "Diabetes", "Frailty"),
                (MLTC, FRAILTY),
                practice="Willenhall Medical Centre",
                pcn="Willenhall and Short Heath PCN",
            ),
            DemoTeam(
                "Darlaston and Bentley Neighbourhood Team",
                "Darlaston and Bentley",
                "Amina Rashid",
                datetime.date(2026, 2, 2),
                ("Hypertension", "Angina", "Arthritis"),
                (ONE_LTC_HIGH_RISK,),
                practice="Darlaston Health Centre Practice",
                pcn="Darlaston and Bentley PCN",
            ),
        ),
    ),
    DemoSite(
        name="Sunderland",
        status=SiteStatus.ACTIVE,
        summary="All Together Better Sunderland is extending its integrated locality teams into five "
        "neighbourhoods, with community pharmacy and the carers' centre in every team.",
        neighbourhoods=(
            ("Coalfield", 45_300),
            ("Sunderland East", 48_900),
            ("Sunderland North", 44_100),
            ("Sunderland West", 49_600),
            ("Washington", 47_200),
        ),
        partners={
            "community": ("South Tyneside and Sunderland NHS Foundation Trust", K.NHS_TRUST),
            "acute": ("South Tyneside and Sunderland NHS Foundation Trust", K.NHS_TRUST),
            "mental_health": ("Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust", K.NHS_TRUST),
            "council": ("Sunderland City Council", K.COUNCIL),
            "vcse": ("Sunderland Carers' Centre", K.VCSE),
            "pharmacy": ("Hylton Road Pharmacy", K.PHARMACY),
            "ambulance": ("North East Ambulance Service NHS Foundation Trust", K.AMBULANCE),
        },
        teams=(
            DemoTeam(
                "Washington Neighbourhood Team",
                "Washington",
                "Claire Robson",
                datetime.date(2025, 10, 13),
                ("Diabetes", "COPD", "Heart failure"),
                (MLTC, HOUSEBOUND),
                practice="Concord Medical Practice",
                pcn="Washington PCN",
                larger=True,
            ),
            DemoTeam(
                "Coalfield Neighbourhood Team",
                "Coalfield",
                "Mark Heslop",
                datetime.date(2025, 12, 1),
                ("Arthritis", "COPD", "Frailty"),
                (MLTC, FRAILTY),
                practice="Houghton Medical Group",
                pcn="Coalfield PCN",
            ),
            DemoTeam(
                "Sunderland West Neighbourhood Team",
                "Sunderland West",
                "Nadia Hussain",
                datetime.date(2026, 3, 2),
                ("Hypertension", "Diabetes", "Epilepsy"),
                (ONE_LTC_HIGH_RISK, URGENT_CARE),
                practice="Pallion Family Practice",
                pcn="Sunderland West PCN",
            ),
        ),
    ),
    DemoSite(
        name="Croydon",
        status=SiteStatus.ACTIVE,
        summary="One Croydon is building neighbourhood teams around its GP networks, beginning in the north of "
        "the borough and New Addington, where healthy life expectancy is lowest.",
        neighbourhoods=(
            ("Thornton Heath and Norbury", 47_800),
            ("Selhurst and South Norwood", 42_300),
            ("New Addington and Fieldway", 31_900),
            ("Purley and Coulsdon", 44_600),
        ),
        partners={
            "community": ("Croydon Health Services NHS Trust", K.NHS_TRUST),
            "acute": ("Croydon Health Services NHS Trust", K.NHS_TRUST),
            "mental_health": ("South London and Maudsley NHS Foundation Trust", K.NHS_TRUST),
            "council": ("Croydon Council", K.COUNCIL),
            "vcse": ("Croydon Voluntary Action", K.VCSE),
            "pharmacy": ("Norbury Pharmacy", K.PHARMACY),
            "ambulance": ("London Ambulance Service NHS Trust", K.AMBULANCE),
        },
        teams=(
            DemoTeam(
                "Thornton Heath Neighbourhood Team",
                "Thornton Heath and Norbury",
                "Olivia Mensah",
                datetime.date(2025, 11, 17),
                ("Diabetes", "Hypertension"),
                (MLTC,),
                practice="Brigstock Medical Practice",
                pcn="Thornton Heath PCN",
            ),
            DemoTeam(
                "New Addington Neighbourhood Team",
                "New Addington and Fieldway",
                "Daniel Okafor",
                datetime.date(2026, 1, 12),
                ("COPD", "Heart failure", "Frailty"),
                (FRAILTY, HOUSEBOUND),
                practice="Parkway Health Centre Practice",
                pcn="New Addington PCN",
            ),
        ),
    ),
    DemoSite(
        name="Morecambe Bay",
        status=SiteStatus.ONBOARDING,
        summary="Morecambe Bay is setting up its first two neighbourhood teams, in Barrow-in-Furness and "
        "Morecambe, with the bay's hospital and community trusts.",
        neighbourhoods=(
            ("Barrow-in-Furness", 46_800),
            ("Morecambe", 38_700),
            ("Lancaster", 49_200),
            ("Kendal", 35_400),
        ),
        partners={
            "community": ("Lancashire and South Cumbria NHS Foundation Trust", K.NHS_TRUST),
            "acute": ("University Hospitals of Morecambe Bay NHS Foundation Trust", K.NHS_TRUST),
            "mental_health": ("Lancashire and South Cumbria NHS Foundation Trust", K.NHS_TRUST),
            "council": ("Lancashire County Council", K.COUNCIL),
            "vcse": ("Age UK Lancashire", K.VCSE),
            "pharmacy": ("Dalton Road Pharmacy", K.PHARMACY),
            "ambulance": ("North West Ambulance Service NHS Trust", K.AMBULANCE),
        },
        teams=(
            DemoTeam(
                "Barrow Neighbourhood Team",
                "Barrow-in-Furness",
                "Helen Tyson",
                datetime.date(2026, 4, 7),
                ("COPD", "Diabetes", "Angina"),
                (MLTC,),
                practice="Atkinson Health Centre Practice",
                pcn="Barrow PCN",
                partners={"council": ("Westmorland and Furness Council", K.COUNCIL)},
            ),
            DemoTeam(
                "Morecambe Neighbourhood Team",
                "Morecambe",
                "James Whiteside",
                datetime.date(2026, 6, 1),
                ("Frailty", "Heart failure", "Hypertension"),
                (FRAILTY, URGENT_CARE),
                practice="West End Surgery",
                pcn="Morecambe PCN",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Staffing:
    profession: str  # Profession.code
    employer: str  # "practice", "pcn" or a key of the site's partners
    headcount: int
    wte: Decimal


def _s(profession: str, employer: str, headcount: int, wte: str) -> Staffing:
    return Staffing(profession, employer, headcount, Decimal(wte))


# A team's make-up once it is up and running. Larger teams add the second block.
CORE_MIX = (
    _s("gp", "practice", 3, "1.20"),
    _s("practice-nurse", "practice", 2, "1.60"),
    _s("care-coordinator", "pcn", 2, "2.00"),
    _s("social-prescriber", "pcn", 1, "1.00"),
    _s("practice-pharmacist", "pcn", 1, "0.80"),
    _s("district-nurse", "community", 4, "3.40"),
    _s("mental-health-practitioner", "mental_health", 1, "0.60"),
    _s("social-worker", "council", 2, "1.50"),
    _s("vcse-worker", "vcse", 2, "1.20"),
)
LARGER_MIX = (
    _s("community-matron", "community", 1, "1.00"),
    _s("community-pharmacist", "pharmacy", 2, "0.40"),
    _s("hospital-doctor", "acute", 1, "0.20"),
    _s("physiotherapist", "community", 1, "0.80"),
)
# Teams that launched in 2025 started smaller; their first entries ended when the team
# grew, which is how the workforce history shows a change in make-up.
FIRST_QUARTER = (
    _s("care-coordinator", "pcn", 1, "1.00"),
    _s("district-nurse", "community", 3, "2.60"),
)
GREW_ON = datetime.date(2026, 2, 1)
# A paramedic rotation the 2025 teams piloted and then stopped.
PILOT = _s("paramedic", "ambulance", 1, "0.40")
PILOT_ENDED = datetime.date(2026, 6, 30)


@dataclass
class DemoResult:
    loaded_reference_data: bool
    accounts: list[tuple[DemoAccount, str]]  # (account, email)
    sites: list[dict[str, Any]]
    password_from_environment: bool


def demo_password() -> str:
    return config.env_str("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD


def ensure_reference_data() -> bool:
    """Load the reference data the demo builds on unless it is there already. True if loaded."""
    loaded = False
    demo_sites = {site.name for site in SITES}
    wave_one = Site.objects.filter(wave__number=1)
    if wave_one.count() < WAVE_ONE_SITES or wave_one.filter(name__in=demo_sites).count() < len(demo_sites):
        load_all()
        loaded = True
    if not (Profession.objects.exists() and FocusCondition.objects.exists() and FocusCohort.objects.exists()):
        load_team_vocabulary()
        loaded = True
    return loaded


@transaction.atomic
def seed_demo(*, allow_production: bool = False) -> DemoResult:
    if settings.IS_PRODUCTION and not allow_production:
        raise DemoNotAllowed(
            "seed_demo creates accounts that share a published password, so it does not run in production. "
            "If this really is a throwaway copy, pass --allow-production."
        )
    loaded = ensure_reference_data()
    password = demo_password()
    users = {account.username: _demo_user(account, password) for account in ACCOUNTS}
    administrator = users[ADMIN_USERNAME]

    sites = []
    for spec in SITES:
        site = Site.objects.select_related("place").get(name=spec.name, wave__number=1)
        _profile(site, spec, programme_lead=users["lead.walsall"] if spec.name == "Walsall" else None)
        neighbourhoods = _neighbourhoods(site, spec)
        teams = [_team(site, spec, team_spec, neighbourhoods, by=administrator) for team_spec in spec.teams]
        sites.append(
            {
                "site": site,
                "neighbourhoods": len(neighbourhoods),
                "teams": len(teams),
                "workforce": WorkforceEntry.objects.filter(team__site=site).count(),
            }
        )

    return DemoResult(
        loaded_reference_data=loaded,
        accounts=[(account, users[account.username].email) for account in ACCOUNTS],
        sites=sites,
        password_from_environment=bool(config.env_str("DEMO_PASSWORD")),
    )


def _demo_user(account: DemoAccount, password: str) -> Any:
    """The account, its names and its one role. The password is set on every run, so the
    accounts always open with the password the last run printed."""
    is_admin = account.role == Role.ADMINISTRATOR
    user, _ = get_user_model().objects.update_or_create(
        username=account.username,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": f"{account.username}@{EMAIL_DOMAIN}",
            "is_active": True,
            "is_staff": is_admin,
            "is_superuser": is_admin,
        },
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    place = Place.objects.get(name=account.place) if account.place else None
    site = Site.objects.get(name=account.site, wave__number=1) if account.site else None
    RoleAssignment.objects.get_or_create(user=user, role=account.role, place=place, site=site)
    return user


def _profile(site: Site, spec: DemoSite, *, programme_lead: Any) -> None:
    """Fill in what the reference data leaves empty; keep what an administrator has set since."""
    changed = []
    if site.status == SiteStatus.ONBOARDING and spec.status != SiteStatus.ONBOARDING:
        site.status = spec.status
        changed.append("status")
    if not site.summary:
        site.summary = spec.summary
        changed.append("summary")
    if programme_lead is not None and site.programme_lead_id is None:
        site.programme_lead = programme_lead
        changed.append("programme_lead")
    if changed:
        site.save(update_fields=changed)


def _neighbourhoods(site: Site, spec: DemoSite) -> dict[str, Neighbourhood]:
    return {
        name: Neighbourhood.objects.get_or_create(site=site, name=name, defaults={"population": population})[0]
        for name, population in spec.neighbourhoods
    }


def _organisation(name: str, kind: OrganisationKind) -> PartnerOrganisation:
    # No ODS codes: invented codes could collide with real ones an administrator adds later.
    return PartnerOrganisation.objects.get_or_create(name=name, kind=kind)[0]


def _team(
    site: Site, spec: DemoSite, team_spec: DemoTeam, neighbourhoods: dict[str, Neighbourhood], *, by: Any
) -> NeighbourhoodTeam:
    team = NeighbourhoodTeam.objects.filter(site=site, name=team_spec.name).first()
    if team is None:
        team = services.create_team(
            site=site,
            by=by,
            name=team_spec.name,
            neighbourhood=neighbourhoods[team_spec.neighbourhood],
            lead_name=team_spec.lead_name,
            lead_email=_email_for(team_spec.lead_name),
            launched_on=team_spec.launched_on,
            focus_conditions=FocusCondition.objects.filter(name__in=team_spec.conditions),
            focus_cohorts=FocusCohort.objects.filter(name__in=team_spec.cohorts),
        )
    employers = {
        key: _organisation(name, kind)
        for key, (name, kind) in (
            spec.partners | team_spec.partners | {"practice": (team_spec.practice, K.GP_PRACTICE), "pcn": (team_spec.pcn, K.PCN)}
        ).items()
    }
    for staffing, start, end in _workforce_plan(team_spec):
        _workforce_entry(team, staffing, employers[staffing.employer], start, end, by=by)
    return team


def _workforce_plan(team: DemoTeam) -> list[tuple[Staffing, datetime.date, datetime.date | None]]:
    launched = team.launched_on
    mix = CORE_MIX + (LARGER_MIX if team.larger else ())
    if launched >= GREW_ON:
        return [(staffing, launched, None) for staffing in mix]
    grown = {staffing.profession for staffing in FIRST_QUARTER}
    plan: list[tuple[Staffing, datetime.date, datetime.date | None]] = []
    plan += [(staffing, launched, GREW_ON - datetime.timedelta(days=1)) for staffing in FIRST_QUARTER]
    plan += [(staffing, GREW_ON if staffing.profession in grown else launched, None) for staffing in mix]
    plan.append((PILOT, launched, PILOT_ENDED))
    return plan


def _workforce_entry(
    team: NeighbourhoodTeam,
    staffing: Staffing,
    employer: PartnerOrganisation,
    start: datetime.date,
    end: datetime.date | None,
    *,
    by: Any,
) -> None:
    profession = Profession.objects.get(code=staffing.profession)
    if WorkforceEntry.objects.filter(team=team, profession=profession, employer=employer, start_date=start).exists():
        return
    services.add_workforce_entry(
        team=team,
        by=by,
        profession=profession,
        employer=employer,
        headcount=staffing.headcount,
        wte=staffing.wte,
        start_date=start,
        end_date=end,
    )


def _email_for(name: str) -> str:
    return f"{'.'.join(name.lower().split())}@{EMAIL_DOMAIN}"
