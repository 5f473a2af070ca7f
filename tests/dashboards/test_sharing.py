"""What each person sees of other sites: the taskforce everything; a site its own figures, England,
the regions and its ICB, and other sites only as the taskforce chooses; the public England and
the regions, with small numbers suppressed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from dashboards import services
from dashboards.models import Sharing, SharingSetting
from dashboards.sharing import rollups_visible_to, suppress_small
from metrics.models import RollupLevel
from nhsportal.models import AuditEvent, Role
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db


def share(sharing):
    services.change_sharing(sharing=sharing, by=user_with_role(Role.TASKFORCE_CHAIR))


def levels_and_sites(rows):
    return {(r.level, r.org_id) for r in rows.only("level", "org_id")}


def test_by_default_site_staff_see_their_own_site_england_the_regions_and_their_icb(programme):
    leeds, croydon = programme["sites"]["Leeds"], programme["sites"]["Croydon"]

    seen = levels_and_sites(rollups_visible_to(programme["people"]["staff.Leeds"]))

    assert (RollupLevel.SITE, leeds.pk) in seen
    assert (RollupLevel.NATIONAL, 0) in seen
    assert {(RollupLevel.REGION, r.pk) for r in programme["regions"].values()} <= seen
    assert (RollupLevel.ICB, programme["icbs"]["North"].pk) in seen
    assert (RollupLevel.ICB, programme["icbs"]["South"].pk) not in seen
    assert (RollupLevel.SITE, croydon.pk) not in seen
    assert (RollupLevel.SITE, programme["sites"]["Bradford"].pk) not in seen


def test_the_taskforce_sees_every_row(programme):
    everything = levels_and_sites(rollups_visible_to(user_with_role(Role.TASKFORCE_MEMBER)))

    assert {(RollupLevel.SITE, s.pk) for s in programme["sites"].values()} <= everything


def test_a_programme_lead_sees_the_sites_of_their_place(programme):
    bradford = programme["sites"]["Bradford"]
    lead = user_with_role(Role.PROGRAMME_LEAD, place=bradford.place)

    seen = levels_and_sites(rollups_visible_to(lead))

    assert (RollupLevel.SITE, bradford.pk) in seen
    assert (RollupLevel.SITE, programme["sites"]["Leeds"].pk) not in seen


def test_anonymous_visitors_see_england_and_the_regions_only(programme):
    seen = levels_and_sites(rollups_visible_to(AnonymousUser()))

    assert {level for level, _ in seen} == {RollupLevel.NATIONAL, RollupLevel.REGION}


def test_shared_without_names_other_sites_rows_are_visible_but_not_their_icbs(programme):
    share(Sharing.UNNAMED)

    seen = levels_and_sites(rollups_visible_to(programme["people"]["staff.Leeds"]))

    assert (RollupLevel.SITE, programme["sites"]["Croydon"].pk) in seen
    assert (RollupLevel.ICB, programme["icbs"]["South"].pk) not in seen


def test_small_counts_are_suppressed_for_the_public():
    assert [suppress_small(v) for v in (0, 1, 5, 6, 120, None)] == ["*", "*", "*", 6, 120, ""]
    assert suppress_small(0) == "*"
    assert suppress_small(5) == "*"
    assert suppress_small(6) == 6
    assert suppress_small(None) == ""
    assert suppress_small(12.5, numerator=5) == "*"
    assert suppress_small(12.5, numerator=None) == "*"
    assert suppress_small(12.5, numerator=6) == 12.5


def test_under_the_default_another_sites_staff_never_see_other_sites_named(client, programme):
    client.force_login(programme["people"]["staff.Croydon"])
    pages = [
        reverse("dashboard-overview"),
        reverse("dashboard-engagement"),
        reverse("dashboard-demographics"),
        reverse("dashboard-funnel", args=["O1_NEW"]),
        reverse("dashboard-funnel", args=["O6_GP"]),
        reverse("dashboard-spc", args=["O1_NEW"]),
        reverse("dashboard-org", args=["region", programme["regions"]["North"].pk]),
    ]
    for url in pages:
        for response in (client.get(url), client.get(url, {"format": "csv"})):
            body = response.content.decode()
            assert response.status_code == 200, url
            assert "Leeds" not in body and "Bradford" not in body, url
            assert "Another site" not in body, url


def test_under_the_default_other_sites_and_their_icbs_pages_are_not_found(client, programme):
    client.force_login(programme["people"]["staff.Croydon"])
    leeds, north_icb = programme["sites"]["Leeds"], programme["icbs"]["North"]

    assert client.get(reverse("dashboard-org", args=["site", leeds.pk])).status_code == 404
    assert client.get(reverse("dashboard-org", args=["icb", north_icb.pk])).status_code == 404
    assert client.get(reverse("dashboard-spc", args=["O1_NEW"]), {"level": "site", "org": leeds.pk}).status_code == 404
    assert client.get(reverse("dashboard-org", args=["site", programme["sites"]["Croydon"].pk])).status_code == 200


def test_the_viewers_own_site_is_highlighted_in_the_funnel(client, programme):
    client.force_login(programme["people"]["staff.Croydon"])

    response = client.get(reverse("dashboard-funnel", args=["O6_GP"]))

    assert [(u["name"], u["own"]) for u in response.context["units"]] == [("Croydon", True)]
    assert response.context["hidden"] == 2
    assert "Croydon (your site)" in response.content.decode()


def test_shared_without_names_other_sites_appear_as_another_site(client, programme):
    share(Sharing.UNNAMED)
    client.force_login(programme["people"]["staff.Croydon"])

    response = client.get(reverse("dashboard-funnel", args=["O6_GP"]))

    body = response.content.decode()
    assert "Leeds" not in body and "Bradford" not in body
    assert sorted(u["name"] for u in response.context["units"]) == ["Another site (1)", "Another site (2)", "Croydon"]
    assert client.get(reverse("dashboard-org", args=["site", programme["sites"]["Leeds"].pk])).status_code == 404


def test_shared_by_name_other_sites_are_named_and_open(client, programme):
    share(Sharing.NAMED)
    client.force_login(programme["people"]["staff.Croydon"])

    body = client.get(reverse("dashboard-funnel", args=["O6_GP"])).content.decode()

    assert "Leeds" in body and "Bradford" in body
    assert client.get(reverse("dashboard-org", args=["site", programme["sites"]["Leeds"].pk])).status_code == 200


def test_the_public_summary_shows_england_and_regions_with_small_counts_as_stars(client, programme, monkeypatch):
    import datetime

    from dashboards import months

    # A month later: the programme's months are final, so the public sees them (PRODUCT.md).
    monkeypatch.setattr(months, "today", lambda: programme["periods"][-1].final_submission_due + datetime.timedelta(days=1))

    response = client.get(reverse("public-summary"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Leeds" not in body and "Croydon" not in body and "Bradford" not in body
    table = response.context["table"]
    areas = {row[1] for row in table.rows}
    assert areas == {"England", "North", "South"}
    # South is Croydon alone, a small site: its category 4 conveyances are fewer than 6.
    south = {row[0]: row for row in table.rows if row[1] == "South"}
    cat4 = south["Category 4 ambulance conveyances per 1,000 patients in the cohort"]
    assert cat4[2] == "*" and cat4[3] in {"*", ""}
    for row in table.rows:
        for figure in (row[3], row[4]):
            assert figure in {"*", ""} or figure >= 6
    csv = client.get(reverse("public-summary"), {"format": "csv"}).content.decode()
    assert "Leeds" not in csv and ",*," in csv


def test_the_taskforce_changes_the_setting_and_it_is_audited(client, programme):
    chair = user_with_role(Role.TASKFORCE_CHAIR)
    client.force_login(chair)

    response = client.post(reverse("dashboard-sharing"), {"sharing": Sharing.UNNAMED})

    assert response.status_code == 302
    assert SharingSetting.load().sharing == Sharing.UNNAMED
    event = AuditEvent.objects.get(action="dashboards.sharing_changed")
    assert (event.actor, event.from_state, event.to_state) == (chair, Sharing.NATIONAL_ONLY, Sharing.UNNAMED)


def test_a_bad_choice_is_refused_naming_the_field(client, programme):
    client.force_login(user_with_role(Role.ADMINISTRATOR))

    response = client.post(reverse("dashboard-sharing"), {"sharing": "everyone"})

    assert response.status_code == 200
    assert "Choose one of the options for what site staff" in response.content.decode()
    assert SharingSetting.load().sharing == Sharing.NATIONAL_ONLY


def test_site_leads_cannot_change_the_setting(client, programme):
    lead = programme["people"]["lead.Leeds"]
    client.force_login(lead)

    assert client.post(reverse("dashboard-sharing"), {"sharing": Sharing.NAMED}).status_code == 403
    with pytest.raises(Exception, match="Only the taskforce"):
        services.change_sharing(sharing=Sharing.NAMED, by=lead)
    assert SharingSetting.load().sharing == Sharing.NATIONAL_ONLY


def test_the_taskforce_is_offered_the_coverage_grid_and_the_setting_and_sites_are_not(client, programme):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))
    national = client.get(reverse("dashboard-engagement")).content.decode().split("<main")[1]
    client.force_login(programme["people"]["lead.Leeds"])
    lead = client.get(reverse("dashboard-engagement")).content.decode().split("<main")[1]  # the header offers Returns

    for link in (reverse("returns"), reverse("dashboard-sharing")):
        assert f'href="{link}"' in national
        assert f'href="{link}"' not in lead
