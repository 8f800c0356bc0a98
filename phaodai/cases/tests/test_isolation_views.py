"""Isolation pages: the list, the order form (from a case or tracing page, or by CCCD), an order with its
schedule and actions, the daily check, the worklist and its printable sheets, lost to follow-up."""

import re
from datetime import date
from typing import Any

import pytest
import time_machine

from phaodai.cases import isolation, services
from phaodai.cases.models import FollowUp, IsolationOrder
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.isolation_support import day, facility, order
from phaodai.people.tests.conftest import cccd_for, make_area
from phaodai.quarantine.models import Admission

pytestmark = pytest.mark.django_db
NOW = day(12, 10)  # the pages' clock: 10:00 12/9/2021


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def cccd_of(n: int) -> str:
    return cccd_for(1980, "M", serial=100000 + n)  # as the cases conftest's resident(n)


# The list --------------------------------------------------------------------------------------------


def test_the_list_shows_open_orders_with_todays_counts(
    client: Any, resident: Any, health_worker_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    made = [order(health_worker_bo_de, resident(n)) for n in range(1, 6)]
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(12):
        page = client.get("/cases/isolation/")
    assert page.status_code == 200
    body = text(page)
    assert all(f'data-order="{o.pk}"' in body for o in made)
    assert '<dd data-kind="home">5</dd>' in body
    assert client.get("/cases/isolation/?status=released").content.count(b"data-order=") == 0


def test_roles_that_do_not_isolate_get_403(client: Any, welfare_officer_bo_de: Any) -> None:
    client.force_login(welfare_officer_bo_de)
    assert client.get("/cases/isolation/").status_code == 403


# Ordering --------------------------------------------------------------------------------------------


def test_an_order_from_a_tracing_page_suggests_the_persons_level_and_issues_once(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    f0, contact = resident(0), resident(1)
    services.record_case(
        by=health_worker_bo_de, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
        source_known=False, test_ref="LB-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    services.add_contacts(
        by=health_worker_bo_de, source=f0,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=contact)],
        clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    client.force_login(health_worker_bo_de)
    form = client.get(f"/cases/isolation/new/?person={contact.pk}")
    assert form.status_code == 200
    body = text(form)
    assert contact.full_name in body and 'name="cccd"' not in body
    assert '<option value="F1" selected>' in body and '<option value="facility" selected>' in body
    data = {"person": str(contact.pk), "subject": "F1", "setting": "home", "token": "t-1"}
    first = client.post("/cases/isolation/new/", data)
    again = client.post("/cases/isolation/new/", data)
    made = IsolationOrder.objects.get()
    assert first.url == again.url == f"/cases/isolation/{made.pk}/"
    assert made.case is not None
    assert (made.subject, made.starts_at, made.case.person_id) == ("F1", NOW, f0.pk)


def test_an_f0_order_from_the_case_page(client: Any, resident: Any, health_worker_bo_de: Any) -> None:
    case, _ = services.record_case(
        by=health_worker_bo_de, person=resident(0), confirmed_at=SEPT_10_MORNING, detected_in="community",
        source_known=True, test_ref="LB-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    client.force_login(health_worker_bo_de)
    assert '<option value="F0" selected>' in text(client.get(f"/cases/isolation/new/?case={case.pk}"))
    done = client.post("/cases/isolation/new/", {"case": case.pk, "subject": "F0", "setting": "hospital"})
    assert done.status_code == 302
    assert IsolationOrder.objects.get().case_id == case.pk


def test_an_order_by_cccd_typed_in_the_form(client: Any, resident: Any, ward_officer_bo_de: Any) -> None:
    person = resident(3)
    client.force_login(ward_officer_bo_de)
    done = client.post("/cases/isolation/new/", {"cccd": cccd_of(3), "subject": "other", "setting": "home"})
    assert done.status_code == 302
    assert IsolationOrder.objects.get().person_id == person.pk


def test_a_cccd_unknown_here_is_refused_the_same_whether_it_exists_elsewhere(
    client: Any, resident: Any, ward_officer_phuc_xa: Any
) -> None:
    resident(3)
    client.force_login(ward_officer_phuc_xa)
    elsewhere = client.post("/cases/isolation/new/", {"cccd": cccd_of(3), "subject": "F1", "setting": "home"})
    nowhere = client.post("/cases/isolation/new/", {"cccd": cccd_of(99), "subject": "F1", "setting": "home"})
    malformed = client.post("/cases/isolation/new/", {"cccd": "12345", "subject": "F1", "setting": "home"})
    assert (elsewhere.status_code, nowhere.status_code, malformed.status_code) == (422, 422, 422)
    assert "No person with this CCCD lives in your jurisdiction" in text(elsewhere)
    assert text(elsewhere).count("errorlist") == text(nowhere).count("errorlist") == 1
    assert 'id="id_cccd-errors"' in text(malformed)
    assert not IsolationOrder.objects.exists()


def test_a_second_order_shows_the_first(client: Any, resident: Any, health_worker_bo_de: Any) -> None:
    person = resident(1)
    first = order(health_worker_bo_de, person, starts=day(11), now=day(11))
    client.force_login(health_worker_bo_de)
    refused = client.post(
        "/cases/isolation/new/",
        {"person": str(person.pk), "subject": "F2", "setting": "home", "token": "t-2"},
    )
    assert refused.status_code == 409
    assert f'href="/cases/isolation/{first.pk}/"' in text(refused)
    assert IsolationOrder.objects.count() == 1


def test_a_full_facility_refuses_the_order_beside_the_room_and_writes_nothing(
    client: Any, resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    small = facility(city_commander, unit, "Trường THCS Ngọc Lâm", beds=(1, 0, 0))
    facility(city_commander, unit, "Ký túc xá Long Biên", beds=(2, 0, 0))
    order(health_worker_bo_de, resident(1), setting="facility", facility=small, starts=day(11), now=day(11))
    person = resident(2)
    client.force_login(health_worker_bo_de)
    data = {"person": str(person.pk), "subject": "F1", "setting": "facility", "facility": small.pk}
    refused = client.post("/cases/isolation/new/", data)
    assert refused.status_code == 409
    body = text(refused)
    assert 'id="id_room_kind-errors"' in body and "Ký túc xá Long Biên (2)" in body
    assert IsolationOrder.objects.filter(person=person).count() == 0
    assert Admission.objects.count() == 1


def test_a_person_outside_the_jurisdiction_is_404(
    client: Any, resident: Any, ward_officer_phuc_xa: Any
) -> None:
    person = resident(1)
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/cases/isolation/new/?person={person.pk}").status_code == 404
    assert client.get("/cases/isolation/new/?person=not-a-uuid").status_code == 404
    assert client.get("/cases/isolation/new/?case=x").status_code == 404


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "spell",
    [
        lambda pk: "²",  # str.isdigit() takes it, int() does not
        lambda pk: f"{pk}²",
        lambda pk: str(pk).translate(ARABIC_INDIC),  # int() reads these as the case's own id
        lambda pk: str(pk).translate(FULLWIDTH),
        lambda pk: "0",
        lambda pk: f"-{pk}",
        lambda pk: f"{pk}.0",
        lambda pk: f" {pk}",
        lambda pk: "9" * 30,
    ],
)
def test_a_case_id_that_is_not_plain_ascii_digits_is_404_not_an_error(
    client: Any, resident: Any, health_worker_bo_de: Any, spell: Any
) -> None:
    case, _ = services.record_case(
        by=health_worker_bo_de, person=resident(0), confirmed_at=SEPT_10_MORNING, detected_in="community",
        source_known=True, test_ref="LB-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    raw = spell(case.pk)
    client.force_login(health_worker_bo_de)
    assert client.get("/cases/isolation/new/", {"case": raw}).status_code == 404
    posted = client.post("/cases/isolation/new/", {"case": raw, "subject": "F0", "setting": "hospital"})
    assert posted.status_code == 404
    assert IsolationOrder.objects.count() == 0
    assert client.get("/cases/isolation/new/", {"case": str(case.pk)}).status_code == 200


# An order --------------------------------------------------------------------------------------------


def test_an_order_shows_its_schedule_checks_and_actions(
    client: Any, resident: Any, health_worker_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    isolation.record_follow_up(
        by=health_worker_bo_de, order=made, day=date(2021, 9, 11), result="well", clock=at(day(11, 18))
    )
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(12):
        page = client.get(f"/cases/isolation/{made.pk}/")
    body = text(page)
    assert "09:00 24/09/2021" in body and "09:00 01/10/2021" in body
    assert all(d in body for d in ("10/09/2021", "16/09/2021", "23/09/2021"))
    assert 'data-day="2021-09-11"' in body
    assert all(f'id="{section}"' in body for section in ("follow-up", "release", "cancel", "monitoring"))


def test_an_early_release_asks_why_beside_the_reason(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    client.force_login(health_worker_bo_de)
    refused = client.post(f"/cases/isolation/{made.pk}/release/", {"decision": "12/QĐ-UBND", "version": 1})
    assert refused.status_code == 422
    assert 'id="id_reason-errors"' in text(refused)
    done = client.post(
        f"/cases/isolation/{made.pk}/release/",
        {"decision": "12/QĐ-UBND", "version": 1, "reason": "Moved to hospital"},
    )
    assert done.status_code == 302
    assert IsolationOrder.objects.get().status == "released"
    again = client.post(f"/cases/isolation/{made.pk}/release/", {"decision": "13/QĐ-UBND", "reason": "x"})
    assert again.status_code == 409
    assert "already released or cancelled" in text(again)


def test_moving_to_monitoring_before_the_end_is_refused_on_the_page(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    client.force_login(health_worker_bo_de)
    refused = client.post(f"/cases/isolation/{made.pk}/monitoring/", {"version": 1})
    assert refused.status_code == 422
    assert "The isolation runs until 09:00 24/09/2021" in text(refused)


def test_cancelling_needs_a_reason(client: Any, resident: Any, ward_officer_bo_de: Any) -> None:
    made = order(ward_officer_bo_de, resident(1))
    client.force_login(ward_officer_bo_de)
    assert client.post(f"/cases/isolation/{made.pk}/cancel/", {"reason": "", "version": 1}).status_code == 422
    assert (
        client.post(
            f"/cases/isolation/{made.pk}/cancel/", {"reason": "Wrong person", "version": 1}
        ).status_code
        == 302
    )
    assert IsolationOrder.objects.get().status == "cancelled"


# Checks and worklists --------------------------------------------------------------------------------


def test_a_check_from_the_worklist_returns_to_it(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    client.force_login(health_worker_bo_de)
    form = client.get(f"/cases/isolation/{made.pk}/follow-up/?day=2021-09-11&back=worklist")
    assert 'value="2021-09-11"' in text(form)
    data = {
        "day": "2021-09-11",
        "result": "symptoms",
        "symptoms": ["fever"],
        "temperature": "38.1",
        "back": "worklist",
    }
    done = client.post(f"/cases/isolation/{made.pk}/follow-up/", data)
    assert done.status_code == 302
    assert done.url == "/cases/isolation/worklist/?day=2021-09-11&area=00139-TDP05"
    assert FollowUp.objects.get().symptoms == ["fever"]
    different = client.post(
        f"/cases/isolation/{made.pk}/follow-up/",
        {"day": "2021-09-11", "result": "unreachable", "back": "worklist"},
    )
    assert different.status_code == 409 and 'id="id_day-errors"' in text(different)


def test_a_check_for_a_future_day_is_refused_beside_the_day(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    client.force_login(health_worker_bo_de)
    refused = client.post(f"/cases/isolation/{made.pk}/follow-up/", {"day": "2021-09-13", "result": "well"})
    assert refused.status_code == 422
    assert "13/09/2021 has not come yet" in text(refused)
    assert not FollowUp.objects.exists()


@pytest.fixture
def two_areas(resident: Any, health_worker_bo_de: Any) -> list[Any]:
    tdp6 = make_area("00139", "TDP06", "Tổ dân phố 6")
    return [order(health_worker_bo_de, resident(n, area=tdp6 if n % 2 else None)) for n in range(1, 7)]


def test_the_worklist_page_by_area(
    client: Any, two_areas: list[Any], health_worker_bo_de: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(12):
        page = client.get("/cases/isolation/worklist/")
    body = text(page)
    assert body.count('class="card area"') == 2
    assert body.count("Record the check") == 6
    one = text(client.get("/cases/isolation/worklist/?area=00139-TDP06&day=2021-09-12"))
    assert one.count("data-order=") == 3


def test_the_printable_worklist_has_one_page_per_area(
    client: Any, two_areas: list[Any], health_worker_bo_de: Any
) -> None:
    client.force_login(health_worker_bo_de)
    body = text(client.get("/cases/isolation/worklist/print/?day=2021-09-12"))
    assert body.count('<section class="sheet"') == 2
    assert "break-after:page" in body
    assert "Tổ dân phố 6" in body and "Tổ dân phố 5" in body


def test_a_worklist_of_an_area_outside_the_jurisdiction_is_404(
    client: Any, two_areas: list[Any], ward_officer_phuc_xa: Any
) -> None:
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/cases/isolation/worklist/?area=00139-TDP06").status_code == 404
    assert client.get("/cases/isolation/worklist/?day=yesterday").status_code == 422
    assert "Nobody to check on this day." in text(client.get("/cases/isolation/worklist/"))


def test_the_lost_page_lists_people_not_checked_for_two_days(
    client: Any, resident: Any, health_worker_bo_de: Any
) -> None:
    seen, unseen = (order(health_worker_bo_de, resident(n)) for n in (1, 2))
    for n in (10, 11):
        isolation.record_follow_up(
            by=health_worker_bo_de, order=seen, day=date(2021, 9, n), result="well", clock=at(day(n, 18))
        )
    client.force_login(health_worker_bo_de)
    body = text(client.get("/cases/isolation/lost/"))
    assert f'data-order="{unseen.pk}" data-lost="not_checked"' in body
    assert f'data-order="{seen.pk}"' not in body
