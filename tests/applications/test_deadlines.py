"""Deadlines are instants entered and shown in UK time. Tested where UK time is treacherous:
the hour the clocks go back (01:00–02:00 happens twice) and the hour they go forward
(01:00–02:00 never happens)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.deadlines import london, london_deadline
from applications.exceptions import TransitionNotAllowed
from applications.models import Application, ApplicationRound
from tests.applications.factories import answer_all, round_with
from tests.nhsportal.factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def clock(monkeypatch):
    """Set the server's clock (UTC)."""

    def set_to(*args):
        moment = datetime.datetime(*args, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def ready_to_submit(cast, round_):
    application = Application.objects.create(round=round_, place=cast.place, lead_applicant=cast.lead)
    answer_all(application)
    return application


def test_the_first_1_30am_on_the_night_the_clocks_go_back_is_the_deadline(cast, clock):
    closes = london(2026, 10, 25, 1, 30)  # BST, the first of the two 1:30ams: 00:30 UTC
    round_ = round_with(opens_at=london(2026, 9, 1, 9), closes_at=closes)
    assert closes.astimezone(UTC) == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert round_.closes_display == "1:30am on Sunday 25 October 2026 (BST)"

    clock(2026, 10, 25, 0, 29, 59)
    application = ready_to_submit(cast, round_)
    services.submit_application(application=application, by=cast.lead)
    assert Application.objects.get(pk=application.pk).status == "submitted"


def test_at_the_deadline_and_in_the_repeated_hour_submission_is_refused(cast, clock):
    round_ = round_with(opens_at=london(2026, 9, 1, 9), closes_at=london(2026, 10, 25, 1, 30))
    application = ready_to_submit(cast, round_)

    clock(2026, 10, 25, 0, 30, 0)  # exactly the deadline
    with pytest.raises(TransitionNotAllowed) as at_deadline:
        services.submit_application(application=application, by=cast.lead)
    # 01:15 UTC is 01:15 GMT on London's clocks: earlier on the wall than "1:30am", but an
    # hour and three quarters after the deadline. The server compares instants, not clocks.
    clock(2026, 10, 25, 1, 15, 0)
    with pytest.raises(TransitionNotAllowed):
        services.submit_application(application=application, by=cast.lead)

    assert str(at_deadline.value) == (
        f"The deadline for {round_} was 1:30am on Sunday 25 October 2026 (BST). You can no longer submit this application."
    )
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_the_second_1_30am_is_a_different_deadline_and_says_so(cast, clock):
    closes = london(2026, 10, 25, 1, 30, fold=1)  # GMT, the second 1:30am: 01:30 UTC
    round_ = round_with(opens_at=london(2026, 9, 1, 9), closes_at=closes)
    assert round_.closes_display == "1:30am on Sunday 25 October 2026 (GMT)"

    clock(2026, 10, 25, 1, 29, 59)
    application = ready_to_submit(cast, round_)
    services.submit_application(application=application, by=cast.lead)


def test_the_night_the_clocks_go_forward_the_deadline_is_still_one_instant(cast, clock):
    round_ = round_with(opens_at=london(2026, 3, 1, 9), closes_at=london(2026, 3, 29, 3, 0))  # 3am BST = 02:00 UTC
    assert round_.closes_display == "3am on Sunday 29 March 2026 (BST)"
    application = ready_to_submit(cast, round_)

    clock(2026, 3, 29, 1, 59, 59)  # 2:59:59am BST
    services.submit_application(application=application, by=cast.lead)

    late = Application.objects.create(round=round_, place=cast.other_place, lead_applicant=cast.other_lead)
    answer_all(late)
    clock(2026, 3, 29, 2, 0, 0)
    with pytest.raises(TransitionNotAllowed, match="3am on Sunday 29 March 2026"):
        services.submit_application(application=late, by=cast.other_lead)


def test_a_round_opens_at_its_opening_moment_not_before(cast, clock):
    round_ = round_with(opens_at=london(2026, 3, 29, 0, 0), closes_at=london(2026, 5, 1, 12))

    clock(2026, 3, 28, 23, 59, 59)
    with pytest.raises(TransitionNotAllowed, match="opens at midnight on Sunday 29 March 2026 \\(GMT\\)"):
        services.start_application(round_=round_, place=cast.place, by=cast.lead)
    clock(2026, 3, 29, 0, 0, 0)
    assert services.start_application(round_=round_, place=cast.place, by=cast.lead).status == "draft"


def test_drafts_cannot_change_after_the_deadline(cast, clock):
    round_ = round_with(opens_at=london(2026, 9, 1, 9), closes_at=london(2026, 10, 25, 1, 30))
    application = Application.objects.create(round=round_, place=cast.place, lead_applicant=cast.lead)

    clock(2026, 10, 26, 9, 0, 0)
    with pytest.raises(TransitionNotAllowed, match="You can no longer change its answers"):
        services.save_answer(application=application, question=round_.questions.first(), by=cast.lead, text="Late.")


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="office", is_staff=True, is_superuser=True))
    return client


def _round_form(wave, closes_date, closes_time):
    data = {
        "name": "Wave three applications",
        "wave": wave.pk,
        "sites_to_select": "",
        "opens_at_0": "01/09/2026",
        "opens_at_1": "09:00:00",
        "closes_at_0": closes_date,
        "closes_at_1": closes_time,
        "guidance": "",
        "eligibility": "",
    }
    for prefix in ("questions", "criteria"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


@pytest.mark.parametrize(
    ("day", "why"),
    [("25/10/2026", "happens twice when the clocks go back"), ("29/03/2026", "never happens when the clocks go forward")],
)
def test_administrators_cannot_enter_a_uk_time_that_is_ambiguous_or_does_not_exist(admin_client, day, why):
    from tests.sites.factories import WaveFactory

    wave = WaveFactory(number=3, name="Wave three")

    response = admin_client.post(reverse("admin:applications_applicationround_add"), _round_form(wave, day, "01:30:00"))

    assert response.status_code == 200, why
    assert "may be ambiguous or it may not exist" in response.content.decode()
    assert not ApplicationRound.objects.filter(name="Wave three applications").exists()


def test_administrators_enter_deadlines_in_uk_time(admin_client):
    from tests.sites.factories import WaveFactory

    wave = WaveFactory(number=3, name="Wave three")

    response = admin_client.post(reverse("admin:applications_applicationround_add"), _round_form(wave, "25/10/2026", "00:30:00"))

    assert response.status_code == 302
    round_ = ApplicationRound.objects.get(name="Wave three applications")
    assert round_.closes_at == datetime.datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert round_.opens_at == datetime.datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def test_deadlines_read_in_uk_time_with_their_zone():
    assert london_deadline(datetime.datetime(2026, 1, 16, 23, 59, tzinfo=UTC)) == "11:59pm on Friday 16 January 2026 (GMT)"
    assert london_deadline(datetime.datetime(2026, 7, 1, 11, 0, tzinfo=UTC)) == "midday on Wednesday 1 July 2026 (BST)"
