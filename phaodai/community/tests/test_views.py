"""Pages: the coverage board, signing from an area's list, members' households, teams, special housing."""

import re
from datetime import date
from typing import Any

import pytest

from phaodai.community import services
from phaodai.community.models import Commitment, Duty, Housing, Visit
from phaodai.community.tests.world import SEPT_15, fixed, make_household

pytestmark = pytest.mark.django_db
CLOCK = fixed(SEPT_15)


def test_the_board_shows_coverage_per_area(
    client: Any,
    world: Any,
    ward_officer_bo_de: Any,
    district_officer_long_bien: Any,
    django_assert_max_num_queries: Any,
) -> None:
    services.sign_commitment(
        by=ward_officer_bo_de,
        campaign=world.campaign,
        household=world.households[0],
        signer_name="A",
        clock=CLOCK,
    )
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(12):
        response = client.get("/community/campaigns/gdat-2021/?unit=00139")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tổ dân phố 1" in body and "1 of 5 households signed (20 %)" in body
    assert client.get("/community/campaigns/gdat-2021/?unit=004").status_code == 404  # not the ward's
    client.force_login(district_officer_long_bien)
    district = client.get("/community/campaigns/gdat-2021/")
    assert district.status_code == 200 and "Phường Bồ Đề" in district.content.decode()


