"""The audit viewer: administrators see who did what to which object and when, newest first,
narrowed by person, object, action and dates; nobody else reads the trail."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from nhsportal import audit
from nhsportal.models import AuditEvent, Role
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

URL = "/audit/"


def _event(actor, action, obj, *, on=None, **kwargs):
    event = audit.record(actor=actor, action=action, obj=obj, **kwargs)
    if on is not None:
        at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
        AuditEvent.objects.filter(pk=event.pk).update(at=at)
    return event


def _listed(response):
    return [event.pk for event in response.context["page"].object_list]


@pytest.fixture
def office(db):
    return user_with_role(Role.ADMINISTRATOR, username="admin.office", email="office@example.nhs.uk")


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def trail(office):
    """Two people acting on two sites over three days."""
    walsall, croydon = SiteFactory(place__name="Walsall"), SiteFactory(place__name="Croydon")
    alex = user_with_role(Role.SITE_STAFF, site=walsall, username="alex.walsall", email="alex@walsall.example.nhs.uk")
    return {
        "walsall": walsall,
        "croydon": croydon,
        "alex": alex,
        "first": _event(alex, "site.profile_updated", walsall, on=datetime.date(2026, 9, 1), changes={"summary": ["", "Teams"]}),
        "second": _event(office, "role.granted", alex, on=datetime.date(2026, 9, 2), reason="New starter"),
        "third": _event(
            alex, "return.signed_off", croydon, on=datetime.date(2026, 9, 3), from_state="awaiting", to_state="submitted"
        ),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 302),
        ("no_role", 403),
        ("programme_lead", 403),
        ("site_staff", 403),
        ("site_lead", 403),
        ("taskforce_member", 403),
        ("taskforce_chair", 403),
        ("administrator", 200),
    ],
)
def test_only_administrators_read_the_audit_log(client, people, role, expected):
    if people[role]:
        client.force_login(people[role])

    response = client.get(URL)

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_events_are_listed_newest_first_with_who_what_and_which_object(office_client, trail):
    response = office_client.get(URL)

    assert _listed(response) == [trail["third"].pk, trail["second"].pk, trail["first"].pk]
    page = response.content.decode()
    assert "return.signed_off" in page and "awaiting → submitted" in page
    assert "summary:  → Teams" in page and "Reason: New starter" in page
    assert "alex.walsall" in page and "3 events." in page


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alex.walsall", "ALEX.WALSALL", "alex@walsall.example.nhs.uk"])
def test_filtering_by_person_by_username_or_email(office_client, trail, who):
    response = office_client.get(URL, {"user": who})

    assert _listed(response) == [trail["third"].pk, trail["first"].pk]


@pytest.mark.django_db
def test_filtering_by_object_shows_one_objects_history(office_client, trail):
    walsall = trail["walsall"]
    _event(trail["alex"], "neighbourhood.added", walsall, on=datetime.date(2026, 9, 4))
    site_type = AuditEvent.objects.get(pk=trail["first"].pk).content_type_id

    response = office_client.get(URL, {"object_type": site_type, "object_id": walsall.pk})

    assert [e.object_id for e in response.context["page"].object_list] == [str(walsall.pk)] * 2
    everything_on_sites = office_client.get(URL, {"object_type": site_type})
    assert len(_listed(everything_on_sites)) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("action, expected", [("return.signed_off", ["third"]), ("Role.", ["second"]), ("site", ["first"])])
def test_filtering_by_action_or_the_start_of_one(office_client, trail, action, expected):
    response = office_client.get(URL, {"action": action})

    assert _listed(response) == [trail[name].pk for name in expected]


@pytest.mark.django_db
def test_filtering_by_dates_includes_both_days_in_uk_time(office_client, trail):
    late_evening = timezone.make_aware(datetime.datetime(2026, 9, 2, 23, 30))  # 22:30 UTC, still 2 September in the UK
    AuditEvent.objects.filter(pk=trail["second"].pk).update(at=late_evening)
    dates = {"date_from_day": "2", "date_from_month": "9", "date_from_year": "2026"}

    only_the_second = office_client.get(URL, {**dates, "date_to_day": "2", "date_to_month": "9", "date_to_year": "2026"})
    from_the_second = office_client.get(URL, dates)

    assert _listed(only_the_second) == [trail["second"].pk]
    assert _listed(from_the_second) == [trail["third"].pk, trail["second"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"object_id": "42"}, "object_type", "Choose the object type the id belongs to."),
        (
            {
                "date_from_day": "5",
                "date_from_month": "9",
                "date_from_year": "2026",
                "date_to_day": "1",
                "date_to_month": "9",
                "date_to_year": "2026",
            },
            "date_to",
            "The to date must be the same as or after the from date.",
        ),
        (
            {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"},
            "date_from",
            "The from date must be a real date",
        ),
        ({"object_type": "not-a-type"}, "object_type", "Select a valid choice."),
    ],
)
def test_filters_that_make_no_sense_are_explained_by_the_field_and_list_nothing(office_client, trail, query, field, message):
    response = office_client.get(URL, query)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["page"] is None
    page = response.content.decode()
    assert "There is a problem" in page and "Correct the filters to see the events." in page


@pytest.mark.django_db
def test_the_log_is_paginated_and_keeps_its_filters_across_pages(office_client, office):
    site = SiteFactory()
    for number in range(120):
        _event(office, "site.profile_updated", site, changes={"n": number})

    first = office_client.get(URL, {"action": "site."})
    last = office_client.get(URL, {"action": "site.", "page": 3})

    assert len(_listed(first)) == 50 and len(_listed(last)) == 20
    assert "action=site.&amp;page=2" in first.content.decode()
    assert set(_listed(first)).isdisjoint(_listed(last))


@pytest.mark.django_db
def test_the_page_costs_the_same_few_queries_whatever_the_number_of_events(office_client, office, django_assert_max_num_queries):
    sites = SiteFactory.create_batch(3)
    people = [user_with_role(Role.SITE_STAFF, site=site) for site in sites]

    def queries_for_page():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert office_client.get(URL).status_code == 200
        return len(captured)

    _event(people[0], "site.profile_updated", sites[0])
    few = queries_for_page()
    for index in range(60):
        _event(people[index % 3], "team.updated", sites[index % 3], changes={"name": ["A", "B"]})
    many = queries_for_page()

    assert few == many
    with django_assert_max_num_queries(8):
        office_client.get(URL, {"user": people[0].username, "action": "team."})


@pytest.mark.django_db
def test_an_event_by_a_deleted_person_or_the_portal_itself_is_still_listed(office_client, trail):
    get_user_model().objects.filter(pk=trail["alex"].pk).delete()
    _event(None, "rollups.exported", None)

    page = office_client.get(URL).content.decode()

    assert "The portal" in page and "4 events." in page


@pytest.mark.django_db
def test_administrators_find_the_log_from_the_home_page_and_the_taskforce_do_not(client, people):
    client.force_login(people["administrator"])
    assert reverse("audit-log") in client.get("/").content.decode()
    client.force_login(people["taskforce_member"])
    assert reverse("audit-log") not in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_django_admin_filters_the_trail_by_area_person_type_and_object(admin_client, trail):
    changelist = "/admin/nhsportal/auditevent/"

    by_area = admin_client.get(changelist, {"area": "return"})
    by_actor = admin_client.get(changelist, {"actor__id__exact": trail["alex"].pk})
    by_object = admin_client.get(changelist, {"q": str(trail["walsall"].pk)})

    assert [e.pk for e in by_area.context["cl"].result_list] == [trail["third"].pk]
    assert {e.pk for e in by_actor.context["cl"].result_list} == {trail["first"].pk, trail["third"].pk}
    assert trail["first"].pk in {e.pk for e in by_object.context["cl"].result_list}
    assert "By area" in by_area.content.decode()
