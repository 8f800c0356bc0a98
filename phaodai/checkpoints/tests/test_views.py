"""The checkpoint pages: list and filters, a checkpoint, registering and editing, the roster week with
adding, removing and copying shifts, the crossing log and the stats — without JavaScript."""

from typing import Any

import pytest
import time_machine

from phaodai.checkpoints import services
from phaodai.checkpoints.models import Checkpoint, Shift
from phaodai.checkpoints.tests.conftest import CLOCK, NOW, denied, entry
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def checkpoint_form(**overrides: Any) -> dict[str, Any]:
    values = {
        "code": "004-02", "name": "Chốt đầu cầu Vĩnh Tuy", "name_en": "", "kind": "district", "unit": "004",
        "other_side": "", "road": "Cầu Vĩnh Tuy", "location": "Phường Phúc Đồng", "latitude": "",
        "longitude": "", "neighbouring_province": "", "active_from": "2021-08-23T06:00", "active_until": "",
        "procedure": "", "status": "active",
    }  # fmt: skip
    values.update(overrides)
    return values


def test_the_list_filters_by_kind_district_and_name(
    client: Any, city_commander: Any, ql6: Any, chuong_duong: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(city_commander)
    with django_assert_max_num_queries(12):
        response = client.get("/checkpoints/?kind=district&district=268")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-checkpoint="268-01"' in html and 'data-checkpoint="004-01"' not in html
    partial = client.get("/checkpoints/?q=chuong+duong", headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "Chốt đầu cầu Chương Dương" in partial.content.decode()


def test_the_list_is_vietnamese_first(vietnamese_client: Any, city_commander: Any, ql6: Any) -> None:
    vietnamese_client.force_login(city_commander)
    response = vietnamese_client.get("/checkpoints/")
    assert response.status_code == 200 and response.headers["Content-Language"] == "vi"


def test_a_checkpoint_shows_its_facts_who_is_on_shift_and_todays_crossings(
    client: Any,
    checkpoint_officer_ql6: Any,
    city_commander: Any,
    ql6: Any,
    django_assert_max_num_queries: Any,
) -> None:
    services.add_shift(
        by=city_commander, checkpoint=ql6, starts_at=hanoi(2021, 9, 14, 6), ends_at=hanoi(2021, 9, 14, 14),
        staff=[services.StaffRef(user=checkpoint_officer_ql6)], clock=CLOCK,
    )  # fmt: skip
    services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="p", clock=CLOCK,
        entries=[entry(ql6, "a"), denied(ql6, "b", hanoi(2021, 9, 14, 8, 40), "PD-PERMIT-0001")],
    )  # fmt: skip
    client.force_login(checkpoint_officer_ql6)
    with django_assert_max_num_queries(14):
        response = client.get(f"/checkpoints/{ql6.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Huyện Chương Mỹ" in html and 'id="other-side"' in html
    assert "checkpoint-268" in html and 'data-rule="PD-PERMIT-0001"' in html
    assert "Edit the checkpoint" not in html  # a checkpoint officer reads, does not manage


def test_a_manager_registers_a_checkpoint_and_a_refusal_shows_beside_its_field(
    client: Any, district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    assert client.get("/checkpoints/new/").status_code == 200
    refused = client.post("/checkpoints/new/", checkpoint_form(kind="ward"))
    assert refused.status_code == 422
    assert "is run by a ward; Quận Long Biên is not one." in refused.content.decode()
    unknown = client.post("/checkpoints/new/", checkpoint_form(other_side="99999"))
    assert unknown.status_code == 422 and "No unit has this code." in unknown.content.decode()
    outside = client.post("/checkpoints/new/", checkpoint_form(unit="268"))
    assert outside.status_code == 422  # not among the choices
    response = client.post("/checkpoints/new/", checkpoint_form())
    made = Checkpoint.objects.get(code="004-02")
    assert response.status_code == 302 and response["Location"] == f"/checkpoints/{made.pk}/"
    assert made.active_from == hanoi(2021, 8, 23, 6)


def test_editing_is_compare_and_set(client: Any, district_officer_long_bien: Any, chuong_duong: Any) -> None:
    client.force_login(district_officer_long_bien)
    url = f"/checkpoints/{chuong_duong.pk}/edit/"
    assert client.get(url).status_code == 200
    form = checkpoint_form(code="004-01", name="Chốt đầu cầu Chương Dương", status="suspended", version="1")
    form.pop("unit")
    assert client.post(url, form).status_code == 302
    stale = client.post(url, form)
    assert stale.status_code == 409 and "Someone changed this checkpoint meanwhile" in stale.content.decode()
    assert Checkpoint.objects.get(pk=chuong_duong.pk).status == "suspended"


def test_the_roster_week_and_adding_a_shift_with_a_clash_refused(
    client: Any, city_commander: Any, checkpoint_officer_ql6: Any, ql6: Any, checkpoint_of: Any,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    client.force_login(city_commander)
    url = f"/checkpoints/{ql6.pk}/roster/"
    shift = {
        "week": "2021-09-13", "starts_at": "2021-09-15T06:00", "ends_at": "2021-09-15T14:00",
        "users": ["checkpoint-268"], "full_name": "Nguyễn Văn Hùng", "organisation": "police",
        "phone": "0912345678",
    }  # fmt: skip
    response = client.post(f"/checkpoints/{ql6.pk}/roster/shifts/", shift)
    assert response.status_code == 302 and response["Location"] == f"{url}?week=2021-09-13"
    with django_assert_max_num_queries(16):
        page = client.get(f"{url}?week=2021-09-15")
    html = page.content.decode()
    assert page.status_code == 200 and "Nguyễn Văn Hùng" in html and 'data-day="2021-09-15"' in html
    south = checkpoint_of("268", code="268-06", name="Chốt Trục phía Nam", road="Trục phía Nam")
    clash = client.post(
        f"/checkpoints/{south.pk}/roster/shifts/", {**shift, "users": [], "starts_at": "2021-09-15T10:00"}
    )
    assert clash.status_code == 409
    assert "is already on shift at Chốt QL6 Yên Nghĩa from 06:00 15/09/2021" in clash.content.decode()
    empty = client.post(
        f"/checkpoints/{ql6.pk}/roster/shifts/",
        {**shift, "users": [], "full_name": "", "organisation": "", "phone": ""},
    )
    assert empty.status_code == 422 and "Name at least one person" in empty.content.decode()


def test_adding_people_to_a_shift_removing_it_and_copying_last_week(
    client: Any, city_commander: Any, ql6: Any
) -> None:
    client.force_login(city_commander)
    made = services.add_shift(
        by=city_commander, checkpoint=ql6, starts_at=hanoi(2021, 9, 8, 6), ends_at=hanoi(2021, 9, 8, 14),
        staff=[services.StaffRef(full_name="Vũ Thị Lan", organisation="youth_union", phone="0987654321")],
        clock=CLOCK,
    )  # fmt: skip
    person = {"full_name": "Nguyễn Văn Hùng", "organisation": "police", "phone": "0912345678"}
    assert client.post(f"/checkpoints/shifts/{made.pk}/staff/", person).status_code == 302
    assert made.staff.count() == 2
    copied = client.post(f"/checkpoints/{ql6.pk}/roster/copy/", {"week": "2021-09-13"}, follow=True)
    assert "1 shift copied (2 people)." in copied.content.decode()
    future = Shift.objects.get(starts_at=hanoi(2021, 9, 15, 6))
    started = client.post(f"/checkpoints/shifts/{made.pk}/remove/", follow=True)
    assert "cannot be removed" in started.content.decode()
    assert client.post(f"/checkpoints/shifts/{future.pk}/remove/").status_code == 302
    assert not Shift.objects.filter(pk=future.pk).exists()


def test_readers_who_do_not_manage_get_403_on_changes_and_outsiders_404(
    client: Any, checkpoint_officer_ql6: Any, district_officer_long_bien: Any, ql6: Any
) -> None:
    client.force_login(checkpoint_officer_ql6)
    assert client.get(f"/checkpoints/{ql6.pk}/roster/").status_code == 200
    assert client.post(f"/checkpoints/{ql6.pk}/roster/copy/", {"week": "2021-09-13"}).status_code == 403
    client.force_login(district_officer_long_bien)
    assert client.get(f"/checkpoints/{ql6.pk}/").status_code == 404
    assert client.post(f"/checkpoints/{ql6.pk}/roster/copy/", {"week": "2021-09-13"}).status_code == 404


def test_the_crossing_log_pages_newest_first(
    client: Any, checkpoint_officer_ql6: Any, ql6: Any, django_assert_max_num_queries: Any
) -> None:
    entries = [entry(ql6, f"r{n:03d}", at=hanoi(2021, 9, 14, 7, n % 60, n // 60)) for n in range(60)]
    entries.append(denied(ql6, "d1", hanoi(2021, 9, 14, 8, 50), "PD-ALL-0001"))
    services.sync_crossings(by=checkpoint_officer_ql6, device_id="p", entries=entries, clock=CLOCK)
    client.force_login(checkpoint_officer_ql6)
    with django_assert_max_num_queries(10):
        first = client.get(f"/checkpoints/{ql6.pk}/crossings/")
    page = first.context["page"]
    assert len(page.items) == 50 and page.items[0].local_id == "d1" and page.next_after
    rest = client.get(
        f"/checkpoints/{ql6.pk}/crossings/?{first.context['next_query']}", headers={"HX-Request": "true"}
    )
    assert len(rest.context["page"].items) == 11 and rest.context["page"].next_after is None
    assert "<html" not in rest.content.decode()
    only = client.get(f"/checkpoints/{ql6.pk}/crossings/?decision=denied")
    assert [c.local_id for c in only.context["page"].items] == ["d1"]
    assert client.get(f"/checkpoints/{ql6.pk}/crossings/?after=nonsense|x").status_code == 404
    for cursor in (
        "0001-01-01T00:00:00+07:00|1",  # before any UTC instant
        "2021-09-14T08:00:00+07:00|99999999999999999999999",  # past any database integer
        "2021-09-14T08:00:00|1",  # no offset
    ):
        assert client.get(f"/checkpoints/{ql6.pk}/crossings/", {"after": cursor}).status_code == 404


def test_the_stats_pages(
    client: Any,
    checkpoint_officer_ql6: Any,
    city_commander: Any,
    ql6: Any,
    django_assert_max_num_queries: Any,
) -> None:
    services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="p", clock=CLOCK,
        entries=[entry(ql6, "a"), denied(ql6, "b", hanoi(2021, 9, 14, 8, 40), "PD-PERMIT-0001")],
    )  # fmt: skip
    client.force_login(checkpoint_officer_ql6)
    with django_assert_max_num_queries(10):
        page = client.get(f"/checkpoints/{ql6.pk}/stats/?day=2021-09-14")
    html = page.content.decode()
    assert 'data-hour="8"' in html and "peak 08:00 (2)" in html and 'data-rule="PD-PERMIT-0001"' in html
    with django_assert_max_num_queries(12):
        district = client.get("/checkpoints/stats/?day=14/09/2021")
    assert district.status_code == 200 and 'data-checkpoint="268-01"' in district.content.decode()
    assert client.get("/checkpoints/stats/?district=004").status_code == 404
    client.force_login(city_commander)
    assert client.get("/checkpoints/stats/?district=268&day=2021-09-14").context["overall"].crossings == 2


def test_the_verifier_manifest_opens_the_checkpoint_asked_or_the_verifier(client: Any, ql6: Any) -> None:
    url = "/checkpoints/verifier/manifest.webmanifest"
    assert client.get(url, {"checkpoint": ql6.pk}).json()["start_url"] == f"/checkpoints/{ql6.pk}/verify/"
    for bad in ("x", "²", "¹²"):  # superscripts are digits to isdigit(), not to int()
        answer = client.get(url, {"checkpoint": bad})
        assert answer.status_code == 200 and answer.json()["start_url"] == "/checkpoints/"
