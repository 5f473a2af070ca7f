"""One month in the life: the newest month is still being filed (one site in so far), the months
before it are final, and some sites joined late or have not filed yet. The dashboards chart each
site over the months it has figures, compare months like with like, say plainly what is
provisional, and show the public only final months."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import months
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import build as rollups
from metrics.stats.spc import charted_run, xmr
from nhsportal.models import Role
from tests.dashboards.conftest import file_and_sign_off, three_sites
from tests.dashboards.expected import same_sites, shown, value
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

COHORTS = {"Leeds": 19000, "Bradford": 16000, "Croydon": 12000}
# Which of the four months (oldest first) each site has filed: Croydon joined in the second month
# and, like Bradford, has not filed the newest one yet; Leeds is the one site in for it so far.
FILED = {"Leeds": (0, 1, 2, 3), "Bradford": (0, 1, 2), "Croydon": (1, 2)}


@pytest.fixture
def month_in_the_life(db, monkeypatch):
    load_metrics()
    today = timezone.localdate()
    orgs, sites, people = three_sites()
    # Every month open for filing today; the newest one's final deadline is weeks after the others'.
    periods = [ReportingPeriodFactory(month=month_start(today, back), today=today) for back in range(4, 1, -1)]
    periods.append(ReportingPeriodFactory(month=month_start(today, 1), today=today, final_in_days=90))
    filed = {}
    for name, site in sites.items():
        for index in FILED[name]:
            values = synthetic_return(seed=name, cohort=COHORTS[name], month_index=index)
            file_and_sign_off(site, periods[index], values, staff=people[f"staff.{name}"], lead=people[f"lead.{name}"])
            filed[(name, periods[index].pk)] = values
    # A month later: the three older months' final deadlines have passed, the newest one's has not.
    later = today + datetime.timedelta(days=28)
    monkeypatch.setattr(months, "today", lambda: later)
    rollups.rebuild_all(today=later)
    return {"sites": sites, "people": people, "periods": periods, "filed": filed,
            "regions": {"North": orgs["north"], "South": orgs["south"]}, "icbs": {"North": orgs["icb_north"]}}  # fmt: skip


@pytest.fixture
def taskforce(client, month_in_the_life):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))


def series(world, name, metric, indexes):
    return [value(world, [name], world["periods"][i], metric) for i in indexes]


# SPC: the months a site has figures for, not the months England has.


def test_charted_run_leaves_out_empty_months_before_and_after_and_keeps_a_gap_in_between():
    assert charted_run([None, None, 4, 5, 6, None]) == (2, 5)
    assert charted_run([1, 2, None, 4, 5, None, None]) == (0, 5)  # a gap in between stays a gap
    assert charted_run([None, None]) == (0, 0)
    assert charted_run([3, 4]) == (0, 2)


@pytest.mark.parametrize("name", ["Bradford", "Croydon"])
def test_a_site_not_yet_in_for_the_newest_month_still_has_its_spc_chart(client, month_in_the_life, taskforce, name):
    world = month_in_the_life
    site = world["sites"][name]
    expected_values = series(world, name, "O1_NEW", FILED[name])

    response = client.get(reverse("dashboard-spc", args=["O1_NEW"]), {"level": "site", "org": site.pk})

    spc = response.context["spc"]
    assert spc is not None
    assert [p["value"] for p in response.context["points"]] == expected_values
    assert [p["period"] for p in response.context["points"]] == [world["periods"][i] for i in FILED[name]]
    assert spc.mean == xmr(expected_values, improvement="lower_is_better").mean
    assert response.context["gaps"] == []
    body = response.content.decode()
    assert "Fewer than two months in a row have figures" not in body


def test_a_month_a_site_missed_is_a_gap_in_its_chart_not_a_restart(client, month_in_the_life, taskforce):
    world = month_in_the_life
    periods = world["periods"]
    wakefield = SiteFactory(place__name="Wakefield", place__icb=world["icbs"]["North"], wave=world["sites"]["Leeds"].wave)
    staff = user_with_role(Role.SITE_STAFF, site=wakefield)
    lead = user_with_role(Role.SITE_LEAD, site=wakefield)
    filed = {}
    for index in (0, 2, 3):  # not the second month
        filed[index] = synthetic_return(seed="Wakefield", cohort=14000, month_index=index)
        file_and_sign_off(wakefield, periods[index], filed[index], staff=staff, lead=lead)
    rollups.rebuild_all(today=months.today())
    o1 = {
        index: value({"filed": {("Wakefield", periods[index].pk): v}}, ["Wakefield"], periods[index], "O1_NEW")
        for index, v in filed.items()
    }
    expected_values = [o1[0], None, o1[2], o1[3]]

    response = client.get(reverse("dashboard-spc", args=["O1_NEW"]), {"level": "site", "org": wakefield.pk})

    assert [p["value"] for p in response.context["points"]] == expected_values
    assert response.context["gaps"] == [periods[1]]
    assert response.context["spc"].mean == xmr(expected_values, improvement="lower_is_better").mean
    assert f"No figures for {periods[1]}: a gap in the chart." in response.content.decode()


def test_the_review_packs_key_metrics_chart_a_site_over_the_months_it_filed(month_in_the_life):
    from dashboards.selectors import site_key_metrics

    world = month_in_the_life
    croydon, (first, second) = world["sites"]["Croydon"], (world["periods"][1], world["periods"][2])

    entries = {e["code"]: e for e in site_key_metrics(croydon, user=user_with_role(Role.TASKFORCE_MEMBER))}

    o1 = entries["O1_NEW"]
    expected_values = series(world, "Croydon", "O1_NEW", FILED["Croydon"])
    assert o1["spc"] is not None and o1["spc"].mean == xmr(expected_values, improvement="lower_is_better").mean
    assert o1["latest_period"] == second  # the latest month Croydon filed, not the newest with figures
    assert (o1["latest"], o1["previous"]) == (
        value(world, ["Croydon"], second, "O1_NEW"),
        value(world, ["Croydon"], first, "O1_NEW"),
    )
    assert o1["provisional"] is False


def test_the_review_page_shows_the_key_metrics_with_their_spc(client, month_in_the_life, taskforce):
    from tests.reviews.factories import ReviewFactory

    review = ReviewFactory(site=month_in_the_life["sites"]["Bradford"])

    body = client.get(reverse("review-detail", args=[review.pk])).content.decode()

    assert "Too few months" not in body
    assert str(month_in_the_life["periods"][2]) in body
    latest = value(month_in_the_life, ["Bradford"], month_in_the_life["periods"][2], "O1_NEW")
    assert f">{shown(latest)}</td>" in body  # rounded half up to one place, as the dashboards show it


# The national overview: like with like, and plain about what is provisional.


def test_the_overview_defaults_to_the_latest_settled_month_against_the_same_sites(client, month_in_the_life, taskforce):
    world = month_in_the_life
    settled, before, newest = world["periods"][2], world["periods"][1], world["periods"][3]

    response = client.get(reverse("dashboard-overview"))

    assert response.context["latest_period"] == settled  # final, and every site due is in
    assert response.context["later"][0].period == newest
    rows = {m["code"]: m for m in response.context["metrics"]}
    for code, has_rate in (("O1_NEW", True), ("COHORT", False)):
        sites, now, then = same_sites(world, world["sites"], settled, before, code, has_rate=has_rate)
        assert rows[code]["latest"] == value(world, world["sites"], settled, code, has_rate=has_rate)
        assert (rows[code]["sites_compared"], rows[code]["previous"], rows[code]["difference"]) == (sites, then, now - then)
        assert rows[code]["provisional"] is False
    body = response.content.decode()
    assert f"{settled}: 3 of 3 sites reported" in body
    assert f"{newest}</a> (1 of 3 sites so far)" in body


def test_a_month_chosen_by_the_reader_is_compared_over_the_same_sites_and_marked_provisional(
    client, month_in_the_life, taskforce
):
    world = month_in_the_life
    newest, before = world["periods"][3], world["periods"][2]

    response = client.get(reverse("dashboard-overview"), {"month": newest.slug})

    assert response.context["latest_period"] == newest
    rows = {m["code"]: m for m in response.context["metrics"]}
    cohort = rows["COHORT"]
    leeds_now = value(world, ["Leeds"], newest, "COHORT", has_rate=False)
    leeds_before = value(world, ["Leeds"], before, "COHORT", has_rate=False)
    assert cohort["latest"] == leeds_now  # England so far is Leeds alone
    assert cohort["previous_published"] == value(world, world["sites"], before, "COHORT", has_rate=False)
    # Not "England's cohort fell by two thirds": Leeds against Leeds.
    assert (cohort["sites_compared"], cohort["previous"], cohort["difference"]) == (1, leeds_before, leeds_now - leeds_before)
    assert cohort["provisional"] is True
    body = response.content.decode()
    assert f"{newest}: 1 of 3 sites reported; provisional until its final submission deadline" in body
    assert f"{newest} (provisional)" in body  # the table's heading

    api = client.get(reverse("api:dashboard-overview"), {"month": newest.slug}).json()
    assert api["provisional"] is True and (api["sites_reporting"], api["sites_expected"]) == (1, 3)
    by_code = {m["code"]: m for m in api["metrics"]}
    assert int(float(by_code["COHORT"]["difference"])) == leeds_now - leeds_before
    assert by_code["COHORT"]["sites_compared"] == 1

    csv = client.get(reverse("dashboard-overview"), {"month": newest.slug, "format": "csv"}).content.decode()
    header, *lines = [line.split(",") for line in csv.strip().splitlines()]
    assert "Month before (same sites)" in header and "Provisional" in header
    cohort_line = next(line for line in lines if line[0] == "Number of patients in the cohort")
    assert cohort_line[header.index("Sites compared")] == "1"
    assert cohort_line[header.index("Provisional")] == "yes"


def test_a_region_page_compares_its_own_sites_like_with_like(client, month_in_the_life, taskforce):
    world = month_in_the_life
    north, newest, before = world["regions"]["North"], world["periods"][3], world["periods"][2]

    response = client.get(reverse("dashboard-org", args=["region", north.pk]), {"month": newest.slug})

    o1 = {m["code"]: m for m in response.context["metrics"]}["O1_NEW"]
    sites, now, then = same_sites(world, ["Leeds", "Bradford"], newest, before, "O1_NEW")
    assert (o1["sites_compared"], o1["previous"], o1["difference"]) == (sites, then, now - then) == (1, then, now - then)
    default = client.get(reverse("dashboard-org", args=["region", north.pk]))
    assert default.context["latest_period"] == before


def test_the_funnel_plot_defaults_to_the_settled_month_and_says_when_one_is_provisional(client, month_in_the_life, taskforce):
    world = month_in_the_life
    settled, newest = world["periods"][2], world["periods"][3]

    default = client.get(reverse("dashboard-funnel", args=["O1_NEW"]))
    chosen = client.get(reverse("dashboard-funnel", args=["O1_NEW"]), {"month": newest.slug})

    assert default.context["period"] == settled and default.context["sites_in_funnel"] == 3
    assert f"{settled}: 3 of 3 sites reported." in default.content.decode()
    assert chosen.context["period"] == newest and chosen.context["sites_in_funnel"] == 1
    assert f"{newest}: 1 of 3 sites reported; provisional until" in chosen.content.decode()
    assert client.get(reverse("api:dashboard-funnel", args=["O1_NEW"])).json()["month"] == settled.month.isoformat()


def test_a_month_without_figures_or_malformed_is_a_bad_request_naming_the_month(client, month_in_the_life, taskforce):
    for path in (reverse("dashboard-overview"), reverse("dashboard-funnel", args=["O1_NEW"])):
        for month in ("2001-01", "soon"):
            response = client.get(path, {"month": month})
            assert response.status_code == 400, (path, month)
            assert "`month` must be" in response.content.decode()


def test_every_dashboard_month_parameter_reads_the_months_first_day_as_the_month_like_the_rest_of_the_portal(
    client, month_in_the_life, taskforce
):
    newest = month_in_the_life["periods"][3]
    first_day = newest.month.isoformat()  # 2026-09-01, as the returns API accepts it
    pages_and_apis = [
        reverse("dashboard-overview"),
        reverse("dashboard-funnel", args=["O1_NEW"]),
        reverse("api:dashboard-overview"),
        reverse("api:dashboard-funnel", args=["O1_NEW"]),
    ]
    for path in pages_and_apis:
        as_slug, as_day = client.get(path, {"month": newest.slug}), client.get(path, {"month": first_day})
        assert (as_slug.status_code, as_day.status_code) == (200, 200), path
        if as_slug.context is not None:
            assert as_day.context.get("period", as_day.context.get("latest_period")) == newest, path
        else:
            assert as_day.json()["month"] == as_slug.json()["month"] == first_day, path
    # Any other day is not read as its month, on the pages as in the API.
    for other_day in (f"{newest.slug}-15", f"{newest.slug}-1", "2026-13"):
        assert client.get(pages_and_apis[1], {"month": other_day}).status_code == 400, other_day


# The public summary: final months only.


def test_the_public_summary_shows_the_latest_final_month_not_one_sites_newest(client, month_in_the_life):
    world = month_in_the_life
    final, newest = world["periods"][2], world["periods"][3]

    response = client.get(reverse("public-summary"))

    assert response.context["latest_period"] == final
    cells = {(row[0], row[1]): row for row in response.context["table"].rows}
    cohort = cells[("Number of patients in the cohort", "England")]
    assert cohort[3] == value(world, world["sites"], final, "COHORT", has_rate=False)
    assert cohort[3] != value(world, ["Leeds"], newest, "COHORT", has_rate=False)
    assert cohort[5] == 3  # sites reporting
    body = response.content.decode()
    assert str(newest) in body and "still being filed" in body


def test_with_no_final_month_the_public_summary_shows_no_figures(client, month_in_the_life, monkeypatch):
    monkeypatch.setattr(months, "today", lambda: timezone.localdate())  # every month still open

    response = client.get(reverse("public-summary"))

    assert response.context["latest_period"] is None
    assert "There are no final figures yet" in response.content.decode()


# Every figure in the pages' words has its thousands separators.


class _Words(HTMLParser):
    """The text a reader sees or hears: page text, and alt, title and aria-label values; not
    scripts, the charts' JSON data, or links."""

    def __init__(self):
        super().__init__()
        self.words, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        self.words += [v for k, v in attrs if k in {"alt", "title", "aria-label"} and v]

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


