"""A site's pages link to each other: its profile, dashboard, returns, reviews and onboarding
share one sub-navigation, which offers each viewer only the pages they may open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrics.returns.reference import load_metrics
from tests.metrics.factories import ReportingPeriodFactory
from tests.nhsportal import pages

pytestmark = pytest.mark.django_db

ALL = ["Profile and teams", "Dashboard", "Monthly returns", "Reviews and support", "Onboarding"]


def _site_pages(site):
    return {
        "Profile and teams": reverse("site-detail", args=[site.pk]),
        "Dashboard": reverse("dashboard-org", args=["site", site.pk]),
        "Monthly returns": reverse("site-returns", args=[site.pk]),
        "Reviews and support": reverse("site-reviews", args=[site.pk]),
        "Onboarding": reverse("onboarding", args=[site.pk]),
    }


def _nav(response) -> tuple[list[tuple[str, str]], str]:
    """The sub-navigation's links, and the words of the item marked as the current page."""
    html = response.content.decode()
    assert html.count('class="nhsuk-contents-list app-site-nav"') == 1, "one sub-navigation per page"
    current = re.findall(r'aria-current="page"[^>]*>\s*<span[^>]*>([^<]*)</span>', html)
    return pages.links(html, within_class="app-site-nav"), " ".join(current)


@pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead", "taskforce_member", "administrator"])
def test_every_page_of_a_site_shows_the_same_sub_navigation_and_every_link_opens(client, site, people, role):
    load_metrics()
    ReportingPeriodFactory()
    client.force_login(people[role])
    site_pages = _site_pages(site)

    for title, path in site_pages.items():
        response = client.get(path)
        assert response.status_code == 200, (title, path)
        links, current = _nav(response)
        assert current == title, f"{path} should show itself as the current page"
        assert [text for _, text in links] == [t for t in ALL if t != title]
        for href, text in links:
            assert href == site_pages[text]
            assert client.get(href).status_code == 200, f"{role} was offered {text} but cannot open it"


def test_another_sites_people_see_none_of_its_pages_or_links(client, site, other_site, people):
    client.force_login(people["site_staff"])

    for path in _site_pages(other_site).values():
        assert client.get(path).status_code == 404
    response = client.get(reverse("site-detail", args=[site.pk]))
    assert all(
        str(other_site.pk) not in href.split("/") for href, _ in pages.links(response.content, within_class="app-site-nav")
    )


def test_a_months_return_shows_the_sites_sub_navigation_with_returns_current(client, site, people):
    load_metrics()
    period = ReportingPeriodFactory()
    client.force_login(people["taskforce_member"])

    response = client.get(reverse("return-detail", args=[site.pk, period.slug]))

    links, current = _nav(response)
    assert current == ""
    assert links == [(href, text) for text, href in _site_pages(site).items()], "every page of the site, returns list included"
