"""A Place's ICB over time: the 2026 moves as loaded from the reference data, kept when an
administrator corrects them, and edited in admin with periods that never overlap."""

import datetime
import io

import pytest
from django.core.management import call_command

from metrics.models import RollupRequest
from nhsportal.models import AuditEvent
from sites.models import ICB, Place, PlaceICBMembership
from tests.sites.factories import ICBFactory, PlaceFactory

pytestmark = pytest.mark.django_db

APRIL_2026 = datetime.date(2026, 4, 1)
MARCH_2026 = datetime.date(2026, 3, 31)

# The wave-one moves on 1 April 2026: Place → the new ICB's ONS code.
MOVES = {
    "Hillingdon": "E54000071",
    "Kensington, Chelsea and Westminster (Bi-Borough)": "E54000071",
    "East Surrey (Surrey Downs)": "E54000069",
    "East Sussex (Hastings and Rother)": "E54000069",
    "Buckinghamshire (North, High Wycombe, Marlow Beaconsfield)": "E54000070",
    "East Berkshire and Slough": "E54000070",
    "Portsmouth": "E54000067",
    "Ipswich and East Suffolk": "E54000068",
    "West Suffolk": "E54000068",
    "North East Essex": "E54000066",
    "West Essex": "E54000066",
    "Fenland and Peterborough within the North Cambridgeshire and Peterborough Care Partnership": "E54000065",
    "South and West Hertfordshire (Dacorum and Hertsmere)": "E54000065",
}


def _load():
    call_command("load_reference_data", stdout=io.StringIO())


def _icb_on(place: Place, day: datetime.date) -> ICB:
    return PlaceICBMembership.objects.in_force_on(day).get(place=place).icb


def test_the_wave_one_moves_take_effect_on_1_april_2026_and_every_other_place_stays():
    _load()

    for place in Place.objects.all():
        before, after = _icb_on(place, MARCH_2026), _icb_on(place, APRIL_2026)
        if place.name in MOVES:
            assert after.ons_code == MOVES[place.name], place.name
            assert after.effective_from == APRIL_2026 and before != after
            # None of the moves crosses a region boundary: regional figures cannot change.
            assert before.region == after.region, place.name
        else:
            assert before == after, place.name
        assert _icb_on(place, datetime.date(2022, 7, 1)) == before  # since the ICBs were established
    assert set(Place.objects.filter(icb_memberships__effective_from=APRIL_2026).values_list("name", flat=True)) == set(MOVES)


def test_every_membership_names_its_source_and_what_is_inferred_from_geography_is_marked():
    _load()
    memberships = PlaceICBMembership.objects.select_related("place")

    assert memberships.count() == 43 + len(MOVES)
    assert all(m.source.strip() for m in memberships)
    inferred = {m.place.name for m in memberships.filter(inferred=True, effective_from=APRIL_2026)}
    # The new ICBs whose predecessors no source states: the Place's geography decides.
    assert inferred == {name for name, code in MOVES.items() if code in {"E54000065", "E54000066", "E54000067", "E54000068"}}
    stated = memberships.get(place__name="Hillingdon", effective_from=APRIL_2026)
    assert not stated.inferred and "9 September 2025" in stated.source


def test_each_place_follows_the_membership_in_force_today():
    _load()

    assert Place.objects.get(name="Hillingdon").icb.ons_code == "E54000071"  # today is after April 2026
    assert Place.objects.get(name="Walsall").icb.ods_code == "QUA"


def test_loading_again_keeps_an_administrators_correction_and_adds_nothing():
    _load()
    essex = Place.objects.get(name="North East Essex")
    old, new = essex.icb_memberships.order_by("effective_from")
    # The administrator learns the move happened a month later.
    old.effective_to = datetime.date(2026, 4, 30)
    old.save()
    new.effective_from = datetime.date(2026, 5, 1)
    new.source = "Corrected from the ICB's board papers."
    new.save()
    count = PlaceICBMembership.objects.count()

    _load()

    assert PlaceICBMembership.objects.count() == count
    new.refresh_from_db()
    assert (new.effective_from, new.source) == (datetime.date(2026, 5, 1), "Corrected from the ICB's board papers.")
    assert _icb_on(essex, APRIL_2026).ods_code == "QJG"


def _change_form(place: Place, rows: list[dict]) -> dict:
    """The Place's admin change form, posted with `rows` as its memberships."""
    data = {
        "name": place.name,
        "icb": place.icb_id,
        "local_authority_note": place.local_authority_note,
        "population": "",
        "icb_memberships-TOTAL_FORMS": len(rows),
        "icb_memberships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "icb_memberships-MIN_NUM_FORMS": 0,
        "icb_memberships-MAX_NUM_FORMS": 1000,
    }
    for number, row in enumerate(rows):
        for field, value in row.items():
            data[f"icb_memberships-{number}-{field}"] = value if value is not None else ""
        data[f"icb_memberships-{number}-place"] = place.pk
    return data


def _row(icb: ICB, start: str, end: str = "", **extra) -> dict:
    return {"icb": icb.pk, "effective_from": start, "effective_to": end, "source": "Board papers", **extra}


