"""What the applications demo contains: the questions and criteria both rounds ask, the
wave-one history (four Places, their reviews and decisions) and the wave-two Places.
Plain data; `nhsportal.demo.applications` loads it.

Knowsley and Blackpool are real Places that are not wave-one sites; their ICBs and local
authority districts are the real ones (`sites/reference_data/`). Everything they say in
their applications is invented for the demo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from nhsportal.demo.sites_data import DemoAccount
from nhsportal.models import Role

WAVE_ONE_ROUND: dict[str, Any] = {
    "name": "Wave one applications",
    "opens": (2025, 6, 2, 9, 0),
    "closes": (2025, 7, 18, 12, 0),
    "sites_to_select": 43,
}
WAVE_TWO = {"number": 2, "name": "Wave two", "start_date": datetime.date(2027, 4, 1)}
WAVE_TWO_ROUND: dict[str, Any] = {
    "name": "Wave two applications",
    "opened_days_ago": 14,
    "closes_in_days": 56,
    "sites_to_select": 20,
}

GUIDANCE = (
    "The National Neighbourhood Health Implementation Programme invites ICB and place partnerships to pioneer "
    "neighbourhood health services: multidisciplinary neighbourhood teams, with general practice as the cornerstone, "
    "starting with adults living with multiple long-term conditions.\n\n"
    "Answer every question in your own words, within its word limit. Attach evidence that supports your answers "
    "(partnership agreements, data-sharing agreements, needs analyses) as PDF, Word or Excel files. The national "
    "taskforce scores every application against the published criteria."
)
ELIGIBILITY = (
    "Single Places, ideally of around 300,000 people, applying as a partnership of the ICB, local authority, NHS "
    "trusts, general practice and the voluntary sector. Places that are already programme sites do not apply again.\n\n"
    "Every NHS England region will have at least one site. Priority goes to the most deprived areas and those with "
    "the lowest healthy life expectancy."
)

QUESTIONS = (
    ("How do partners in your Place already work together, and who will lead neighbourhood health?", 500, True),
    ("How ready is your Place to start neighbourhood teams in the first year?", 500, True),
    ("How will the partnership be governed, and how will partners share data?", 400, True),
    ("Which people and neighbourhoods have the greatest need, and how will you reach them first?", 500, True),
    ("Is there anything else the taskforce should know?", 250, False),
)

DESCRIPTORS = (
    "Not addressed, or no evidence.",
    "Weak: intentions without evidence or a plan.",
    "Adequate: some evidence; clear gaps remain.",
    "Good: clear evidence and a credible plan.",
    "Excellent: strong evidence; partners already work this way at scale.",
)
CRITERIA = (
    ("Integrated working", "Partners already working as one team around people, with general practice at the centre.", 30),
    ("Readiness", "Teams, workforce and premises that can start within the first year.", 25),
    ("Governance and data sharing", "Shared decision-making and the data agreements to track outcomes.", 20),
    ("Need", "Deprivation, healthy life expectancy and people with multiple long-term conditions.", 25),
)

DEMO_PLACES = {
    # name: (ICB ODS code, local authority district code, population, note)
    "Knowsley": ("QYG", "E08000011", 154_500, "whole metropolitan borough"),
    "Blackpool": ("QE1", "E06000009", 141_100, "whole unitary authority"),
}

KNOWSLEY_LEAD = DemoAccount("lead.knowsley", "Daniel", "Murphy", Role.PROGRAMME_LEAD, place="Knowsley")


@dataclass(frozen=True)
class PastApplication:
    """A wave-one application, its two reviews (taskforce, chair) and the decision."""

    place: str
    answers: tuple[str, ...]
    scores: tuple[tuple[int, ...], tuple[int, ...]]
    recommendations: tuple[str, str]
    outcome: str
    rationale: str


WAVE_ONE_HISTORY = (
    PastApplication(
        place="Walsall",
        answers=(
            "Walsall Together has brought the council, Walsall Healthcare NHS Trust, the borough's PCNs and the "
            "voluntary sector into one partnership board since 2019. Integrated care teams already meet weekly.",
            "Six locality teams have named leads and shared premises; community nursing is already aligned to PCNs.",
            "The Walsall Together board reports to the ICB and the health and wellbeing board; a shared care record "
            "covers general practice, community and social care.",
            "Blakenall, Bloxwich and Darlaston have the highest rates of multiple long-term conditions and the lowest "
            "healthy life expectancy; teams start there.",
            "",
        ),
        scores=((4, 3, 3, 4), (4, 4, 3, 4)),
        recommendations=("select", "select"),
        outcome="selected",
        rationale="A mature partnership with teams ready to start in the most deprived neighbourhoods.",
    ),
    PastApplication(
        place="Sunderland",
        answers=(
            "All Together Better Sunderland has pooled budgets and joint commissioning across the council, "
            "the foundation trust and general practice.",
            "Five recovery-at-home and integrated teams are in place and can grow into neighbourhood teams.",
            "An alliance agreement governs the partnership; data flows through the North East's shared care record.",
            "Coalfield neighbourhoods in the south and west of the city have the greatest need.",
            "",
        ),
        scores=((3, 3, 4, 4), (4, 3, 3, 3)),
        recommendations=("select", "select"),
        outcome="selected",
        rationale="Strong alliance governance and high need; selected as one of the North East and Yorkshire's sites.",
    ),
    PastApplication(
        place="Croydon",
        answers=(
            "One Croydon brings the council, Croydon Health Services, general practice and the voluntary sector together.",
            "Integrated community networks in six localities are staffed and can start within the year.",
            "The One Croydon board makes joint decisions; a population health management platform links the data.",
            "North and central Croydon have the highest need; teams start with people housebound with several conditions.",
            "",
        ),
        scores=((3, 4, 3, 3), (3, 3, 3, 3)),
        recommendations=("select", "discuss"),
        outcome="selected",
        rationale="Ready to start at scale, with a credible plan for the most deprived localities in London.",
    ),
    PastApplication(
        place="Blackpool",
        answers=(
            "The partnership is new: the council and the hospital trust signed a memorandum in 2025.",
            "Two pilot teams are planned; recruitment has not started.",
            "Governance is being designed; data sharing relies on the ICB's system.",
            "Blackpool is England's most deprived district, with the lowest healthy life expectancy.",
            "",
        ),
        scores=((2, 1, 1, 4), (1, 2, 2, 4)),
        recommendations=("discuss", "do_not_select"),
        outcome="not_selected",
        rationale="Very high need, but the partnership is not ready to start in wave one. Blackpool is encouraged "
        "to apply to wave two, and the North West is covered by four other sites.",
    ),
)

KNOWSLEY_DRAFT = (
    "Knowsley's place partnership brings the council, Mersey and West Lancashire Teaching Hospitals, the borough's "
    "four PCNs and Knowsley CVS together in one board.",
    "Three neighbourhood teams in Huyton, Kirkby and Halewood could start in the first year.",
)

BLACKPOOL_WAVE_TWO = (
    "Since wave one, the council, Blackpool Teaching Hospitals and the town's PCNs have formed one partnership board.",
    "Four neighbourhood teams are recruited and co-located in family hubs; they start in April 2027.",
    "A partnership agreement is signed; data sharing uses the Lancashire and South Cumbria shared care record.",
    "Blackpool remains England's most deprived district; teams start in Claremont, Bloomfield and Talbot wards.",
    "We listened to wave one's feedback on readiness.",
)
