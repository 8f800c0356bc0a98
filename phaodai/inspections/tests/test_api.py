"""The inspections API: the same services as the pages, refusals as {"code", "message"} (S31)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.business.models import SafetyPlan
from phaodai.core.clock import hanoi
from phaodai.inspections import services
from phaodai.inspections.models import Closure, Inspection, InspectionTeam, Violation

pytestmark = pytest.mark.django_db
API = "/api/v1/inspections"
BUSINESS_ITEMS = [
    "plan_approved",
    "onsite_within_plan",
    "qr_checkin",
    "masks_distancing",
    "disinfection",
    "staff_testing",
    "responsible_person",
]


@pytest.fixture(autouse=True)
def morning_11_september() -> Iterator[None]:
    # The factory's plan is in force from 12:00 10/9 to 10/10; the team works from 1/9.
    with time_machine.travel(hanoi(2021, 9, 11, 9, 0), tick=True):
        yield


def post(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def field_of(response: Any) -> str:
    """The field at fault: a domain refusal names it; a schema refusal lists it first among its errors."""
    body = response.json()
    errors = body.get("errors") or [{}]
    return str(body.get("field") or errors[0].get("field", ""))


def plan(client: Any, team: Any, body: dict[str, Any]) -> Any:
    """Plan an inspection for a team."""
    return post(client, f"/teams/{team.pk}/inspections", body)


def findings(*, not_ok: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"findings": [{"item_code": code, "ok": code not in not_ok} for code in BUSINESS_ITEMS]}


def fine_and_close(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "business_measures_not_applied",
        "offender": "organisation",
        "offender_name": "Công ty May Bồ Đề",
        "fine_amount": 15_000_000,
        "measures": ["fine", "closure"],
        "decision_number": "25/QĐ-XPHC",
        "responsible_person": "Phạm Văn Giám",
    }
    body.update(overrides)
    return body


def surprise_visit(client: Any, team: Any, business: Any) -> dict[str, Any]:
    """Plan a surprise inspection of the business through the API and start it."""
    planned = plan(client, team, {"target_kind": "business", "business": business.pk, "surprise": True})
    assert planned.status_code == 201, planned.json()
    started = post(client, f"/{planned.json()['id']}/start", {"version": planned.json()["version"]})
    assert started.status_code == 200, started.json()
    return dict(started.json())


# Acceptance: a surprise inspection fines and closes; a re-inspection reopens.


def test_a_surprise_inspection_fines_and_closes_and_a_reinspection_reopens_through_the_api(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    assert (visit["surprise"], visit["status"], visit["business"]) == (
        True,
        "in_progress",
        approved_factory.pk,
    )
    assert [item["code"] for item in visit["checklist"]["items"]] == BUSINESS_ITEMS

    recorded = post(client, f"/{visit['id']}/findings", findings(not_ok=("qr_checkin",)))
    assert recorded.status_code == 200
    assert [(f["item_code"], f["ok"]) for f in recorded.json()["findings"]][2] == ("qr_checkin", False)

    fined = post(client, f"/{visit['id']}/violations", fine_and_close(), **{"Idempotency-Key": "v-1"})
    assert fined.status_code == 201, fined.json()
    violation = fined.json()
    assert (violation["fine_amount"], violation["measures"]) == (
        15_000_000,
        ["fine", "suspension", "closure"],
    )
    assert violation["plan_suspended"] is True
    assert "117/2020/NĐ-CP" in violation["legal_basis"]
    assert violation["reinspect_by"].startswith("2021-09-18T")

    version = recorded.json()["version"] + 1  # the violation touched the inspection
    finished = post(client, f"/{visit['id']}/finish", {"version": version, "summary": "Lập biên bản."})
    assert finished.status_code == 200, finished.json()
    assert (finished.json()["status"], finished.json()["result"]) == ("done", "fail")
    assert finished.json()["business_closed"] is True
    assert [v["decision_number"] for v in finished.json()["violations"]] == ["25/QĐ-XPHC"]
    assert SafetyPlan.objects.get(business=approved_factory).status == "suspended"

    again = post(client, f"/{visit['id']}/reinspections", {"scheduled_at": "2021-09-11T09:30"})
    assert again.status_code == 201, again.json()
    assert (again.json()["follow_up_of"], again.json()["business"]) == (visit["id"], approved_factory.pk)
    assert again.json()["scheduled_at"] == "2021-09-11T09:30:00+07:00"
    started = post(client, f"/{again.json()['id']}/start", {"version": again.json()["version"]})
    recorded = post(client, f"/{again.json()['id']}/findings", findings())
    done = post(client, f"/{again.json()['id']}/finish", {"version": recorded.json()["version"]})
    assert started.status_code == recorded.status_code == done.status_code == 200
    assert (done.json()["result"], done.json()["business_closed"]) == ("pass", False)
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"
    assert Closure.objects.get().lifted_by_id == again.json()["id"]


def test_a_retried_violation_answers_200_with_the_same_one_and_other_values_under_its_number_409(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    first = post(client, f"/{visit['id']}/violations", fine_and_close(), **{"Idempotency-Key": "k-25"})
    retry = post(client, f"/{visit['id']}/violations", fine_and_close(), **{"Idempotency-Key": "k-25"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    other = post(client, f"/{visit['id']}/violations", fine_and_close(fine_amount=12_000_000))
    assert (other.status_code, other.json()["code"], other.json()["field"]) == (
        409,
        "duplicate",
        "decision_number",
    )
    assert Violation.objects.count() == 1
    # a retry after the visit is finished still answers with the violation, never a second one
    post(client, f"/{visit['id']}/findings", findings())
    current = client.get(f"{API}/{visit['id']}").json()
    assert post(client, f"/{visit['id']}/finish", {"version": current["version"]}).status_code == 200
    late = post(client, f"/{visit['id']}/violations", fine_and_close())
    assert (late.status_code, late.json()["id"]) == (200, first.json()["id"])


def test_a_fine_outside_the_band_answers_422_naming_the_band(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    refused = post(client, f"/{visit['id']}/violations", fine_and_close(fine_amount=25_000_000))
    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["field"]) == ("fine_outside_band", "fine_amount")
    assert "10.000.000 đ" in body["message"] and "20.000.000 đ" in body["message"]
    assert "25.000.000 đ" in body["message"]
    person = post(
        client,
        f"/{visit['id']}/violations",
        fine_and_close(kind="no_mask_public", offender="person", fine_amount=500_000, measures=["fine"]),
    )
    assert person.json()["code"] == "fine_outside_band"
    assert "1.000.000 đ" in person.json()["message"] and "3.000.000 đ" in person.json()["message"]
    not_allowed = post(
        client,
        f"/{visit['id']}/violations",
        fine_and_close(kind="no_mask_public", offender="person", fine_amount=2_000_000),
    )
    assert (not_allowed.status_code, not_allowed.json()["code"]) == (422, "measure_not_allowed")
    assert not Violation.objects.exists()
    assert SafetyPlan.objects.get(business=approved_factory).status == "approved"


def test_findings_with_a_photo_are_sent_as_multipart(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    url = f"{API}/{visit['id']}/findings/photo"
    photo = SimpleUploadedFile("qr.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    sent = client.post(
        url, {"item_code": "qr_checkin", "ok": "false", "note": "Không có mã QR", "photo": photo}
    )
    assert sent.status_code == 200, sent.json()
    [finding] = sent.json()["findings"]
    assert (finding["item_code"], finding["ok"], finding["has_photo"]) == ("qr_checkin", False, True)
    fake = SimpleUploadedFile("qr.jpg", b"not a picture at all")
    refused = client.post(url, {"item_code": "qr_checkin", "ok": "false", "photo": fake})
    assert (refused.status_code, refused.json()["code"]) == (422, "unsupported_photo")
    photo.seek(0)
    unknown = client.post(url, {"item_code": "qr_checkin", "ok": "true", "owner": "x", "photo": photo})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "owner")
    photo.seek(0)
    nul = client.post(url, {"item_code": "qr_checkin", "ok": "true", "note": "a\x00b", "photo": photo})
    assert (nul.status_code, nul.json()["code"]) == (422, "invalid_input")


# Teams.


def team_json(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Đoàn liên ngành số 2",
        "level": "interdisciplinary",
        "decision_number": "679-QĐ/QU",
        "decision_date": "2021-09-05",
        "home_unit": "004",
        "area_units": ["00139", "00133"],
        "members": [
            {"name": "Đỗ Văn Nam", "title": "Công an quận", "role": "leader", "username": "inspector-004"},
            {"name": "Lê Thị Hoa", "title": "Trung tâm Y tế quận"},
        ],
        "active_from": "2021-09-05T08:00",
    }
    body.update(overrides)
    return body


def test_a_district_sets_up_a_team_and_reads_it_with_members_and_area(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any
) -> None:
    client.force_login(district_officer_long_bien)
    created = post(client, "/teams", team_json())
    assert created.status_code == 201, created.json()
    team = created.json()
    assert [u["code"] for u in team["area"]] == ["00133", "00139"]
    assert team["home_unit"]["code"] == "004"
    assert team["active_from"] == "2021-09-05T08:00:00+07:00"
    assert [(m["name"], m["role"], m["username"]) for m in team["members"]] == [
        ("Đỗ Văn Nam", "leader", "inspector-004"),
        ("Lê Thị Hoa", "member", None),
    ]
    assert client.get(f"{API}/teams/{team['id']}").json() == team
    assert [t["name"] for t in client.get(f"{API}/teams").json()] == ["Đoàn liên ngành số 2"]
    again = post(client, "/teams", team_json())
    assert (again.status_code, again.json()["code"]) == (409, "duplicate")
    # the member who signs in sees the team as theirs
    client.force_login(inspector_team_3)
    assert [t["id"] for t in client.get(f"{API}/teams").json()] == [team["id"]]


def test_a_team_outside_the_home_unit_or_of_the_wrong_level_is_refused(
    client: Any, district_officer_long_bien: Any, inspector_team_3: Any
) -> None:
    client.force_login(district_officer_long_bien)
    outside = post(client, "/teams", team_json(area_units=["00139", "00001"]))
    assert (outside.status_code, outside.json()["code"]) == (422, "area_outside_home_unit")
    assert "Phúc Xá" in outside.json()["message"]
    wrong = post(client, "/teams", team_json(level="city"))
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_team_level")
    nobody = post(client, "/teams", team_json(members=[{"name": "X", "username": "no-such-user"}]))
    assert (nobody.status_code, nobody.json()["field"]) == (422, "members")
    no_unit = post(client, "/teams", team_json(area_units=["99999"]))
    assert (no_unit.status_code, no_unit.json()["field"]) == (422, "area_units")
    # another district's team is outside Long Biên's units (404); an inspector sets up none (403)
    assert post(client, "/teams", team_json(home_unit="001", area_units=["00001"])).status_code == 404
    client.force_login(inspector_team_3)
    assert post(client, "/teams", team_json()).status_code == 403
    assert not InspectionTeam.objects.exists()


def test_teams_are_read_within_ones_units(
    client: Any,
    team_3: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    ward_officer_bo_de: Any,
) -> None:
    client.force_login(district_officer_long_bien)
    detail = client.get(f"{API}/teams/{team_3.pk}").json()
    assert (detail["level"], detail["decision_number"]) == ("city", "1103-QĐ/TU")
    assert [m["name"] for m in detail["members"]] == ["Nguyễn Văn Hùng", "Lê Thị Mai"]
    client.force_login(district_officer_ba_dinh)
    assert client.get(f"{API}/teams").json() == []
    missing = client.get(f"{API}/teams/{team_3.pk}")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    client.force_login(ward_officer_bo_de)
    refused = client.get(f"{API}/teams")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted")


# Inspections: planning, lists, steps.


def test_an_inspection_by_a_team_outside_its_area_is_refused(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    district_officer_ba_dinh: Any,
    approved_factory: Any,
    unit: Callable[[str], Any],
) -> None:
    client.force_login(inspector_team_3)
    market = {"target_kind": "market", "unit": "00001", "label": "Chợ Châu Long"}
    refused = plan(client, team_3, market)
    assert (refused.status_code, refused.json()["code"]) == (422, "outside_area_of_work")
    assert "Chợ Châu Long" in refused.json()["message"] and "1103-QĐ/TU" in refused.json()["message"]
    ba_dinh = services.create_team(
        by=district_officer_ba_dinh,
        name="Đoàn kiểm tra quận Ba Đình",
        level="district",
        decision_number="215/QĐ-UBND",
        decision_date=hanoi(2021, 9, 2).date(),
        home_unit=unit("001"),
        area_units=[unit("001")],
        active_from=hanoi(2021, 9, 2),
    )
    client.force_login(district_officer_ba_dinh)
    factory = {"target_kind": "business", "business": approved_factory.pk}
    refused = plan(client, ba_dinh, factory)
    assert (refused.status_code, refused.json()["code"], field_of(refused)) == (
        422,
        "outside_area_of_work",
        "business",
    )
    # a team one does not see is not found
    assert plan(client, team_3, {**market, "unit": "00139"}).status_code == 404
    assert not Inspection.objects.exists()


def test_targets_are_named_and_checked(client: Any, team_3: Any, inspector_team_3: Any) -> None:
    client.force_login(inspector_team_3)
    base = {"target_kind": "market", "unit": "00139"}
    unnamed = plan(client, team_3, base)
    assert (unnamed.status_code, unnamed.json()["code"]) == (422, "invalid_target")
    no_area = plan(client, team_3, {**base, "target_kind": "residential_area"})
    assert (no_area.status_code, no_area.json()["field"]) == (422, "area")
    bad_area = plan(client, team_3, {**base, "area": "00139-NOPE", "label": "Chợ"})
    assert (bad_area.status_code, bad_area.json()["field"]) == (422, "area")
    no_business = plan(client, team_3, {"target_kind": "business"})
    assert (no_business.status_code, no_business.json()["field"]) == (422, "business")
    planned = plan(
        client, team_3, {**base, "label": "Chợ Bồ Đề", "scheduled_at": "2021-09-12T08:00:00+07:00"}
    )
    assert planned.status_code == 201
    assert (planned.json()["status"], planned.json()["surprise"]) == ("planned", False)
    assert planned.json()["checklist"]["code"] == "market-2021"


def test_lists_filter_by_status_kind_team_and_business_within_ones_units(
    client: Any,
    team_3: Any,
    inspector_team_3: Any,
    district_officer_long_bien: Any,
    district_officer_ba_dinh: Any,
    approved_factory: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    for label in ("Chợ Bồ Đề", "Chợ Long Biên", "Chợ Gia Lâm"):
        plan(client, team_3, {"target_kind": "market", "unit": "00139", "label": label})

    client.force_login(district_officer_long_bien)

    def ids(query: str) -> list[int]:
        answer = client.get(f"{API}?{query}")
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()]

    with django_assert_max_num_queries(8):
        assert len(ids("")) == 4
    assert ids("status=in_progress") == ids("kind=business") == ids(f"business={approved_factory.pk}")
    assert ids("status=in_progress") == [visit["id"]]
    assert ids("surprise=true") == [visit["id"]]
    assert len(ids(f"team={team_3.pk}&kind=market&status=planned")) == 3
    assert len(ids("limit=2")) == 2
    refused = client.get(f"{API}?status=open")
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid_input")
    client.force_login(district_officer_ba_dinh)
    assert ids("") == []
    assert client.get(f"{API}/{visit['id']}").status_code == 404


def test_of_two_starts_of_the_same_version_one_wins_and_a_stale_version_is_a_conflict(
    client: Any, team_3: Any, inspector_team_3: Any, city_commander: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    planned = plan(client, team_3, {"target_kind": "business", "business": approved_factory.pk})
    seen = planned.json()["version"]
    pk = planned.json()["id"]
    assert post(client, f"/{pk}/start", {"version": seen}).status_code == 200
    client.force_login(city_commander)
    lost = post(client, f"/{pk}/start", {"version": seen})
    assert (lost.status_code, lost.json()["code"]) == (409, "inspection_not_open")
    recorded = post(client, f"/{pk}/findings", findings())
    stale = post(client, f"/{pk}/finish", {"version": seen + 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "inspection_changed")
    assert Inspection.objects.get(pk=pk).status == "in_progress"
    assert post(client, f"/{pk}/finish", {"version": recorded.json()["version"]}).status_code == 200
    late = post(client, f"/{pk}/findings", findings())
    assert (late.status_code, late.json()["code"]) == (409, "inspection_not_open")


def test_finishing_needs_every_item_and_cancelling_needs_a_reason(
    client: Any, team_3: Any, inspector_team_3: Any, approved_factory: Any
) -> None:
    client.force_login(inspector_team_3)
    visit = surprise_visit(client, team_3, approved_factory)
    partial = post(client, f"/{visit['id']}/findings", {"findings": findings()["findings"][:5]})
    incomplete = post(client, f"/{visit['id']}/finish", {"version": partial.json()["version"]})
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "checklist_incomplete")
    assert "staff_testing, responsible_person" in incomplete.json()["message"]
    unknown = post(
        client, f"/{visit['id']}/findings", {"findings": [{"item_code": "market_pass", "ok": True}]}
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_checklist_item")
    planned = plan(client, team_3, {"target_kind": "business", "business": approved_factory.pk})
    pk, version = planned.json()["id"], planned.json()["version"]
    blank = post(client, f"/{pk}/cancel", {"version": version, "reason": "   "})
    assert (blank.status_code, blank.json()["field"]) == (422, "reason")
    cancelled = post(client, f"/{pk}/cancel", {"version": version, "reason": "Đoàn đổi lịch."})
    assert (cancelled.json()["status"], cancelled.json()["summary"]) == ("cancelled", "Đoàn đổi lịch.")
    not_failed = post(client, f"/{pk}/reinspections", {})
    assert (not_failed.status_code, not_failed.json()["code"]) == (422, "invalid_follow_up")


def test_only_the_teams_members_or_inspectors_of_its_unit_act_for_it(
    client: Any, team_3: Any, district_officer_long_bien: Any, health_worker_bo_de: Any, approved_factory: Any
) -> None:
    # Long Biên reads the city team's work in its district but does not act for it
    client.force_login(district_officer_long_bien)
    refused = plan(client, team_3, {"target_kind": "business", "business": approved_factory.pk})
    assert (refused.status_code, refused.json()["code"]) == (403, "not_on_team")
    client.force_login(health_worker_bo_de)
    assert client.get(API).status_code == 403


# Reference, follow-up and accountability.


def test_violation_kinds_list_the_bands_and_what_is_still_to_verify(
    client: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    kinds = {k["code"]: k for k in client.get(f"{API}/violation-kinds").json()}
    mask = kinds["no_mask_public"]
    assert (mask["person_band"], mask["organisation_band"]) == (
        {"low": 1_000_000, "high": 3_000_000},
        {"low": 2_000_000, "high": 6_000_000},
    )
    assert (mask["measures"], mask["to_verify"], mask["suspends_plan"]) == (["fine"], False, False)
    assert "117/2020/NĐ-CP" in mask["legal_basis"] and mask["description_en"]
    assert kinds["business_measures_not_applied"]["to_verify"] is True


@pytest.fixture
def fined_and_closed(team_3: Any, inspector_team_3: Any, approved_factory: Any) -> Violation:
    """The factory fined 15 M and closed on 11/9, and Bồ Đề market fined 2 M on 12/9 (services)."""
    at = lambda moment: lambda: moment  # noqa: E731
    visit = services.plan_inspection(
        by=inspector_team_3, team=team_3, target_kind="business", business=approved_factory, surprise=True
    )
    visit = services.start_inspection(by=inspector_team_3, inspection=visit)
    services.record_findings(
        by=inspector_team_3,
        inspection=visit,
        findings=[services.FindingInput(code, code != "qr_checkin") for code in BUSINESS_ITEMS],
    )
    closing = services.record_violation(by=inspector_team_3, inspection=visit, **fine_and_close())
    services.finish_inspection(by=inspector_team_3, inspection=visit, clock=at(hanoi(2021, 9, 11, 11)))
    market = services.plan_inspection(
        by=inspector_team_3,
        team=team_3,
        target_kind="market",
        unit=approved_factory.unit,
        label="Chợ Bồ Đề",
        scheduled_at=hanoi(2021, 9, 12, 9),
    )
    market = services.start_inspection(
        by=inspector_team_3, inspection=market, clock=at(hanoi(2021, 9, 12, 9))
    )
    services.record_violation(
        by=inspector_team_3,
        inspection=market,
        kind="no_mask_public",
        offender="person",
        offender_name="Người vi phạm",
        fine_amount=2_000_000,
        measures=["fine"],
        decision_number="27/QĐ-XPHC",
        responsible_person="Ban quản lý chợ",
        clock=at(hanoi(2021, 9, 12, 9, 30)),
    )
    return closing


def test_accountability_answers_a_units_figures_as_json(
    client: Any, fined_and_closed: Violation, district_officer_long_bien: Any
) -> None:
    client.force_login(district_officer_long_bien)
    answer = client.get(f"{API}/accountability?unit=004&from=01/09/2021&to=2021-09-30")
    assert answer.status_code == 200, answer.json()
    figures = answer.json()
    assert (figures["unit"]["code"], figures["from"], figures["to"]) == ("004", "2021-09-01", "2021-09-30")
    assert (figures["inspections_done"], figures["failed"], figures["violations"]) == (1, 1, 2)
    assert figures["by_kind"] == [
        {
            "kind": "business_measures_not_applied",
            "description": figures["by_kind"][0]["description"],
            "count": 1,
            "fines": 15_000_000,
        },
        {
            "kind": "no_mask_public",
            "description": figures["by_kind"][1]["description"],
            "count": 1,
            "fines": 2_000_000,
        },
    ]
    assert (figures["fines_total"], figures["closures"], figures["still_closed"]) == (17_000_000, 1, 1)
    # the factory should have been re-inspected by 18/9
    assert figures["overdue"] == [fined_and_closed.pk]
    assert figures["repeat_units"] == [{"unit": "00139", "violations": 2}]
    # no personal identifiers: the plan's responsible phone never appears
    assert "0912345678" not in answer.content.decode()
    early = client.get(f"{API}/accountability?unit=00139&from=2021-09-01&to=2021-09-11").json()
    assert (early["violations"], early["overdue"]) == (1, [])


def test_accountability_refuses_bad_periods_and_units_outside_ones_own(
    client: Any, district_officer_long_bien: Any, district_officer_ba_dinh: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(district_officer_long_bien)
    for query, field in [
        ("unit=004&from=2021-13-01", "from"),
        ("unit=004&from=31/02/2021", "from"),
        ("unit=004&to=0001-01-01", "to"),
        ("unit=004&from=2021-09-30&to=2021-09-01", "to"),
        ("unit=004&from=1990-01-01&to=2021-09-01", "from"),
    ]:
        refused = client.get(f"{API}/accountability?{query}")
        assert (refused.status_code, field_of(refused)) == (422, field), query
    assert client.get(f"{API}/accountability").status_code == 422
    assert client.get(f"{API}/accountability?unit=99999").status_code == 404
    client.force_login(district_officer_ba_dinh)
    assert client.get(f"{API}/accountability?unit=004").status_code == 404
    client.force_login(ward_officer_bo_de)
    assert client.get(f"{API}/accountability?unit=00139").status_code == 403


def test_overdue_reinspections_are_listed_within_ones_units(
    client: Any, fined_and_closed: Violation, district_officer_long_bien: Any, district_officer_ba_dinh: Any
) -> None:
    client.force_login(district_officer_long_bien)
    with time_machine.travel(hanoi(2021, 9, 20, 9), tick=True):
        overdue = client.get(f"{API}/overdue").json()
    assert [(row["violation"], row["target_label"]) for row in overdue] == [
        (fined_and_closed.pk, "Công ty May Bồ Đề")
    ]
    assert overdue[0]["reinspect_by"].startswith("2021-09-18T09:00")
    client.force_login(district_officer_ba_dinh)
    with time_machine.travel(hanoi(2021, 9, 20, 9), tick=True):
        assert client.get(f"{API}/overdue").json() == []


def test_without_credentials_the_api_answers_401(client: Any) -> None:
    assert client.get(API).status_code == 401
    assert client.get(f"{API}/violation-kinds").status_code == 401