def test_signing_from_the_area_list_then_again(
    client: Any, world: Any, ward_officer_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    url = "/community/campaigns/gdat-2021/area/00139-TDP01/"
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    data = {"household": world.households[0].pk, "signer_name": "Nguyễn Văn An", "signed_on": ""}
    first = client.post(url + "sign/", data)
    assert first.status_code == 302 and Commitment.objects.count() == 1
    client.post(url + "sign/", {**data, "signer_name": "Khác"})
    assert Commitment.objects.get().signer_name == "Nguyễn Văn An"


def test_a_bad_signing_shows_the_error_next_to_the_household(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    url = "/community/campaigns/gdat-2021/area/00139-TDP01/sign/"
    response = client.post(
        url, {"household": world.households[0].pk, "signer_name": "A", "signed_on": "2021-08-01"}
    )
    assert response.status_code == 422
    assert "before the campaign started" in response.content.decode()
    assert not Commitment.objects.exists()


def test_another_ward_gets_404(client: Any, world: Any, ward_officer_phuc_xa: Any) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/community/campaigns/gdat-2021/area/00139-TDP01/").status_code == 404
    assert client.get("/community/campaigns/gdat-2021/?unit=00139").status_code == 404


def test_a_member_sees_their_households_signs_and_logs_visits(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    mine, other = world.households[0], world.households[1]
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[mine])
    client.force_login(world.member)
    assert client.get("/community/").status_code == 302
    listing = client.get("/community/mine/").content.decode()
    assert mine.code in listing and other.code not in listing
    assert client.get(f"/community/mine/{other.pk}/").status_code == 404
    assert client.get(f"/community/mine/{mine.pk}/").status_code == 200
    signed = client.post(
        f"/community/mine/{mine.pk}/sign/", {"signer_name": "Nguyễn Văn An", "signed_on": ""}
    )
    assert signed.status_code == 302 and Commitment.objects.get().household_id == mine.pk
    page = client.get(f"/community/mine/{mine.pk}/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert token is not None, "the visit form renders its token"
    again = client.get(f"/community/mine/{mine.pk}/").content.decode()
    assert token.group(1) not in again, "each rendering has its own token"
    # A double click sends the form as rendered twice: one visit.
    visit = client.post(f"/community/mine/{mine.pk}/visit/", {"kind": "reminder_5k", "token": token.group(1)})
    client.post(f"/community/mine/{mine.pk}/visit/", {"kind": "reminder_5k", "token": token.group(1)})
    assert visit.status_code == 302 and Visit.objects.count() == 1
    refused = client.post(f"/community/mine/{mine.pk}/visit/", {"kind": "other", "note": ""})
    assert refused.status_code == 422 and "This field is required." in refused.content.decode()
    assert client.post(f"/community/mine/{other.pk}/visit/", {"kind": "reminder_5k"}).status_code == 404
    assert client.get("/community/members/").status_code == 403


def test_the_ward_assigns_an_area_to_a_member(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/community/members/",
        {"ward": "00139", "member": "community-00139", "area": "00139-TDP01", "households": ""},
    )
    assert response.status_code == 302
    page = client.get("/community/members/?ward=00139").content.decode()
    assert "community-00139" in page
    bad = client.post("/community/members/", {"ward": "00139", "member": "nobody", "area": "00139-TDP01"})
    assert bad.status_code == 422 and 'value="nobody"' in bad.content.decode()


def test_a_team_page_with_members_roster_and_visits(
    client: Any, world: Any, ward_officer_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    created = client.post("/community/teams/", {"area": "00139-TDP01", "name": ""})
    assert created.status_code == 302
    url = created["Location"]
    assert (
        client.post(
            url + "members/", {"full_name": "Lê Văn Tổ", "phone": "0912000001", "role": "leader"}
        ).status_code
        == 302
    )
    team = services.create_team(by=ward_officer_bo_de, area=world.area)[0]
    member = team.members.get()
    assert client.post(url + "duty/", {"member": member.pk, "day": "2021-09-15"}).status_code == 302
    assert Duty.objects.count() == 1
    assert (
        client.post(url + "visit/", {"household": world.households[0].pk, "kind": "delivery"}).status_code
        == 302
    )
    with django_assert_max_num_queries(20):
        page = client.get(url + "?start=2021-09-13")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lê Văn Tổ" in body and "isolation follow-ups in the area" in body
    bad = client.post(url + "members/", {"full_name": "B", "phone": "12", "role": "member"})
    assert bad.status_code == 422 and "10 digits" in bad.content.decode()


def test_housing_list_and_page(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    data = {
        "area": "00139-TDP01",
        "kind": "boarding_house",
        "name": "Nhà trọ 12",
        "address": "Ngõ 12",
        "residents": "20",
        "plan": "",
        "responsible_name": "",
        "responsible_phone": "",
        "plan_starts_on": "",
        "plan_ends_on": "",
    }
    created = client.post("/community/housing/", data)
    assert created.status_code == 302
    housing = Housing.objects.get()
    listing = client.get("/community/housing/?ward=00139").content.decode()
    assert "Nhà trọ 12" in listing and "The plan&#x27;s text" in listing
    plan = {
        "version": "1",
        "plan": "Cách ly",
        "responsible_name": "Chủ trọ",
        "responsible_phone": "0912000003",
        "plan_starts_on": "2021-09-01",
        "plan_ends_on": "2021-09-30",
    }
    assert client.post(f"/community/housing/{housing.pk}/plan/", plan).status_code == 302
    stale = client.post(f"/community/housing/{housing.pk}/plan/", plan)
    assert stale.status_code == 409
    assert client.post(f"/community/housing/{housing.pk}/tick/", {"key": "handwash"}).status_code == 302
    assert client.get(f"/community/housing/{housing.pk}/").status_code == 200
    bad = client.post("/community/housing/", {**data, "name": "Khác", "kind": "hotel"})
    assert bad.status_code == 422 and 'value="Khác"' in bad.content.decode()


def test_a_refused_plan_keeps_what_was_typed(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    row, _ = services.register_housing(
        by=ward_officer_bo_de, area=world.area, kind="boarding_house", name="Nhà trọ 7", address="Ngõ 7"
    )
    client.force_login(ward_officer_bo_de)
    typed = {
        "version": "1",
        "plan": "Bố trí phòng cách ly tầng 1",
        "responsible_name": "Chủ trọ",
        "responsible_phone": "12",
        "plan_starts_on": "2021-09-01",
        "plan_ends_on": "",
    }
    response = client.post(f"/community/housing/{row.pk}/plan/", typed)
    body = response.content.decode()
    assert response.status_code == 422 and "10 digits" in body
    assert "Bố trí phòng cách ly tầng 1" in body and 'value="2021-09-01"' in body
    row.refresh_from_db()
    assert row.plan == "" and row.version == 1


def test_lists_are_bounded_in_queries(
    client: Any, world: Any, ward_officer_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        services.register_housing(
            by=ward_officer_bo_de,
            area=world.area,
            kind="old_apartments",
            name=f"Khu tập thể {n}",
            address="Ngõ",
        )
    homes = world.households + [make_household(world.area, n) for n in range(10, 32)]
    for n in range(25):
        campaign, _ = services.create_campaign(
            by=ward_officer_bo_de,
            unit=world.ward,
            code=f"bd-{n}",
            name_vi=f"Đợt {n}",
            name_en="",
            starts_on=date(2021, 9, 1),
        )
        services.sign_commitment(
            by=ward_officer_bo_de, campaign=campaign, household=homes[n], signer_name="An", clock=CLOCK
        )
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=homes)
    for home in homes:
        services.log_visit(by=world.member, household=home, kind="reminder_5k", clock=CLOCK)
    client.force_login(ward_officer_bo_de)
    with django_assert_max_num_queries(10):
        housing = client.get("/community/housing/")
    assert housing.status_code == 200 and housing.content.decode().count("Khu tập thể") >= 25
    with django_assert_max_num_queries(10):
        assert client.get("/community/members/?ward=00139").status_code == 200
    client.force_login(world.member)
    with django_assert_max_num_queries(10):
        mine = client.get("/community/mine/")
    assert mine.status_code == 200 and all(home.code in mine.content.decode() for home in homes)
