"""The monthly return as people live it in the browser (through Django's test client):
site staff upload, read the problems, fix them, acknowledge warnings and send; the site lead
signs off; the taskforce asks for a correction; staff correct it in the grid; everyone can
compare versions and download any of them as the template."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrics import services
from metrics.models import Return, ReturnStatus, ReturnVersion
from metrics.returns import selectors
from metrics.returns.checks import ParsedValue
from metrics.returns.importer import read_return
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start, stored_counts
from tests.metrics.workbooks import expected_values
from tests.nhsportal import pages
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]


def _values(version):
    return {
        (v.metric.code, v.category.code): (v.numerator, v.denominator, v.numerator_suppressed, v.denominator_suppressed)
        for v in version.values.select_related("metric", "category")
    }


def _upload(client, data, **fields):
    return client.post(reverse("return-upload"), {"file": SimpleUploadedFile("croydon.xlsx", data, content_type=XLSX), **fields})


def _text(response) -> str:
    return response.content.decode()


def test_a_broken_workbook_shows_every_problem_by_sheet_and_cell_and_stores_nothing(client, staff, workbook, uploads_in_tmp):
    client.force_login(staff)
    before = stored_counts()

    response = _upload(client, workbook(J21="12.5", E6=None, F9=-3))

    assert response.status_code == 200
    page = _text(response)
    assert "Nothing has been stored" in page
    assert {(p.sheet, p.cell, p.code) for p in response.context["problems"]} >= {
        ("SubmissionTemplate", "J21", "not_a_count"),
        ("SubmissionTemplate", "E6", "blank_cell"),
        ("SubmissionTemplate", "F9", "negative_count"),
    }
    for where in ("SubmissionTemplate!J21", "SubmissionTemplate!E6", "SubmissionTemplate!F9"):
        assert where in page
    assert stored_counts() == before
    assert not list(uploads_in_tmp.rglob("*.xlsx"))


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(client, staff, catalogue, period):
    client.force_login(staff)

    response = _upload(client, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 a PDF renamed to .xlsx")

    assert response.status_code == 200
    assert [p.code for p in response.context["problems"]] == ["not_xlsx"]
    assert not Return.objects.exists()


def test_the_whole_journey_from_upload_to_a_corrected_second_version(client, staff, lead, taskforce, croydon, period, workbook):
    detail = reverse("return-detail", args=[croydon.pk, period.slug])

    # Site staff upload a return with a small unsuppressed count: stored, with its warnings.
    client.force_login(staff)
    uploaded = _upload(client, workbook(E6=3), based_on="0")
    assert uploaded.status_code == 302 and uploaded["Location"] == detail
    page = client.get(detail)
    assert "Version 1" in _text(page)
    assert {(w.cell, w.code) for w in page.context["warnings"]} == {("E6", "small_number"), ("D6", "breakdown_total_mismatch")}
    assert "SubmissionTemplate!E6" in _text(page)
    assert f"Version 1 of the {period} return has been stored. It has 2 warnings to check." in _text(page)

    # They acknowledge the warnings and send the return for sign-off.
    assert (
        client.post(reverse("return-acknowledge", args=[croydon.pk, period.slug]), {"comment": "3 is published already"})[
            "Location"
        ]
        == detail
    )
    assert client.post(reverse("return-send", args=[croydon.pk, period.slug]))["Location"] == detail
    assert Return.objects.get().status == ReturnStatus.AWAITING_SIGN_OFF

    # The site lead signs it off.
    client.force_login(lead)
    assert "Sign off and submit" in _text(client.get(detail))
    client.post(reverse("return-sign-off", args=[croydon.pk, period.slug]))
    record = Return.objects.get()
    assert (record.status, record.signed_off_version.number, record.signed_off_version.signed_off_by) == (
        ReturnStatus.SUBMITTED,
        1,
        lead,
    )

    # The taskforce asks for a correction.
    client.force_login(taskforce)
    client.post(reverse("return-request-correction", args=[croydon.pk, period.slug]), {"reason": "O3 bed days look doubled"})
    assert Return.objects.get().status == ReturnStatus.CORRECTION_REQUESTED

    # Staff see the request, correct O3's Total in the grid and save: version 2.
    client.force_login(staff)
    assert "O3 bed days look doubled" in _text(client.get(detail))
    grid = client.get(reverse("return-edit", args=[croydon.pk, period.slug]))
    cells = dict(grid.context["cells"])
    assert (cells["D21"], cells["E6"]) == ("2900", "3")
    cells["D21"] = "1450"
    saved = client.post(
        reverse("return-edit", args=[croydon.pk, period.slug]), {**cells, "based_on": "1", "note": "Bed days were doubled"}
    )
    assert saved.status_code == 302 and saved["Location"] == detail
    record = Return.objects.get()
    assert (record.latest_version.number, record.latest_version.source, record.status) == (2, "form", ReturnStatus.DRAFT)
    assert record.signed_off_version.number == 1, "the signed-off version stays what the rollups use"

    # Both versions stay readable, and the comparison names the changed cell.
    assert client.get(reverse("return-version", args=[croydon.pk, period.slug, 1])).status_code == 200
    compare = client.get(reverse("return-diff", args=[croydon.pk, period.slug]) + "?from=1&to=2")
    assert [(c["metric"].code, c["category"].code, c["before"][:2], c["after"][:2]) for c in compare.context["changes"]] == [
        ("O3_BED_DAYS", "total", (2900, 12000), (1450, 12000))
    ]
    assert "1 figure changed" in _text(compare)


def _compare(client, site, period, older, newer):
    response = client.get(reverse("return-diff", args=[site.pk, period.slug]) + f"?from={older}&to={newer}")
    assert response.status_code == 200
    return response


def test_comparing_two_v12_versions_shows_patients_moving_from_80_89_to_90_plus(client, staff, croydon, period, workbook):
    client.force_login(staff)
    first = services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    stored = _values(first)
    old_80s, old_90s = stored[("O1_NEW", "age_80_89")][0], stored[("O1_NEW", "age_90_plus")][0]
    services.upload_return(data=workbook(L6=old_80s - 10, M6=old_90s + 10), filename="v2.xlsx", by=staff, based_on=1)

    page = pages.text(_compare(client, croydon, period, 1, 2).content)

    assert "the same figures" not in page
    assert "2 figures changed" in page
    assert "compared as 80+" not in page
    assert f"Age group: 80-89 {old_80s:,} / 2,040 {old_80s - 10:,} / 2,040" in page
    assert f"Age group: 90+ {old_90s:,} / 780 {old_90s + 10:,} / 780" in page
    changes = selectors.version_diff(first, Return.objects.get().latest_version)
    assert [(c["category"].code, c["before"].numerator, c["after"].numerator) for c in changes] == [
        ("age_80_89", old_80s, old_80s - 10),
        ("age_90_plus", old_90s, old_90s + 10),
    ]


def test_comparing_the_earlier_layout_with_v12_compares_80_89_and_90_plus_as_80_plus(client, staff, croydon, period, workbook):
    client.force_login(staff)
    services.upload_return(data=workbook(layout="1.1"), filename="v1.xlsx", by=staff)
    services.upload_return(data=workbook(), filename="v2.xlsx", by=staff, based_on=1)

    page = pages.text(_compare(client, croydon, period, 1, 2).content)

    assert "Version 1 uses the earlier template with a single 80+ age band, so 80-89 and 90+ are compared as 80+." in page
    assert "The two versions have the same figures." in page


def test_comparing_a_count_shows_the_count_alone_without_a_denominator(client, staff, croydon, period, workbook):
    client.force_login(staff)
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    services.upload_return(data=workbook(D48=600), filename="v2.xlsx", by=staff, based_on=1)

    response = _compare(client, croydon, period, 1, 2)

    rows = pages.text(response.content, within_class="nhsuk-table__body")
    assert rows == "P1 Number of patients on the NNHIP caseload Total 850 600"


def test_comparing_shows_a_figure_becoming_suppressed_as_a_change(client, staff, croydon, period, workbook):
    client.force_login(staff)
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    services.upload_return(data=workbook(E6="*"), filename="v2.xlsx", by=staff, based_on=1)

    rows = pages.text(_compare(client, croydon, period, 1, 2).content, within_class="nhsuk-table__body")

    assert rows.endswith("Age group: 18-19 15 / 120 * / 120")


def test_the_edit_grid_shows_each_problem_by_its_cell_and_stores_nothing(client, staff, croydon, period, workbook):
    client.force_login(staff)
    _upload(client, workbook(), based_on="0")
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    cells = dict(client.get(edit).context["cells"])
    before = stored_counts()

    response = client.post(edit, {**cells, "D21": "-5", "E9": "lots", "based_on": "1"})

    assert response.status_code == 200
    assert {(p.cell, p.code) for p in response.context["problems"]} == {("D21", "negative_count"), ("E9", "not_a_count")}
    assert 'id="cell-D21"' in _text(response) and "nhsuk-input--error" in _text(response)
    assert stored_counts() == before


def test_the_edit_grid_error_summary_lists_every_problem_linked_to_its_cell(client, staff, croydon, period, workbook):
    client.force_login(staff)
    _upload(client, workbook(), based_on="0")
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    cells = dict(client.get(edit).context["cells"])

    response = client.post(edit, {**cells, "D21": "-5", "E9": "lots", "J21": "12.5", "based_on": "1"})

    summary = pages.links(response.content, within_class="nhsuk-error-summary")
    assert sorted(href for href, _ in summary) == ["#cell-D21", "#cell-E9", "#cell-J21"]
    for href, words in summary:
        assert words.startswith(f"SubmissionTemplate!{href.removeprefix('#cell-')}: ")
    assert {"cell-D21", "cell-E9", "cell-J21"} <= pages.ids(response.content), "each link must land on its input"
    assert "12.5" in dict((href, words) for href, words in summary)["#cell-J21"]


def test_the_edit_grid_error_summary_shows_a_refusal_that_is_not_about_a_cell(client, staff, lead, croydon, period, workbook):
    client.force_login(staff)
    _upload(client, workbook(), based_on="0")
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    cells = dict(client.get(edit).context["cells"])
    services.upload_return(data=workbook(D21=3000), filename="lead.xlsx", by=lead, based_on=1)

    response = client.post(edit, {**cells, "based_on": "1"})

    summary = pages.links(response.content, within_class="nhsuk-error-summary")
    assert len(summary) == 1 and summary[0][0] == "#grid"
    assert "Version 2 of this return was filed by" in summary[0][1]


def test_a_closed_month_shows_no_grid_to_fill_in_except_to_an_administrator(client, staff, croydon, catalogue):
    today = timezone.localdate()
    closed = ReportingPeriodFactory(today=today, month=month_start(today, 3), initial_in_days=-14, final_in_days=-7)
    edit = reverse("return-edit", args=[croydon.pk, closed.slug])
    client.force_login(staff)

    response = client.get(edit, follow=True)

    assert response.redirect_chain[-1][0] == reverse("return-detail", args=[croydon.pk, closed.slug])
    banner = pages.text(response.content, within_class="nhsuk-notification-banner")
    assert f"The {closed} period is closed, so its return can no longer be changed." in banner
    assert 'id="grid"' not in response.content.decode()
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert 'id="grid"' in client.get(edit).content.decode()


def test_the_edit_grid_refuses_a_stale_version_with_a_clear_message(client, staff, lead, croydon, period, workbook):
    client.force_login(staff)
    _upload(client, workbook(), based_on="0")
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    cells = dict(client.get(edit).context["cells"])
    services.upload_return(data=workbook(D21=3000), filename="lead.xlsx", by=lead, based_on=1)

    response = client.post(edit, {**cells, "D21": "1450", "based_on": "1"})

    assert response.status_code == 200
    assert "Version 2 of this return was filed by" in response.context["message"]
    assert ReturnVersion.objects.count() == 2


def test_saving_the_grid_unchanged_files_the_same_figures(client, staff, croydon, period, workbook):
    """A site may type a denominator over the template's =D7 formula (here O2's cohort, D16).
    The grid only has inputs for the cohort rows 7, 10 and 13, so the typed D16 must not be
    silently replaced by the cohort when someone corrects another cell."""
    client.force_login(staff)
    first = services.upload_return(data=workbook(D16=11000), filename="r.xlsx", by=staff)
    assert _values(first)[("O2_ZERO_LOS", "total")][1] == 11000
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    cells = dict(client.get(edit).context["cells"])

    saved = client.post(edit, {**cells, "based_on": "1", "note": "No change"}, follow=True)

    # Same figures, so no second version (ADR 10): had the grid replaced the typed D16 with the
    # cohort, the figures would differ and a version 2 would have been stored.
    assert Return.objects.get().latest_version == first
    assert ReturnVersion.objects.count() == 1
    assert "no new version was stored" in saved.content.decode()


def test_a_version_downloads_as_a_template_that_reads_back_to_the_stored_figures(client, staff, croydon, period, workbook):
    client.force_login(staff)
    version = services.upload_return(data=workbook(E6="*", F6="<6"), filename="r.xlsx", by=staff)

    response = client.get(reverse("return-version-download", args=[croydon.pk, period.slug, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="NNHIP-Croydon-{period.slug}-v1.xlsx"'
    assert openpyxl.load_workbook(io.BytesIO(response.content))["Instructions"]["B6"].value == "Croydon"
    read_back = read_return(response.content, services.import_context(staff))
    assert read_back.errors == []
    assert (read_back.site_id, read_back.month) == (croydon.pk, period.month)
    assert {
        (v.metric, v.category): (v.numerator, v.denominator, v.numerator_suppressed, v.denominator_suppressed)
        for v in read_back.values
    } == _values(version)


def test_the_blank_template_comes_filled_with_place_and_month(client, staff, croydon, period, catalogue):
    client.force_login(staff)

    response = client.get(reverse("return-blank-template", args=[croydon.pk, period.slug]))

    assert response.status_code == 200
    read_back = read_return(response.content, services.import_context(staff))
    assert (read_back.site_id, read_back.month) == (croydon.pk, period.month)
    assert {p.code for p in read_back.errors} == {"blank_cell"}


def test_the_coverage_grid_shows_a_site_that_signed_off_in_time_as_on_time(
    client, staff, lead, taskforce, croydon, period, workbook
):
    record = services.upload_return(data=workbook(), filename="r.xlsx", by=staff).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    client.force_login(taskforce)

    response = client.get(reverse("returns"))

    assert response.status_code == 200
    (row,) = [r for r in response.context["rows"] if r["site"] == croydon]
    column = response.context["periods"].index(period)
    assert (row["cells"][column].state, row["cells"][column].label) == ("on_time", "On time")
    assert "On time<span" in _text(response)
    (summary,) = [s for s in response.context["summary"] if s["period"] == period]
    assert (summary["expected"], summary["on_time"], summary["missing"]) == (1, 1, 0)


def test_site_staff_see_their_returns_by_month_with_status_and_warnings(client, staff, croydon, period, workbook):
    services.upload_return(data=workbook(E6=3), filename="r.xlsx", by=staff)
    client.force_login(staff)

    response = client.get(reverse("returns"))

    assert response.status_code == 200
    page = _text(response)
    assert "Croydon" in page and str(period) in page
    assert "Version 1, 2 warnings" in page


def test_answering_a_query_twice_keeps_the_first_answer(client, staff, lead, taskforce, croydon, period, workbook):
    """The data-quality log is a record: once the site has answered, a second answer must not
    silently replace the first."""
    record = services.upload_return(data=workbook(), filename="r.xlsx", by=staff).return_record
    query = services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
    client.force_login(staff)
    client.post(reverse("return-query-answer", args=[query.pk]), {"answer": "A ward moved into the cohort"})

    client.force_login(lead)
    client.post(reverse("return-query-answer", args=[query.pk]), {"answer": "No idea"})

    query.refresh_from_db()
    assert (query.answer, query.answered_by) == ("A ward moved into the cohort", staff)


# --- No N+1 -----------------------------------------------------------------------------------


def _months(count):
    today = timezone.localdate()
    return [ReportingPeriodFactory(today=today, month=month_start(today, back)) for back in range(1, count + 1)]


def _site_with_returns(periods, admin, site=None):
    """A site (new unless given) with a return for each month: the first signed off, the
    second awaiting sign-off, the rest drafts."""
    site = site or SiteFactory()
    for index, period in enumerate(periods):
        record = services.submit_values(
            site=site, period=period, values=CLEAN, layout="1.2", source="api", by=admin, based_on=None
        ).return_record
        if index <= 1:
            services.send_for_sign_off(return_record=record, by=admin)
        if index == 0:
            services.sign_off(return_record=record, by=admin)
    return site


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_coverage_page_runs_the_same_queries_for_3_sites_as_for_15(client, catalogue, taskforce):
    admin = user_with_role(Role.ADMINISTRATOR)
    periods = _months(3)
    client.force_login(taskforce)

    for _ in range(3):
        _site_with_returns(periods, admin)
    with_three = _queries(client, reverse("returns"))
    for _ in range(12):
        _site_with_returns(periods, admin)
    with_fifteen = _queries(client, reverse("returns"))

    assert with_fifteen == with_three


def test_the_returns_home_runs_the_same_queries_whatever_the_number_of_sites_and_returns(client, catalogue, croydon, staff):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(staff)

    _site_with_returns(_months(2), admin, site=croydon)
    for _ in range(2):
        _site_with_returns(_months(2), admin)
    with_three = _queries(client, reverse("returns"))
    _site_with_returns(_months(6)[2:], admin, site=croydon)
    for _ in range(12):
        _site_with_returns(_months(6), admin)
    with_fifteen = _queries(client, reverse("returns"))

    assert with_fifteen == with_three


def test_the_returns_home_of_someone_filing_for_several_sites_does_not_grow_with_them(client, catalogue):
    """An analyst may file for several sites (a support unit serving a few Places): the home
    page lists each site's months, and must not query again for every site."""
    admin = user_with_role(Role.ADMINISTRATOR)
    periods = _months(2)
    analyst = user_with_role(None)

    def give_sites(count):
        for _ in range(count):
            site = _site_with_returns(periods, admin)
            analyst.role_assignments.create(role=Role.SITE_STAFF, site=site)

    give_sites(3)
    client.force_login(analyst)
    with_three = _queries(client, reverse("returns"))
    give_sites(12)
    with_fifteen = _queries(client, reverse("returns"))

    assert with_fifteen == with_three


def test_the_upload_page_has_a_back_link_to_returns_inside_a_landmark(client, staff):
    client.force_login(staff)

    page = client.get(reverse("return-upload")).content.decode()

    assert '<nav aria-label="Back">' in page
    back = page.split('<nav aria-label="Back">', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("returns")}"' in back and "Back to returns" in back
