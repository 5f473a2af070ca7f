"""Every page of the demo crawl reads on a phone and on a desktop: at 390 px and at 1280 px
the document is no wider than the window (WCAG 2.2 1.4.10 reflow: wide tables scroll inside
their own region, never the page), and axe-core finds nothing against WCAG 2.2 A and AA or
its best practices (a back link outside a landmark, for one) at either width.

The pages are those tests/crawler.py reaches from the home page as each demo account of the
README (and as the public) on the `seed_demo` data. The crawl is deduplicated to stay within
minutes on two cores: one page of each kind (URL pattern, or Django admin template: list,
form, history, …), with one more for a kind's query-string variants (a filter, a month, a
sort), each rendered for the first account that reaches it, the widest views first (the
chair sees every site in every table; a site's people then add the pages only they reach,
such as a return's upload and grid). A kind renders from one template, so its widest tables
and its landmarks are those of every page of the kind. Each page is loaded once per width.
"""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.browser.conftest import WCAG_AA, axe_violations
from tests.crawler import crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The widest views first: a kind of page is rendered for the first account that reaches it.
ACCOUNTS = [
    "chair",
    "admin",
    "taskforce",
    "sitelead.walsall",
    "staff.walsall",
    "lead.walsall",
    "lead.knowsley",
    "staff.sunderland",
    None,
]
WIDTHS = [(390, 844), (1280, 800)]
OVERFLOW = """() => {
  const page = document.documentElement.scrollWidth - window.innerWidth;
  if (page <= 0) return null;
  // What sticks out furthest past the window's right edge: the thing to fix.
  let widest = null, right = window.innerWidth;
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.right > right && box.width > 0) { right = box.right; widest = element; }
  }
  const name = widest ? widest.tagName.toLowerCase() + (widest.id ? '#' + widest.id : '') +
    (widest.className && typeof widest.className === 'string' ? '.' + widest.className.trim().split(/\\s+/).join('.') : '') : '?';
  return {page, widest: name};
}"""


def page_kind(visit) -> str:
    """A page's template, near enough: its URL pattern, and whether it has a query string. Django
    admin renders every model's list (or form, or history) from one template: one of each."""
    if visit.pattern.startswith("admin:"):
        return "admin:" + visit.pattern.rsplit("_", 1)[-1]
    return visit.pattern + ("?" if "?" in visit.url else "")


def pages_of(user, done: set[str]) -> tuple[Client, list[str]]:
    """The pages the crawl reaches as this person, one of each kind not rendered yet."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    report = crawl(client, per_pattern=1, per_query_pattern=1, per_download_pattern=1, per_admin_pattern=1)
    assert report.problems == [], report.problems
    urls = []
    # Django admin first (the site list's checkboxes are its widest target-size risk).
    for visit in sorted(report.visits, key=lambda visit: visit.pattern != "admin:sites_site_changelist"):
        kind = page_kind(visit)
        if visit.status == 200 and visit.content_type.startswith("text/html") and kind not in done:
            done.add(kind)
            urls.append(visit.url)
    return client, urls


def test_every_page_of_the_crawl_fits_a_phone_and_a_desktop_and_passes_axe(browser, live_server, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    for command in ("load_reference_data", "seed_demo", "rollup"):
        call_command(command, stdout=StringIO())
    people = get_user_model().objects.in_bulk(field_name="username")

    found: dict[str, list[str]] = {}
    rendered, done = 0, set()
    for username in ACCOUNTS:
        client, urls = pages_of(people[username] if username else None, done)
        context = browser.new_context(base_url=live_server.url)
        if username:
            cookie = client.cookies["sessionid"]
            context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        for url in urls:
            for width, height in WIDTHS:
                page.set_viewport_size({"width": width, "height": height})
                page.goto(url)
                rendered += 1
                problems = [] if urlsplit(page.url).path == urlsplit(url).path else [f"answered {page.url} instead"]
                overflow = page.evaluate(OVERFLOW)
                if overflow:
                    problems.append(f"{overflow['page']} px wider than the window, widest: {overflow['widest']}")
                problems += axe_violations(page, [*WCAG_AA, "best-practice"])
                if problems:
                    found[f"{username or 'public'} {url} at {width} px"] = problems
        context.close()
    assert rendered > 60, f"only {rendered} renders: the crawl did not reach the portal"
    assert found == {}, "\n".join(f"{where}:\n  " + "\n  ".join(problems) for where, problems in found.items())
