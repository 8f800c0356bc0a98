"""The team pages: the list, one team, setting one up with its members as rows, and changing it."""

from collections.abc import Callable
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.inspections import services
from phaodai.inspections.models import InspectionTeam, TeamMember

pytestmark = pytest.mark.django_db


def team_form(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Đoàn liên ngành số 2",
        "level": "interdisciplinary",
        "home_unit": "004",
        "decision_number": "679-QĐ/QU",
        "decision_date": "05/09/2021",
        "area_units": ["00139", "00133"],
        "active_from": "05/09/2021 07:00",
        "active_until": "",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "Đỗ Văn Nam",
        "members-0-title": "Phó Chủ tịch UBND quận",
        "members-0-role": "leader",
        "members-0-username": "inspector-004",
        "members-1-name": "Lê Thị Hoa",
        "members-1-title": "Công an quận",
        "members-1-role": "member",
        "members-1-username": "",
        "members-2-name": "",
        "members-2-title": "",
        "members-2-role": "member",
        "members-2-username": "",
    }
    fields.update(overrides)
    return fields


def test_a_district_officer_sets_up_an_interdisciplinary_team_with_its_members(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any, unit: Callable[[str], Any]
) -> None:
    client.force_login(district_officer_long_bien)
    form = client.get("/inspections/teams/add/")
    assert form.status_code == 200
    # the area of work is chosen within Long Biên: the district and its wards, nothing of Ba Đình
    codes = [code for code, _label in form.context["form"].fields["area_units"].choices]
    assert codes[0] == "004" and "00139" in codes and "00001" not in codes
    response = client.post("/inspections/teams/add/", team_form())
    team = InspectionTeam.objects.get()
    assert response.headers["Location"] == f"/inspections/teams/{team.pk}/"
    assert (team.decision_date, team.active_from) == (hanoi(2021, 9, 5).date(), hanoi(2021, 9, 5, 7))
    assert sorted(u.code for u in team.area_units.all()) == ["00133", "00139"]
    members = list(TeamMember.objects.order_by("name").values_list("name", "role", "user"))
    assert members == [("Lê Thị Hoa", "member", None), ("Đỗ Văn Nam", "leader", inspector_team_3.pk)]
    page = client.get(f"/inspections/teams/{team.pk}/").content.decode()
    assert "679-QĐ/QU" in page and "Đỗ Văn Nam" in page and "05/09/2021" in page


def test_bad_team_input_is_explained_beside_each_field_and_nothing_is_written(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any, welfare_officer_bo_de: Any
) -> None:
    client.force_login(district_officer_long_bien)

    def errors(**overrides: Any) -> dict[str, Any]:
        response = client.post("/inspections/teams/add/", team_form(**overrides))
        assert response.status_code == 422
        return dict(response.context["form"].errors)

    assert "city team is set up by the city" in errors(level="city")["level"][0]
    assert "00001" in errors(area_units=["00001"])["area_units"][0]  # not one of the choices
    assert "at least one unit" in errors(area_units=[])["area_units"][0]
    assert "dd/mm/yyyy" in errors(decision_date="2021-13-45")["decision_date"][0]
    assert "after its start" in errors(active_until="01/09/2021 07:00")["active_until"][0]

    unknown = client.post("/inspections/teams/add/", team_form(**{"members-1-username": "nobody"}))
    assert unknown.status_code == 422
    assert "No user" in unknown.context["formset"].forms[1].errors["username"][0]
    not_inspector = client.post(
        "/inspections/teams/add/", team_form(**{"members-1-username": welfare_officer_bo_de.username})
    )
    assert "not an inspector" in not_inspector.context["formset"].forms[1].errors["username"][0]
    nameless = client.post("/inspections/teams/add/", team_form(**{"members-2-title": "Y tế"}))
    assert "member's name" in nameless.context["formset"].forms[2].errors["name"][0]
    assert not InspectionTeam.objects.exists()
    assert not TeamMember.objects.exists()


def test_the_same_decision_and_name_set_up_one_team(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any
) -> None:
    client.force_login(district_officer_long_bien)
    client.post("/inspections/teams/add/", team_form())
    again = client.post("/inspections/teams/add/", team_form())
    assert again.status_code == 409
    assert "already set up a team" in again.context["form"].errors["name"][0]
    assert InspectionTeam.objects.count() == 1


