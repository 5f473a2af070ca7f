"""The load run's data and its checks: what bench/load/run.py prepares in the throwaway database
before the stack starts, and what it verifies after locust stops."""

from __future__ import annotations

import datetime
import io
import random
import time
from pathlib import Path
from typing import Any

import openpyxl
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

# Pages and endpoints from the contract between the helpers: (URL name, kwargs variants, query variants).
PAGES = [
    "dashboard-overview",
    "dashboard-engagement",
    "dashboard-demographics",
    "dashboard-funnel",
    "dashboard-spc",
    "dashboard-org",
    "public-summary",
]
API = [
    "api:site-list",
    "api:return-list",
    "api:rollup-list",
    "api:coverage",
    "api:dashboard-overview",
    "api:dashboard-funnel",
    "api:dashboard-spc",
]


def _load_period(today: datetime.date):
    """The month sites are filing now: the latest that has ended and still accepts returns."""
    from metrics.models import ReportingPeriod

    open_months = [
        p for p in ReportingPeriod.objects.filter(period_end__lt=today).order_by("-month") if p.accepts_submissions_on(today)
    ]
    if not open_months:
        raise SystemExit(f"No reporting month is open for returns on {today}: the timetable has none to file.")
    return open_months[0]


def _person(username: str, role: str, **scope: Any):
    from django.contrib.auth import get_user_model

    from nhsportal.models import RoleAssignment

    user = get_user_model().objects.create_user(username=username, email=f"{username}@load.example.nhs.uk", password=None)
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def _session_for(user: Any) -> str:
    """A signed-in session, as the sign-in page would make (sign-in itself is not what is measured)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


class _Clock:
    def __init__(self) -> None:
        self.last = time.monotonic()

    def lap(self, what: str) -> None:
        now = time.monotonic()
        print(f"  {what}: {now - self.last:.0f} s", flush=True)
        self.last = now


def _for_site(filled: bytes, place: str) -> bytes:
    """The same filled template with another site's Place name (quicker than filling it again)."""
    workbook = openpyxl.load_workbook(io.BytesIO(filled))
    workbook["Instructions"]["B6"] = place
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _urls(name: str, *, metrics: list[str], month: str, orgs: dict[str, list[int]]) -> list[str]:
    """Every variant of a page the taskforce may open: each metric, each level, a few organisations."""
    by_metric = [{"metric_code": code} for code in metrics]
    if name.endswith("funnel"):  # the latest month with figures, and the one before the month being filed
        return [reverse(name, kwargs=kw) + query for kw in by_metric for query in ("", f"?month={month[:7]}")]
    if name == "api:rollup-list":  # a whole listing, and what a client usually asks for
        return [
            reverse(name),
            f"{reverse(name)}?level=national&metric={metrics[0]}",
            f"{reverse(name)}?level=region&from={month[:7]}",
        ]
    if name.endswith("spc"):
        return [
            reverse(name, kwargs=kw) + query
            for kw in by_metric
            for query in ["", "?level=national", *(f"?level={level}&org={org}" for level, ids in orgs.items() for org in ids[:2])]
        ]
    if name == "dashboard-org":
        return [reverse(name, kwargs={"level": level, "org_id": org}) for level, ids in orgs.items() for org in ids]
    return [reverse(name)]


