"""A walk through EVERY URL pattern in the project, as a signed-out visitor and as site staff
of another site, reaches nothing it should not.

The patterns come from the resolver itself, so a page or endpoint added tomorrow is walked
too. Its path arguments are filled from objects belonging to site A; a pattern the walk
cannot fill fails the test and asks for a mapping below, so no page goes unchecked.

- Signed out: a page redirects to sign-in, the API answers 401/403; only the pages in
  PUBLIC answer 200 (ADR 12 says why each is public).
- Site staff of site B: site A's objects answer 403 or 404; nothing they can open shows
  site A's names, and no API answer carries a row of site A's.
"""

from __future__ import annotations

import datetime
import json
import re
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.viewsets import ViewSetMixin

from applications.models import Answer, Collaborator, Decision, EvidenceFile, Outcome
from applications.models import Review as ApplicationReview
from dashboards.models import SpcChangePoint
from metrics import services as return_services
from metrics.models import BreakdownCategory, DataQualityQuery, ExportJob, MetricDefinition
from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.applications.factories import ApplicationFactory, answer_all, round_with
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import NeighbourhoodFactory, SiteFactory
from tests.teams.factories import FocusCohortFactory, FocusConditionFactory, NeighbourhoodTeamFactory, WorkforceEntryFactory

pytestmark = pytest.mark.django_db

# Open to everyone, signed in or not. Why each one: ADR 12.
PUBLIC = {
    "home",
    "login",
    "accessibility",
    "healthz",
    "readyz",
    "public-summary",
    "metric-dictionary",  # what the public summary's figures mean (ADR 23)
    "metric-definition",
    "api:metric-definition-list",
    "api:metric-definition-detail",
    "api-schema",  # the API's shape, not its data, like a published spec
    "api-docs",
    "admin:login",
}
# Open to all, but answer 404 for a provider that is not configured (none is, in the walk): the
# start of an OpenID Connect sign-in and the provider's answer (ADR 17).
OIDC = {"oidc-start", "oidc-callback"}
# Sign-out is harmless for someone not signed in: it just lands them on a page.
SIGN_OUT = {"logout", "admin:logout"}

# Objects of `world` that every site shares; the rest belong to site A.
SHARED = {
    "region",
    "icb",
    "wave",
    "profession",
    "partner",
    "focus_condition",
    "focus_cohort",
    "metric",
    "breakdown_category",
    "period",
    "round",
    "milestone_template",
    "coaching_session",
}
SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/")
METHODS = ("get", "post", "patch", "put", "delete")

# A page's `pk` is the object its route starts with (longest match wins).
PAGE_PK = {
    "sites/": "site",
    "sites/neighbourhoods/": "neighbourhood",
    "teams/": "team",
    "workforce/": "workforce",
    "applications/rounds/": "round",
    "applications/": "application",
    "returns/queries/": "query",
    "reviews/": "site_review",
    "reviews/actions/": "review_action",
    "reviews/sites/": "site",
    "exports/": "export_job",
    "dashboards/spc/change-points/": "spc_change_point",
    "access/sites/": "site",
    "access/requests/": "access_request",
}
# Other path arguments, by the route they appear in and then by name alone.
BY_ROUTE = {
    ("applications/<int:pk>/questions/<int:number>/", "number"): lambda w: 1,
    ("applications/<int:pk>/review/criteria/<int:number>/", "number"): lambda w: 1,
    ("returns/<int:site_pk>/<str:month>/versions/<int:number>/", "number"): lambda w: 1,
    ("returns/<int:site_pk>/<str:month>/versions/<int:number>/download.xlsx", "number"): lambda w: 1,
}
BY_NAME = {
    "site_pk": lambda w: w.site.pk,
    "team_pk": lambda w: w.team.pk,
    "month": lambda w: f"{w.period.month:%Y-%m}",
    "collaborator_pk": lambda w: w.collaborator.pk,
    "evidence_pk": lambda w: w.evidence.pk,
    "review_pk": lambda w: w.application_review.pk,
    "template_pk": lambda w: w.milestone_template.pk,
    "metric_code": lambda w: w.metric.code,
    "code": lambda w: w.metric.code,
    "level": lambda w: "site",
    "org_id": lambda w: w.site.pk,
    "format": lambda w: "json",
    "name": lambda w: "cis2",
    "version": lambda w: 1,  # a bulletin's version
}
# Django admin is guarded as a whole (staff only); any object id shows that.
ADMIN_ARGS = {"app_label": "sites", "object_id": "1", "content_type_id": "1", "url": "x", "user_id": "1", "id": "1"}