def test_an_administrator_adds_a_move_in_admin_and_every_month_is_rolled_up_again(admin_client, admin_user):
    old_icb, new_icb = ICBFactory(), ICBFactory()
    place = PlaceFactory(icb=old_icb)
    url = f"/admin/sites/place/{place.pk}/change/"

    response = admin_client.post(
        url, _change_form(place, [_row(old_icb, "2022-07-01", "2026-03-31"), _row(new_icb, "2026-04-01", inferred="on")])
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(place.icb_memberships.values_list("icb", "effective_from", "inferred")) == [
        (old_icb.pk, datetime.date(2022, 7, 1), False),
        (new_icb.pk, APRIL_2026, True),
    ]
    place.refresh_from_db()
    assert place.icb == new_icb  # the ICB in force today
    event = AuditEvent.objects.get(action="place.icb_memberships_changed")
    assert event.actor == admin_user and len(event.changes["added"]) == 2
    assert RollupRequest.objects.filter(period=None, trigger="icb_membership", done_at=None).exists()


ENDED_FEBRUARY = {"effective_to": datetime.date(2026, 2, 28)}
STARTS_APRIL = {"effective_from": APRIL_2026}


@pytest.mark.parametrize(
    ("rows", "second_icb", "first_icb", "message"),
    [
        ([("2022-07-01", ""), ("2026-04-01", "")], {}, {}, "Two memberships overlap"),
        ([("2022-07-01", "2026-04-30"), ("2026-04-01", "")], {}, {}, "Two memberships overlap"),
        ([("2022-07-15", "")], {}, {}, "starts on the first day of a month"),
        ([("2022-07-01", "2026-03-30")], {}, {}, "ends on the last day of a month"),
        ([("2026-04-01", "2026-03-31")], {}, {}, "cannot end before it starts"),
        ([("2022-07-01", "2026-03-31"), ("2026-04-01", "")], {}, ENDED_FEBRUARY, "ended on 28 February 2026"),
        ([("2022-07-01", "2025-12-31"), ("2026-01-01", "")], STARTS_APRIL, {}, "only starts on 1 April 2026"),
    ],
)
def test_admin_refuses_overlapping_or_part_month_memberships_and_keeps_what_was_there(
    admin_client, rows, second_icb, first_icb, message
):
    icbs = [ICBFactory(**first_icb), ICBFactory(**second_icb)]
    place = PlaceFactory(icb=icbs[0])
    kept = PlaceICBMembership.objects.create(place=place, icb=icbs[0], effective_from=datetime.date(2022, 7, 1), source="Loaded")
    posted = [_row(icbs[n], start, end) for n, (start, end) in enumerate(rows)]
    posted[0]["id"] = kept.pk

    response = admin_client.post(f"/admin/sites/place/{place.pk}/change/", _change_form(place, posted))

    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    assert list(place.icb_memberships.all()) == [kept]
    kept.refresh_from_db()
    assert kept.effective_to is None
    assert not RollupRequest.objects.exists()


def test_the_place_admin_lists_its_memberships_inline(admin_client):
    _load()
    place = Place.objects.get(name="Portsmouth")

    page = admin_client.get(f"/admin/sites/place/{place.pk}/change/").content.decode()

    assert "ICB memberships" in page
    assert "Hampshire and Isle of Wight" in page


def test_the_api_filters_sites_and_places_by_the_icb_they_were_in_on_a_day(client):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    _load()
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))

    def names(path):
        response = client.get(path)
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    north_west_and_central = ["Hillingdon", "Kensington, Chelsea and Westminster (Bi-Borough)"]
    # The new ICBs have no ODS code yet: their ONS code names them. Today (after April 2026) is the default.
    assert names("/api/v1/sites/?icb=E54000071") == north_west_and_central
    assert names("/api/v1/sites/?icb=QRV") == []
    assert names("/api/v1/sites/?icb=QRV&icb_on=2026-03-31") == north_west_and_central
    assert names("/api/v1/sites/?icb=E54000071&icb_on=2026-03-31") == []
    assert names("/api/v1/places/?icb=qrv&icb_on=2026-01-15") == north_west_and_central
    assert len(names("/api/v1/sites/?region=Y56&icb_on=2026-03-31")) == len(names("/api/v1/sites/?region=Y56")) == 5
    assert client.get("/api/v1/sites/?icb=QRV&icb_on=March").status_code == 400


def test_the_site_list_offers_the_new_icbs_by_their_ons_code(client):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    _load()
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))

    page = client.get("/sites/", {"icb": "E54000071"}).content.decode()

    assert 'value="None"' not in page
    assert "Hillingdon" in page and "Walsall" not in page


def test_the_places_api_lists_each_places_memberships_with_their_source(client):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    _load()
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))
    portsmouth = Place.objects.get(name="Portsmouth")

    row = client.get(f"/api/v1/places/{portsmouth.pk}/").json()

    assert row["icb"]["ons_code"] == "E54000067" and row["icb"]["ods_code"] is None
    assert [
        (m["icb"]["ods_code"] or m["icb"]["ons_code"], m["effective_from"], m["effective_to"], m["inferred"])
        for m in row["icb_memberships"]
    ] == [
        ("QRL", "2022-07-01", "2026-03-31", False),
        ("E54000067", "2026-04-01", None, True),
    ]
    assert all(m["source"] for m in row["icb_memberships"])
