"""The vaccination API: scoped dose reads and writes, idempotent retries, coverage shape, due pages."""

from datetime import date

import pytest
import time_machine

from phaodai.vaccination.models import AdverseEvent
from phaodai.vaccination.tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def an(resident):
    return resident(1, born=date(1950, 1, 1))


def dose_body(**overrides):
    body = {
        "product": "pfizer", "dose_number": 1, "given_on": "2021-08-01", "lot": "FF-1",
        "site": "Trạm Y tế phường Bồ Đề", "vaccinator": "Lê Thị Hoa",
    }  # fmt: skip
    body.update(overrides)
    return body


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_a_dose_is_recorded_then_read_back(client, health_worker_bo_de, an):
    client.force_login(health_worker_bo_de)
    url = f"/api/v1/vaccination/people/{an.pk}/doses"
    created = post(client, url, dose_body())
    assert created.status_code == 201 and created.json()["next_due_on"] == "2021-08-22"
    assert post(client, url, dose_body()).status_code == 200  # the retry
    conflict = post(client, url, dose_body(given_on="2021-08-02"))
    assert conflict.status_code == 409 and conflict.json()["code"] == "dose_exists"
    read = client.get(url).json()
    assert read["name"] == "Nguyễn V. A." or read["name"].startswith("Nguyễn")
    assert [d["dose_number"] for d in read["doses"]] == [1] and read["fully_vaccinated"] is False
    assert "cccd" not in str(read).lower()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"dose_number": 3}, "beyond_series", "dose_number"),
        ({"dose_number": 2, "given_on": "2021-08-02"}, "previous_dose_missing", "dose_number"),
        ({"given_on": "2021-10-16"}, "in_the_future", "given_on"),
        ({"product": "sputnik"}, "unknown_product", "product"),
        ({"lot": ""}, "invalid_input", "lot"),
        ({"dose_number": 0}, "invalid_input", "dose_number"),
        ({"extra": 1}, "invalid_input", "extra"),
        ({"lot": "A\x00B"}, "invalid_input", ""),
    ],
)
def test_bad_doses_are_refused_with_a_code_and_the_field(client, health_worker_bo_de, an, body, code, field):
    client.force_login(health_worker_bo_de)
    response = post(client, f"/api/v1/vaccination/people/{an.pk}/doses", dose_body(**body))
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == code
    if field:
        assert answer.get("field", answer.get("errors", [{}])[0].get("field")) == field


def test_an_interval_too_short_is_422_with_the_earliest_day(client, health_worker_bo_de, an, give):
    give(an, "astrazeneca", 1, date(2021, 8, 1))
    client.force_login(health_worker_bo_de)
    response = post(
        client, f"/api/v1/vaccination/people/{an.pk}/doses", dose_body(dose_number=2, given_on="2021-08-20")
    )
    assert response.status_code == 422 and response.json()["code"] == "interval_too_short"
    assert "29/08/2021" in response.json()["message"]


def test_doses_of_a_person_elsewhere_are_404(client, ward_officer_phuc_xa, welfare_officer_bo_de, an):
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/api/v1/vaccination/people/{an.pk}/doses").status_code == 404
    assert client.get("/api/v1/vaccination/people/not-a-uuid/doses").status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get(f"/api/v1/vaccination/people/{an.pk}/doses").status_code == 403


def test_an_adverse_event_is_reported_once_per_key(client, health_worker_bo_de, an, give):
    dose = give(an, "moderna", 1, date(2021, 10, 1))
    client.force_login(health_worker_bo_de)
    body = {
        "severity": "severe",
        "onset_at": "2021-10-01T10:15",
        "outcome": "hospitalised",
        "description": "Phản vệ",
    }
    url = f"/api/v1/vaccination/doses/{dose.pk}/adverse-events"
    first = post(client, url, body, **{"Idempotency-Key": "aefi-1"})
    again = post(client, url, body, **{"Idempotency-Key": "aefi-1"})
    assert (first.status_code, again.status_code) == (201, 200) and AdverseEvent.objects.count() == 1
    assert first.json()["onset_at"] == "2021-10-01T10:15:00+07:00"  # no offset sent: Hà Nội time
    bad = post(client, url, {**body, "severity": "awful"})
    assert bad.status_code == 422


def test_coverage_is_shaped_with_the_unit_denominators_and_percentages(
    client, district_officer_long_bien, an, give
):
    give(an, "pfizer", 1, date(2021, 8, 1))
    client.force_login(district_officer_long_bien)
    answer = client.get("/api/v1/vaccination/coverage?unit=004&on=2021-10-15").json()
    assert answer["unit"] == {"code": "004", "name": "Quận Long Biên", "level": "district"}
    assert answer["as_of"] == "2021-10-15"
    figures = answer["figures"]
    assert (figures["adults_18plus"], figures["first_dose_18plus"], figures["first_dose_18plus_pct"]) == (
        1,
        1,
        100.0,
    )
    assert figures["fully_vaccinated_65plus_pct"] == 0.0
    assert figures["bands"]["18-49"]["first_dose_pct"] is None
    bo_de = next(c for c in answer["children"] if c["place"]["code"] == "00139")
    assert bo_de["figures"]["elderly_65plus"] == 1


def test_coverage_defaults_to_the_callers_unit_and_refuses_others(client, ward_officer_bo_de, areas):
    client.force_login(ward_officer_bo_de)
    assert client.get("/api/v1/vaccination/coverage").json()["unit"]["code"] == "00139"
    assert client.get("/api/v1/vaccination/coverage?unit=004").status_code == 404
    assert client.get("/api/v1/vaccination/coverage?unit=00139&on=0001-01-01").status_code == 422


def test_the_due_list_pages_by_keyset(client, health_worker_bo_de, resident, give):
    for serial in range(1, 6):
        give(resident(serial), "pfizer", 1, date(2021, 9, serial))
    client.force_login(health_worker_bo_de)
    first = client.get("/api/v1/vaccination/due?ward=00139&on=2021-10-15&limit=3").json()
    assert [i["due_on"] for i in first["items"]] == ["2021-09-22", "2021-09-23", "2021-09-24"]
    assert all(i["status"] == "overdue" for i in first["items"])
    rest = client.get(
        f"/api/v1/vaccination/due?ward=00139&on=2021-10-15&limit=3&after={first['next_after']}"
    ).json()
    assert len(rest["items"]) == 2 and rest["next_after"] is None
    bad = client.get("/api/v1/vaccination/due?ward=00139&after=garbage")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


def test_the_products_are_public_reference_data(client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    products = {p["code"]: p for p in client.get("/api/v1/vaccination/products").json()}
    assert products["abdala"]["series_doses"] == 3
    assert [s["component_en"] for s in products["sputnik_v"]["steps"]] == [
        "Component I (rAd26)",
        "Component II (rAd5)",
    ]
