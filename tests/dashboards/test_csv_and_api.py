"""Every chart's figures download as CSV, the same figures as its table; the API gives the same
numbers as the pages, scoped the same way."""

import csv
import io

import pytest
from django.urls import reverse

from nhsportal.models import Role
from tests.dashboards.expected import ALL, shown, value
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def as_text(cell):
    return "" if cell is None else str(cell)


@pytest.fixture
def taskforce(client, programme):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))


@pytest.mark.parametrize(
    "name, args",
    [
        ("dashboard-overview", []),
        ("dashboard-engagement", []),
        ("dashboard-demographics", []),
        ("dashboard-funnel", ["O1_NEW"]),
        ("dashboard-spc", ["O4_CAT2"]),
    ],
)
def test_the_csv_holds_the_same_figures_as_the_tables(client, programme, taskforce, name, args):
    url = reverse(name, args=args)
    tables = client.get(url).context["tables"]

    rows = read_csv(client.get(url, {"format": "csv"}))

    expected = []
    for number, table in enumerate(tables):
        if number:
            expected.append([])
        if len(tables) > 1:
            expected.append([table.caption])
        expected.append(table.headers)
        expected += [[as_text(c) for c in row] for row in table.rows]
    assert rows == [[("yes" if c == "True" else c) for c in row] for row in expected]


def test_the_overview_csv_gives_englands_rate_to_one_decimal_place(client, programme, taskforce):
    latest = programme["periods"][-1]

    rows = read_csv(client.get(reverse("dashboard-overview"), {"format": "csv"}))

    by_metric = {row[0]: row for row in rows[1:]}
    o1 = by_metric["New consultant-led outpatient appointments per 1,000 patients in the cohort"]
    assert o1[2] == str(shown(value(programme, ALL, latest, "O1_NEW")))
    cohort = by_metric["Number of patients in the cohort"]
    assert cohort[2] == str(value(programme, ALL, latest, "COHORT", has_rate=False))


def test_the_overview_endpoint_matches_the_page(client, programme, taskforce):
    page = {m["code"]: m for m in client.get(reverse("dashboard-overview")).context["metrics"]}

    body = client.get(reverse("api:dashboard-overview")).json()

    assert body["name"] == "England"
    for metric in body["metrics"]:
        latest = page[metric["code"]]["latest"]
        assert (metric["latest"] is None and latest is None) or float(metric["latest"]) == float(latest)
        assert metric["outside_95"] == page[metric["code"]].get("outside_95")


def test_the_funnel_endpoint_hides_other_sites_ids_when_unnamed(client, programme):
    from dashboards import services
    from dashboards.models import Sharing

    services.change_sharing(sharing=Sharing.UNNAMED, by=user_with_role(Role.ADMINISTRATOR))
    croydon = programme["sites"]["Croydon"]
    client.force_login(programme["people"]["staff.Croydon"])

    body = client.get(reverse("api:dashboard-funnel", args=["O6_GP"])).json()

    assert body["sites_in_funnel"] == 3
    ids = {u["name"]: u["site_id"] for u in body["units"]}
    assert ids["Croydon"] == croydon.pk
    assert [v for k, v in ids.items() if k != "Croydon"] == [None, None]


def test_the_spc_endpoint_gives_the_series_and_limits(client, programme, taskforce):
    north = programme["regions"]["North"]

    body = client.get(reverse("api:dashboard-spc", args=["COHORT"]), {"level": "region", "org": north.pk}).json()

    assert body["name"] == "North"
    assert [p["value"] for p in body["points"]] == [
        f"{value(programme, ('Leeds', 'Bradford'), p, 'COHORT', has_rate=False)}.000000" for p in programme["periods"]
    ]
    assert body["lower_limit"] <= body["mean"] <= body["upper_limit"]


def test_the_spc_endpoint_does_not_find_another_sites_chart_by_default(client, programme):
    client.force_login(programme["people"]["staff.Croydon"])
    leeds = programme["sites"]["Leeds"]

    response = client.get(reverse("api:dashboard-spc", args=["COHORT"]), {"level": "site", "org": leeds.pk})

    assert response.status_code == 404


def test_an_unknown_metric_is_not_found_and_a_month_or_level_not_offered_is_a_bad_request(client, programme, taskforce):
    assert client.get(reverse("dashboard-funnel", args=["NOPE"])).status_code == 404
    assert client.get(reverse("dashboard-funnel", args=["COHORT"])).status_code == 404  # a count has no funnel
    # A choice the page does not offer is a 400 naming the parameter (dashboards.controls).
    assert client.get(reverse("dashboard-funnel", args=["O1_NEW"]), {"month": "2001-01"}).status_code == 400
    assert client.get(reverse("dashboard-funnel", args=["O1_NEW"]), {"month": "soon"}).status_code == 400
    assert client.get(reverse("dashboard-spc", args=["O1_NEW"]), {"level": "planet"}).status_code == 400
    assert client.get(reverse("dashboard-org", args=["wave", 1])).status_code == 404
