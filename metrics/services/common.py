"""What every step of a return shares: the refusals it raises, and what the importer needs to
know about the world (the sites, whose they are, the periods)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from metrics.models import (
    ReportingPeriod,
    ReturnVersion,
)
from metrics.returns import rules
from metrics.returns.checks import ParsedValue, Problem
from metrics.returns.importer import ImportContext, ParsedReturn, normalise_place_name
from metrics.returns.selectors import parsed_values
from nhsportal.roles import roles_of
from sites.models import Site


class ReturnRefused(Exception):
    """The filing was checked and refused; `problems` name every sheet and cell at fault."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the return")
        self.problems = problems


class ReturnConflict(Exception):
    """Someone else filed a newer version while this person was working on an older one."""


class TransitionRefused(Exception):
    """The step is not possible from the return's current state."""


def import_context(user: Any) -> ImportContext:
    """What the importer needs to know about the world: the sites, whose they are, the periods."""
    roles = roles_of(user)
    today = timezone.localdate()
    sites = list(Site.objects.order_by("wave__number").values_list("pk", "name"))
    return ImportContext(
        places={normalise_place_name(name): pk for pk, name in sites},
        allowed_site_ids={pk for pk, _ in sites if roles.is_admin or pk in roles.site_ids},
        periods={p.month: _period_status(p, today) for p in ReportingPeriod.objects.all()},
        allow_closed=rules.can_change_locked_period(user),
    )


def _period_status(period: ReportingPeriod, today: Any) -> str:
    if not period.has_ended_on(today):
        return "not_ended"
    return "open" if period.accepts_submissions_on(today) else "closed"


def not_ended_problem(period: ReportingPeriod) -> Problem:
    return Problem(
        "",
        "",
        "period_not_ended",
        f"{period} has not ended yet: a month's return can be filed once the month is over "
        f"(from {period.period_end + datetime.timedelta(days=1):%-d %B %Y}).",
    )


def unchanged_message(version: ReturnVersion) -> str:
    """Said on the page and in the API when a filing held exactly the latest version's figures."""
    return (
        f"These figures are exactly those of version {version.number} of the {version.return_record.period} return, "
        "so no new version was stored. If you meant to change something, check you chose the corrected file "
        "(or changed the cells you meant to)."
    )


def _who(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "a deleted account"


def _figures(values: Iterable[ParsedValue]) -> set[tuple]:
    return {
        (
            v.metric,
            v.category,
            None if v.numerator_suppressed else v.numerator,
            None if v.denominator_suppressed else v.denominator,
            v.numerator_suppressed,
            v.denominator_suppressed,
        )
        for v in values
    }


def same_figures(latest: ReturnVersion, parsed: ParsedReturn) -> bool:
    """Whether a filing holds exactly the figures (and layout) of the latest version."""
    return latest.layout == parsed.layout and _figures(parsed_values(latest)) == _figures(parsed.values)
