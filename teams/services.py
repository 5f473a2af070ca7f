"""Every change to teams and workforce: checked, validated, written atomically, audited.

Callers fetch the object through a scoped selector first (so other sites' objects are a
404); these services check the permission again so no caller can forget it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from nhsportal import audit
from sites.models import Neighbourhood, Site
from sites.rules import can_edit_teams
from teams.models import (
    FocusCohort,
    FocusCondition,
    NeighbourhoodTeam,
    OrganisationKind,
    PartnerOrganisation,
    Profession,
    WorkforceEntry,
)
from teams.rules import can_add_partner_organisation
from teams.selectors import may_employ_for

TEAM_FIELDS = ("name", "neighbourhood", "lead_name", "lead_email", "launched_on")


def _require_team_editor(user: Any, site: Site) -> None:
    if not can_edit_teams(user, site):
        raise PermissionDenied("Only the site's own staff, its site lead and the Place's programme lead can change its teams.")


def _others(rows: QuerySet[NeighbourhoodTeam], exclude_pk: int | None) -> QuerySet[NeighbourhoodTeam]:
    """`rows` without the one being edited (none when adding)."""
    return rows if exclude_pk is None else rows.exclude(pk=exclude_pk)


def _check_team(*, site: Site, name: str, neighbourhood: Neighbourhood | None, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the team's name."
    elif _others(NeighbourhoodTeam.objects.filter(site=site, name__iexact=name.strip()), exclude_pk).exists():
        errors["name"] = f"{site} already has a team called “{name.strip()}”. Give this team a different name."
    if neighbourhood is not None and neighbourhood.site_id != site.pk:
        errors["neighbourhood"] = "Choose one of this site's own neighbourhoods."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_team(
    *,
    site: Site,
    by: Any,
    name: str,
    neighbourhood: Neighbourhood | None = None,
    lead_name: str = "",
    lead_email: str = "",
    launched_on: datetime.date | None = None,
    focus_conditions: Iterable[FocusCondition] = (),
    focus_cohorts: Iterable[FocusCohort] = (),
) -> NeighbourhoodTeam:
    """A site registers a neighbourhood team. Team names are unique within a site."""
    _require_team_editor(by, site)
    _check_team(site=site, name=name, neighbourhood=neighbourhood)
    try:
        with transaction.atomic():
            team = NeighbourhoodTeam.objects.create(
                site=site,
                name=name.strip(),
                neighbourhood=neighbourhood,
                lead_name=lead_name,
                lead_email=lead_email,
                launched_on=launched_on,
            )
    except IntegrityError as exc:  # another request registered the same name a moment ago
        raise ValidationError(
            {"name": f"{site} already has a team called “{name.strip()}”. Give this team a different name."}
        ) from exc
    team.focus_conditions.set(focus_conditions)
    team.focus_cohorts.set(focus_cohorts)
    audit.record(actor=by, action="team.created", obj=team, changes={"site": str(site), "name": team.name})
    return team


@transaction.atomic
def update_team(
    *,
    team: NeighbourhoodTeam,
    by: Any,
    focus_conditions: Iterable[FocusCondition] | None = None,
    focus_cohorts: Iterable[FocusCohort] | None = None,
    **fields: Any,
) -> NeighbourhoodTeam:
    """Change a team's details. Only the fields given change; each change is audited."""
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"update_team() cannot change {', '.join(sorted(unknown))}")
    team = NeighbourhoodTeam.objects.select_for_update(of=("self",)).select_related("site").get(pk=team.pk)
    _require_team_editor(by, team.site)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    _check_team(
        site=team.site,
        name=fields.get("name", team.name),
        neighbourhood=fields.get("neighbourhood", team.neighbourhood),
        exclude_pk=team.pk,
    )
    changes = audit.changed_fields(team, fields)
    if changes:
        for name in changes:
            setattr(team, name, fields[name])
        try:
            with transaction.atomic():
                team.save(update_fields=[*changes, "updated_at"])
        except IntegrityError as exc:  # another request took the name a moment ago
            raise ValidationError({"name": f"{team.site} already has a team called “{team.name}”."}) from exc
    if focus_conditions is not None:
        before = set(team.focus_conditions.values_list("name", flat=True))
        team.focus_conditions.set(focus_conditions)
        after = set(team.focus_conditions.values_list("name", flat=True))
        if before != after:
            changes["focus_conditions"] = [sorted(before), sorted(after)]
    if focus_cohorts is not None:
        before = set(team.focus_cohorts.values_list("name", flat=True))
        team.focus_cohorts.set(focus_cohorts)
        after = set(team.focus_cohorts.values_list("name", flat=True))
        if before != after:
            changes["focus_cohorts"] = [sorted(before), sorted(after)]
    if changes:
        audit.record(actor=by, action="team.updated", obj=team, changes=changes)
    return team


