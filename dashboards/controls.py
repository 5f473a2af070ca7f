"""The choices every dashboard page and its API read from the URL, and the one GET form that sets
them, so that a view can be bookmarked and shared: a colleague opening the URL sees the same view.

The names are the same on every page and in the API: `month` (YYYY-MM, `nhsportal.params.month`),
`level` and `org` (England, a region, an ICB or a site, by id) and `category` (a breakdown
category's code, default `total`). A value that is not one of the choices is a 400 naming the
parameter and its choices (`params.BadParameter`): the pages answer it with `bad_choice.jinja`,
the API with its JSON error. An organisation the viewer may not open is still a 404 (scoping).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from dashboards import figures, sharing
from dashboards.figures import Catalogue
from metrics.models import BreakdownCategory, RollupLevel
from nhsportal import params
from sites.models import ICB, Region, Site

AREA_LEVELS = (RollupLevel.NATIONAL, RollupLevel.REGION, RollupLevel.ICB, RollupLevel.SITE)
LEVEL_TEXT: dict[str, str] = {RollupLevel.NATIONAL: "England", RollupLevel.REGION: "A region", RollupLevel.ICB: "An ICB",
              RollupLevel.SITE: "A site"}  # fmt: skip


@dataclass
class Select:
    """One NHS.UK select of the form: its options as (value, text) and the one selected."""

    name: str
    label: str
    options: list[tuple[str, str]]
    selected: str
    hint: str = ""
    within: str = ""  # the level the grouped options' selected value is of
    groups: list[tuple[str, str, list[tuple[str, str]]]] = field(default_factory=list)  # (title, level, options)


def category(query: Any, cat: Catalogue, *, allowed: list[BreakdownCategory] | None = None) -> BreakdownCategory:
    """`?category=` as one of the catalogue's categories (default: total), else a 400 naming them."""
    raw = query.get("category") or "total"
    choices = allowed if allowed is not None else list(cat.categories)
    chosen = next((c for c in choices if c.code == raw), None)
    if chosen is None:
        names = ", ".join(c.code for c in choices[:12]) + (", …" if len(choices) > 12 else "")
        raise params.BadParameter(f"`category` must be a breakdown category code ({names}); {str(raw)[:40]!r} is not.")
    return chosen


def level_org(query: Any, user: Any, *, levels: tuple[str, ...] = AREA_LEVELS) -> tuple[str, int]:
    """`?level=` and `?org=`: England (org ignored) or an organisation of that level by id. A level
    that is not one of `levels`, or an org missing or not a number, is a 400; an organisation this
    person may not open, or that does not exist, a 404."""
    level = query.get("level") or RollupLevel.NATIONAL
    if level not in levels:
        raise params.BadParameter(f"`level` must be one of {', '.join(levels)}; {str(level)[:40]!r} is not.")
    if level == RollupLevel.NATIONAL:
        return level, figures.ENGLAND
    org = params.whole_number(query.get("org"), name="org")
    if org is None:
        raise params.BadParameter(
            f"`org` must be the id of the {RollupLevel(level).label} (a whole number) when `level` is {level}."
        )
    if not sharing.may_open_org(user, level, org) or not figures.org_name(level, org):
        raise Http404("No such organisation.")
    return level, org


def answers_bad_choices(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view whose bad choices (`params.BadParameter`) answer 400 with the message, which
    names the parameter and its choices, and a link to the page with its defaults."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except params.BadParameter as exc:
            context = {"page_title": "Those choices cannot be shown", "message": str(exc), "back": request.path}
            return render(request, "dashboards/bad_choice.jinja", context, status=400)

    return wrapped


# The form's selects.


def month_select(covered: list[Any], chosen: Any) -> Select:
    """The months with figures, newest first, a month still being filed marked provisional."""
    options = []
    for c in reversed(covered):
        if not c.reporting:
            continue
        sites = "site" if c.expected == 1 else "sites"
        text = str(c.period) + (f" (provisional: {c.reporting:,} of {c.expected:,} {sites})" if c.provisional else "")
        options.append((c.period.slug, text))
    return Select("month", "Month", options, chosen.slug if chosen else "")


def category_select(cat: Catalogue, chosen: BreakdownCategory, *, allowed: list[BreakdownCategory] | None = None) -> Select:
    choices = allowed if allowed is not None else list(cat.categories)
    return Select("category", "Patients (breakdown)", [(c.code, str(c)) for c in choices], chosen.code)


def area_selects(user: Any, level: str, org_id: int, *, levels: tuple[str, ...] = AREA_LEVELS) -> list[Select]:
    """Level and organisation: every region, and the ICBs and sites this person may open. Three queries."""
    groups: list[tuple[str, str, list[tuple[str, str]]]] = []
    if RollupLevel.REGION in levels:
        groups.append(
            (
                "Regions",
                RollupLevel.REGION,
                [(str(pk), name) for pk, name in Region.objects.order_by("name").values_list("pk", "name")],
            )
        )
    for lv, model, title in ((RollupLevel.ICB, ICB, "ICBs"), (RollupLevel.SITE, Site, "Sites")):
        if lv in levels:
            found = model.objects.order_by("name").values_list("pk", "name")
            groups.append((title, lv, [(str(pk), name) for pk, name in found if sharing.may_open_org(user, lv, pk)]))
    level_select = Select("level", "Level", [(lv, LEVEL_TEXT[lv]) for lv in levels], level)
    org_select = Select(
        "org",
        "Organisation",
        [("", "England (no organisation)")],
        "" if level == RollupLevel.NATIONAL else str(org_id),
        within=level,
        hint="Choose one of the level chosen: a region for a region, an ICB for an ICB, a site for a site.",
        groups=groups,
    )
    return [level_select, org_select]


LIMIT_TEXT = [("poisson", "Exact Poisson limits, 95% and 99%"),
              ("shmi", "Adjusted for overdispersion: SHMI method (log scale), 95% and 99.8%"),
              ("cqc", "Adjusted for overdispersion: CQC method (square root), 95% and 99.8%")]  # fmt: skip
TRIM_TEXT = [("", "The method's own: truncate for SHMI, Winsorise for CQC"), ("winsorise", "Winsorise the top and bottom 10%"),
             ("truncate", "Leave out the top and bottom 10%")]  # fmt: skip
LABEL_TEXT = [("own", "Your own site"), ("outliers", "Your own site and every site outside the 95% limits")]


def funnel_selects(data: dict[str, Any], query: Any) -> list[Select]:
    """The funnel's form: month, category, and its limits, trim and labels (`dashboards.funnel_limits`)."""
    choices = data["choices"]
    return [
        month_select(data["coverage"], data["period"]),
        category_select(data["catalogue"], data["category"]),
        Select(
            "limits",
            "Limits",
            LIMIT_TEXT,
            choices["limits"],
            hint="Where sites differ among themselves far more than chance would make them, most fall outside the exact "
            "Poisson limits; the adjusted limits allow for that spread.",
        ),
        Select("trim", "Extreme sites, when estimating the spread (adjusted limits only)", TRIM_TEXT, query.get("trim", "")),
        Select("label", "Names on the chart", LABEL_TEXT, choices["label"]),
    ]