def all_patterns(resolver=None, prefix="", namespace=""):
    """(route, name, callback) for every pattern the project serves."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or ""), entry


def kwarg_names(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


@pytest.fixture
def world(settings, tmp_path):
    """Site A with one of everything, and site B with a member of staff."""
    settings.MEDIA_ROOT = str(tmp_path)
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    site = SiteFactory(place__name="Crawlham")
    other = SiteFactory(place__name="Othertown")
    staff_a = user_with_role(Role.SITE_STAFF, site=site)
    neighbourhood = NeighbourhoodFactory(site=site, name="Crawlham North Neighbourhood")
    team = NeighbourhoodTeamFactory(site=site, name="Crawlham Integrated Team")
    workforce = WorkforceEntryFactory(team=team)
    version = return_services.upload_return(
        data=make_workbook(place="Crawlham", period=period.month), filename="a.xlsx", by=staff_a
    )
    taskforce = user_with_role(Role.TASKFORCE_MEMBER)
    query = DataQualityQuery.objects.create(
        return_record=version.return_record, version=version, question="Why so few?", raised_by=taskforce
    )

    round_ = round_with(name="Crawl round")
    lead_a = user_with_role(Role.PROGRAMME_LEAD, place=site.place)
    application = ApplicationFactory(round=round_, place=site.place, lead_applicant=lead_a)
    answer_all(application, text="Crawlham's confidential plan")
    collaborator = Collaborator.objects.create(
        application=application, user=user_with_role(Role.PROGRAMME_LEAD, place=site.place), added_by=lead_a
    )
    evidence = EvidenceFile.objects.create(
        application=application,
        file="evidence/a.pdf",
        original_name="crawlham.pdf",
        kind="pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=lead_a,
    )
    application_review = ApplicationReview.objects.create(application=application, reviewer=taskforce)
    decision = Decision.objects.create(
        application=application, outcome=Outcome.choices[0][0], rationale="Crawlham fits", decided_by=taskforce
    )
    export_job = ExportJob.objects.create(requested_by=staff_a, format="csv")

    objects = {
        "site": site,
        "place": site.place,
        "neighbourhood": neighbourhood,
        "team": team,
        "workforce": workforce,
        "period": period,
        "return": version.return_record,
        "return_version": version,
        "return_value": version.values.first(),
        "query": query,
        "round": round_,
        "application": application,
        "answer": Answer.objects.filter(application=application).first(),
        "collaborator": collaborator,
        "evidence": evidence,
        "application_review": application_review,
        "decision": decision,
        "export_job": export_job,
        # Shared by every site (SHARED): reference data and vocabularies.
        "region": site.place.icb.region,
        "icb": site.place.icb,
        "wave": site.wave,
        "profession": workforce.profession,
        "partner": workforce.employer,
        "focus_condition": FocusConditionFactory(),
        "focus_cohort": FocusCohortFactory(),
        "metric": MetricDefinition.objects.order_by("code").first(),
        "breakdown_category": BreakdownCategory.objects.first(),
    }
    objects["spc_change_point"] = SpcChangePoint.objects.create(
        metric=objects["metric"],
        level="site",
        org_id=site.pk,
        month=period.month,
        reason="Crawlham pathway",
        created_by=taskforce,
    )
    objects.update(_review_objects(site, taskforce))
    objects.update(_access_objects(site))
    return SimpleNamespace(
        **objects,
        objects=objects,
        other_site=other,
        staff_b=user_with_role(Role.SITE_STAFF, site=other),
        markers=["Crawlham"],  # every name of site A's contains it
    )


def _review_objects(site, taskforce) -> dict[str, models.Model]:
    """The site reviews app's objects for site A (when the app is installed)."""
    try:
        from reviews.models import CoachingSession
        from tests.reviews.factories import ActionFactory, MilestoneTemplateFactory, ReviewFactory
    except ImportError:
        return {}
    review = ReviewFactory(site=site, reviewer=taskforce)
    return {
        "site_review": review,
        "review_action": ActionFactory(review=review, description="Crawlham action"),
        "milestone_template": MilestoneTemplateFactory(wave=site.wave),
        "coaching_session": CoachingSession.objects.create(
            kind=CoachingSession._meta.get_field("kind").choices[0][0],
            title="Session",
            held_on=datetime.date(2026, 3, 1),
            topics="Data",
        ),
    }


