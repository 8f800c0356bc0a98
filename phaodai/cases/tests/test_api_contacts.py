"""Contacts through the API: many at once, idempotent per pair and day, every problem listed (index and
field) with nothing written; a contact's contacts through POST /people/contacts."""

from typing import Any

import pytest
import time_machine

from phaodai.cases.models import Exposure, TraceLevel
from phaodai.cases.tests.test_api import NOW, Api, cccd_of
from phaodai.core.models import AuditEntry
from phaodai.people.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def f0(api: Api, resident: Any, health_worker_bo_de: Any) -> dict[str, Any]:
    """Resident 0, confirmed at 09:00 on 10/9 through the API (window 8–10/9)."""
    resident(0)
    api.login(health_worker_bo_de)
    answer = api.post(
        "/cases",
        {
            "cccd": cccd_of(0),
            "confirmed_at": "2021-09-10T09:00",
            "detected_in": "community",
            "source_known": False,
            "test_ref": "LB-0910-0001",
        },
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def contact(n: int, day: str = "2021-09-09", setting: str = "household", **extra: Any) -> dict[str, Any]:
    return {"cccd": cccd_of(n), "exposed_on": day, "setting": setting, **extra}


def newcomer(name: str, phone: str, day: str = "2021-09-09", area: str = "00139-TDP05") -> dict[str, Any]:
    return {"full_name": name, "phone": phone, "residence_area": area, "exposed_on": day, "setting": "market"}


def problems(answer: Any) -> set[tuple[int, str]]:
    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert body["code"] == "invalid_contacts"
    return {(error["index"], error["field"]) for error in body["errors"]}


def test_many_contacts_at_once_registered_or_not(api, f0, resident):
    binh = resident(1)
    people_before = Person.objects.count()
    sent = [
        contact(1),
        # someone not registered, known by CCCD: registered provisionally where they live
        contact(7, full_name="Phạm Văn Hùng", residence_area="00139-TDP05", setting="workplace"),
        # someone known by name and phone only
        newcomer("Vũ Thị Lan", "0912 345 678", day="2021-09-10"),
    ]
    answer = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["added"], body["already_known"], body["registered"]) == (3, 0, 2)
    assert [c["f_level"] for c in body["contacts"]] == ["F1", "F1", "F1"]
    assert body["contacts"][0]["id"] == str(binh.pk)
    assert Person.objects.count() == people_before + 2
    assert cccd_of(7) not in answer.content.decode()
    # the case now counts them
    assert api.get(f"/cases/{f0['id']}").json()["derived"]["levels"] == {"F1": 3}


def test_the_same_contacts_sent_again_add_nothing_and_answer_200(api, f0, resident):
    resident(1)
    sent = [contact(1), newcomer("Vũ Thị Lan", "0912345678")]
    first = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    retry = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert (retry.json()["added"], retry.json()["already_known"], retry.json()["registered"]) == (0, 2, 0)
    assert [c["id"] for c in retry.json()["contacts"]] == [c["id"] for c in first.json()["contacts"]]
    assert Exposure.objects.count() == 2
    # another day with the same person is another link
    other_day = api.post(f"/cases/{f0['id']}/contacts", {"contacts": [contact(1, day="2021-09-08")]})
    assert (other_day.status_code, other_day.json()["added"]) == (201, 1)


def test_every_dated_problem_is_listed_and_nothing_is_written(api, f0, resident):
    for n in (1, 2, 3):
        resident(n)
    sent = [
        contact(1),  # fine
        contact(0),  # the case's own person
        contact(2, day="2021-09-11"),  # after the report date (today, 10/9)
        contact(3, day="2021-09-07"),  # before the case's window (8–10/9)
    ]
    answer = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    assert problems(answer) == {(1, "cccd"), (2, "exposed_on"), (3, "exposed_on")}
    messages = {e["index"]: e["message"] for e in answer.json()["errors"]}
    assert "own contact" in messages[1]
    assert "after the report date" in messages[2]
    assert "08/09/2021" in messages[3]
    assert Exposure.objects.count() == 0
    assert TraceLevel.objects.filter(level=1).count() == 0


def test_every_unresolvable_contact_is_listed_and_no_one_is_registered(api, f0):
    people_before = Person.objects.count()
    sent = [
        {"cccd": "0010801", "exposed_on": "2021-09-09", "setting": "household"},  # malformed CCCD
        contact(8),  # not registered, and neither name nor area given
        newcomer("Vũ Thị Lan", "0912345678", area="00139-NOPE"),  # unknown area
        {
            "full_name": "Đặng Văn Nam",
            "exposed_on": "2021-09-09",
            "setting": "market",
            "residence_area": "00139-TDP05",
        },
        newcomer("Hoàng Văn Sơn", "12345"),  # not a mobile number
        newcomer("Lê Thị Hà", "0987654321"),  # fine
    ]
    answer = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    assert problems(answer) == {
        (0, "cccd"),
        (1, "full_name"),
        (1, "residence_area"),
        (2, "residence_area"),
        (3, "phone"),
        (4, "phone"),
    }
    assert answer.json()["field"] == "contacts.0.cccd"
    assert Person.objects.count() == people_before
    assert Exposure.objects.count() == 0