def _check_employer(site: Site, employer: PartnerOrganisation) -> None:
    if not may_employ_for(site, employer):
        raise ValidationError(
            {
                "employer": f"{employer} is not one of {site.name}'s partner organisations: it employs people only in "
                f"other sites' teams. Choose one of {site.name}'s partners, or add the organisation if it is not listed. "
                f"If {employer} does employ people in {site.name}'s teams too, an administrator can record the entry "
                "in administration."
            }
        )


def _check_workforce(*, headcount: int, wte: Decimal, start_date: datetime.date, end_date: datetime.date | None) -> None:
    errors: dict[str, str] = {}
    if headcount < 0:
        errors["headcount"] = "Headcount cannot be negative."
    if wte < 0:
        errors["wte"] = "WTE cannot be negative."
    elif headcount >= 0 and wte > headcount:
        errors["wte"] = f"WTE cannot be more than the headcount ({headcount}): each person is at most 1.0 WTE."
    if end_date is not None and end_date < start_date:
        errors["end_date"] = "The end date must be the same as or after the start date."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_workforce_entry(
    *,
    team: NeighbourhoodTeam,
    by: Any,
    profession: Profession,
    employer: PartnerOrganisation,
    headcount: int,
    wte: Decimal,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> WorkforceEntry:
    """Record people of one profession from one employer joining a team. A change in
    make-up is recorded by ending one entry and adding another, so history is kept. The
    employer is one of the site's partners (or a new organisation nobody employs through yet),
    never another site's practice chosen from a national list."""
    _require_team_editor(by, team.site)
    _check_workforce(headcount=headcount, wte=wte, start_date=start_date, end_date=end_date)
    _check_employer(team.site, employer)
    entry = WorkforceEntry.objects.create(
        team=team,
        profession=profession,
        employer=employer,
        headcount=headcount,
        wte=wte,
        start_date=start_date,
        end_date=end_date,
    )
    audit.record(
        actor=by,
        action="workforce.added",
        obj=entry,
        changes={
            "team": str(team),
            "profession": str(profession),
            "employer": str(employer),
            "headcount": headcount,
            "wte": str(wte),
        },
    )
    return entry


@transaction.atomic
def update_workforce_entry(*, entry: WorkforceEntry, by: Any, **fields: Any) -> WorkforceEntry:
    """Correct or end a workforce entry (set its end date when people leave the team)."""
    allowed = {"profession", "employer", "headcount", "wte", "start_date", "end_date"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"update_workforce_entry() cannot change {', '.join(sorted(unknown))}")
    entry = WorkforceEntry.objects.select_for_update(of=("self",)).select_related("team__site").get(pk=entry.pk)
    _require_team_editor(by, entry.team.site)
    merged = {name: fields.get(name, getattr(entry, name)) for name in ("headcount", "wte", "start_date", "end_date")}
    _check_workforce(**merged)
    if "employer" in fields and fields["employer"].pk != entry.employer_id:
        _check_employer(entry.team.site, fields["employer"])
    changes = audit.changed_fields(entry, fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    if changes:
        audit.record(actor=by, action="workforce.updated", obj=entry, changes=changes)
    return entry


@transaction.atomic
def remove_workforce_entry(*, entry: WorkforceEntry, by: Any, reason: str = "") -> None:
    """Remove an entry made in error. People leaving a team are recorded with an end date instead."""
    _require_team_editor(by, entry.team.site)
    audit.record(
        actor=by,
        action="workforce.removed",
        obj=entry,
        changes={
            "team": str(entry.team),
            "profession": str(entry.profession),
            "headcount": entry.headcount,
            "wte": str(entry.wte),
        },
        reason=reason,
    )
    entry.delete()


@transaction.atomic
def add_partner_organisation(*, by: Any, name: str, kind: str, ods_code: str = "") -> PartnerOrganisation:
    """Add an employer that is not listed yet. ODS codes are unique; names are unique per kind."""
    if not can_add_partner_organisation(by):
        raise PermissionDenied("Only people who register teams can add partner organisations.")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the organisation's name."
    if kind not in OrganisationKind.values:
        errors["kind"] = "Choose what kind of organisation it is."
    code = ods_code.strip().upper() or None
    if code and PartnerOrganisation.objects.filter(ods_code=code).exists():
        errors["ods_code"] = f"An organisation with ODS code {code} is already listed: choose it instead."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            organisation = PartnerOrganisation.objects.create(name=name.strip(), kind=kind, ods_code=code)
    except IntegrityError as exc:  # another request added it a moment ago
        if code and PartnerOrganisation.objects.filter(ods_code=code).exists():
            raise ValidationError(
                {"ods_code": f"An organisation with ODS code {code} is already listed: choose it instead."}
            ) from exc
        raise ValidationError({"name": f"“{name.strip()}” is already listed: choose it instead."}) from exc
    audit.record(actor=by, action="partner_organisation.added", obj=organisation)
    return organisation
