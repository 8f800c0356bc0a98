"""Bad input to the inspections API is refused with a clear 422 and nothing written; a race has one winner."""

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.inspections import services
from phaodai.inspections.models import Inspection, InspectionTeam, Violation

API = "/api/v1/inspections"


@pytest.fixture(autouse=True)
def morning_11_september() -> Iterator[None]:
    with time_machine.travel(hanoi(2021, 9, 11, 9, 0), tick=True):
        yield


def post(client: Any, path: str, body: Any, **headers: str) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def field_of(response: Any) -> str:
    """The field at fault: a domain refusal names it; a schema refusal lists it first among its errors."""
    body = response.json()
    errors = body.get("errors") or [{}]
    return str(body.get("field") or errors[0].get("field", ""))


def team_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Đoàn kiểm tra số 5",
        "level": "district",
        "decision_number": "680-QĐ/QU",
        "decision_date": "2021-09-05",
        "home_unit": "004",
        "area_units": ["00139"],
        "active_from": "2021-09-05T08:00",
    }
    body.update(overrides)
    return body


def violation_json(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "no_mask_public",
        "offender": "person",
        "offender_name": "Người vi phạm",
        "fine_amount": 2_000_000,
        "measures": ["fine"],
        "decision_number": "27/QĐ-XPHC",
    }
    body.update(overrides)
    return body


def started_market(team: Any, inspector: Any, unit: Any) -> Inspection:
    planned = services.plan_inspection(
        by=inspector, team=team, target_kind="market", unit=unit("00139"), label="Chợ Bồ Đề"
    )
    return services.start_inspection(by=inspector, inspection=planned)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"owner_phone": "0912345678"}, "owner_phone"),
        ({"name": "Đoàn\x00 5"}, ""),
        ({"decision_date": "2021-02-30"}, "decision_date"),
        ({"decision_date": "30/09/2021"}, "decision_date"),
        ({"active_from": "2021-09-05T25:00"}, "active_from"),
        ({"active_from": "0001-01-01T00:00"}, "active_from"),
        ({"active_until": "2021-09-01T00:00"}, "active_until"),
        ({"level": "ward"}, "level"),
        ({"home_unit": "004\x00"}, ""),
        ({"area_units": "00139"}, "area_units"),
        ({"area_units": []}, "area_units"),
        ({"members": [{"name": "A", "phone": "0912345678"}]}, "members.0.phone"),
        ({"name": "x" * 201}, "name"),
        ({"decision_number": "  "}, "decision_number"),
    ],
)
def test_a_bad_team_is_refused_naming_the_field(
    client: Any, district_officer_long_bien: Any, overrides: dict[str, Any], field: str
) -> None:
    client.force_login(district_officer_long_bien)
    refused = post(client, "/teams", team_json(**overrides))
    assert refused.status_code == 422, refused.json()
    assert refused.json()["code"] in {"invalid_input", "wrong_team_level"}
    assert field_of(refused) == field
    assert refused.json()["message"]
    assert not InspectionTeam.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_refused(client: Any, district_officer_long_bien: Any) -> None:
    client.force_login(district_officer_long_bien)
    refused = post(client, "/teams", "{not json")
    assert (refused.status_code, refused.json()["code"]) == (400, "bad_request")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"surprise": True, "colour": "red"}, "colour"),
        ({"label": "Chợ\x00"}, ""),
        ({"scheduled_at": "2021-09-31T08:00"}, "scheduled_at"),
        ({"scheduled_at": "tomorrow"}, "scheduled_at"),
        ({"scheduled_at": "2301-01-01T08:00"}, "scheduled_at"),
        ({"target_kind": "shop"}, "target_kind"),
        ({"unit": "99999"}, "unit"),
    ],
)
def test_a_bad_plan_is_refused_naming_the_field(
    client: Any, team_3: Any, inspector_team_3: Any, overrides: dict[str, Any], field: str
) -> None:
    client.force_login(inspector_team_3)
    body = {"target_kind": "market", "unit": "00139", "label": "Chợ Bồ Đề", **overrides}
    refused = post(client, f"/teams/{team_3.pk}/inspections", body)
    assert refused.status_code == 422, refused.json()
    assert field_of(refused) == field
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_a_team_before_its_decision_takes_effect_does_not_inspect(
    client: Any, team_3: Any, inspector_team_3: Any
) -> None:
    client.force_login(inspector_team_3)
    body = {"target_kind": "market", "unit": "00139", "label": "Chợ Bồ Đề"}
    early = post(client, f"/teams/{team_3.pk}/inspections", {**body, "scheduled_at": "2021-08-20T08:00"})
    assert (early.status_code, early.json()["code"]) == (422, "team_not_active")
    assert "1103-QĐ/TU" in early.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"fine_amount": -1}, "invalid_input", "fine_amount"),
        ({"fine_amount": 10**13}, "invalid_input", "fine_amount"),
        ({"fine_amount": "two million"}, "invalid_input", "fine_amount"),
        ({"fine_amount": 3_000_001}, "fine_outside_band", "fine_amount"),
        ({"offender": "company"}, "invalid_input", "offender"),
        ({"kind": "littering"}, "unknown_violation_kind", "kind"),
        ({"measures": ["fine", "prison"]}, "measure_not_allowed", "measures"),
        ({"measures": ["warning"]}, "measure_not_allowed", "measures"),
        ({"measures": ["fine", "suspension"]}, "measure_not_allowed", "measures"),
        ({"offender_name": "A\x00"}, "invalid_input", ""),
        ({"decision_number": ""}, "invalid_input", "decision_number"),
        ({"seal": True}, "invalid_input", "seal"),
    ],
)
def test_a_bad_violation_is_refused_and_nothing_is_written(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    unit: Any,
    overrides: dict[str, Any],
    code: str,
    field: str,
) -> None:
    visit = started_market(team_3, inspector_team_3, unit)
    before = AuditEntry.objects.count()
    client.force_login(inspector_team_3)
    refused = post(client, f"/{visit.pk}/violations", violation_json(**overrides))
    assert refused.status_code == 422, refused.json()
    assert (refused.json()["code"], field_of(refused)) == (code, field)
    assert not Violation.objects.exists()
    assert AuditEntry.objects.count() == before
    assert Inspection.objects.get(pk=visit.pk).version == visit.version


