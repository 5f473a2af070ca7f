"""The load: 43 sites file and sign off the same month within the same minute (API, token auth)
while 50 taskforce members browse the dashboards and read the API. Driven by bench/load/run.py,
which writes the plan (tokens, sessions, workbooks, URLs) this file reads from LOAD_PLAN.

Requests are named by their URL name (`dashboard-funnel`, `api:site-list`, `POST returns/upload`),
so the table groups every funnel page together whatever its metric.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

import gevent
from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The portal runs with its production settings behind a TLS proxy: say the request came over HTTPS.
PROXY = {"X-Forwarded-Proto": "https"}

_sites = itertools.count()
_people = itertools.count()


class SiteFilingItsReturn(HttpUser):
    """One site: its staff upload the template, acknowledge any warnings, send it for sign-off,
    and its site lead signs it off; all within the first minute of the run."""

    fixed_count = len(PLAN["sites"])
    wait_time = between(0, 0)

    def on_start(self) -> None:
        self.site = PLAN["sites"][next(_sites) % len(PLAN["sites"])]
        gevent.sleep(random.uniform(0, PLAN["filing_window_seconds"]))  # noqa: S311 - spread over the minute

    def _post(self, path: str, name: str, token: str, **kwargs) -> dict | None:
        headers = {**PROXY, "Authorization": f"Token {token}"}
        with self.client.post(path, name=name, headers=headers, catch_response=True, **kwargs) as response:
            if response.status_code not in (200, 201):
                response.failure(f"{response.status_code}: {response.text[:300]}")
                return None
            return response.json()

    @task
    def file_and_sign_off(self) -> None:
        site = self.site
        workbook = Path(site["workbook"]).read_bytes()
        version = self._post(
            "/api/v1/returns/upload/",
            "POST returns/upload",
            site["staff_token"],
            files={"file": (f"{site['name']}.xlsx", workbook, XLSX)},
            data={"based_on_version": "0"},
        )
        if version is None:
            raise StopUser()
        base = f"/api/v1/returns/{version['return_id']}/"
        steps = [
            (
                f"{base}acknowledge-warnings/",
                "POST returns/acknowledge-warnings",
                site["staff_token"],
                {"json": {"comment": "Checked: the figures are right."}},
            ),
            (f"{base}send-for-sign-off/", "POST returns/send-for-sign-off", site["staff_token"], {}),
            (f"{base}sign-off/", "POST returns/sign-off", site["lead_token"], {}),
        ]
        if not version.get("warnings"):
            steps = steps[1:]
        for path, name, token, kwargs in steps:
            if self._post(path, name, token, **kwargs) is None:
                break
        raise StopUser()


class TaskforceBrowsing(HttpUser):
    """A taskforce member at the monthly meeting: dashboards mostly, the API now and then."""

    fixed_count = len(PLAN["taskforce"])
    wait_time = between(*PLAN["think_time_seconds"])

    def on_start(self) -> None:
        # Each member somewhere in their pause between pages when the run starts, as at any moment
        # of a meeting, rather than all fifty opening a page in the same millisecond (locust
        # starts every user at once: a burst the meeting never makes).
        gevent.sleep(random.uniform(0, PLAN["think_time_seconds"][1]))  # noqa: S311
        person = PLAN["taskforce"][next(_people) % len(PLAN["taskforce"])]
        self.page_headers = {**PROXY, "Cookie": f"sessionid={person['session']}"}
        self.api_headers = {**PROXY, "Authorization": f"Token {person['token']}"}

    def _get(self, entries: list[dict], headers: dict) -> None:
        entry = random.choice(entries)  # noqa: S311
        url = random.choice(entry["urls"])  # noqa: S311
        with self.client.get(url, name=entry["name"], headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")

    @task(4)
    def dashboard_page(self) -> None:
        self._get(PLAN["pages"], self.page_headers)

    @task(1)
    def api(self) -> None:
        self._get(PLAN["api"], self.api_headers)