def prepare(directory: Path, *, taskforce: int, think: list[float], filing_window: int) -> dict[str, Any]:
    from metrics.models import MetricDefinition
    from metrics.returns.reference import load_metrics, load_periods
    from metrics.rollups import build as rollups
    from nhsportal.demo.returns import seed_returns_demo
    from nhsportal.models import Role
    from sites.models import Site
    from sites.reference import load_all
    from tests.metrics.workbooks import make_workbook

    clock = _Clock()
    load_all()
    load_metrics()
    load_periods()
    clock.lap("reference data")
    today = timezone.localdate()
    period = _load_period(today)
    sites = list(Site.objects.select_related("place__icb__region").order_by("name"))
    admin = _person("load.admin", Role.ADMINISTRATOR)
    # The history before the month being filed, rolled up, as the dashboards would find it.
    seed_returns_demo(sites=sites, admin=admin, people={}, today=period.period_end)
    clock.lap("returns history")
    rollups.rebuild_all(trigger="load")
    clock.lap("rollups")

    (directory / "workbooks").mkdir()
    site_plans = []
    filled = make_workbook(place=sites[0].name, period=datetime.datetime.combine(period.month, datetime.time()))
    for index, site in enumerate(sites):
        staff = _person(f"load.staff.{index}", Role.SITE_STAFF, site=site)
        lead = _person(f"load.lead.{index}", Role.SITE_LEAD, site=site)
        workbook = directory / "workbooks" / f"{site.pk}.xlsx"
        workbook.write_bytes(_for_site(filled, site.name))
        site_plans.append(
            {
                "site_id": site.pk,
                "name": site.name,
                "workbook": str(workbook),
                "staff_token": Token.objects.create(user=staff).key,
                "lead_token": Token.objects.create(user=lead).key,
            }
        )
    people = []
    for index in range(taskforce):
        member = _person(f"load.taskforce.{index}", Role.TASKFORCE_MEMBER)
        people.append({"session": _session_for(member), "token": Token.objects.create(user=member).key})

    clock.lap("people, tokens and workbooks")
    rng = random.Random(2026)
    orgs = {
        "region": sorted({s.place.icb.region_id for s in sites}),
        "icb": rng.sample(sorted({s.place.icb_id for s in sites}), 4),
        "site": [s.pk for s in rng.sample(sites, 6)],
    }
    metrics = list(MetricDefinition.objects.filter(has_rate=True).order_by("order").values_list("code", flat=True)[:4])
    month = (period.month - datetime.timedelta(days=1)).isoformat()  # the last month with figures
    notes, pages, api = [], [], []
    for names, into in ((PAGES, pages), (API, api)):
        for name in names:
            try:
                into.append({"name": name, "urls": _urls(name, metrics=metrics, month=month, orgs=orgs)})
            except NoReverseMatch:
                notes.append(f"{name} is not built yet: skipped.")
    return {
        "month": period.month.isoformat(),
        "period_id": period.pk,
        "sites": site_plans,
        "taskforce": people,
        "pages": pages,
        "api": api,
        "notes": notes,
        "think_time_seconds": think,
        "filing_window_seconds": filing_window,
        "summary": f"{len(sites)} sites filing {period}, {taskforce} taskforce members, "
        f"{len(pages)} dashboard pages and {len(api)} API endpoints to browse",
    }


def _national_units(plan: dict[str, Any]) -> int:
    from metrics.models import Rollup, RollupLevel

    row = (
        Rollup.objects.current()
        .filter(period_id=plan["period_id"], level=RollupLevel.NATIONAL, metric__code="COHORT", category__code="total")
        .values_list("units_reporting", flat=True)
        .first()
    )
    return row or 0


def wait_for_rollups(plan: dict[str, Any], *, within: float) -> bool:
    """The sign-offs reach the national figures by themselves (worker and beat), within a bound."""
    deadline = time.monotonic() + within
    while _national_units(plan) < len(plan["sites"]):
        if time.monotonic() > deadline:
            return False
        time.sleep(1)
    return True


def print_checks(plan: dict[str, Any], *, rollups_ok: bool) -> bool:
    """Every site's return for the month stored exactly once: one Return, one version, signed off once."""
    from metrics.models import Return, ReturnStatus
    from nhsportal.models import AuditEvent

    site_ids = [site["site_id"] for site in plan["sites"]]
    returns = {
        r.site_id: r
        for r in Return.objects.filter(period_id=plan["period_id"], site_id__in=site_ids).annotate(
            version_count=Count("versions", distinct=True)
        )
    }
    per_site = dict(Return.objects.filter(period_id=plan["period_id"]).values_list("site_id").annotate(n=Count("id")).order_by())
    sign_offs = dict(
        AuditEvent.objects.filter(action="return.signed_off", object_id__in=[str(r.pk) for r in returns.values()])
        .values_list("object_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    missing = [s for s in site_ids if s not in returns]
    duplicated = [s for s, n in per_site.items() if n != 1]
    wrong_versions = [s for s, r in returns.items() if r.version_count != 1]
    not_signed = [
        s for s, r in returns.items() if r.status != ReturnStatus.SUBMITTED or r.signed_off_version_id != r.latest_version_id
    ]
    signed_twice = [s for s, r in returns.items() if sign_offs.get(str(r.pk), 0) != 1]
    print(f"\nReturns for {plan['month'][:7]}: {len(returns)} of {len(site_ids)} sites stored")
    checks = [
        ("every site's return stored (none lost)", missing),
        ("one Return per site and month (none duplicated)", duplicated),
        ("exactly one version each (the one upload)", wrong_versions),
        ("signed off, the signed-off version the latest", not_signed),
        ("one sign-off audited per return", signed_twice),
    ]
    for label, failing in checks:
        print(f"  {'ok  ' if not failing else 'FAIL'} {label}" + (f": sites {failing[:10]}" if failing else ""))
    print(f"  {'ok  ' if rollups_ok else 'FAIL'} national rollups count all {len(site_ids)} sites ({_national_units(plan)} now)")
    return rollups_ok and not any(failing for _, failing in checks)