def _access_objects(site) -> dict[str, models.Model]:
    """A person's request for access at site A (the accounts app, ADR 17)."""
    from accounts.models import AccessRequest

    asker = user_with_role(None, first_name="Crawlham", last_name="Asker")
    return {
        "access_request": AccessRequest.objects.create(user=asker, role=Role.SITE_STAFF, site=site, reason="Crawlham analyst")
    }


def _api_model(pattern: URLPattern, world) -> type[models.Model] | None:
    view_class = getattr(pattern.callback, "cls", None)
    if view_class is None or not issubclass(view_class, ViewSetMixin):
        return None
    if getattr(view_class, "queryset", None) is not None:
        return view_class.queryset.model
    view = view_class()
    view.request = SimpleNamespace(user=world.staff_b, query_params={}, GET={})
    view.kwargs, view.format_kwarg, view.action = {}, None, "retrieve"
    try:
        return view.get_queryset().model
    except Exception:  # noqa: BLE001 - the walk reports the pattern as unfillable instead
        return None


def fill(route: str, name: str, pattern: URLPattern, world) -> tuple[dict[str, object], bool]:
    """The path arguments for a pattern, and whether they point at one of site A's objects."""
    values, owned = {}, False
    for kwarg in kwarg_names(pattern):
        if name.startswith("admin:") and kwarg in ADMIN_ARGS:
            values[kwarg] = ADMIN_ARGS[kwarg]
        elif (route, kwarg) in BY_ROUTE:
            values[kwarg] = BY_ROUTE[(route, kwarg)](world)
        elif kwarg == "pk" and name.startswith("api:"):
            model = _api_model(pattern, world)
            key = next((key for key, obj in world.objects.items() if model is not None and type(obj) is model), None)
            assert key is not None, f"The crawl cannot fill {name} ({route}): add an object of {model} to `world` in {__file__}."
            values[kwarg], owned = world.objects[key].pk, key not in SHARED
        elif kwarg == "pk":
            prefix = max((p for p in PAGE_PK if route.startswith(p)), key=len, default=None)
            assert prefix is not None and PAGE_PK[prefix] in world.objects, (
                f"The crawl cannot fill `pk` of {name} ({route}): add its route prefix to PAGE_PK in {__file__}."
            )
            values[kwarg], owned = world.objects[PAGE_PK[prefix]].pk, PAGE_PK[prefix] not in SHARED
        elif kwarg in BY_NAME:
            values[kwarg] = BY_NAME[kwarg](world)
            owned = owned or kwarg in {"site_pk", "team_pk", "collaborator_pk", "evidence_pk", "review_pk", "org_id"}
        else:
            pytest.fail(
                f"The crawl cannot fill `{kwarg}` of {name or '(unnamed)'} ({route}): add a mapping to BY_NAME or BY_ROUTE in {__file__}."
            )
    return values, owned