def test_a_team_is_changed_by_its_unit_and_a_stale_page_does_not_overwrite(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any
) -> None:
    client.force_login(district_officer_long_bien)
    client.post("/inspections/teams/add/", team_form())
    team = InspectionTeam.objects.get()
    form = client.get(f"/inspections/teams/{team.pk}/edit/")
    assert form.status_code == 200
    seen = form.context["form"].initial["seen"]
    rows = form.context["formset"].initial
    assert [r["name"] for r in rows] == ["Đỗ Văn Nam", "Lê Thị Hoa"]
    changed = team_form(
        seen=seen,
        area_units=["00139"],
        active_until="30/09/2021 18:00",
        **{"members-1-name": "", "members-1-title": ""},  # clearing a row removes the member
    )
    response = client.post(f"/inspections/teams/{team.pk}/edit/", changed)
    assert response.status_code == 302
    team.refresh_from_db()
    assert [u.code for u in team.area_units.all()] == ["00139"]
    assert team.active_until == hanoi(2021, 9, 30, 18)
    assert list(TeamMember.objects.values_list("name", flat=True)) == ["Đỗ Văn Nam"]
    assert AuditEntry.objects.filter(action="inspections.update_team", object_id=str(team.pk)).count() == 1
    # the same page sent again is stale now: nothing is overwritten
    stale = client.post(f"/inspections/teams/{team.pk}/edit/", {**changed, "area_units": ["00133"]})
    assert stale.status_code == 409
    assert "changed this team meanwhile" in stale.content.decode()
    assert [u.code for u in team.area_units.all()] == ["00139"]
    # the level and the unit that set it up are not changed here
    fresh = client.get(f"/inspections/teams/{team.pk}/edit/").context["form"].initial["seen"]
    posted = client.post(
        f"/inspections/teams/{team.pk}/edit/", team_form(seen=fresh, level="district", home_unit="01")
    )
    assert posted.status_code == 302
    team.refresh_from_db()
    assert (team.level, team.home_unit.code) == ("interdisciplinary", "004")


def test_who_sees_and_changes_a_team(
    client: Any,
    team_3: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    city_commander: Any,
    ward_officer_bo_de: Any,
    inspector_team_3: Any,
) -> None:
    url = f"/inspections/teams/{team_3.pk}/"
    client.force_login(district_officer_ba_dinh)
    assert client.get(url).status_code == 404
    client.force_login(ward_officer_bo_de)
    assert client.get(url).status_code == 403
    assert client.get("/inspections/teams/add/").status_code == 403
    # Long Biên sees the city's team working in it, but only the city changes it
    client.force_login(district_officer_long_bien)
    page = client.get(url)
    assert page.status_code == 200 and "Nguyễn Văn Hùng" in page.content.decode()
    assert client.get(f"{url}edit/").status_code == 403
    client.force_login(inspector_team_3)
    assert client.get(url).status_code == 200
    assert client.get("/inspections/teams/add/").status_code == 403
    client.force_login(city_commander)
    assert client.get(f"{url}edit/").status_code == 200


def test_the_team_list_reads_a_bounded_number_of_queries(
    client: Any, city_commander: Any, unit: Callable[[str], Any], django_assert_max_num_queries: Any
) -> None:
    for number in range(1, 7):
        services.create_team(
            by=city_commander,
            name=f"Tổ công tác số {number}",
            level="city",
            decision_number="1103-QĐ/TU",
            decision_date=hanoi(2021, 9, 1).date(),
            home_unit=unit("01"),
            area_units=[unit("004"), unit("001")],
            members=[services.MemberSpec(f"Thành viên {number}")],
            active_from=hanoi(2021, 9, 1),
        )
    client.force_login(city_commander)
    with django_assert_max_num_queries(8):
        page = client.get("/inspections/teams/")
    assert len(page.context["rows"]) == 6
    assert all(team.member_count == 1 for team in page.context["rows"])


def test_an_edit_without_the_version_read_is_refused(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any
) -> None:
    client.force_login(district_officer_long_bien)
    client.post("/inspections/teams/add/", team_form())
    team = InspectionTeam.objects.get()
    for seen in ("", "yesterday", "2021-09-05T07:00:00"):  # missing, garbled, without its offset
        changed = team_form(seen=seen, area_units=["00139"])
        refused = client.post(f"/inspections/teams/{team.pk}/edit/", changed)
        assert refused.status_code == 422, seen
        assert "lacks the team" in refused.context["form"].errors["seen"][0]
        assert "reload the page and try again" in refused.content.decode()  # shown above the form
    assert sorted(u.code for u in team.area_units.all()) == ["00133", "00139"]
    assert not AuditEntry.objects.filter(action="inspections.update_team").exists()
