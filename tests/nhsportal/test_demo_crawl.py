"""Every page reachable from the home page, as each demo role, on the `seed_demo` data.

The walk starts at `/` signed in as each of the README's demo accounts and follows every
link, GET form and download each page offers (tests/crawler.py). It fails on any server
error, any link the portal offered that leads nowhere (or to a sign-in, a 403 or a 404),
and any page that shows a bare None or "1 months". It runs on the real demo, so what a
newcomer would meet first is what CI checks.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.crawler import crawl

pytestmark = pytest.mark.django_db

SITE_PEOPLE = ["staff.walsall", "sitelead.walsall", "lead.walsall", "staff.sunderland", "lead.knowsley"]


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    for command in ("load_reference_data", "seed_demo", "rollup"):
        call_command(command, stdout=StringIO())
    return get_user_model().objects.in_bulk(field_name="username")


def walk(user, **budget):
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return crawl(client, **budget)


def test_every_page_a_site_person_can_reach_answers_and_tells_the_truth(demo):
    problems = {}
    for username in SITE_PEOPLE:
        report = walk(demo[username])
        assert len(report.visits) > 50, f"{username} reached only {len(report.visits)} pages"
        problems[username] = report.problems
    assert problems == {username: [] for username in SITE_PEOPLE}


def test_every_page_the_taskforce_can_reach_answers_and_tells_the_truth(demo):
    report = walk(demo["taskforce"])
    # Every site's page and every return of every site is on the taskforce's way.
    assert report.pattern_counts()["site-detail"] == 43
    assert report.pattern_counts()["return-detail"] > 300
    assert report.problems == []


def test_every_page_the_chair_the_administrator_and_the_public_reach_answers(demo):
    # The chair sees what the taskforce sees and more: sampled, 25 pages of a kind.
    chair = walk(demo["chair"], per_pattern=25)
    # Django admin by one page of each kind, the portal's pages by ten of each kind.
    admin = walk(demo["admin"], per_pattern=10)
    public = walk(None)
    assert any(visit.pattern.startswith("admin:") for visit in admin.visits)
    assert {visit.pattern for visit in public.visits} >= {"home", "public-summary", "login"}
    assert {"chair": chair.problems, "admin": admin.problems, "public": public.problems} == {
        "chair": [],
        "admin": [],
        "public": [],
    }
