"""A small programme for the system tests, written to the test database (committed, so the
processes see it), and the steps a site takes over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.utils import timezone

from metrics.models import ReportingPeriod
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from nhsportal.models import Role
from sites.models import Site
from tests.metrics.factories import ReportingPeriodFactory
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import SiteFactory
from tests.system.browser import Browser


@dataclass
class Programme:
    period: ReportingPeriod
    sites: list[Site]
    taskforce: Any

    def staff(self, site: Site) -> str:
        return f"staff.{site.pk}"

    def lead(self, site: Site) -> str:
        return f"lead.{site.pk}"


def programme(*, sites: int) -> Programme:
    """`sites` sites with a member of staff and a site lead each, last month open for returns."""
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    made = [SiteFactory() for _ in range(sites)]
    for site in made:
        user_with_role(Role.SITE_STAFF, site=site, username=f"staff.{site.pk}")
        user_with_role(Role.SITE_LEAD, site=site, username=f"lead.{site.pk}")
    taskforce = user_with_role(Role.TASKFORCE_MEMBER, username="taskforce")
    # The test settings hash with MD5 for speed; the production processes check PBKDF2 only.
    get_user_model().objects.update(password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher()))
    return Programme(period=period, sites=made, taskforce=taskforce)


COHORT = "COHORT"


def cohort_of(site: Site) -> int:
    return 4000 + 500 * site.pk


def filed_cohort(site: Site, period: ReportingPeriod) -> int:
    """The cohort total the site's return gives (what England's cohort sums)."""
    values = synthetic_return(seed=f"system-{site.pk}", cohort=cohort_of(site))
    return next(v.numerator for v in values if v.metric == COHORT and v.category == "total")


def return_payload(site: Site, period: ReportingPeriod) -> dict[str, Any]:
    """A full return as a site's system sends it to /api/v1/returns/submit/."""

    def figure(value: int | None, suppressed: bool) -> int | str | None:
        return "*" if suppressed else value

    values = []
    for v in synthetic_return(seed=f"system-{site.pk}", cohort=cohort_of(site)):
        if v.metric == COHORT:  # sent as each rate's denominator, not as a line of its own
            continue
        value = {"metric": v.metric, "category": v.category, "numerator": figure(v.numerator, v.numerator_suppressed)}
        denominator = figure(v.denominator, v.denominator_suppressed)
        if denominator is not None:
            value["denominator"] = denominator
        values.append(value)
    return {"site": site.pk, "month": period.month.isoformat(), "values": values}


def sign_in(base_url: str, username: str) -> Browser:
    browser = Browser(base_url)
    browser.sign_in(username, PASSWORD)
    return browser


def file_and_send_for_sign_off(staff: Browser, site: Site, period: ReportingPeriod) -> int:
    """Site staff file the month's return through the API, acknowledge any warnings and send it
    to their site lead. Returns the return's id."""
    filed = staff.post_json("/api/v1/returns/submit/", return_payload(site, period))
    assert filed.status == 201, f"filing answered {filed.status}: {filed.text[:1000]}"
    return_id = filed.json()["return_id"]
    if filed.json()["warnings"]:
        acknowledged = staff.post_json(
            f"/api/v1/returns/{return_id}/acknowledge-warnings/", {"comment": "Checked with our analyst."}
        )
        assert acknowledged.status == 200, acknowledged.text[:1000]
    sent = staff.post_json(f"/api/v1/returns/{return_id}/send-for-sign-off/")
    assert sent.status == 200, sent.text[:1000]
    return return_id


def national_cohort(reader: Browser, period: ReportingPeriod) -> int | None:
    """England's cohort for the month, as the rollups API gives it (None before any rollup)."""
    month = period.month.strftime("%Y-%m")
    answer = reader.get(f"/api/v1/rollups/?level=national&metric=COHORT&category=total&from={month}&to={month}")
    assert answer.status == 200, f"the rollups API answered {answer.status}: {answer.text[:500]}"
    results = answer.json()["results"]
    return results[0]["sum_numerator"] if results else None