def url_for(route: str, name: str, values: dict[str, object]) -> str:
    if name and not name.endswith(":"):
        return reverse(name, kwargs=values or None)
    if "^" not in route:  # an unnamed path() route (Django admin's redirects): fill it in place
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    pytest.fail(f"The pattern {route} has no name: name it so the crawl (and everyone else) can reverse it.")


def request(client: Client, url: str):
    """The first method the URL accepts (GET, else POST, …), with an empty body."""
    for method in METHODS:
        response = getattr(client, method)(url)
        if response.status_code != 405:
            return method, response
    return "any", response


def _same_as_for_a_missing_object(client, method, response, route, name, values) -> bool:
    missing = {key: 999999 if isinstance(value, int) else value for key, value in values.items()}
    other = getattr(client, method)(url_for(route, name, missing))
    return other.status_code == response.status_code and other.content == response.content


def shows_site_a(response, world) -> str | None:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode(errors="replace")
    for marker in world.markers:
        if marker in text:
            return f"shows {marker!r}"
    if response.get("Content-Type", "").startswith("application/json"):
        for row in _dicts(json.loads(text or "null")):
            if row.get("site") == world.site.pk or row.get("site_id") == world.site.pk:
                return f"carries a row of site A: {row}"
    return None


def _dicts(data):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _dicts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _dicts(value)


def test_every_url_pattern_is_closed_to_visitors_and_to_other_sites_staff(world):
    assert admin_site.is_registered(type(world.site))  # admin patterns are part of the walk
    anonymous, other_staff = Client(), Client()
    other_staff.force_login(world.staff_b)
    problems, walked = [], 0

    for route, name, pattern in all_patterns():
        values, owned = fill(route, name, pattern, world)
        url = url_for(route, name, values)
        walked += 1

        method, response = request(anonymous, url)
        status, location = response.status_code, response.get("Location", "")
        if name in PUBLIC:
            if status != 200:
                problems.append(f"signed out {method.upper()} {url} ({name}): public page answered {status}")
        elif name in OIDC:
            if status != 404:
                problems.append(f"signed out {method.upper()} {url} ({name}): {status}, not 404 for a provider not configured")
        elif name in SIGN_OUT:
            if status not in {200, 302}:
                problems.append(f"signed out {method.upper()} {url} ({name}): {status}")
        elif url.startswith("/api/"):
            if status not in {401, 403}:
                problems.append(f"signed out {method.upper()} {url} ({name}): API answered {status}, not 401/403")
        elif not (status == 302 and location.startswith(SIGN_IN_PATHS)):
            problems.append(f"signed out {method.upper()} {url} ({name}): {status} {location}, not a redirect to sign in")

        if name in SIGN_OUT:
            continue  # signing site B's staff out would end the walk's session
        method, response = request(other_staff, url)
        status = response.status_code
        if owned and status == 400 and _same_as_for_a_missing_object(other_staff, method, response, route, name, values):
            continue  # the empty body was refused before the object was looked up: nothing learnt
        if owned and status not in {403, 404} and not name.startswith("admin:"):
            problems.append(f"site B staff {method.upper()} {url} ({name}): site A's object answered {status}")
        elif status < 300 and (leak := shows_site_a(response, world)):
            problems.append(f"site B staff {method.upper()} {url} ({name}): {status} and {leak}")

    assert walked > 150  # the walk really covered the project
    assert not problems, "\n".join(problems)


def test_an_unmapped_path_argument_fails_the_walk_with_a_clear_message(world):
    from django.urls import path

    pattern = path("widgets/<int:widget_pk>/", lambda request: None, name="widget-detail")

    with pytest.raises(pytest.fail.Exception, match="add a mapping to BY_NAME or BY_ROUTE"):
        fill("widgets/<int:widget_pk>/", "widget-detail", pattern, world)
