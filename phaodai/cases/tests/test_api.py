"""The cases API: record a case (201, 200 on retry, 409 duplicate, 422 unregistered or bad input), list and
read cases within scope, record an outcome. Shared helpers for the other test_api_* modules live here."""

from datetime import date, datetime
from typing import Any

import pytest
import time_machine

from phaodai.cases.models import Case
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.people.tests.conftest import cccd_for

pytestmark = pytest.mark.django_db

NOW = hanoi(2021, 9, 10, 11)


def cccd_of(n: int) -> str:
    """The CCCD of the conftest's n-th resident (born 1980, male)."""
    return cccd_for(1980, "M", serial=100000 + n)


class Api:
    """JSON requests to /api/v1 as the signed-in user."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def login(self, user: Any) -> "Api":
        self.client.force_login(user)
        return self

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{url}", params)

    def post(self, url: str, body: Any, *, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post(f"/api/v1{url}", body, content_type="application/json", headers=headers)


def case_body(n: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "cccd": cccd_of(n),
        "confirmed_at": "2021-09-10T09:00",
        "detected_in": "community",
        "source_known": False,
        "test_ref": f"LB-0910-{n:04d}",
    }
    body.update(overrides)
    return body


def local(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def f0_case(resident: Any, health_worker_bo_de: Any) -> Case:
    """Resident 0 confirmed at 09:00 on 10/9 (through the service)."""
    from phaodai.cases import services

    case, _created = services.record_case(
        by=health_worker_bo_de,
        person=resident(0),
        confirmed_at=hanoi(2021, 9, 10, 9),
        detected_in="community",
        source_known=False,
        test_ref="LB-0910-0000",
        clock=at(NOW),
    )
    return case


# Recording -----------------------------------------------------------------------------------------


def test_a_new_case_answers_201_with_its_id_and_what_it_set_off(api, resident, health_worker_bo_de):
    an, _binh = resident(0), resident(1)
    api.login(health_worker_bo_de)
    created = api.post("/cases", case_body(0))
    assert created.status_code == 201, created.json()
    body = created.json()
    case = Case.objects.get(pk=body["id"])
    assert case.person_id == an.pk
    assert (body["detected_in"], body["source_known"], body["outcome"], body["episode"]) == (
        "community",
        False,
        "active",
        1,
    )
    assert local(body["confirmed_at"]) == hanoi(2021, 9, 10, 9)  # no offset sent: Hà Nội time
    assert body["exposure_window"] == {"start": "2021-09-08", "end": "2021-09-10"}
    assert body["residence_unit"]["code"] == body["detected_unit"]["code"] == "00139"
    assert body["person"] == {"id": str(an.pk), "name": "Nguyễn V. A.", "cccd_masked": "*********000"}
    assert body["derived"] == {"levels": {}, "cluster": body["cluster"]["code"]}
    assert cccd_of(0) not in created.content.decode()
    # its contacts become F1: the case now counts them
    api.post(
        f"/cases/{body['id']}/contacts",
        {"contacts": [{"cccd": cccd_of(1), "exposed_on": "2021-09-09", "setting": "household"}]},
    )
    again = api.get(f"/cases/{body['id']}").json()
    assert again["derived"]["levels"] == {"F1": 1}


def test_when_an_f1_tests_positive_the_answer_counts_the_contacts_moved_up(
    api, f0_case, resident, health_worker_bo_de
):
    for n in range(1, 6):
        resident(n)
    api.login(health_worker_bo_de)
    contacts = [{"cccd": cccd_of(n), "exposed_on": "2021-09-09", "setting": "household"} for n in (1, 2)]
    assert api.post(f"/cases/{f0_case.pk}/contacts", {"contacts": contacts}).status_code == 201
    # resident 1's own contacts (F2 of case 0)
    theirs = [{"cccd": cccd_of(n), "exposed_on": "2021-09-10", "setting": "workplace"} for n in (3, 4, 5)]
    assert api.post("/people/contacts", {"cccd": cccd_of(1), "contacts": theirs}).status_code == 201
    assert api.get(f"/cases/{f0_case.pk}").json()["derived"]["levels"] == {"F1": 2, "F2": 3}
    second = api.post("/cases", case_body(1, detected_in="quarantine", source_known=True))
    assert second.status_code == 201, second.json()
    body = second.json()
    assert (body["traced_from"], body["traced_level"]) == (f0_case.pk, 1)
    assert body["derived"]["levels"] == {"F1": 3}
    assert body["cluster"]["id"] == api.get(f"/cases/{f0_case.pk}").json()["cluster"]["id"]


def test_a_retry_with_the_same_idempotency_key_answers_200_with_the_same_case(
    api, resident, ward_officer_bo_de
):
    resident(0)
    api.login(ward_officer_bo_de)
    first = api.post("/cases", case_body(0), key="lab-0910-0001")
    retry = api.post("/cases", case_body(0), key="lab-0910-0001")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


def test_the_same_body_sent_again_without_a_key_answers_200_with_the_same_case(
    api, resident, ward_officer_bo_de
):
    resident(0)
    api.login(ward_officer_bo_de)
    first = api.post("/cases", case_body(0))
    retry = api.post("/cases", case_body(0))
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


def test_a_second_case_for_the_same_episode_is_409_naming_the_existing_case(
    api, resident, ward_officer_bo_de
):
    resident(0)
    api.login(ward_officer_bo_de)
    first = api.post("/cases", case_body(0)).json()
    other = api.post("/cases", case_body(0, confirmed_at="2021-09-10T10:30", test_ref="LB-OTHER"))
    assert other.status_code == 409
    assert other.json()["code"] == "duplicate_case"
    assert other.json()["existing_case"] == first["id"]
    assert Case.objects.count() == 1


def test_a_key_already_used_for_another_person_is_409(api, resident, ward_officer_bo_de):
    resident(0), resident(1)
    api.login(ward_officer_bo_de)
    assert api.post("/cases", case_body(0), key="k-1").status_code == 201
    reused = api.post("/cases", case_body(1), key="k-1")
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_a_person_not_registered_is_422_saying_to_register_them_first(api, ward_officer_bo_de):
    api.login(ward_officer_bo_de)
    answer = api.post("/cases", case_body(42))
    assert answer.status_code == 422
    body = answer.json()
    assert (body["code"], body["field"]) == ("person_not_registered", "cccd")
    assert "/api/v1/people" in body["message"]
    assert cccd_of(42) not in answer.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"cccd": "12345"}, "cccd", "invalid_cccd"),
        ({"confirmed_at": "10/09/2021 09:00"}, "confirmed_at", "invalid_input"),
        ({"confirmed_at": 1631239200}, "confirmed_at", "invalid_input"),
        ({"confirmed_at": "2021-09-31T09:00"}, "confirmed_at", "invalid_input"),
        ({"confirmed_at": "0001-01-01T00:00"}, "confirmed_at", "invalid_input"),
        ({"confirmed_at": "2021-09-11T09:00"}, "confirmed_at", "invalid_input"),  # in the future
        ({"detected_in": "street"}, "detected_in", "invalid_input"),
        ({"source_known": "no"}, "source_known", "invalid_input"),
        ({"severity": "terrible"}, "severity", "invalid_input"),
        ({"test_ref": "x" * 41}, "test_ref", "invalid_input"),
        ({"detected_unit": "99999"}, "detected_unit", "invalid_input"),
        ({"detected_unit": "004"}, "detected_unit", "invalid_input"),  # a district, not a ward
        ({"source_note": "a\x00b"}, "", "invalid_input"),
        ({"ward": "00139"}, "ward", "invalid_input"),  # unknown field
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
    api, resident, ward_officer_bo_de, change, field, code
):
    resident(0)
    api.login(ward_officer_bo_de)
    answer = api.post("/cases", case_body(0, **change))
    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert body["code"] == code
    assert body["message"]
    if field:
        assert body.get("field", "") == field or body["errors"][0]["field"] == field
    assert Case.objects.count() == 0


def test_the_four_facts_alone_make_a_case_recorded_as_without_a_sample_code(
    api, resident, ward_officer_bo_de
):
    resident(0)
    api.login(ward_officer_bo_de)
    body = {
        "cccd": cccd_of(0),
        "confirmed_at": "2021-09-10T09:00",
        "detected_in": "community",
        "source_known": False,
    }
    answer = api.post("/cases", body)
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["test_ref"], answer.json()["manual_reason"]) == (
        "",
        "Ghi nhận qua API, không kèm mã mẫu xét nghiệm (Recorded through the API without a sample code).",
    )
    assert api.post("/cases", body).status_code == 200  # the same facts again: the same case


def test_a_case_without_a_test_is_recorded_with_the_reason(api, resident, ward_officer_bo_de):
    resident(0)
    api.login(ward_officer_bo_de)
    body = case_body(0, test_ref="", manual_reason="Kết quả test nhanh dương tính, chờ PCR")
    answer = api.post("/cases", body)
    assert answer.status_code == 201
    assert answer.json()["manual_reason"] == "Kết quả test nhanh dương tính, chờ PCR"


def test_an_offset_in_the_time_is_kept(api, resident, ward_officer_bo_de):
    resident(0)
    api.login(ward_officer_bo_de)
    answer = api.post("/cases", case_body(0, confirmed_at="2021-09-10T02:00:00Z"))
    assert local(answer.json()["confirmed_at"]) == hanoi(2021, 9, 10, 9)


def test_who_may_record_a_case(
    api, client, resident, welfare_officer_bo_de, ward_officer_phuc_xa, ward_officer_ngoc_lam
):
    resident(0)
    assert client.post("/api/v1/cases", case_body(0), content_type="application/json").status_code == 401
    assert api.login(welfare_officer_bo_de).post("/cases", case_body(0)).status_code == 403
    # Ngọc Lâm (Long Biên) traces, but not in Bồ Đề, where the person lives: the answer for a CCCD
    # nobody holds (no clue that the person is registered elsewhere), and the attempt is logged
    refused = api.login(ward_officer_ngoc_lam).post("/cases", case_body(0))
    nobody = api.post("/cases", case_body(42))
    assert (refused.status_code, refused.json()) == (422, nobody.json())
    assert refused.json()["code"] == "person_not_registered"
    assert AuditEntry.objects.filter(action="scope.denied", actor_id=ward_officer_ngoc_lam.pk).exists()
    # …unless the case was found in Ngọc Lâm: the ward that found it records it, both wards see it
    found_here = api.login(ward_officer_ngoc_lam).post("/cases", case_body(0, detected_unit="00133"))
    assert found_here.status_code == 201, found_here.json()
    assert found_here.json()["detected_unit"]["code"] == "00133"
    assert api.login(ward_officer_phuc_xa).get(f"/cases/{found_here.json()['id']}").status_code == 404


def test_an_idempotency_key_that_is_not_printable_is_422(api, resident, ward_officer_bo_de):
    resident(0)
    api.login(ward_officer_bo_de)
    answer = api.post("/cases", case_body(0), key="k" * 81)
    assert (answer.status_code, answer.json()["field"]) == (422, "Idempotency-Key")


# Reading -------------------------------------------------------------------------------------------


@pytest.fixture
def three_cases(resident: Any, health_worker_bo_de: Any, ward_officer_ngoc_lam: Any) -> list[Case]:
    """Bồ Đề: a community case on 8/9 and one in quarantine (source known) on 9/9; a Ngọc Lâm resident
    found in Ngọc Lâm on 10/9."""
    from phaodai.cases import services
    from phaodai.people import services as people
    from phaodai.people.tests.conftest import make_area

    ngoc_lam_resident = people.register_person(
        by=ward_officer_ngoc_lam, cccd=cccd_of(2), full_name="Lê Văn Cường", birth_date=date(1980, 1, 3),
        sex="M", phone=None, residence_area=make_area("00133", "TDP02", "Tổ dân phố 2"),
    )  # fmt: skip
    rows = [
        (health_worker_bo_de, resident(0), hanoi(2021, 9, 8, 8), "community", False),
        (health_worker_bo_de, resident(1), hanoi(2021, 9, 9, 8), "quarantine", True),
        (ward_officer_ngoc_lam, ngoc_lam_resident, hanoi(2021, 9, 10, 8), "community", False),
    ]
    cases = []
    for by, person, when, where, known in rows:
        case, _ = services.record_case(
            by=by, person=person, confirmed_at=when, detected_in=where, source_known=known,
            test_ref=f"T-{when:%d}", clock=at(NOW),
        )  # fmt: skip
        cases.append(case)
    return cases


def ids(answer: Any) -> list[int]:
    assert answer.status_code == 200, answer.json()
    return [item["id"] for item in answer.json()["items"]]


def test_the_list_shows_cases_in_scope_latest_first_with_filters(
    api, three_cases, district_officer_long_bien, ward_officer_bo_de
):
    a, b, c = (case.pk for case in three_cases)
    api.login(district_officer_long_bien)
    assert ids(api.get("/cases")) == [c, b, a]
    assert ids(api.get("/cases", **{"from": "2021-09-09"})) == [c, b]
    assert ids(api.get("/cases", to="2021-09-08")) == [a]
    assert ids(api.get("/cases", ward="00139")) == [b, a]
    assert ids(api.get("/cases", ward="00133")) == [c]
    assert ids(api.get("/cases", detected_in="quarantine")) == [b]
    assert ids(api.get("/cases", source_known="false")) == [c, a]
    # Bồ Đề's officer sees only Bồ Đề's cases
    assert ids(api.login(ward_officer_bo_de).get("/cases")) == [b, a]


def test_the_list_pages_by_keyset(api, three_cases, district_officer_long_bien):
    a, b, c = (case.pk for case in three_cases)
    api.login(district_officer_long_bien)
    first = api.get("/cases", limit=2).json()
    assert ([i["id"] for i in first["items"]], first["next"]) == ([c, b], b)
    second = api.get("/cases", limit=2, after=first["next"]).json()
    assert ([i["id"] for i in second["items"]], second["next"]) == ([a], None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "09/09/2021"}, "from"),
        ({"to": "2021-02-30"}, "to"),
        ({"from": "2021-09-10", "to": "2021-09-08"}, "to"),
        ({"ward": "99999"}, "ward"),
        ({"detected_in": "street"}, "detected_in"),
        ({"limit": 1000}, "limit"),
        ({"after": 999999}, "after"),
    ],
)
def test_bad_list_filters_are_422(api, three_cases, district_officer_long_bien, params, field):
    answer = api.login(district_officer_long_bien).get("/cases", **params)
    assert answer.status_code == 422, answer.json()
    body = answer.json()
    assert body.get("field") == field or body["errors"][0]["field"] == field


def test_the_list_reads_in_a_bounded_number_of_queries(
    api, three_cases, district_officer_long_bien, django_assert_max_num_queries
):
    api.login(district_officer_long_bien)
    api.get("/cases")  # warm the session and role caches
    with django_assert_max_num_queries(5):  # session, user, roles, one query for the page
        assert len(ids(api.get("/cases"))) == 3


def test_who_may_read_cases(
    api, client, three_cases, welfare_officer_bo_de, ward_officer_phuc_xa, city_commander
):
    bo_de = three_cases[0].pk
    assert client.get("/api/v1/cases").status_code == 401
    assert api.login(welfare_officer_bo_de).get("/cases").status_code == 403
    assert api.login(welfare_officer_bo_de).get(f"/cases/{bo_de}").status_code == 403
    assert ids(api.login(ward_officer_phuc_xa).get("/cases")) == []
    assert api.login(ward_officer_phuc_xa).get(f"/cases/{bo_de}").status_code == 404
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(bo_de)).exists()
    assert api.login(city_commander).get(f"/cases/{bo_de}").status_code == 200
    assert api.login(city_commander).get("/cases/999999").status_code == 404


# Outcome -------------------------------------------------------------------------------------------


def test_an_outcome_is_recorded_once(api, f0_case, ward_officer_bo_de):
    api.login(ward_officer_bo_de)
    done = api.post(
        f"/cases/{f0_case.pk}/outcome", {"outcome": "recovered", "at": "2021-09-10T10:00", "version": 1}
    )
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["outcome"], body["version"]) == ("recovered", 2)
    assert local(body["outcome_at"]) == hanoi(2021, 9, 10, 10)
    again = api.post(f"/cases/{f0_case.pk}/outcome", {"outcome": "died", "at": "2021-09-10T10:30"})
    assert (again.status_code, again.json()["code"]) == (409, "case_changed")


def test_an_outcome_on_a_stale_version_is_409(api, f0_case, ward_officer_bo_de):
    api.login(ward_officer_bo_de)
    stale = api.post(
        f"/cases/{f0_case.pk}/outcome", {"outcome": "recovered", "at": "2021-09-10T10:00", "version": 7}
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "case_changed")
    assert Case.objects.get(pk=f0_case.pk).outcome == "active"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "recovered", "at": "2021-09-09T10:00"}, "at"),  # before the confirmation
        ({"outcome": "recovered", "at": "2021-09-12T10:00"}, "at"),  # in the future
        ({"outcome": "cured", "at": "2021-09-10T10:00"}, "outcome"),
        ({"outcome": "recovered", "at": "2021-09-10"}, "at"),
        ({"outcome": "recovered", "at": "2021-09-10T10:00", "version": "1"}, "version"),
        ({"outcome": "recovered", "at": "2021-09-10T10:00", "note": "x"}, "note"),
    ],
)
def test_a_bad_outcome_is_422(api, f0_case, ward_officer_bo_de, body, field):
    answer = api.login(ward_officer_bo_de).post(f"/cases/{f0_case.pk}/outcome", body)
    assert answer.status_code == 422, answer.json()
    payload = answer.json()
    assert payload.get("field") == field or payload["errors"][0]["field"] == field
    assert Case.objects.get(pk=f0_case.pk).outcome == "active"


def test_an_outcome_outside_scope_is_404(api, f0_case, ward_officer_phuc_xa, welfare_officer_bo_de):
    body = {"outcome": "recovered", "at": "2021-09-10T10:00"}
    assert api.login(ward_officer_phuc_xa).post(f"/cases/{f0_case.pk}/outcome", body).status_code == 404
    assert api.login(welfare_officer_bo_de).post(f"/cases/{f0_case.pk}/outcome", body).status_code == 403
