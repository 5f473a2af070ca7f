"""Reads of milestones, reviews, actions and coaching, scoped to the person asking, in a
fixed number of queries. The review pack and the national matrix are in `reviews.pack`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from metrics.models import Return
from nhsportal.roles import roles_of
from reviews.models import (
    Action,
    ActionStatus,
    Attendance,
    AutomaticCheck,
    CoachingSession,
    MilestoneStatus,
    MilestoneTemplate,
    Review,
    ReviewStatus,
    SiteMilestone,
)
from sites.models import Site, SiteStatus
from sites.selectors import sites_visible_to
from teams.models import NeighbourhoodTeam

# --- Scoping ---------------------------------------------------------------------------------


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    """The taskforce: every review. A site's people: its published and signed-off reviews (never drafts)."""
    if roles_of(user).is_national:
        return Review.objects.all()
    return Review.objects.filter(site__in=sites_visible_to(user)).exclude(status=ReviewStatus.DRAFT)


def get_visible_review(user: Any, pk: int) -> Review:
    return get_object_or_404(
        reviews_visible_to(user).select_related(
            "site__place__icb__region",
            "site__wave",
            "site__programme_lead",
            "reviewer",
            "scheduled_by",
            "site_responded_by",
            "reviewer_signed_off_by",
            "site_signed_off_by",
        ),
        pk=pk,
    )


def actions_visible_to(user: Any) -> QuerySet[Action]:
    if roles_of(user).is_national:
        return Action.objects.all()
    return Action.objects.filter(site__in=sites_visible_to(user)).exclude(review__status=ReviewStatus.DRAFT)


def get_visible_action(user: Any, pk: int) -> Action:
    return get_object_or_404(actions_visible_to(user).select_related("site", "review", "closed_by", "created_by"), pk=pk)


def review_list(user: Any, *, site: Site | None = None, status: str = "") -> QuerySet[Review]:
    reviews = reviews_visible_to(user).select_related("site__place__icb__region", "site__wave", "reviewer")
    if site is not None:
        reviews = reviews.filter(site=site)
    if status:
        reviews = reviews.filter(status=status)
    return reviews.order_by("-scheduled_for", "-id")


def action_list(
    user: Any,
    *,
    site: str = "",
    owner: str = "",
    status: str = "",
    due_before: datetime.date | None = None,
    overdue: bool = False,
    today: datetime.date | None = None,
) -> QuerySet[Action]:
    """Actions across every review the user may see, soonest due first, in one query."""
    today = today or timezone.localdate()
    actions = actions_visible_to(user).select_related("site", "review")
    if site:
        actions = actions.filter(site_id=site)
    if owner:
        actions = actions.filter(owner=owner)
    if status:
        actions = actions.filter(status=status)
    if due_before:
        actions = actions.filter(due_on__lte=due_before)
    if overdue:
        actions = actions.exclude(status=ActionStatus.CLOSED).filter(due_on__lt=today)
    return actions.order_by("status" if status else "due_on", "due_on", "id")


# --- Onboarding ------------------------------------------------------------------------------


def automatic_facts(site_ids: list[int], *, today: datetime.date | None = None) -> dict[int, set[str]]:
    """Which automatic milestones each site's data shows, in two queries."""
    today = today or timezone.localdate()
    facts: dict[int, set[str]] = {pk: set() for pk in site_ids}
    live = NeighbourhoodTeam.objects.filter(site_id__in=site_ids, launched_on__lte=today).values_list("site_id", flat=True)
    for site_id in set(live):
        facts[site_id].add(AutomaticCheck.FIRST_TEAM_LIVE)
    filed = Return.objects.filter(site_id__in=site_ids, first_signed_off_at__isnull=False).values_list("site_id", flat=True)
    for site_id in set(filed):
        facts[site_id].add(AutomaticCheck.FIRST_RETURN_SUBMITTED)
    return facts


@dataclass(frozen=True)
class ChecklistItem:
    template: MilestoneTemplate
    milestone: SiteMilestone | None
    due_on: datetime.date
    status: str  # a MilestoneStatus value
    by_data: bool
    overdue: bool

    @property
    def status_label(self) -> str:
        if self.by_data:
            return "Done (shown by the portal's data)"
        return MilestoneStatus(self.status).label


def site_checklist(site: Site, *, today: datetime.date | None = None) -> list[ChecklistItem]:
    """The site's wave checklist with each item's state and due date, in four queries."""
    today = today or timezone.localdate()
    templates = list(MilestoneTemplate.objects.filter(wave_id=site.wave_id).order_by("order", "id"))
    rows = {m.template_id: m for m in SiteMilestone.objects.filter(site=site).select_related("submitted_by", "decided_by")}
    facts = automatic_facts([site.pk], today=today)[site.pk] if any(t.automatic for t in templates) else set()
    return [_item(t, rows.get(t.pk), site.wave.start_date, facts, today) for t in templates]


def _item(
    template: MilestoneTemplate, row: SiteMilestone | None, start: datetime.date, facts: set[str], today: datetime.date
) -> ChecklistItem:
    status = row.status if row else MilestoneStatus.NOT_STARTED
    by_data = bool(template.automatic) and (template.automatic in facts or bool(row and row.ticked_by_data))
    if by_data:
        status = MilestoneStatus.CONFIRMED
    due = template.due_on(start)
    overdue = template.required and status != MilestoneStatus.CONFIRMED and due < today  # optional ones never nag
    return ChecklistItem(template, row, due, status, by_data, overdue)


