"""The situation-report API: every endpoint, its refusals as {"code", "message"}, and no 500 on any body."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.notifications.models import Notification
from phaodai.sitreps import prefill
from phaodai.sitreps.models import Revision, Submission, UrgentReport
from phaodai.sitreps.tests.conftest import report

pytestmark = pytest.mark.django_db
API = "/api/v1/sitreps"
WARD = "ward-daily-1630"
SLOT = "2021-09-08T16:30"


@pytest.fixture
def at_three() -> Iterator[Any]:
    """15:00 on 08/9/2021, Hà Nội: the 16:30 slot is open."""
    with time_machine.travel(hanoi(2021, 9, 8, 15), tick=False) as traveller:
        yield traveller


class Caller:
    def __init__(self, client: Any) -> None:
        self.client = client

    def as_(self, user: Any) -> "Caller":
        self.client.force_login(user)
        return self

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}")

    def post(self, path: str, body: Any = None, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key is not None else {}
        data = json.dumps(body) if body is not None else ""
        return self.client.post(f"{API}{path}", data, content_type="application/json", headers=headers)


@pytest.fixture
def api(client, at_three) -> Caller:
    return Caller(client)


def submission(unit: str = "00139", slot: str = SLOT, schedule: str = WARD, **values: Any) -> dict[str, Any]:
    return {"schedule": schedule, "unit": unit, "slot": slot, "values": report(**values)}


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert (response.status_code, body.get("code")) == (status, code), body
    assert body["message"]
    return body


@pytest.fixture
def submitted(api, ward_officer_bo_de) -> dict[str, Any]:
    response = api.as_(ward_officer_bo_de).post("/submissions", submission(), key="first")
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    return body


# Submitting ---------------------------------------------------------------------------------------


def test_a_submission_answers_201_then_200_with_the_same_id_on_a_retry(api, ward_officer_bo_de):
    first = api.as_(ward_officer_bo_de).post("/submissions", submission(tests_taken="1.200"), key="k-1")
    assert first.status_code == 201
    body = first.json()
    assert body["schedule"] == WARD and body["unit"] == "00139" and body["receiver"] == "004"
    assert body["slot"] == "2021-09-08T16:30:00+07:00" and body["deadline"] == "2021-09-08T16:30:00+07:00"
    assert (body["timeliness"], body["on_time"], body["status"], body["revision"]) == (
        "on_time",
        True,
        "submitted",
        1,
    )
    assert body["submitted_at"] == "2021-09-08T15:00:00+07:00"
    assert body["values"]["tests_taken"] == 1200 and body["version"] == 1
    assert [r["number"] for r in api.get(f"/submissions/{body['id']}").json()["revisions"]] == [1]
    retry = api.post("/submissions", submission(tests_taken="1.200"), key="k-1")
    assert retry.status_code == 200 and retry.json()["id"] == body["id"]
    assert Submission.objects.count() == 1 and Revision.objects.count() == 1


def test_a_late_submission_says_late(api, ward_officer_bo_de, at_three):
    at_three.move_to(hanoi(2021, 9, 8, 16, 31))
    body = api.as_(ward_officer_bo_de).post("/submissions", submission()).json()
    assert (body["timeliness"], body["on_time"]) == ("late", False)


def test_the_same_values_without_a_key_are_a_retry_and_other_values_a_conflict(submitted, api):
    assert api.post("/submissions", submission()).status_code == 200
    refused(api.post("/submissions", submission(f1_traced=1), key="other"), 409, "already_submitted")
    assert Submission.objects.count() == 1


def test_bad_values_answer_422_with_every_field(api, ward_officer_bo_de):
    body = submission(tests_taken="abc", f1_traced=-1, vaccinations=True, tests_positive=2.5)
    body["values"]["unknown_code"] = 3
    answer = refused(api.as_(ward_officer_bo_de).post("/submissions", body), 422, "invalid_values")
    assert {e["field"] for e in answer["errors"]} == {
        "tests_taken", "f1_traced", "vaccinations", "tests_positive", "unknown_code",
    }  # fmt: skip
    check = submission(tests_taken=1, tests_positive=2)
    answer = refused(api.post("/submissions", check), 422, "invalid_values")
    assert answer["errors"] == [
        {"field": "tests_positive", "message": "Positive samples cannot exceed the samples taken."}
    ]
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"schedule": WARD, "unit": "00139", "slot": SLOT, "values": [1, 2]},
        {"schedule": WARD, "unit": "00139", "slot": SLOT},
        {"schedule": 5, "unit": "00139", "slot": SLOT, "values": {}},
        {"schedule": WARD, "unit": "00139", "slot": SLOT, "values": {}, "extra": 1},
        {"schedule": WARD, "unit": "00139", "slot": SLOT, "values": {"situation": "a\x00b"}},
        [],
    ],
)
def test_a_body_of_the_wrong_shape_answers_422(api, ward_officer_bo_de, body):
    answer = refused(api.as_(ward_officer_bo_de).post("/submissions", body), 422, "invalid_input")
    assert answer["errors"]


def test_a_body_that_is_not_json_answers_400(api, ward_officer_bo_de):
    response = api.as_(ward_officer_bo_de).client.post(
        f"{API}/submissions", "{not json", content_type="application/json"
    )
    refused(response, 400, "bad_request")


def test_an_unknown_schedule_or_slot_answers_422(api, ward_officer_bo_de):
    api.as_(ward_officer_bo_de)
    refused(api.post("/submissions", submission(schedule="nope")), 422, "unknown_schedule")
    answer = refused(api.post("/submissions", submission(slot="2021-09-08T16:00")), 422, "no_such_slot")
    assert answer["field"] == "slot" and "16:30" in answer["message"]
    refused(api.post("/submissions", submission(slot="08/09/2021")), 422, "no_such_slot")


def test_a_unit_outside_the_jurisdiction_answers_404_and_is_logged(api, ward_officer_phuc_xa):
    refused(api.as_(ward_officer_phuc_xa).post("/submissions", submission()), 404, "not_found")
    assert AuditEntry.objects.filter(action="scope.denied", actor_username="ward-00001").exists()
    refused(api.post("/submissions", submission(unit="99999")), 404, "not_found")


def test_who_may_submit(api, district_officer_long_bien, health_worker_bo_de):
    refused(api.as_(district_officer_long_bien).post("/submissions", submission()), 403, "not_permitted")
    refused(api.post("/submissions", submission(unit="004")), 422, "not_a_reporter")
    refused(api.as_(health_worker_bo_de).post("/submissions", submission()), 403, "not_permitted")
    assert not Submission.objects.exists()


def test_a_future_slot_answers_422_and_a_closed_one_409(api, ward_officer_bo_de, at_three):
    api.as_(ward_officer_bo_de)
    refused(api.post("/submissions", submission(slot="2021-09-09T16:30")), 422, "slot_not_open")
    refused(api.post("/submissions", submission(slot="2021-09-06T16:30")), 409, "slot_closed")


def test_an_idempotency_key_must_be_short_and_printable(api, ward_officer_bo_de):
    api.as_(ward_officer_bo_de)
    refused(api.post("/submissions", submission(), key="k" * 81), 422, "invalid_input")
    refused(api.post("/submissions", submission(), key="a\tb"), 422, "invalid_input")
    assert not Submission.objects.exists()


def test_what_providers_know_is_kept_beside_the_reported_values(api, ward_officer_bo_de):
    prefill.register_provider(
        "api-test", ["f1_traced"], lambda units, start, end: {u.pk: {"f1_traced": 10} for u in units}
    )
    try:
        body = api.as_(ward_officer_bo_de).post("/submissions", submission(f1_traced=12)).json()
    finally:
        prefill.unregister_provider("api-test")
    assert body["prefilled"] == {"f1_traced": 10}
    assert body["corrections"] == {"f1_traced": {"prefilled": 10, "reported": 12}}


def test_bearer_tokens_and_anonymous_callers(client, at_three, ward_officer_bo_de):
    from phaodai.accounts import services as accounts

    token = accounts.issue_token(user=ward_officer_bo_de)
    response = client.post(
        f"{API}/submissions", submission(), content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "t-1"},
    )  # fmt: skip
    assert response.status_code == 201
    client.logout()
    refused(client.get(f"{API}/schedules"), 401, "unauthenticated")


# Corrections, acceptance, reading -----------------------------------------------------------------


def test_a_correction_answers_201_then_200_on_a_retry(submitted, api):
    path = f"/submissions/{submitted['id']}/revisions"
    body = {"values": report(f1_traced=20), "reason": "Bổ sung F1", "version": 1}
    first = api.post(path, body, key="fix-1")
    assert first.status_code == 201
    assert (first.json()["revision"], first.json()["values"]["f1_traced"]) == (2, 20)
    assert first.json()["revisions"][1]["reason"] == "Bổ sung F1"
    again = api.post(path, body, key="fix-1")
    assert again.status_code == 200 and again.json()["revision"] == 2
    refused(api.post(path, {**body, "values": report(f1_traced=21)}), 409, "report_changed")
    refused(api.post(path, {"values": report(f1_traced=22), "reason": " "}), 422, "reason_required")
    refused(api.post(path, {"values": report(f1_traced=22)}), 422, "invalid_input")
    refused(api.post(path, {"values": report(f1_traced=-1), "reason": "x"}), 422, "invalid_values")


def test_accepting_locks_the_report_until_the_district_reopens_it(
    submitted, api, ward_officer_bo_de, district_officer_long_bien
):
    pk = submitted["id"]
    refused(api.post(f"/submissions/{pk}/accept"), 403, "not_permitted")
    accepted = api.as_(district_officer_long_bien).post(f"/submissions/{pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    refused(api.post(f"/submissions/{pk}/accept", {"version": 1}), 409, "already_accepted")
    correction = {"values": report(f1_traced=20), "reason": "x"}
    refused(
        api.as_(ward_officer_bo_de).post(f"/submissions/{pk}/revisions", correction), 409, "report_accepted"
    )
    api.as_(district_officer_long_bien)
    refused(api.post(f"/submissions/{pk}/reopen", {}), 422, "invalid_input")
    reopened = api.post(f"/submissions/{pk}/reopen", {"reason": "Số F1 chưa khớp", "version": 2})
    assert reopened.status_code == 200 and reopened.json()["status"] == "submitted"
    assert reopened.json()["reopenings"][0]["reason"] == "Số F1 chưa khớp"
    assert api.as_(ward_officer_bo_de).post(f"/submissions/{pk}/revisions", correction).status_code == 201


def test_a_report_is_read_with_its_revisions_within_jurisdiction(
    submitted, api, district_officer_long_bien, district_officer_ba_dinh, health_worker_bo_de
):
    pk = submitted["id"]
    body = api.as_(district_officer_long_bien).get(f"/submissions/{pk}").json()
    assert body["id"] == pk and body["revisions"][0]["by"] == "ward-00139"
    refused(api.as_(district_officer_ba_dinh).get(f"/submissions/{pk}"), 404, "not_found")
    refused(api.as_(health_worker_bo_de).get(f"/submissions/{pk}"), 403, "not_permitted")
    refused(api.as_(district_officer_long_bien).get("/submissions/999999"), 404, "not_found")


def test_the_list_of_reports_is_scoped_and_filtered(
    submitted, api, ward_officer_ngoc_lam, district_officer_long_bien, district_officer_ba_dinh
):
    api.as_(ward_officer_ngoc_lam).post("/submissions", submission(unit="00133"))
    ngoc_lam = [s["unit"] for s in api.get("/submissions").json()]
    assert ngoc_lam == ["00133"]
    api.as_(district_officer_long_bien)
    assert [s["unit"] for s in api.get("/submissions").json()] == ["00133", "00139"]
    assert [
        s["unit"] for s in api.get(f"/submissions?schedule={WARD}&unit=00139&date=2021-09-08").json()
    ] == ["00139"]
    assert api.get("/submissions?date=2021-09-07").json() == []
    assert [s["unit"] for s in api.get("/submissions?limit=1").json()] == ["00133"]
    refused(api.get("/submissions?date=08/09/2021"), 422, "invalid_input")
    refused(api.get("/submissions?limit=500"), 422, "invalid_input")
    refused(api.get("/submissions?schedule=nope"), 422, "unknown_schedule")
    assert api.as_(district_officer_ba_dinh).get("/submissions").json() == []
    refused(api.get("/submissions?unit=00139"), 404, "not_found")


# Schedules, timeliness, tables, roll-ups, trends --------------------------------------------------


def test_schedules_are_those_the_user_reports_on_or_receives(
    api, ward_officer_bo_de, district_officer_long_bien, city_commander, health_worker_bo_de
):
    ward = api.as_(ward_officer_bo_de).get("/schedules").json()
    assert [(s["code"], s["reports_for"], s["units_in_view"]) for s in ward] == [(WARD, ["00139"], 1)]
    assert ward[0]["slots"] == [{"name": "Daily report", "at": "16:30", "deadline": "16:30"}]
    assert ward[0]["current"] == {
        "slot": "2021-09-08T16:30:00+07:00", "deadline": "2021-09-08T16:30:00+07:00",
        "opens_at": "2021-09-08T08:30:00+07:00", "state": "open",
    }  # fmt: skip
    district = api.as_(district_officer_long_bien).get("/schedules").json()
    assert [(s["code"], s["reports_for"], s["units_in_view"]) for s in district] == [
        ("district-3x-daily", ["004"], 1),
        (WARD, [], 14),
    ]
    assert [s["at"] for s in district[0]["slots"]] == ["06:00", "12:00", "18:00"]
    city = api.as_(city_commander).get("/schedules").json()
    assert [(s["code"], s["reports_for"], s["units_in_view"]) for s in city] == [
        ("district-3x-daily", [], 30),
        (WARD, [], 579),
    ]
    refused(api.as_(health_worker_bo_de).get("/schedules"), 403, "not_permitted")


def test_timeliness_lists_each_slot_with_its_missing_and_late_units(
    submitted, api, district_officer_long_bien, ward_officer_phuc_xa, at_three
):
    at_three.move_to(hanoi(2021, 9, 8, 18))
    api.as_(district_officer_long_bien)
    [slot] = api.get(f"/schedules/{WARD}/timeliness?date=2021-09-08").json()
    assert slot["slot"] == slot["deadline"] == "2021-09-08T16:30:00+07:00"
    assert (slot["expected"], slot["on_time"], slot["late"], slot["missing"], slot["state"]) == (
        14,
        1,
        0,
        13,
        "late",
    )
    assert (
        "00139" not in slot["missing_units"] and len(slot["missing_units"]) == 13 and slot["late_units"] == []
    )
    [one] = api.get(f"/schedules/{WARD}/timeliness?date=2021-09-08&unit=00139").json()
    assert (one["expected"], one["on_time"], one["missing_units"]) == (1, 1, [])
    district = api.get("/schedules/district-3x-daily/timeliness?date=2021-09-08").json()
    assert [s["slot"][11:16] for s in district] == ["06:00", "12:00", "18:00"]
    answer = refused(api.get(f"/schedules/{WARD}/timeliness?date=2021-13-40"), 422, "invalid_input")
    assert (answer["field"], answer["message"]) == ("date", "Give the date as YYYY-MM-DD, e.g. 2021-09-08.")
    refused(api.get(f"/schedules/{WARD}/timeliness?date=0001-01-01"), 422, "invalid_input")
    refused(api.get("/schedules/nope/timeliness?date=2021-09-08"), 422, "unknown_schedule")
    refused(api.as_(ward_officer_phuc_xa).get(f"/schedules/{WARD}/timeliness?unit=004"), 404, "not_found")


def test_a_slot_table_gives_each_units_values_and_the_total(
    submitted, api, ward_officer_ngoc_lam, district_officer_long_bien
):
    api.as_(ward_officer_ngoc_lam).post("/submissions", submission(unit="00133", tests_taken=300))
    table = api.as_(district_officer_long_bien).get(f"/schedules/{WARD}/slots/{SLOT}").json()
    assert table["slot"] == "2021-09-08T16:30:00+07:00" and len(table["rows"]) == 14
    rows = {row["unit"]: row for row in table["rows"]}
    assert rows["00139"]["values"]["tests_taken"] == 1200 and rows["00139"]["submission"] == submitted["id"]
    assert rows["00115"]["submission"] is None and rows["00115"]["values"] is None
    assert table["total"]["tests_taken"] == 1500
    assert {f["code"] for f in table["fields"]} >= {"tests_taken", "situation"}
    ward = api.get(f"/schedules/{WARD}/slots/{SLOT}?unit=00133").json()
    assert [row["unit"] for row in ward["rows"]] == ["00133"]
    refused(api.get(f"/schedules/{WARD}/slots/2021-09-08T17:00"), 422, "no_such_slot")


def test_the_district_roll_up_draft(
    submitted, api, ward_officer_ngoc_lam, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    api.as_(ward_officer_ngoc_lam).post("/submissions", submission(unit="00133", tests_taken=300))
    path = "/schedules/district-3x-daily/rollup?unit=004&slot=2021-09-08T18:00"
    draft = api.as_(district_officer_long_bien).get(path).json()
    assert draft["values"]["tests_taken"] == 1500 and len(draft["missing"]) == 12
    assert {s["unit"] for s in draft["sources"]} == {"00139", "00133"}
    assert api.as_(city_commander).get(path).json()["values"] == draft["values"]
    # A ward officer sits under the district but may not read its other wards' reports.
    refused(api.as_(ward_officer_bo_de).get(path), 404, "not_found")
    api.as_(district_officer_long_bien)
    refused(api.get(f"/schedules/{WARD}/rollup?unit=00139&slot={SLOT}"), 422, "invalid_input")
    refused(
        api.get("/schedules/district-3x-daily/rollup?unit=00139&slot=2021-09-08T18:00"), 422, "invalid_input"
    )
    refused(api.get("/schedules/district-3x-daily/rollup?unit=004"), 422, "invalid_input")


def test_the_trend_of_on_time_rates(submitted, api, district_officer_long_bien, at_three):
    at_three.move_to(hanoi(2021, 9, 8, 20))
    api.as_(district_officer_long_bien)
    [row] = api.get(f"/schedules/{WARD}/trend?weeks=2&unit=00139").json()
    assert row["unit"] == "00139"
    assert row["weeks"] == [
        {"week_start": "2021-08-30", "expected": 7, "on_time": 0, "late": 0, "rate": 0.0},
        {"week_start": "2021-09-06", "expected": 3, "on_time": 1, "late": 0, "rate": 33.3},
    ]
    assert len(api.get(f"/schedules/{WARD}/trend").json()) == 14
    refused(api.get(f"/schedules/{WARD}/trend?weeks=0"), 422, "invalid_input")
    refused(api.get(f"/schedules/{WARD}/trend?weeks=27"), 422, "invalid_input")


# Urgent reports -----------------------------------------------------------------------------------

URGENT = {"unit": "00139", "severity": "critical", "subject": "Ổ dịch tại chợ", "body": "12 F0 trong ngày."}


def test_an_urgent_report_goes_to_the_district_which_acknowledges_it(
    api, ward_officer_bo_de, district_officer_long_bien, ward_officer_phuc_xa
):
    first = api.as_(ward_officer_bo_de).post("/urgent", URGENT, key="u-1")
    assert first.status_code == 201
    body = first.json()
    assert (body["receiver"], body["severity"], body["acknowledged_at"]) == ("004", "critical", None)
    again = api.post("/urgent", URGENT, key="u-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert UrgentReport.objects.count() == 1
    assert Notification.objects.filter(kind="sitreps.urgent", unit__code="004").count() == 1
    assert [u["id"] for u in api.get("/urgent").json()] == [body["id"]]
    refused(api.post(f"/urgent/{body['id']}/acknowledge"), 403, "not_permitted")
    acknowledged = api.as_(district_officer_long_bien).post(f"/urgent/{body['id']}/acknowledge")
    assert (
        acknowledged.status_code == 200
        and acknowledged.json()["acknowledged_at"] == "2021-09-08T15:00:00+07:00"
    )
    assert [u["id"] for u in api.get("/urgent").json()] == [body["id"]]
    assert api.as_(ward_officer_phuc_xa).get("/urgent").json() == []
    refused(api.post(f"/urgent/{body['id']}/acknowledge"), 404, "not_found")


def test_an_urgent_report_with_bad_fields_answers_422(api, ward_officer_bo_de, district_officer_long_bien):
    api.as_(ward_officer_bo_de)
    answer = refused(api.post("/urgent", {**URGENT, "severity": "low", "body": ""}), 422, "invalid_values")
    assert {e["field"] for e in answer["errors"]} == {"severity", "body"}
    refused(api.post("/urgent", {**URGENT, "body": "x" * 10_001}), 422, "invalid_input")
    refused(api.as_(district_officer_long_bien).post("/urgent", URGENT), 403, "not_permitted")
    assert not UrgentReport.objects.exists()


# Never a 500 --------------------------------------------------------------------------------------

FIELD_CODES = list(report())
scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
report_values = st.one_of(
    st.just(report()),
    st.dictionaries(st.sampled_from(FIELD_CODES) | st.text(max_size=8), json_values, max_size=20),
    st.builds(lambda base, extra: {**base, **extra}, st.just(report()),
              st.dictionaries(st.sampled_from(FIELD_CODES), json_values, max_size=3)),
    json_values,
)  # fmt: skip
bodies = st.one_of(
    st.fixed_dictionaries(
        {
            "schedule": st.sampled_from([WARD, "district-3x-daily"]) | json_values,
            "unit": st.sampled_from(["00139", "00133", "00001", "004", "01", "99999"]) | json_values,
            "slot": st.sampled_from([SLOT, "2021-09-08T18:00", "2021-09-06T16:30", "2021-09-09T16:30"])
            | st.text(max_size=25)
            | json_values,
            "values": report_values,
        },
        optional={"extra": json_values},
    ),
    json_values,
)
keys = st.none() | st.sampled_from(["a", "b"]) | st.text(max_size=90)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, key=keys)
def test_any_json_body_gets_a_clear_answer_never_a_crash(api, ward_officer_bo_de, body, key):
    response = api.as_(ward_officer_bo_de).post("/submissions", body, key=key)
    assert response.status_code in {201, 200, 403, 404, 409, 422}, response.content
    if response.status_code >= 400:
        assert response.json()["code"] and response.json()["message"]
    assert Submission.objects.count() == Revision.objects.count() <= 1
