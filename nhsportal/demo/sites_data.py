"""What the demo contains: its accounts, four wave-one sites with their neighbourhoods,
teams and partners, and the workforce mix of a team. Plain data; `nhsportal.demo.seed` loads it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from nhsportal.models import Role
from sites.models import SiteStatus
from teams.models import OrganisationKind

DEFAULT_DEMO_PASSWORD = "nhs-demo-2026"  # noqa: S105 — published demo-only password, see the module docstring.
EMAIL_DOMAIN = "example.nhs.uk"
WAVE_ONE_SITES = 43

MLTC = "Adults with multiple long-term conditions"
ONE_LTC_HIGH_RISK = "Adults with one long-term condition at high risk of admission"
FRAILTY = "People living with frailty"
URGENT_CARE = "Frequent users of urgent care"
HOUSEBOUND = "Housebound patients"


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
