"""Every dashboard takes its view from the URL (`dashboards.controls`): the choices round-trip into
the form's selected values and the figures shown, a choice not offered is a 400 naming it and its
choices, scoping is unchanged, and the API reads the same names. Also: demographics' shares and
contributing sites, exports started from a page, and the "as at" line on every page of figures."""

import re
from decimal import ROUND_HALF_UP, Decimal
from html import unescape

import pytest
from django.urls import reverse

from metrics.models import ExportJob
from nhsportal.models import Role
from tests.dashboards.test_months import month_in_the_life  # noqa: F401 (a fixture)
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client, month_in_the_life):  # noqa: F811
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))
    return month_in_the_life


def selected(html: str, name: str) -> list[str]:
    """The selected options' values of the select named `name` in the page's GET form."""
    form = re.search(r'<form method="get"[^>]*id="dashboard-controls".*?</form>', html, re.S)
    assert form, "the page has no controls form"
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', form.group(0), re.S)
    assert select, f"no select named {name}"
    return [unescape(v) for v in re.findall(r'<option value="([^"]*)" selected', select.group(1))]


def views(world):
    periods, north, icb = world["periods"], world["regions"]["North"], world["icbs"]["North"]
    leeds = world["sites"]["Leeds"]
    month = periods[1].slug
    return [
        # (url, params, what the page must show for them)
        (reverse("dashboard-overview"), {"month": month, "category": "age_80_plus"}, "England, " + str(periods[1])),
        (reverse("dashboard-org", args=["region", north.pk]), {"month": month, "category": "imd_1"}, "North, " + str(periods[1])),
        (reverse("dashboard-org", args=["site", leeds.pk]), {"month": month}, "Leeds"),
        (reverse("dashboard-engagement"), {"month": month}, f"Sites, {periods[1]}"),
        (reverse("dashboard-demographics"), {"level": "region", "org": str(north.pk)}, "North&#39;s cohort by age band"),
        (reverse("dashboard-demographics"), {"level": "icb", "org": str(icb.pk)}, "North ICB&#39;s cohort"),
        (
            reverse("dashboard-funnel", args=["O1_NEW"]),
            {"month": month, "category": "age_80_plus", "limits": "cqc", "label": "outliers"},
            str(periods[1]),
        ),  # fmt: skip
        (reverse("dashboard-spc", args=["O1_NEW"]), {"level": "icb", "org": str(icb.pk)}, "North ICB"),
        (reverse("dashboard-spc", args=["COHORT"]), {"level": "site", "org": str(leeds.pk)}, "Leeds"),
        (reverse("public-summary"), {"month": periods[0].slug}, f"England and its regions, {periods[0]}"),
    ]


def test_each_page_reads_its_view_from_the_url_into_the_forms_selected_values_and_its_figures(client, analyst):
    for url, params, shows in views(analyst):
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        html = response.content.decode()
        for name, value in params.items():
            assert selected(html, name) == [value], (url, name)
        assert shows in html, (url, shows)


