"""Onboarding: a site marks milestones done with evidence, the taskforce confirms or sends
back, data ticks the automatic ones, and the site becomes active when all required are confirmed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from nhsportal.models import AuditEvent
from reviews import services
from reviews.models import AutomaticCheck, MilestoneStatus, SiteMilestone
from reviews.selectors import overdue_milestones, site_checklist
from sites.models import SiteStatus
from tests.nhsportal import pages
from tests.reviews.factories import MilestoneTemplateFactory
from tests.teams.factories import NeighbourhoodTeamFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def checklist(site):
    return {
        "dsa": MilestoneTemplateFactory(wave=site.wave, code="dsa", title="Data sharing agreement signed", due_after_days=10),
        "team": MilestoneTemplateFactory(
            wave=site.wave, code="team", title="First neighbourhood team live", automatic=AutomaticCheck.FIRST_TEAM_LIVE
        ),
        "extra": MilestoneTemplateFactory(wave=site.wave, code="extra", title="Newsletter", required=False),
    }


def test_a_site_marks_a_milestone_done_with_a_file_and_the_taskforce_confirms_it(site, people, checklist):
    upload = SimpleUploadedFile("signed agreement.pdf", PDF, content_type="application/pdf")

    milestone = services.submit_milestone(
        site=site, template=checklist["dsa"], by=people["site_staff"], note="Signed by all partners.", upload=upload
    )

    assert milestone.status == MilestoneStatus.SUBMITTED
    assert milestone.evidence_kind == "pdf" and milestone.evidence_name == "signed agreement.pdf"
    assert milestone.evidence_file.read() == PDF
    services.confirm_milestone(milestone=milestone, by=people["taskforce_member"])
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.CONFIRMED and milestone.decided_by == people["taskforce_member"]
    actions = list(AuditEvent.objects.filter(object_id=str(milestone.pk)).values_list("action", flat=True))
    assert set(actions) == {"milestone.submitted", "milestone.confirmed"}


def test_marking_done_needs_a_note_and_evidence_and_names_the_fields(site, people, checklist):
    with pytest.raises(ValidationError) as refused:
        services.submit_milestone(site=site, template=checklist["dsa"], by=people["site_staff"], note=" ")

    assert set(refused.value.message_dict) == {"note", "link"}
    assert not SiteMilestone.objects.exists()


def test_a_file_that_is_not_a_document_is_refused_by_its_content(site, people, checklist):
    fake = SimpleUploadedFile("agreement.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as refused:
        services.submit_milestone(site=site, template=checklist["dsa"], by=people["site_staff"], note="Signed.", upload=fake)

    assert "checks what a file contains" in refused.value.message_dict["file"][0]
    assert not SiteMilestone.objects.exists()


def test_the_taskforce_sends_a_milestone_back_with_a_reason_and_the_site_resubmits(site, people, checklist):
    milestone = services.submit_milestone(
        site=site, template=checklist["dsa"], by=people["site_lead"], note="Signed.", link="https://example.nhs.uk/dsa"
    )
    with pytest.raises(ValidationError) as refused:
        services.send_back_milestone(milestone=milestone, by=people["taskforce_chair"], reason="")
    assert "reason" in refused.value.message_dict

    services.send_back_milestone(milestone=milestone, by=people["taskforce_chair"], reason="The council has not signed yet.")
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.SENT_BACK
    again = services.submit_milestone(
        site=site, template=checklist["dsa"], by=people["site_lead"], note="Council signed.", link="https://example.nhs.uk/dsa2"
    )
    assert again.pk == milestone.pk and again.status == MilestoneStatus.SUBMITTED and again.sent_back_reason == ""


@pytest.mark.parametrize("role", ["site_staff", "site_lead", "programme_lead"])
def test_only_the_taskforce_decides(site, people, checklist, role):
    milestone = services.submit_milestone(
        site=site, template=checklist["dsa"], by=people[role], note="Done.", link="https://x.nhs.uk"
    )

    with pytest.raises(PermissionDenied):
        services.confirm_milestone(milestone=milestone, by=people[role])


def test_another_sites_people_cannot_mark_its_milestones(site, other_site, people, checklist):
    with pytest.raises(PermissionDenied):
        services.submit_milestone(
            site=other_site, template=checklist["dsa"], by=people["site_staff"], note="x", link="https://x.nhs.uk"
        )


def test_automatic_milestones_tick_from_the_data_and_cannot_be_marked_by_hand(site, people, checklist):
    with pytest.raises(ValidationError):
        services.submit_milestone(
            site=site, template=checklist["team"], by=people["site_staff"], note="x", link="https://x.nhs.uk"
        )
    assert {i.template.code: i.status for i in site_checklist(site)}["team"] == MilestoneStatus.NOT_STARTED

    NeighbourhoodTeamFactory(site=site, launched_on=timezone.localdate() - datetime.timedelta(days=3))

    item = {i.template.code: i for i in site_checklist(site)}["team"]
    assert item.status == MilestoneStatus.CONFIRMED and item.by_data
    assert services.sync_onboarding() == {"ticked": 1, "activated": 0}
    assert SiteMilestone.objects.get(site=site, template=checklist["team"]).ticked_by_data
    assert services.sync_onboarding() == {"ticked": 0, "activated": 0}  # idempotent


def test_the_site_becomes_active_when_every_required_milestone_is_confirmed(site, people, checklist):
    NeighbourhoodTeamFactory(site=site, launched_on=timezone.localdate() - datetime.timedelta(days=3))
    milestone = services.submit_milestone(
        site=site, template=checklist["dsa"], by=people["site_staff"], note="Signed.", link="https://x.nhs.uk"
    )
    site.refresh_from_db()
    assert site.status == SiteStatus.ONBOARDING

    services.confirm_milestone(milestone=milestone, by=people["taskforce_member"])  # the optional one is still not started

    site.refresh_from_db()
    assert site.status == SiteStatus.ACTIVE
    event = AuditEvent.objects.get(action="site.activated")
    assert (event.from_state, event.to_state, event.actor) == ("onboarding", "active", people["taskforce_member"])


def test_an_overdue_milestone_is_listed_until_it_is_confirmed(site, people, checklist):
    site.wave.start_date = timezone.localdate() - datetime.timedelta(days=60)
    site.wave.save()

    late = overdue_milestones(today=timezone.localdate())

    assert [i.template.code for i in late[site]] == ["dsa", "team"]
    NeighbourhoodTeamFactory(site=site, launched_on=timezone.localdate())
    assert [i.template.code for i in overdue_milestones(today=timezone.localdate())[site]] == ["dsa"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"%PDF-1.7\n<!DOCTYPE html><html><body>a web page</body></html>\n%%EOF\n", "starts like a PDF but is not one"),
        (
            __import__("tests.applications.test_uploads", fromlist=["bomb_docx"]).bomb_docx(),
            "would unpack to far more than an Office document holds",
        ),
    ],
    ids=["html-behind-pdf-header", "zip-bomb"],
)
def test_onboarding_evidence_goes_through_the_same_sniffer(site, people, checklist, content, says):
    fake = SimpleUploadedFile("agreement.pdf", content)

    with pytest.raises(ValidationError) as refused:
        services.submit_milestone(site=site, template=checklist["dsa"], by=people["site_staff"], note="Signed.", upload=fake)

    assert says in refused.value.message_dict["file"][0]
    assert not SiteMilestone.objects.exists()


def test_an_oversize_milestone_upload_is_refused_from_its_length(client, site, people, checklist, settings):
    from django.urls import reverse

    settings.APPLICATION_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(people["site_staff"])

    response = client.post(
        reverse("milestone-submit", args=[site.pk, checklist["dsa"].pk]),
        {"note": "Signed.", "file": SimpleUploadedFile("agreement.pdf", b"%PDF-1.7\n" + bytes(3 * 1024 * 1024))},
    )

    assert response.status_code == 200
    assert "The file is larger than 1 MB (3.0 MB were sent)." in response.content.decode()
    assert not SiteMilestone.objects.exists()


def _confirm_on_the_page(client, site, template, by):
    client.force_login(by)
    response = client.post(reverse("milestone-decide", args=[site.pk, template.pk]), {"decision": "confirm"}, follow=True)
    assert response.status_code == 200
    return pages.text(response.content, within_class="nhsuk-notification-banner")


def _submitted(site, template, people):
    return services.submit_milestone(site=site, template=template, by=people["site_staff"], note="Done.", link="https://x.nhs.uk")


def test_confirming_one_milestone_of_an_active_site_does_not_claim_every_one_is_confirmed(client, site, people, checklist):
    """As in the demo: a site made active by hand, its checklist barely begun."""
    site.status = SiteStatus.ACTIVE
    site.save(update_fields=["status"])
    MilestoneTemplateFactory(wave=site.wave, code="plan", title="Delivery plan agreed")
    _submitted(site, checklist["dsa"], people)

    banner = _confirm_on_the_page(client, site, checklist["dsa"], people["taskforce_member"])

    assert "“Data sharing agreement signed” is confirmed." in banner
    assert "Every required milestone is confirmed" not in banner and "now active" not in banner
    assert "2 required milestones are not yet confirmed." in banner


def test_confirming_a_milestone_that_leaves_others_says_how_many_remain(client, site, people, checklist):
    _submitted(site, checklist["dsa"], people)

    banner = _confirm_on_the_page(client, site, checklist["dsa"], people["taskforce_member"])

    assert f"1 required milestone is not yet confirmed; {site.name} becomes active once every one is." in banner
    site.refresh_from_db()
    assert site.status == SiteStatus.ONBOARDING


def test_confirming_the_last_required_milestone_says_the_site_is_now_active(client, site, people, checklist):
    NeighbourhoodTeamFactory(site=site, launched_on=timezone.localdate() - datetime.timedelta(days=3))
    _submitted(site, checklist["dsa"], people)

    banner = _confirm_on_the_page(client, site, checklist["dsa"], people["taskforce_member"])

    assert f"Every required milestone is confirmed: {site.name} is now active." in banner
    site.refresh_from_db()
    assert site.status == SiteStatus.ACTIVE


def test_a_milestone_evidence_file_gone_from_storage_is_a_page_saying_so_and_an_error_in_the_log(client, site, people, caplog):
    template = MilestoneTemplateFactory(wave=site.wave, code="dsa")
    services.submit_milestone(
        site=site,
        template=template,
        by=people["site_staff"],
        note="Signed.",
        upload=SimpleUploadedFile("Data sharing agreement.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    milestone = SiteMilestone.objects.get(site=site, template=template)
    milestone.evidence_file.storage.delete(milestone.evidence_file.name)
    client.force_login(people["taskforce_member"])

    with caplog.at_level("ERROR", logger="nhsportal.downloads"):
        response = client.get(reverse("milestone-evidence", args=[site.pk, template.pk]))

    assert response.status_code == 404
    text = pages.text(response.content, within_id="maincontent")
    assert "This file is no longer available" in text and "Data sharing agreement.pdf" in text
    assert (reverse("onboarding", args=[site.pk]), f"Back to {site.name}'s onboarding") in pages.links(response.content)
    assert [r.levelname for r in caplog.records if milestone.evidence_file.name in r.getMessage()] == ["ERROR"]


def test_the_home_pages_overdue_count_links_to_a_list_of_the_sites_and_their_milestones(client, site, people, checklist):
    site.wave.start_date = timezone.localdate() - datetime.timedelta(days=60)
    site.wave.save()
    client.force_login(people["taskforce_member"])

    home = client.get(reverse("home")).content.decode()
    listing = client.get(reverse("overdue-onboarding"))

    assert f'<a href="{reverse("overdue-onboarding")}">2 onboarding milestones are overdue at 1 site</a>' in home
    page = listing.content.decode()
    assert listing.status_code == 200
    assert reverse("onboarding", args=[site.pk]) in page
    assert "Data sharing agreement signed; First neighbourhood team live" in page
    assert "2 milestones are past their due date at 1 onboarding site" in page


@pytest.mark.parametrize("role", ["site_lead", "site_staff", "programme_lead", "no_role"])
def test_only_the_taskforce_sees_the_overdue_list(client, people, role):
    client.force_login(people[role])
    assert client.get(reverse("overdue-onboarding")).status_code == 403
