"""The workflow API: rounds, proposals and decisions, with {"code", "message"} refusals."""

from datetime import timedelta

import pytest

from phaodai.core.clock import to_local
from phaodai.core.models import AuditEntry
from phaodai.zoning import selectors, services
from phaodai.zoning.models import Assignment, Decision, Proposal, Round
from phaodai.zoning.tests.test_services import (
    BO_DE,
    DISTRICT_REASON,
    NGOC_LAM,
    WARD_REASON,
    Scene,
    build_scene,
    from_now,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/zoning"


@pytest.fixture
def scene(unit, ward_officer_bo_de, district_officer_long_bien) -> Scene:
    return build_scene(unit, ward_officer_bo_de, district_officer_long_bien, from_now())


@pytest.fixture
def api(client):
    class Caller:
        def as_(self, user):
            client.force_login(user)
            return self

        def get(self, path):
            return client.get(f"{API}{path}")

        def post(self, path, data=None):
            return client.post(f"{API}{path}", data or {}, content_type="application/json")

    return Caller()


def submitted(scene: Scene) -> Scene:
    scene.classify()
    scene.bo_de = services.submit_proposal(proposal=scene.refresh(), by=scene.ward)
    return scene


# Rounds


def test_a_district_opens_a_round_through_the_api(api, district_officer_long_bien):
    deadline = to_local(from_now().opened + timedelta(days=1)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    response = api.as_(district_officer_long_bien).post(
        "/rounds",
        {
            "district": "004",
            "table": "LB-2021-09",
            "wards": [BO_DE, NGOC_LAM],
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    round_ = Round.objects.get()
    assert body["id"] == round_.pk and body["table"] == {"code": "LB-2021-09", "version": 1}
    assert to_local(round_.effective_at) == (deadline + timedelta(days=1)).replace(hour=6)  # the 06:00 after
    assert [p["ward"]["code"] for p in body["proposals"]] == [NGOC_LAM, BO_DE]
    assert body["counts"] == {
        "total": 2,
        "submitted": 0,
        "late": 0,
        "returned": 0,
        "decided": 0,
        "not_submitted": 2,
    }


def test_a_round_with_a_naive_time_is_refused(api, district_officer_long_bien):
    response = api.as_(district_officer_long_bien).post(
        "/rounds", {"district": "004", "table": "LB-2021-09", "deadline": "2030-01-01T17:00:00"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input" and response.json()["field"] == "deadline"


def test_a_round_on_a_table_not_in_force_is_refused(api, district_officer_long_bien):
    response = api.as_(district_officer_long_bien).post(
        "/rounds", {"district": "004", "table": "NQ128-4800", "deadline": "2030-01-01T17:00:00+07:00"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "table_not_in_force")
    assert not Round.objects.exists()


def test_a_round_in_another_district_is_not_found(api, district_officer_ba_dinh):
    response = api.as_(district_officer_ba_dinh).post(
        "/rounds", {"district": "004", "table": "LB-2021-09", "deadline": "2030-01-01T17:00:00+07:00"}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_ward_cannot_open_a_round(api, ward_officer_bo_de):
    response = api.as_(ward_officer_bo_de).post(
        "/rounds", {"district": "004", "table": "LB-2021-09", "deadline": "2030-01-01T17:00:00+07:00"}
    )
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")


def test_rounds_list_is_scoped(
    scene, api, district_officer_ba_dinh, ward_officer_phuc_xa, health_worker_bo_de
):
    body = api.as_(scene.district).get("/rounds").json()
    assert [r["id"] for r in body] == [scene.round.pk] and body[0]["counts"]["total"] == 14
    assert [r["id"] for r in api.as_(scene.ward).get("/rounds").json()] == [scene.round.pk]
    assert api.as_(district_officer_ba_dinh).get("/rounds").json() == []
    assert api.as_(ward_officer_phuc_xa).get("/rounds").json() == []
    assert api.as_(health_worker_bo_de).get("/rounds").status_code == 403


def test_a_round_shows_the_wards_progress(scene, api, district_officer_ba_dinh):
    submitted(scene)
    body = api.as_(scene.district).get(f"/rounds/{scene.round.pk}").json()
    assert (body["counts"]["submitted"], body["counts"]["not_submitted"]) == (1, 13)
    bo_de = next(p for p in body["proposals"] if p["ward"]["code"] == BO_DE)
    assert (bo_de["status"], bo_de["late"]) == ("submitted", False)
    ward_view = api.as_(scene.ward).get(f"/rounds/{scene.round.pk}").json()
    assert [p["ward"]["code"] for p in ward_view["proposals"]] == [BO_DE]
    assert api.as_(district_officer_ba_dinh).get(f"/rounds/{scene.round.pk}").status_code == 404


# The ward proposes


def test_the_ward_classifies_proposes_and_submits(scene, api):
    caller = api.as_(scene.ward)
    body = caller.post(f"/proposals/{scene.bo_de.pk}/classify").json()
    items = {i["area"]["code"]: i for i in body["items"]}
    assert items["00139-TDP01"]["suggested_level"] == "KV1"
    assert items["00139-TDP01"]["evaluation"]["matched_row"] == "KV1-1"
    assert items["00139-TDP01"]["evaluation"]["values"] == {"lockdown_active": True}
    assert "lockdown_active" in items["00139-CC01"]["evaluation"]["missing"]
    assert [lv["code"] for lv in body["levels"]] == ["KV1", "KV2", "KV3"]
    refused = caller.post(f"/proposals/{scene.bo_de.pk}/items/00139-TDP03/level", {"level": "KV2"})
    assert (refused.status_code, refused.json()["code"]) == (422, "justification_required")
    changed = caller.post(
        f"/proposals/{scene.bo_de.pk}/items/00139-TDP03/level", {"level": "KV2", "justification": WARD_REASON}
    )
    assert changed.status_code == 200 and changed.json()["proposed_level"] == "KV2"
    version = caller.get(f"/proposals/{scene.bo_de.pk}").json()["version"]
    stale = caller.post(f"/proposals/{scene.bo_de.pk}/submit", {"version": version - 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "proposal_changed")
    done = caller.post(f"/proposals/{scene.bo_de.pk}/submit", {"version": version})
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    retry = caller.post(f"/proposals/{scene.bo_de.pk}/submit", {"version": version})
    assert retry.status_code == 200 and retry.json()["version"] == done.json()["version"]


def test_a_level_outside_the_table_is_refused(scene, api):
    scene.classify()
    response = api.as_(scene.ward).post(
        f"/proposals/{scene.bo_de.pk}/items/00139-TDP03/level", {"level": "C4", "justification": "x"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "level_not_in_table")


def test_an_unknown_area_of_the_proposal_is_not_found(scene, api):
    scene.classify()
    response = api.as_(scene.ward).post(
        f"/proposals/{scene.bo_de.pk}/items/00001-TDP01/level", {"level": "KV2"}
    )
    assert response.status_code == 404


def test_unknown_fields_are_refused(scene, api):
    response = api.as_(scene.ward).post(
        f"/proposals/{scene.bo_de.pk}/submit", {"version": 1, "status": "decided"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_submitting_before_classifying_is_refused(scene, api):
    response = api.as_(scene.ward).post(f"/proposals/{scene.bo_de.pk}/submit")
    assert (response.status_code, response.json()["code"]) == (422, "proposal_incomplete")


# The district decides


def test_the_district_decides_with_a_change_and_the_proposal_is_locked(scene, api):
    submitted(scene)
    caller = api.as_(scene.district)
    version = caller.get(f"/proposals/{scene.bo_de.pk}").json()["version"]
    response = caller.post(
        f"/proposals/{scene.bo_de.pk}/decision",
        {
            "number": "2451/QĐ-UBND",
            "signatory": "Chủ tịch UBND quận Long Biên",
            "changes": [{"area_code": "00139-TDP02", "level": "KV1", "reason": DISTRICT_REASON}],
            "version": version,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["issued_by"]["code"]) == ("2451/QĐ-UBND", "004")
    assigned = {a["area"]: (a["level"], a["regime"]) for a in body["assignments"]}
    assert assigned["00139-TDP02"] == ("KV1", "CT17-HN") and len(assigned) == 4
    proposal = caller.get(f"/proposals/{scene.bo_de.pk}").json()
    assert proposal["status"] == "decided" and proposal["decision"]["number"] == "2451/QĐ-UBND"
    again = caller.post(f"/proposals/{scene.bo_de.pk}/decision", {"number": "2452/QĐ-UBND", "signatory": "x"})
    assert (again.status_code, again.json()["code"]) == (409, "proposal_not_open")
    returned = caller.post(f"/proposals/{scene.bo_de.pk}/return", {"reason": "x"})
    assert (returned.status_code, returned.json()["code"]) == (409, "proposal_not_open")
    assert Decision.objects.count() == 1 and Assignment.objects.count() == 4


def test_a_decision_effective_in_the_past_changes_nothing(scene, api):
    submitted(scene)
    response = api.as_(scene.district).post(
        f"/proposals/{scene.bo_de.pk}/decision",
        {"number": "1", "signatory": "x", "effective_at": "2021-09-09T06:00:00+07:00"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "effective_time_in_past")
    assert scene.refresh().status == Proposal.Status.SUBMITTED and not Decision.objects.exists()


def test_a_decision_with_a_level_outside_the_table_changes_nothing(scene, api):
    submitted(scene)
    response = api.as_(scene.district).post(
        f"/proposals/{scene.bo_de.pk}/decision",
        {
            "number": "1",
            "signatory": "x",
            "changes": [{"area_code": "00139-TDP02", "level": "C4", "reason": "x"}],
        },
    )
    assert (response.status_code, response.json()["code"]) == (422, "level_not_in_table")
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"number": "12\u0000/QĐ-UBND", "signatory": "x"},
        {"number": "12/QĐ-UBND", "signatory": "x", "changes": [
            {"area_code": "00139-TDP02", "level": "KV1", "reason": "lone \ud800 surrogate"}
        ]},
    ],
)  # fmt: skip
def test_a_decision_with_text_the_database_cannot_store_changes_nothing(scene, api, payload):
    submitted(scene)
    response = api.as_(scene.district).post(f"/proposals/{scene.bo_de.pk}/decision", payload)
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert scene.refresh().status == Proposal.Status.SUBMITTED
    assert not Decision.objects.exists() and not Assignment.objects.exists()


def test_a_return_reason_with_a_nul_changes_nothing(scene, api):
    submitted(scene)
    response = api.as_(scene.district).post(f"/proposals/{scene.bo_de.pk}/return", {"reason": "Thiếu\u0000"})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
    assert scene.refresh().status == Proposal.Status.SUBMITTED


def test_a_decision_on_another_districts_proposal_is_not_found_and_logged(
    scene, api, district_officer_ba_dinh
):
    submitted(scene)
    before = AuditEntry.objects.filter(action="scope.denied").count()
    response = api.as_(district_officer_ba_dinh).post(
        f"/proposals/{scene.bo_de.pk}/decision", {"number": "1", "signatory": "x"}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert AuditEntry.objects.filter(action="scope.denied").count() == before + 1
    assert scene.refresh().status == Proposal.Status.SUBMITTED


def test_the_district_returns_a_proposal(scene, api):
    submitted(scene)
    caller = api.as_(scene.district)
    blank = caller.post(f"/proposals/{scene.bo_de.pk}/return", {"reason": " "})
    assert blank.status_code == 422
    response = caller.post(f"/proposals/{scene.bo_de.pk}/return", {"reason": "Thiếu số liệu"})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    assert response.json()["return_reason"] == "Thiếu số liệu"


def test_the_ward_cannot_decide_nor_the_district_classify(scene, api):
    submitted(scene)
    ward = api.as_(scene.ward).post(
        f"/proposals/{scene.bo_de.pk}/decision", {"number": "1", "signatory": "x"}
    )
    assert (ward.status_code, ward.json()["code"]) == (403, "not_permitted")
    district = api.as_(scene.district).post(f"/proposals/{scene.bo_de.pk}/classify")
    assert (district.status_code, district.json()["code"]) == (403, "not_permitted")


def test_a_proposal_is_read_only_by_its_ward_and_district(scene, api, ward_officer_phuc_xa, inspector_team_3):
    assert api.as_(scene.ward).get(f"/proposals/{scene.bo_de.pk}").status_code == 200
    assert api.as_(scene.district).get(f"/proposals/{scene.bo_de.pk}").status_code == 200
    assert api.as_(ward_officer_phuc_xa).get(f"/proposals/{scene.bo_de.pk}").status_code == 404
    assert api.as_(inspector_team_3).get(f"/proposals/{scene.bo_de.pk}").status_code == 403


def test_the_api_needs_credentials(scene, client):
    response = client.get(f"{API}/proposals/{scene.bo_de.pk}")
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


def test_a_proposal_reads_in_a_bounded_number_of_queries(scene, api, django_assert_max_num_queries):
    scene.classify()
    caller = api.as_(scene.ward)
    with django_assert_max_num_queries(10):
        assert caller.get(f"/proposals/{scene.bo_de.pk}").status_code == 200
    assert selectors.items_of(scene.bo_de).count() == 4