def test_a_name_the_registry_refuses_is_reported_at_its_index(api, f0):
    sent = [newcomer("Lê Thị Hà", "0987654321"), newcomer("Nguyễn 3", "0987654322")]
    answer = api.post(f"/cases/{f0['id']}/contacts", {"contacts": sent})
    assert problems(answer) == {(1, "full_name")}
    assert Person.objects.filter(provisional=True).count() == 0


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"exposed_on": "09/09/2021"}, "contacts.0.exposed_on"),
        ({"exposed_on": "2021-09-31"}, "contacts.0.exposed_on"),
        ({"exposed_on": 20210909}, "contacts.0.exposed_on"),
        ({"setting": "karaoke"}, "contacts.0.setting"),
        ({"nickname": "Tí"}, "contacts.0.nickname"),
        ({"note": "x" * 301}, "contacts.0.note"),
    ],
)
def test_a_contact_that_does_not_parse_is_422_with_its_index_and_field(api, f0, resident, item, field):
    resident(1)
    answer = api.post(f"/cases/{f0['id']}/contacts", {"contacts": [{**contact(1), **item}]})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == field
    assert Exposure.objects.count() == 0


def test_at_most_500_contacts_at_once(api, f0, resident):
    resident(1)
    too_many = api.post(f"/cases/{f0['id']}/contacts", {"contacts": [contact(1)] * 501})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "contacts"
    assert "500" in too_many.json()["message"]
    assert Exposure.objects.count() == 0
    # 500 is accepted (here the same link 500 times: one link)
    enough = api.post(f"/cases/{f0['id']}/contacts", {"contacts": [contact(1)] * 500})
    assert (enough.status_code, enough.json()["added"]) == (201, 1)


@pytest.mark.parametrize(
    "body", [{"contacts": []}, {}, {"contacts": "all"}, {"contacts": [contact(1)], "x": 1}]
)
def test_an_empty_or_malformed_list_is_422(api, f0, body):
    answer = api.post(f"/cases/{f0['id']}/contacts", body)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"


def test_who_may_add_a_cases_contacts(api, client, f0, resident, welfare_officer_bo_de, ward_officer_phuc_xa):
    resident(1)
    body = {"contacts": [contact(1)]}
    url = f"/api/v1/cases/{f0['id']}/contacts"
    client.logout()
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert api.login(welfare_officer_bo_de).post(f"/cases/{f0['id']}/contacts", body).status_code == 403
    assert api.login(ward_officer_phuc_xa).post(f"/cases/{f0['id']}/contacts", body).status_code == 404
    assert Exposure.objects.count() == 0


# A contact's contacts ------------------------------------------------------------------------------


def test_a_contacts_contacts_are_added_by_cccd_and_become_f2(api, f0, resident):
    for n in (1, 2, 3):
        resident(n)
    api.post(f"/cases/{f0['id']}/contacts", {"contacts": [contact(1)]})
    answer = api.post(
        "/people/contacts", {"cccd": cccd_of(1), "contacts": [contact(2, day="2021-09-10"), contact(3)]}
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["added"], [c["f_level"] for c in body["contacts"]]) == (2, ["F2", "F2"])
    retry = api.post(
        "/people/contacts", {"cccd": cccd_of(1), "contacts": [contact(2, day="2021-09-10"), contact(3)]}
    )
    assert (retry.status_code, retry.json()["already_known"]) == (200, 2)


def test_a_contact_known_by_name_and_phone_is_named_by_id(api, f0, resident):
    resident(2)
    first = api.post(f"/cases/{f0['id']}/contacts", {"contacts": [newcomer("Vũ Thị Lan", "0912345678")]})
    lan = first.json()["contacts"][0]["id"]
    answer = api.post("/people/contacts", {"person": lan, "contacts": [contact(2, day="2021-09-10")]})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["contacts"][0]["f_level"] == "F2"


def test_exposures_before_the_contacts_own_window_are_refused(api, f0, resident):
    for n in (1, 2):
        resident(n)
    api.post(f"/cases/{f0['id']}/contacts", {"contacts": [contact(1, day="2021-09-09")]})
    # an F1 exposed on 9/9 passes it on from 9/9: an exposure on 8/9 came before
    answer = api.post("/people/contacts", {"cccd": cccd_of(1), "contacts": [contact(2, day="2021-09-08")]})
    assert problems(answer) == {(0, "exposed_on")}


@pytest.mark.parametrize(
    "body",
    [
        {"contacts": [{"cccd": "001080100002", "exposed_on": "2021-09-09", "setting": "household"}]},
        {
            "cccd": "001080100001",
            "person": "8f0e4c1e-4ae0-4c9c-9a57-8a9d2f0c1b2a",
            "contacts": [{"cccd": "001080100002", "exposed_on": "2021-09-09", "setting": "household"}],
        },
    ],
)
def test_the_person_is_named_once_by_cccd_or_by_id(api, f0, body):
    answer = api.post("/people/contacts", body)
    assert answer.status_code == 422


def test_someone_unknown_or_outside_scope_is_404_and_outsiders_are_logged(
    api, f0, resident, ward_officer_phuc_xa, welfare_officer_bo_de
):
    for n in (1, 2):
        resident(n)
    body = {"cccd": cccd_of(1), "contacts": [contact(2)]}
    unknown = api.post("/people/contacts", {**body, "cccd": cccd_of(99)})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    outside = api.login(ward_officer_phuc_xa).post("/people/contacts", body)
    assert outside.status_code == 404
    assert outside.json() == unknown.json()  # the same answer: no clue that the person exists
    assert AuditEntry.objects.filter(action="scope.denied", actor_id=ward_officer_phuc_xa.pk).exists()
    assert api.login(welfare_officer_bo_de).post("/people/contacts", body).status_code == 403
    malformed = api.login(ward_officer_phuc_xa).post("/people/contacts", {**body, "cccd": "0010"})
    assert (malformed.status_code, malformed.json()["field"]) == (422, "cccd")
    assert Exposure.objects.count() == 0