def test_a_region_picked_on_the_overview_opens_its_page_with_the_same_month_and_category(client, analyst):
    north, month = analyst["regions"]["North"], analyst["periods"][1].slug
    response = client.get(
        reverse("dashboard-overview"), {"level": "region", "org": north.pk, "month": month, "category": "imd_1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard-org", args=["region", north.pk]) + f"?month={month}&category=imd_1"
    page = client.get(response["Location"]).content.decode()
    assert selected(page, "month") == [month] and selected(page, "category") == ["imd_1"]
    overview = client.get(reverse("dashboard-overview")).content.decode()
    assert selected(overview, "level") == ["national"] and selected(overview, "org") == [""]


def test_a_shared_url_shows_a_colleague_the_same_figures(client, analyst):
    url, params, _ = views(analyst)[0]
    first = client.get(url, params).context
    client.force_login(user_with_role(Role.TASKFORCE_CHAIR))
    second = client.get(url, params).context
    assert first["latest_period"] == second["latest_period"] == analyst["periods"][1]
    assert first["category"].code == second["category"].code == "age_80_plus"
    assert [m["latest"] for m in first["metrics"]] == [m["latest"] for m in second["metrics"]]
    assert client.get(url).context["category"].code == "total"  # and without them, the defaults


@pytest.mark.parametrize(
    "name, args, params, message",
    [
        ("dashboard-overview", [], {"month": "2001-01"}, "`month` must be a month with figures ("),
        ("dashboard-overview", [], {"month": "soon"}, "`month` must be a month as YYYY-MM"),
        ("dashboard-overview", [], {"category": "martians"}, "`category` must be a breakdown category code (total,"),
        ("dashboard-engagement", [], {"month": "2001-01"}, "`month` must be a month with figures"),
        ("dashboard-demographics", [], {"level": "planet"}, "`level` must be one of national, region, icb, site"),
        ("dashboard-demographics", [], {"level": "region"}, "`org` must be the id of the Region"),
        ("dashboard-demographics", [], {"level": "region", "org": "²"}, "`org` must be a whole number"),
        ("dashboard-funnel", ["O1_NEW"], {"category": "martians"}, "`category` must be"),
        ("dashboard-funnel", ["O1_NEW"], {"limits": "wide"}, "`limits` must be one of poisson, shmi, cqc"),
        ("dashboard-spc", ["O1_NEW"], {"level": "planet"}, "`level` must be one of"),
        ("public-summary", [], {"month": "2001-01"}, "`month` must be a final month ("),
    ],
)
def test_a_choice_not_offered_is_a_bad_request_naming_the_field_and_its_choices(client, analyst, name, args, params, message):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert message in html
    assert f'href="{reverse(name, args=args)}"' in html  # back to the page's defaults


def test_a_month_still_being_filed_is_not_offered_to_the_public(client, analyst):
    newest = analyst["periods"][3]
    response = client.get(reverse("public-summary"), {"month": newest.slug})
    assert response.status_code == 400
    assert newest.slug not in selected(client.get(reverse("public-summary")).content.decode(), "month")


def test_scoping_is_unchanged_a_site_sees_other_sites_only_as_shared(client, analyst):
    client.force_login(analyst["people"]["staff.Croydon"])
    leeds, croydon, icb = analyst["sites"]["Leeds"], analyst["sites"]["Croydon"], analyst["icbs"]["North"]
    for level, org in (("site", leeds.pk), ("icb", icb.pk)):
        assert client.get(reverse("dashboard-demographics"), {"level": level, "org": org}).status_code == 404
        assert client.get(reverse("dashboard-spc", args=["O1_NEW"]), {"level": level, "org": org}).status_code == 404
        assert client.get(reverse("api:dashboard-overview"), {"level": level, "org": org}).status_code == 404
    html = client.get(reverse("dashboard-demographics"), {"level": "site", "org": croydon.pk}).content.decode()
    assert selected(html, "org") == [str(croydon.pk)]
    assert f'<option value="{leeds.pk}"' not in re.search(r'<optgroup label="Sites">.*?</optgroup>', html, re.S).group(0)


def test_the_api_reads_the_same_choices_as_the_pages(client, analyst):
    north, month = analyst["regions"]["North"], analyst["periods"][1]
    params = {"level": "region", "org": north.pk, "month": month.slug, "category": "imd_1"}
    body = client.get(reverse("api:dashboard-overview"), params).json()
    page = client.get(reverse("dashboard-org", args=["region", north.pk]), {"month": month.slug, "category": "imd_1"})
    assert (body["month"], body["category"], body["name"]) == (month.month.isoformat(), "imd_1", "North")

    def same(shown):
        return None if shown is None else Decimal(str(shown))

    assert [same(m["latest"]) for m in body["metrics"]] == [same(m["latest"]) for m in page.context["metrics"]]
    for params, field in (
        ({"level": "planet"}, "level"),
        ({"category": "martians"}, "category"),
        ({"month": "2001-01"}, "month"),
    ):
        response = client.get(reverse("api:dashboard-overview"), params)
        assert response.status_code == 400 and f"`{field}`" in response.content.decode(), params
    assert client.get(reverse("api:dashboard-spc", args=["O1_NEW"]), {"level": "planet"}).status_code == 400
    assert client.get(reverse("api:dashboard-funnel", args=["O1_NEW"]), {"category": "martians"}).status_code == 400


# Demographics: shares and the sites behind each month.


def test_demographics_show_each_categorys_share_of_the_cohort_and_the_sites_contributing(client, analyst):
    response = client.get(reverse("dashboard-demographics"))
    data = response.context
    age = next(d for d in data["dimensions"] if d["key"] == "age")
    for row, month in zip(age["rows"], data["months"], strict=True):
        for count, share in zip(row["values"], row["shares"], strict=True):
            if count is None:
                assert share is None
                continue
            expected = (Decimal(count) * 100 / Decimal(month["total"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            assert share == expected
    # Leeds, Bradford and Croydon filed the second and third months; Leeds alone the newest so far.
    assert [m["sites"] for m in data["months"]] == [2, 3, 3, 1]
    html = response.content.decode()
    assert "share of the cohort (%)" in html and "Sites contributing to the month" in html
    assert "3 of 3" in html
    assert "rounded half up to one decimal place" in html  # the rule, in the page's text


# Exports from the pages.


def test_an_export_started_from_a_page_is_the_existing_job_and_its_progress_page(client, analyst):
    north = analyst["regions"]["North"]
    page = client.get(reverse("dashboard-org", args=["region", north.pk]), {"category": "imd_1"}).content.decode()
    assert f'action="{reverse("dashboard-export")}"' in page
    form = page.split('id="export-form"', 1)[1].split("</form>", 1)[0]
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    hidden.pop("csrfmiddlewaretoken")
    assert hidden == {"level": "region", "org": str(north.pk), "category": "imd_1"}

    response = client.post(reverse("dashboard-export"), {**hidden, "format": "xlsx"})

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-job", args=[job.pk])
    assert job.filters == hidden and job.format == "xlsx"
    assert client.get(response["Location"]).status_code == 200
    again = client.post(reverse("dashboard-export"), {**hidden, "format": "xlsx"})
    assert again["Location"] == response["Location"] and ExportJob.objects.count() == 1  # the same job, not a second


def test_an_export_with_a_bad_format_or_filter_is_refused_with_the_reason(client, analyst):
    assert "`format` must be one of csv, xlsx" in client.post(reverse("dashboard-export"), {"format": "pdf"}).content.decode()
    response = client.post(reverse("dashboard-export"), {"format": "csv", "level": "planet"})
    assert response.status_code == 400 and "`level`" in response.content.decode()
    assert not ExportJob.objects.exists()
    client.logout()
    assert client.post(reverse("dashboard-export"), {"format": "csv"}).status_code == 302  # to sign in


# How current the figures are.


def test_every_page_of_figures_says_when_its_figures_were_built_from_how_many_returns_and_the_next_update(client, analyst):
    for url, params, _ in views(analyst):
        html = unescape(client.get(url, params).content.decode())
        line = re.search(r'<p class="nhsuk-body-s" id="as-at">(.*?)</p>', html, re.S)
        assert line, url
        text = " ".join(line.group(1).split())
        assert re.search(
            r"Figures as at \d{1,2} \w+ \d{4} at \d{1,2}:\d\d[ap]m, from \d+ of \d+ sites?'s? signed-off returns for", text
        ), (url, text)
        assert "The next update is due by" in text, (url, text)


def test_the_as_at_line_counts_the_months_returns_and_marks_it_provisional(client, analyst):
    newest = analyst["periods"][3]
    text = unescape(client.get(reverse("dashboard-overview"), {"month": newest.slug}).content.decode())
    assert f"from 1 of 3 sites' signed-off returns for {newest} (provisional" in " ".join(text.split())
    settled = unescape(client.get(reverse("dashboard-overview")).content.decode())
    assert f"from 3 of 3 sites' signed-off returns for {analyst['periods'][2]}." in " ".join(settled.split())
