"""A return's life, as the site and the taskforce live it: filed, checked, acknowledged,
signed off, corrected, filed again; nothing filed is ever changed or lost."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics import services
from metrics.models import Return, ReturnStatus, ReturnVersion
from metrics.returns import selectors
from nhsportal.models import AuditEvent, Role
from tests.metrics.factories import ReportingPeriodFactory, month_start, stored_counts
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db


def test_site_staff_upload_the_template_and_every_figure_is_stored_as_a_first_draft(
    workbook, staff, croydon, period, uploads_in_tmp
):
    version = services.upload_return(data=workbook(), filename="croydon-jan.xlsx", by=staff)

    record = version.return_record
    assert (record.site, record.period, record.status) == (croydon, period, ReturnStatus.DRAFT)
    assert version.number == 1 and version.layout == "1.2"
    assert version.values.count() == 16 * 23  # 15 metric lines and the cohort, 23 categories
    cohort_total = version.values.get(metric__code="COHORT", category__code="total")
    assert cohort_total.numerator == 12000
    assert list(uploads_in_tmp.rglob("*.xlsx")), "the uploaded file is kept with the version"
    assert AuditEvent.objects.get(action="return.version_filed").actor == staff


def test_a_suppressed_cell_is_stored_as_suppressed_never_as_zero(workbook, staff):
    version = services.upload_return(data=workbook(E6="*", F6="<6"), filename="r.xlsx", by=staff)

    cells = {v.category.code: v for v in version.values.filter(metric__code="O1_NEW").select_related("category")}
    assert (cells["age_18_19"].numerator, cells["age_18_19"].numerator_suppressed) == (None, True)
    assert (cells["age_20_29"].numerator, cells["age_20_29"].numerator_suppressed) == (None, True)


def test_a_refused_upload_stores_nothing_and_names_every_problem(workbook, staff, uploads_in_tmp):
    before = stored_counts()

    with pytest.raises(services.ReturnRefused) as refused:
        services.upload_return(data=workbook(J21="12.5", E6=None, F9=-3), filename="broken.xlsx", by=staff)

    assert {(p.cell, p.code) for p in refused.value.problems} >= {
        ("J21", "not_a_count"),
        ("E6", "blank_cell"),
        ("F9", "negative_count"),
    }
    assert stored_counts() == before
    assert not list(uploads_in_tmp.rglob("*.xlsx"))


def test_staff_cannot_file_another_sites_return(catalogue, period, staff):
    sunderland = SiteFactory(place__name="Sunderland")
    with pytest.raises(services.ReturnRefused) as refused:
        services.upload_return(data=make_workbook(place="Sunderland", period=period.month), filename="x.xlsx", by=staff)

    assert [p.code for p in refused.value.problems] == ["place_not_yours"]
    assert not Return.objects.filter(site=sunderland).exists()


def test_warnings_must_be_acknowledged_with_a_comment_before_sign_off(workbook, staff, lead):
    version = services.upload_return(data=workbook(E6=3), filename="r.xlsx", by=staff)  # a small unsuppressed count
    record = version.return_record
    assert {w.code for w in version.warnings.all()} == {"small_number", "breakdown_total_mismatch"}

    with pytest.raises(services.TransitionRefused, match="Acknowledge them with a comment first"):
        services.send_for_sign_off(return_record=record, by=staff)
    with pytest.raises(ValidationError):
        services.acknowledge_warnings(return_record=record, by=staff, comment="  ")

    services.acknowledge_warnings(return_record=record, by=staff, comment="3 is published nationally already")
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)

    record.refresh_from_db()
    assert record.status == ReturnStatus.SUBMITTED


def test_only_the_site_lead_signs_off(workbook, staff):
    record = services.upload_return(data=workbook(), filename="r.xlsx", by=staff).return_record
    services.send_for_sign_off(return_record=record, by=staff)

    with pytest.raises(PermissionDenied):
        services.sign_off(return_record=record, by=staff)
    record.refresh_from_db()
    assert record.status == ReturnStatus.AWAITING_SIGN_OFF


def test_a_correction_makes_a_new_version_and_the_signed_off_one_is_kept_unchanged(workbook, staff, lead, taskforce):
    first = services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    record = first.return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    first_figures = list(first.values.order_by("id").values_list("numerator", "denominator"))

    services.request_correction(return_record=record, by=taskforce, reason="O3 bed days look doubled")
    record.refresh_from_db()
    assert (record.status, record.correction_reason) == (ReturnStatus.CORRECTION_REQUESTED, "O3 bed days look doubled")

    second = services.upload_return(data=workbook(D21=3000), filename="v2.xlsx", by=staff, based_on=1, note="Bed days halved")
    record.refresh_from_db()
    assert (second.number, record.status, record.signed_off_version) == (2, ReturnStatus.DRAFT, first)
    assert list(first.values.order_by("id").values_list("numerator", "denominator")) == first_figures

    changes = selectors.version_diff(first, second)
    assert [(c["metric"].code, c["category"].code) for c in changes] == [("O3_BED_DAYS", "total")]


def test_the_second_of_two_people_filing_from_the_same_version_is_told_and_nothing_is_lost(workbook, staff, lead):
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff, based_on=0)
    services.upload_return(data=workbook(D21=4000), filename="v2.xlsx", by=lead, based_on=1)

    with pytest.raises(services.ReturnConflict, match="Version 2 of this return was filed by"):
        services.upload_return(data=workbook(D21=3500), filename="stale.xlsx", by=staff, based_on=1)

    assert ReturnVersion.objects.count() == 2


def test_filing_on_a_version_of_a_return_never_filed_is_a_conflict_not_a_crash(workbook, staff):
    with pytest.raises(services.ReturnConflict, match="Version 3 of this return does not exist"):
        services.upload_return(data=workbook(), filename="v4.xlsx", by=staff, based_on=3)

    assert ReturnVersion.objects.count() == 0


def test_signing_off_after_the_initial_deadline_is_allowed_and_marked_late(catalogue, croydon, staff, lead):
    today = datetime.date.today()
    late_period = ReportingPeriodFactory(today=today, month=month_start(today, 2), initial_in_days=-2, final_in_days=5)
    record = services.upload_return(
        data=make_workbook(place="Croydon", period=late_period.month), filename="r.xlsx", by=staff
    ).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)

    record.refresh_from_db()
    assert record.signed_off_version.late is True


def test_after_the_final_deadline_only_an_administrator_can_change_a_return_giving_a_reason(catalogue, croydon, staff):
    today = datetime.date.today()
    closed = ReportingPeriodFactory(today=today, month=month_start(today, 3), initial_in_days=-14, final_in_days=-7)
    admin = user_with_role(Role.ADMINISTRATOR)
    data = make_workbook(place="Croydon", period=closed.month)
    with pytest.raises(services.ReturnRefused) as refused:
        services.upload_return(data=data, filename="r.xlsx", by=staff)
    assert [p.code for p in refused.value.problems] == ["period_closed"]
    with pytest.raises(ValidationError, match="give the reason"):
        services.upload_return(data=data, filename="r.xlsx", by=admin)

    version = services.upload_return(
        data=data, filename="r.xlsx", by=admin, note="Site's analyst on leave; figures from their e-mail"
    )
    assert AuditEvent.objects.get(action="return.version_filed").reason.startswith("Site's analyst")
    assert version.number == 1


def test_the_earlier_layout_is_kept_as_filed_and_compared_as_80_plus(catalogue, croydon, period, staff):
    old = services.upload_return(
        data=make_workbook(place="Croydon", period=period.month, layout="1.1"), filename="old.xlsx", by=staff
    )
    new = services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="new.xlsx", by=staff)

    assert old.layout == "1.1"
    assert old.values.filter(category__code="age_80_plus").exists()
    assert not old.values.filter(category__code="age_90_plus").exists()
    before, after = selectors.comparable_values(old), selectors.comparable_values(new)
    assert set(before) == set(after), "both versions compare on the same categories"
    new_80_89 = new.values.get(metric__code="COHORT", category__code="age_80_89").numerator
    new_90_plus = new.values.get(metric__code="COHORT", category__code="age_90_plus").numerator
    assert after[("COHORT", "age_80_plus")] == (new_80_89 + new_90_plus, None)
    assert before[("COHORT", "age_80_plus")] == after[("COHORT", "age_80_plus")]
    assert {c["category"].code for c in selectors.version_diff(old, new)}.isdisjoint({"age_80_89", "age_90_plus"})


def test_a_signed_off_return_is_tagged_signed_off_on_its_list_its_page_and_in_the_api(
    client, catalogue, croydon, staff, lead, period
):
    from django.urls import reverse

    record = services.upload_return(
        data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff
    ).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    client.force_login(lead)

    listing = client.get(reverse("site-returns", args=[croydon.pk])).content.decode()
    page = client.get(reverse("return-detail", args=[croydon.pk, f"{period.month:%Y-%m}"])).content.decode()

    # One vocabulary (docs/glossary.md): the tag says what happened, "Signed off", everywhere.
    for text in (listing, page):
        assert '<strong class="nhsuk-tag nhsuk-tag--green">Signed off</strong>' in text
        assert ">Submitted<" not in text
    record.refresh_from_db()
    assert record.get_status_display() == "Signed off" and record.status == "submitted"
