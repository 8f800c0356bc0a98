"""Review fixes (issue #10): bad numbers and dates answer errors (never 500), a double-submitted form logs
once, a member who lost their role loses their households, NUL bytes are refused, the ward takes
households back, a reused idempotency key with another visit is 409."""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import Http404

from phaodai.community import selectors, services
from phaodai.community.models import Assignment, Team, TeamMember, Visit
from phaodai.community.tests.world import SEPT_15, fixed
from phaodai.core.clock import local_date, now
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted, OutOfScope

pytestmark = pytest.mark.django_db
CLOCK = fixed(SEPT_15)
API = "/api/v1/community"
BAD_NUMBERS = ("²", "١٢", "9" * 5000, "-1", "1e3")


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_a_household_id_not_in_ascii_digits_is_404(world: Any, text: str) -> None:
    with pytest.raises(Http404):
        selectors.household_in_area(world.area, text)


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_a_team_member_key_not_in_ascii_digits_is_404(world: Any, ward_officer_bo_de: Any, text: str) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    with pytest.raises(Http404):
        selectors.member_of_team(team, text)


@pytest.mark.parametrize("text", BAD_NUMBERS)
def test_residents_not_in_ascii_digits_is_a_field_error(
    world: Any, ward_officer_bo_de: Any, text: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.register_housing(
            by=ward_officer_bo_de,
            area=world.area,
            kind="old_apartments",
            name="Khu A",
            address="Ngõ 1",
            residents=text,
        )
    assert refused.value.field == "residents"


def test_pages_with_odd_numbers_answer_without_500(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    client.force_login(ward_officer_bo_de)
    visit = client.post(f"/community/teams/{team.pk}/visit/", {"household": "²", "kind": "reminder_5k"})
    duty = client.post(f"/community/teams/{team.pk}/duty/", {"member": "²", "day": "2021-09-15"})
    housing = client.post(
        "/community/housing/",
        {
            "area": world.area.code,
            "kind": "old_apartments",
            "name": "Khu A",
            "address": "Ngõ",
            "residents": "²",
        },
    )
    assert (visit.status_code, duty.status_code, housing.status_code) == (404, 404, 422)


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-30", "1900-01-01"])
def test_the_roster_far_in_time_shows_this_week(
    client: Any, world: Any, ward_officer_bo_de: Any, start: str
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    client.force_login(ward_officer_bo_de)
    response = client.get(f"/community/teams/{team.pk}/?start={start}")
    week_before = (local_date(now()) - timedelta(days=7)).isoformat()
    assert response.status_code == 200 and f'href="?start={week_before}"' in response.content.decode()


def test_the_team_form_renders_a_token_and_a_double_submit_logs_once(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    import re

    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/community/teams/{team.pk}/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page)
    assert token is not None
    body = {"household": str(world.households[0].pk), "kind": "reminder_5k", "token": token.group(1)}
    first = client.post(f"/community/teams/{team.pk}/visit/", body)
    second = client.post(f"/community/teams/{team.pk}/visit/", body)
    assert (first.status_code, second.status_code) == (302, 302) and Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("０９１２ ３４５ ６７８", "0912345678"),  # full-width digits
        ("٠٩١٢٣٤٥٦٧٨", "0912345678"),  # Arabic-Indic digits
        ("+84 912-345-678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("091234567²", None),
        ("0912 345 67x8", None),
        ("12345", None),
    ],
)
def test_member_phones_are_read_as_every_app_reads_them(
    world: Any, ward_officer_bo_de: Any, typed: str, stored: str | None
) -> None:
    # The member's phone goes through core.identity.normalize_phone (digits of other scripts folded).
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    if stored is None:
        with pytest.raises(InvalidInput) as refused:
            services.add_team_member(
                by=ward_officer_bo_de, team=team, full_name="Ba", phone=typed, role="member"
            )
        assert refused.value.field == "phone"
        return
    member, _ = services.add_team_member(
        by=ward_officer_bo_de, team=team, full_name="Ba", phone=typed, role="member"
    )
    assert member.phone == stored
    assert selectors.member_of_team(team, typed).pk == member.pk  # a roster sheet names them so


def _drop_roles(user: Any) -> Any:
    from phaodai.accounts.selectors import user_by_username

    user.role_assignments.update(active=False)
    return user_by_username(user.username) or type(user).objects.get(pk=user.pk)


def test_a_member_who_lost_their_role_loses_their_households(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    home = world.households[0]
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[home])
    member = _drop_roles(world.member)
    fresh = type(member).objects.get(pk=member.pk)
    with pytest.raises(Http404):
        selectors.my_household(fresh, home.pk)
    with pytest.raises(Http404):
        selectors.my_household_by_code(fresh, home.code)
    with pytest.raises((NotPermitted, OutOfScope)):
        services.log_visit(by=fresh, household=home, kind="reminder_5k", clock=CLOCK)
    with pytest.raises((NotPermitted, OutOfScope)):
        services.sign_commitment(by=fresh, campaign=world.campaign, household=home, signer_name="An")
    client.force_login(fresh)
    assert client.get(f"/community/mine/{home.pk}/").status_code == 404
    assert client.post(f"/community/mine/{home.pk}/visit/", {"kind": "reminder_5k"}).status_code == 404
    assert Visit.objects.count() == 0


def test_the_ward_takes_households_back_on_the_page_and_the_api(
    client: Any, world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    homes = world.households[:2]
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=homes)
    client.force_login(ward_officer_phuc_xa)
    outside = client.post(
        "/community/members/unassign/", {"ward": "00139", "area": world.area.code, "household": homes[0].code}
    )
    assert outside.status_code == 404 and Assignment.objects.count() == 2
    client.force_login(ward_officer_bo_de)
    page = client.post(
        "/community/members/unassign/", {"ward": "00139", "area": world.area.code, "household": homes[0].code}
    )
    assert page.status_code == 302 and not Assignment.objects.filter(household_id=homes[0].pk).exists()
    body = {"area": world.area.code, "household": homes[1].code}
    api = client.post(f"{API}/assignments/remove", body, content_type="application/json")
    again = client.post(f"{API}/assignments/remove", body, content_type="application/json")
    assert api.status_code == 200 and api.json() == {"household": homes[1].code, "removed": True}
    assert again.json()["removed"] is False and Assignment.objects.count() == 0
    client.force_login(world.member)
    assert client.get(f"/community/mine/{homes[0].pk}/").status_code == 404


@pytest.mark.parametrize("field", ["household", "token", "kind", "note"])
def test_nul_bytes_in_a_visit_form_are_refused(
    client: Any, world: Any, ward_officer_bo_de: Any, field: str
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    client.force_login(ward_officer_bo_de)
    body = {"household": str(world.households[0].pk), "kind": "reminder_5k", "token": "t1", "note": ""}
    body[field] = body[field] + "\x00"
    # Refused before the view by core's RefuseNulBytesMiddleware, as a form (multipart) and url-encoded.
    response = client.post(f"/community/teams/{team.pk}/visit/", body)
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    encoded = client.post(
        f"/community/teams/{team.pk}/visit/",
        urlencode(body),
        content_type="application/x-www-form-urlencoded",
    )
    assert encoded.status_code == 400 and "NUL character" in encoded.content.decode()
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/community/members/", {"ward": "00139", "member": "community-00139\x00", "area": "00139-TDP01"}),
        ("/community/members/", {"ward": "00139", "member": "community-00139", "area": "00139-TDP01\x00"}),
        ("/community/teams/", {"area": "00139-TDP01\x00"}),
    ],
)
def test_nul_bytes_in_ward_forms_are_refused(
    client: Any, world: Any, ward_officer_bo_de: Any, path: str, body: dict[str, str]
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.post(path, body)
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert Assignment.objects.count() == 0 and Team.objects.count() == 0


def test_nul_bytes_in_a_team_member_login_are_refused(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    client.force_login(ward_officer_bo_de)
    body = {"full_name": "An", "phone": "0912345678", "role": "member", "username": "community-00139\x00"}
    response = client.post(f"/community/teams/{team.pk}/members/", body)
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert not TeamMember.objects.filter(team=team).exists()


def test_my_households_show_each_wards_own_campaign(world: Any, city_commander: Any) -> None:
    bo_de, phuc_xa = world.households[0], world.far_household
    ward_campaign, _ = services.create_campaign(
        by=city_commander,
        unit=world.ward,
        code="bd-2021",
        name_vi="Bồ Đề an toàn",
        name_en="",
        starts_on=date(2021, 9, 10),
        clock=CLOCK,
    )
    services.sign_commitment(
        by=city_commander, campaign=ward_campaign, household=bo_de, signer_name="An", clock=CLOCK
    )
    services.sign_commitment(
        by=city_commander, campaign=world.campaign, household=phuc_xa, signer_name="Bình", clock=CLOCK
    )
    services.assign_households(by=city_commander, member=city_commander, households=[bo_de, phuc_xa])
    rows = {row.household.pk: row for row in selectors.my_households(city_commander)}
    signed = {pk: row.commitment.campaign_id if row.commitment else None for pk, row in rows.items()}
    assert signed == {bo_de.pk: ward_campaign.pk, phuc_xa.pk: world.campaign.pk}


def test_a_reused_key_with_another_visit_is_409(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    first, other = world.households[0], world.households[1]
    services.log_visit(
        by=ward_officer_bo_de, household=first, kind="reminder_5k", idempotency_key="k", clock=CLOCK
    )
    with pytest.raises(Conflict):
        services.log_visit(
            by=ward_officer_bo_de, household=other, kind="reminder_5k", idempotency_key="k", clock=CLOCK
        )
    with pytest.raises(Conflict):
        services.log_visit(
            by=ward_officer_bo_de, household=first, kind="delivery", idempotency_key="k", clock=CLOCK
        )
    client.force_login(ward_officer_bo_de)
    headers = {"Idempotency-Key": "api-1"}
    body = {"area": world.area.code, "household": first.code, "kind": "reminder_5k"}
    made = client.post(f"{API}/visits", body, content_type="application/json", headers=headers)
    retry = client.post(f"{API}/visits", body, content_type="application/json", headers=headers)
    moved = client.post(
        f"{API}/visits", {**body, "household": other.code}, content_type="application/json", headers=headers
    )
    assert (made.status_code, retry.status_code, moved.status_code) == (201, 200, 409)
    assert retry.json()["household"] == first.code
    assert Visit.objects.filter(household_id=other.pk).count() == 0
