"""Pages that show returns. Everything requires sign-in and reads through the scoped
selectors, so another site's return is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from metrics.models import QueryStatus, ReturnStatus, ReturnVersion
from metrics.returns import coverage, rules, selectors
from metrics.views.forms import AnswerForm, CommentForm, QuestionForm, ReasonForm
from nhsportal import params
from nhsportal.roles import roles_of
from sites.selectors import get_visible_site, sites_visible_to


@login_required
@require_GET
def returns_home(request: HttpRequest) -> HttpResponse:
    """Site staff and leads: their returns by month. The taskforce: the coverage grid."""
    roles = roles_of(request.user)
    if roles.is_national:
        return render(
            request,
            "metrics/coverage.jinja",
            {"page_title": "Returns coverage", "nav": "returns", **coverage.coverage(request.user)},
        )
    # Site staff and leads file; the Place's programme lead reads its site's returns.
    sites = list(sites_visible_to(request.user).order_by("name"))
    if not sites:
        raise PermissionDenied("Monthly returns are filed by each site's own staff.")
    return render(
        request,
        "metrics/site_returns.jinja",
        {
            "page_title": "Monthly returns",
            "nav": "returns",
            "sites": selectors.sites_returns(sites),
            "can_file": bool(roles.site_ids),
            "preparable": {site.pk for site in sites if rules.can_prepare_return(request.user, site)},
        },
    )


@login_required
@require_GET
def site_returns(request: HttpRequest, site_pk: int) -> HttpResponse:
    """The taskforce and the site's own people: one site's returns by month."""
    site = get_visible_site(request.user, site_pk)
    return render(
        request,
        "metrics/site_returns.jinja",
        {
            "page_title": f"{site.name}: monthly returns",
            "nav": "returns",
            "site": site,
            "sites": selectors.sites_returns([site]),
            "can_file": rules.can_prepare_return(request.user, site),
            "preparable": {site.pk} if rules.can_prepare_return(request.user, site) else set(),
        },
    )


@login_required
@require_GET
def return_detail(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """The taskforce and the site's own people."""
    site, period, return_record = selectors.get_visible_return(request.user, site_pk, month)
    user = request.user
    period_state = selectors.period_state(period, timezone.localdate())
    context = {
        "page_title": f"{site.name}: {period} return",
        "nav": "returns",
        "site": site,
        "period": period,
        "state": period_state,
        "return": return_record,
        "can_prepare": rules.can_prepare_return(user, site),
        # The steps that move the return on: after the final deadline, administrators only;
        # a correction request not at all (the site could not file it).
        "can_step": rules.can_prepare_return(user, site) and rules.can_step_in_period(user, closed=period_state == "closed"),
        "can_sign_off": rules.can_sign_off(user, site) and rules.can_step_in_period(user, closed=period_state == "closed"),
        "can_query": rules.can_query_returns(user),
        "can_request_correction": rules.can_query_returns(user) and period_state != "closed",
        "can_file": rules.can_file_for_period(user, site, closed=period_state == "closed") and period_state != "not_open",
        "statuses": ReturnStatus,
        "back_link": {"href": reverse("returns"), "text": "Back to returns"},
    }
    if return_record is not None and return_record.latest_version is not None:
        version = return_record.latest_version
        context |= {
            "version": version,
            "grid": selectors.version_grid(version),
            "warnings": list(version.warnings.all()),
            "versions": list(return_record.versions.select_related("created_by", "signed_off_by").order_by("-number")),
            "queries": list(
                return_record.queries.select_related("version", "raised_by", "answered_by", "closed_by", "reopened_by").order_by(
                    selectors.QUERY_ORDER, "-raised_at", "-pk"
                )
            ),
            "timeline": selectors.return_timeline(return_record),
            "comment_form": CommentForm(),
            "reason_form": ReasonForm(),
            "question_form": QuestionForm(),
            "answer_form": AnswerForm(),
        }
    return render(request, "metrics/return_detail.jinja", context)


@login_required
@require_GET
def version_detail(request: HttpRequest, site_pk: int, month: str, number: int) -> HttpResponse:
    """The taskforce and the site's own people: any version, laid out like the template."""
    site, period, return_record, version = selectors.get_visible_version(request.user, site_pk, month, number)
    return render(
        request,
        "metrics/version_detail.jinja",
        {
            "page_title": f"{site.name}: {period} return, version {version.number}",
            "nav": "returns",
            "site": site,
            "period": period,
            "return": return_record,
            "version": version,
            "grid": selectors.version_grid(version),
            "warnings": list(version.warnings.all()),
            "back_link": {"href": reverse("return-detail", args=[site.pk, period.slug]), "text": f"Back to the {period} return"},
        },
    )


@login_required
@require_GET
def version_diff(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """The taskforce and the site's own people: what changed between two versions."""
    site, period, return_record = selectors.get_visible_return(request.user, site_pk, month)
    if return_record is None:
        raise Http404
    # Keyed by int | None so a missing ?from / ?to is a KeyError, hence a 404, like an unknown number.
    versions: dict[int | None, ReturnVersion] = {v.number: v for v in return_record.versions.all()}
    try:
        older = versions[params.whole_number(request.GET.get("from"), name="from")]
        newer = versions[params.whole_number(request.GET.get("to"), name="to")]
    except (KeyError, ValueError) as exc:
        raise Http404("Choose two versions of this return to compare.") from exc
    return render(
        request,
        "metrics/version_diff.jinja",
        {
            "page_title": f"{site.name}: {period}, version {older.number} against {newer.number}",
            "nav": "returns",
            "site": site,
            "period": period,
            "older": older,
            "newer": newer,
            "changes": selectors.version_diff(older, newer),
            "as_80_plus": selectors.compares_as_80_plus(older, newer),
            "back_link": {"href": reverse("return-detail", args=[site.pk, period.slug]), "text": f"Back to the {period} return"},
        },
    )


@login_required
@require_GET
def query_log(request: HttpRequest) -> HttpResponse:
    """The taskforce: every data-quality query; site people: their own sites'. Open first
    (waiting for the site), then answered (waiting for the taskforce), then closed;
    `?status=` shows one of them."""
    queries = selectors.queries_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in QueryStatus.values:
        queries = queries.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "metrics/query_log.jinja",
        {
            "page_title": "Data quality queries",
            "nav": "returns",
            "queries": list(queries[:500]),
            "status": status,
            "statuses": QueryStatus,
        },
    )
