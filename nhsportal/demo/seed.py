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
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bulletins.models import Bulletin
from bulletins.services import build_latest_closed_month
from metrics.models import Rollup
from metrics.rollups import build as rollups
from nhsportal import config
from nhsportal.demo.applications import seed_applications_demo
from nhsportal.demo.returns import seed_returns_demo
from nhsportal.demo.sites_data import (
    ACCOUNTS,
    ADMIN_USERNAME,
    CORE_MIX,
    DEFAULT_DEMO_PASSWORD,
    EMAIL_DOMAIN,
    FIRST_QUARTER,
    GREW_ON,
    LARGER_MIX,
    PILOT,
    PILOT_ENDED,
    SITES,
    WAVE_ONE_SITES,
    DemoAccount,
    DemoSite,
    DemoTeam,
    Staffing,
)
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


class DemoNotAllowed(RuntimeError):
    """The demo's shared password must never reach a production database by accident."""


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

    new_returns = seed_returns_demo(
        sites=list(Site.objects.filter(wave__number=1).select_related("wave", "place")),
        admin=administrator,
        people={
            "Walsall": (users["staff.walsall"], users["sitelead.walsall"]),
            "Sunderland": (users["staff.sunderland"], administrator),
        },
    )
    if new_returns or not Rollup.objects.exists():
        rollups.rebuild_all(trigger="demo")  # the dashboards' figures for the demo history
    if not Bulletin.objects.exists():
        build_latest_closed_month()  # the latest closed month's bulletin, e-mailing no one

    application_accounts = seed_applications_demo(users=users, password=password)

    return DemoResult(
        loaded_reference_data=loaded,
        accounts=[(account, users[account.username].email) for account in ACCOUNTS] + application_accounts,
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
            spec.partners
            | team_spec.partners
            | {"practice": (team_spec.practice, OrganisationKind.GP_PRACTICE), "pcn": (team_spec.pcn, OrganisationKind.PCN)}
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