def missing_required_milestones(site: Site, *, today: datetime.date | None = None) -> list[MilestoneTemplate]:
    return [
        i.template for i in site_checklist(site, today=today) if i.template.required and i.status != MilestoneStatus.CONFIRMED
    ]


def overdue_milestones(
    site_ids: list[int] | None = None, *, today: datetime.date | None = None
) -> dict[Site, list[ChecklistItem]]:
    """Onboarding sites' overdue milestones (all sites, or those given), in five queries."""
    today = today or timezone.localdate()
    chosen = Site.objects.filter(status=SiteStatus.ONBOARDING).select_related("wave").order_by("name")
    if site_ids is not None:
        chosen = chosen.filter(pk__in=site_ids)
    sites = list(chosen)
    templates: dict[int, list[MilestoneTemplate]] = {}
    for template in MilestoneTemplate.objects.filter(wave__in={s.wave_id for s in sites}, due_after_days__isnull=False):
        templates.setdefault(template.wave_id, []).append(template)
    rows = {(m.site_id, m.template_id): m for m in SiteMilestone.objects.filter(site__in=sites)}
    facts = automatic_facts([s.pk for s in sites], today=today)
    result = {}
    for site in sites:
        items = [
            _item(t, rows.get((site.pk, t.pk)), site.wave.start_date, facts[site.pk], today)
            for t in templates.get(site.wave_id, [])
        ]
        overdue = [i for i in items if i.overdue]
        if overdue:
            result[site] = overdue
    return result


def milestones_awaiting_decision(user: Any) -> QuerySet[SiteMilestone]:
    """For the taskforce: milestones sites have marked done, oldest first."""
    if not roles_of(user).is_national:
        return SiteMilestone.objects.none()
    return (
        SiteMilestone.objects.filter(status=MilestoneStatus.SUBMITTED)
        .select_related("site", "template", "submitted_by")
        .order_by("submitted_at")
    )


def get_site_milestone(site: Site, template_pk: int) -> tuple[MilestoneTemplate, SiteMilestone | None]:
    template = get_object_or_404(MilestoneTemplate, pk=template_pk, wave_id=site.wave_id)
    return template, SiteMilestone.objects.filter(site=site, template=template).select_related("submitted_by").first()


# --- Coaching --------------------------------------------------------------------------------


def coaching_visible_to(user: Any) -> QuerySet[CoachingSession]:
    """The taskforce: the whole log. A site's people: the sessions their site attended."""
    if roles_of(user).is_national:
        return CoachingSession.objects.all()
    return CoachingSession.objects.filter(attendance__site__in=sites_visible_to(user)).distinct()


def coaching_log(user: Any, *, site: Site | None = None) -> list[CoachingSession]:
    sessions = coaching_visible_to(user)
    attendance = Attendance.objects.select_related("site").order_by("site__name", "person_name")
    if site is not None:
        sessions = sessions.filter(attendance__site=site).distinct()
        attendance = attendance.filter(site=site)
    elif not roles_of(user).is_national:
        attendance = attendance.filter(site__in=sites_visible_to(user))
    return list(sessions.prefetch_related(Prefetch("attendance", queryset=attendance)).order_by("-held_on", "-id"))


# --- Home page -------------------------------------------------------------------------------


def site_review_tasks(site: Site, *, today: datetime.date | None = None) -> list[dict[str, str]]:
    """For a site's home page card: overdue milestones and overdue actions, in a few queries."""
    today = today or timezone.localdate()
    tasks = []
    if site.status == SiteStatus.ONBOARDING:
        overdue = [i for i in site_checklist(site, today=today) if i.overdue]
        if overdue:
            n = len(overdue)
            tasks.append(
                {
                    "text": f"{n} onboarding {'milestone is' if n == 1 else 'milestones are'} overdue",
                    "href": reverse("onboarding", args=[site.pk]),
                }
            )
    open_actions = Action.objects.filter(site=site, due_on__lt=today).exclude(status=ActionStatus.CLOSED)
    late = open_actions.exclude(review__status=ReviewStatus.DRAFT).count()
    if late:
        tasks.append(
            {
                "text": f"{late} review {'action is' if late == 1 else 'actions are'} overdue",
                "href": reverse("action-list") + f"?site={site.pk}&overdue=on",
            }
        )
    return tasks


def national_review_summary(*, today: datetime.date | None = None) -> dict[str, int]:
    """For the taskforce's home page: overdue actions and sites with overdue milestones."""
    today = today or timezone.localdate()
    overdue_actions = Action.objects.filter(due_on__lt=today).exclude(status=ActionStatus.CLOSED).count()
    sites = overdue_milestones(today=today)
    return {
        "overdue_actions": overdue_actions,
        "sites_with_overdue_milestones": len(sites),
        "overdue_milestones": sum(len(v) for v in sites.values()),
        "milestones_to_decide": SiteMilestone.objects.filter(status=MilestoneStatus.SUBMITTED).count(),
    }
