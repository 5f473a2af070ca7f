"""Every chart heading on each dashboard page links to the definition of the metric it shows
(issue 14, item 2), and every metric row of the overview tables (with its sparkline) does too."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from dictionary.reference import load_definitions
from metrics.models import MetricDefinition
from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role


class Charts(HTMLParser):
    """The page's charts (figure > h2) and metric rows (th scope=row), each with the definition links in it."""

    def __init__(self):
        super().__init__()
        self.charts, self.rows = [], []
        self._open = None  # the chart or row being read: [heading text, hrefs]
        self._tag, self._depth, self._in_heading = None, 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._open is None and (tag == "figure" or (tag == "th" and attrs.get("scope") == "row")):
            self._open, self._tag, self._depth = ["", []], tag, 0
            (self.charts if tag == "figure" else self.rows).append(self._open)
        if self._open is None:
            return
        if tag == self._tag:
            self._depth += 1
        if tag == "h2":
            self._in_heading = True
        if tag == "a" and "app-definition-link" in (attrs.get("class") or ""):
            self._open[1].append(attrs["href"])

    def handle_endtag(self, tag):
        if self._open is None:
            return
        if tag == "h2":
            self._in_heading = False
        if tag == self._tag:
            self._depth -= 1
            if self._depth == 0:
                self._open = None

    def handle_data(self, data):
        if self._open is not None and (self._in_heading or self._tag == "th") and not self._open[1]:
            self._open[0] += data


def _read(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    parser = Charts()
    parser.feed(response.content.decode())
    return parser


def _definition(code):
    return reverse("metric-definition", args=[code])


@pytest.fixture
def taskforce_client(client, programme):
    load_definitions()
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))
    return client


def test_every_funnel_and_spc_chart_links_to_its_metrics_definition(taskforce_client):
    for metric in MetricDefinition.objects.all():
        pages = [reverse("dashboard-spc", args=[metric.code])]
        if metric.has_rate:
            pages.append(reverse("dashboard-funnel", args=[metric.code]))
        for url in pages:
            charts = _read(taskforce_client, url).charts
            assert charts, url
            for heading, links in charts:
                assert links == [_definition(metric.code)], f"{url}: {heading.strip()}"


def test_the_engagement_and_demographics_charts_link_to_the_cohort_and_caseload(taskforce_client):
    engagement = _read(taskforce_client, reverse("dashboard-engagement")).charts
    demographics = _read(taskforce_client, reverse("dashboard-demographics")).charts

    assert [links for _, links in engagement] == [[_definition("COHORT"), _definition("P1_CASELOAD")]]
    assert demographics
    assert all(links == [_definition("COHORT")] for _, links in demographics)


def test_every_metric_row_of_the_overviews_links_to_its_definition(taskforce_client, programme):
    codes = {m.name: m.code for m in MetricDefinition.objects.all()}
    leeds = programme["sites"]["Leeds"]
    pages = [
        reverse("dashboard-overview"),
        reverse("dashboard-org", args=["region", programme["regions"]["North"].pk]),
        reverse("dashboard-org", args=["icb", programme["icbs"]["North"].pk]),
        reverse("dashboard-org", args=["site", leeds.pk]),
    ]
    for url in pages:
        rows = [(heading, links) for heading, links in _read(taskforce_client, url).rows if links]
        named = {name for name in codes for heading, _ in rows if heading.strip().startswith(name)}
        assert named == set(codes), url  # every metric has its row
        for heading, links in rows:
            name = next(n for n in codes if heading.strip().startswith(n))
            assert links == [_definition(codes[name])], f"{url}: {name}"


def test_every_definition_linked_from_a_chart_is_there(taskforce_client):
    for metric in MetricDefinition.objects.all():
        response = taskforce_client.get(_definition(metric.code))
        assert response.status_code == 200
        assert response.context["current"] is not None, metric.code