UNFORMATTED = re.compile(r"(?<![\d,.])\d{5,}(?![\d,])")


def test_no_figure_over_9999_appears_without_its_thousands_separators(client, month_in_the_life, taskforce):
    world = month_in_the_life
    leeds, north = world["sites"]["Leeds"], world["regions"]["North"]
    pages = [
        reverse("dashboard-overview"),
        reverse("dashboard-overview") + f"?month={world['periods'][3].slug}",
        reverse("dashboard-engagement"),
        reverse("dashboard-demographics"),
        reverse("dashboard-funnel", args=["O1_NEW"]),
        reverse("dashboard-spc", args=["COHORT"]),
        reverse("dashboard-spc", args=["COHORT"]) + f"?level=site&org={leeds.pk}",
        reverse("dashboard-org", args=["region", north.pk]),
        reverse("dashboard-org", args=["site", leeds.pk]),
        reverse("public-summary"),
    ]
    for url in pages:
        parser = _Words()
        parser.feed(client.get(url).content.decode())
        text = " ".join(parser.words)
        assert not UNFORMATTED.findall(text), (url, UNFORMATTED.findall(text))
    engagement = client.get(reverse("dashboard-engagement"))
    cohort = value(world, world["sites"], world["periods"][2], "COHORT", has_rate=False)
    assert cohort > 9999 and f"{cohort:,}" in engagement.context["tables"][0].summary
    assert "Still being filed" in engagement.context["tables"][0].summary
    assert (
        str(shown(value(world, world["sites"], world["periods"][2], "O1_NEW")))
        in client.get(reverse("dashboard-overview")).content.decode()
    )
