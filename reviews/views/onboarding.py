"""Onboarding pages: a site's checklist, marking a milestone done, the taskforce's decision,
the evidence download, and the site's page of reviews, milestones and coaching."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET

from applications.uploads import describe_size, max_upload_bytes
from applications.views.evidence import CONTENT_TYPES
from nhsportal import downloads, uploads
from reviews import rules, selectors, services
from reviews.forms import MilestoneForm, SendBackForm
from reviews.models import MilestoneStatus
from reviews.views.common import attempt, page
from sites.models import SiteStatus
from sites.selectors import get_visible_site


@login_required
def site_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's own people: its onboarding, reviews and coaching history."""
    site = get_visible_site(request.user, pk)
    checklist = selectors.site_checklist(site)
    context = page(
        f"{site.name}: reviews and support",
        site=site,
        checklist_done=sum(i.status == MilestoneStatus.CONFIRMED for i in checklist),
        checklist_total=len(checklist),
        checklist_overdue=sum(i.overdue for i in checklist),
        reviews=list(selectors.review_list(request.user, site=site)),
        sessions=selectors.coaching_log(request.user, site=site),
        can_schedule=rules.can_schedule_review(request.user),
        back=(reverse("site-detail", args=[site.pk]), f"Back to {site.name}"),
    )
    return render(request, "reviews/site.jinja", context)


@login_required
@require_GET
def overdue_onboarding(request: HttpRequest) -> HttpResponse:
    """The taskforce: every onboarding site with overdue milestones, oldest first, each linked to its checklist."""
    if not rules.can_decide_milestone(request.user):
        raise PermissionDenied("The list of overdue onboarding milestones is for the national taskforce.")
    overdue = selectors.overdue_milestones()
    sites = sorted(overdue.items(), key=lambda pair: (min(i.due_on for i in pair[1]), pair[0].name))
    context = page(
        "Overdue onboarding milestones",
        sites=sites,
        total=sum(len(items) for _, items in sites),
        back=(reverse("home"), "Back to your home page"),
    )
    return render(request, "reviews/overdue_onboarding.jinja", context)


@login_required
def onboarding(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's own people."""
    site = get_visible_site(request.user, pk)
    context = page(
        f"{site.name}: onboarding",
        site=site,
        checklist=selectors.site_checklist(site),
        can_mark=rules.can_mark_milestone(request.user, site),
        can_decide=rules.can_decide_milestone(request.user),
        back=(reverse("site-reviews", args=[site.pk]), f"Back to {site.name}'s reviews and support"),
    )
    return render(request, "reviews/onboarding.jinja", context)


@login_required
def milestone_submit(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    """The site's own people (and administrators): mark a milestone done with evidence and a note."""
    site = get_visible_site(request.user, pk)
    template, milestone = selectors.get_site_milestone(site, template_pk)
    if not rules.can_mark_milestone(request.user, site):
        raise PermissionDenied("Only the site's own people can mark its milestones done.")
    initial = {"note": milestone.note, "link": milestone.evidence_link} if milestone else None
    too_big = request.method == "POST" and uploads.oversize_request(request, max_upload_bytes())
    if too_big:
        form = MilestoneForm({}, MultiValueDict(), initial=initial)
        uploads.refuse_file_field(form, too_big)
    else:
        form = MilestoneForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and not too_big and form.is_valid():
        call = lambda: services.submit_milestone(  # noqa: E731
            site=site,
            template=template,
            by=request.user,
            note=form.cleaned_data["note"],
            link=form.cleaned_data["link"],
            upload=request.FILES.get("file"),
        )
        if attempt(form, call)[0]:
            messages.success(request, f"“{template.title}” has been sent to the taskforce to confirm.")
            return redirect("onboarding", pk=site.pk)
    context = page(
        template.title,
        form=form,
        site=site,
        template=template,
        milestone=milestone,
        limit=describe_size(max_upload_bytes()),
        back=(reverse("onboarding", args=[site.pk]), f"Back to {site.name}'s onboarding"),
    )
    return render(request, "reviews/milestone_form.jinja", context)


def _onboarding_progress(site) -> str:
    """What the decision means for the site, read from the database after it: activated now,
    still to complete (and how much), or nothing to say (a site already active or paused
    keeps its status whatever its checklist shows)."""
    status_before = site.status
    site.refresh_from_db(fields=["status"])
    if status_before == SiteStatus.ONBOARDING and site.status == SiteStatus.ACTIVE:
        return f"Every required milestone is confirmed: {site.name} is now active."
    missing = selectors.missing_required_milestones(site)
    if not missing:
        return ""
    count = f"{len(missing)} required {'milestone is' if len(missing) == 1 else 'milestones are'} not yet confirmed"
    if site.status == SiteStatus.ONBOARDING:
        return f"{count}; {site.name} becomes active once every one is."
    return f"{count}."


@login_required
def milestone_decide(request: HttpRequest, pk: int, template_pk: int) -> HttpResponse:
    """The taskforce: confirm a submitted milestone, or send it back with a reason."""
    site = get_visible_site(request.user, pk)
    template, milestone = selectors.get_site_milestone(site, template_pk)
    if not rules.can_decide_milestone(request.user):
        raise PermissionDenied("Only the taskforce confirms milestones or sends them back.")
    if milestone is None:
        raise Http404("The site has not marked this milestone done.")
    form = SendBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("decision") == "confirm":
            ok, _ = attempt(form, lambda: services.confirm_milestone(milestone=milestone, by=request.user))
            text = f"“{template.title}” is confirmed."
        else:
            ok, _ = attempt(form, lambda: services.send_back_milestone(milestone=milestone, by=request.user, **form.cleaned_data))
            text = f"“{template.title}” has been sent back to {site.name}."
        if ok:
            messages.success(request, f"{text} {_onboarding_progress(site)}".strip())
            return redirect("onboarding", pk=site.pk)
    context = page(
        template.title,
        form=form,
        site=site,
        template=template,
        milestone=milestone,
        back=(reverse("onboarding", args=[site.pk]), f"Back to {site.name}'s onboarding"),
    )
    return render(request, "reviews/milestone_decide.jinja", context)


@require_GET
@login_required
def milestone_evidence(request: HttpRequest, pk: int, template_pk: int) -> HttpResponseBase:
    """Anyone who may see the site. Always a download, never shown inline; a file gone from
    storage is a 404 page saying so."""
    site = get_visible_site(request.user, pk)
    _, milestone = selectors.get_site_milestone(site, template_pk)
    if milestone is None or not milestone.evidence_file:
        raise Http404("No evidence file for this milestone.")
    return downloads.attachment(
        request,
        milestone.evidence_file,
        filename=milestone.download_name,
        content_type=CONTENT_TYPES[milestone.evidence_kind],
        who_can_replace="The site's lead, when marking the milestone done again,",
        back=(reverse("onboarding", args=[site.pk]), f"Back to {site.name}'s onboarding"),
    )