@pytest.mark.django_db
def test_a_bad_idempotency_key_is_refused(client: Any, team_3: Any, inspector_team_3: Any, unit: Any) -> None:
    visit = started_market(team_3, inspector_team_3, unit)
    client.force_login(inspector_team_3)
    refused = post(client, f"/{visit.pk}/violations", violation_json(), **{"Idempotency-Key": "k" * 81})
    assert (refused.status_code, field_of(refused)) == (422, "Idempotency-Key")
    assert not Violation.objects.exists()


@pytest.mark.django_db
def test_findings_refuse_loose_types_and_empty_lists(
    client: Any, team_3: Any, inspector_team_3: Any, unit: Any
) -> None:
    visit = started_market(team_3, inspector_team_3, unit)
    client.force_login(inspector_team_3)
    for body in [
        {"findings": []},
        {"findings": [{"item_code": "market_pass", "ok": "yes"}]},
        {"findings": [{"item_code": "market_pass", "ok": 1}]},
        {"findings": [{"item_code": "market_pass", "ok": True, "photo": "x.jpg"}]},
        {"findings": [{"item_code": "market\x00pass", "ok": True}]},
    ]:
        refused = post(client, f"/{visit.pk}/findings", body)
        assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input"), body
    assert not visit.findings.exists()


@pytest.mark.django_db
def test_steps_need_the_version_read(client: Any, team_3: Any, inspector_team_3: Any, unit: Any) -> None:
    planned = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="market", unit=unit("00139"), label="Chợ Bồ Đề"
    )
    client.force_login(inspector_team_3)
    for path in ("start", "cancel", "finish"):
        refused = post(client, f"/{planned.pk}/{path}", {"reason": "x"})
        assert (refused.status_code, field_of(refused)) == (422, "version"), path
    stale = post(client, f"/{planned.pk}/cancel", {"version": planned.version + 1, "reason": "Đổi lịch"})
    assert (stale.status_code, stale.json()["code"]) == (409, "inspection_changed")
    assert Inspection.objects.get(pk=planned.pk).status == "planned"


@pytest.mark.django_db
def test_unknown_and_absurd_ids_are_refused_without_a_crash(client: Any, inspector_team_3: Any) -> None:
    client.force_login(inspector_team_3)
    assert client.get(f"{API}/999999").status_code == 404
    assert client.get(f"{API}/teams/999999").status_code == 404
    huge = client.get(f"{API}/{10**20}")
    assert (huge.status_code, huge.json()["code"]) == (422, "invalid_input")
    assert client.get(f"{API}?team={10**20}").status_code == 422
    assert (
        client.post(f"{API}/teams/{10**20}/inspections", {}, content_type="application/json").status_code
        == 422
    )


# Races: one winner, one clear answer for the other, on PostgreSQL where requests truly overlap.


def race(users: list[Any], send: Any) -> list[Any]:
    """Send one request per user at the same instant, each from its own client and connection."""
    start = threading.Barrier(len(users))
    answers: list[Any] = []

    def run(user: Any) -> None:
        try:
            client = Client()
            client.force_login(user)
            start.wait(timeout=10)
            answers.append(send(client))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_give_one_winner_and_one_conflict(
    team_3: Any, inspector_team_3: Any, city_commander: Any, unit: Any
) -> None:
    planned = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="market", unit=unit("00139"), label="Chợ Bồ Đề"
    )
    answers = race(
        [inspector_team_3, city_commander],
        lambda client: post(client, f"/{planned.pk}/start", {"version": planned.version}),
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.json() for a in answers]
    assert AuditEntry.objects.filter(action="inspections.start").count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_violation_sent_twice_at_once_is_recorded_once(
    team_3: Any, inspector_team_3: Any, city_commander: Any, unit: Any
) -> None:
    visit = started_market(team_3, inspector_team_3, unit)
    answers = race(
        [inspector_team_3, city_commander],
        lambda client: post(
            client, f"/{visit.pk}/violations", violation_json(), **{"Idempotency-Key": "r-1"}
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 201], [a.json() for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Violation.objects.count() == 1
    assert AuditEntry.objects.filter(action="inspections.record_violation").count() == 1
