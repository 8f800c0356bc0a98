"""The API: the same services, errors as {"code", "message", "field"}, 201 then 200 on a retry."""

from typing import Any

import pytest

from phaodai.community import services
from phaodai.community.models import Commitment, Visit

pytestmark = pytest.mark.django_db
API = "/api/v1/community"


def post(client: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def test_signing_is_201_then_200_with_the_first(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    home = world.households[0]
    body = {"area": "00139-TDP01", "household": home.code, "signer": str(world.members[0][0].pk)}
    first = post(client, "/campaigns/gdat-2021/commitments", body)
    again = post(client, "/campaigns/gdat-2021/commitments", {**body, "signer": "", "signer_name": "X"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and again.json()["signer_name"] == "Nguyễn Văn An"
    coverage = client.get(f"{API}/campaigns/gdat-2021/coverage?unit=00139").json()
    assert (coverage["signed"], coverage["households"]) == (1, 5)


def test_a_signer_of_another_household_is_refused_with_the_field(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    body = {
        "area": "00139-TDP01",
        "household": world.households[0].code,
        "signer": str(world.members[1][0].pk),
    }
    response = post(client, "/campaigns/gdat-2021/commitments", body)
    assert response.status_code == 422 and response.json()["field"] == "signer"
    assert not Commitment.objects.exists()


def test_a_member_reads_and_signs_only_their_households(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[world.households[0]])
    client.force_login(world.member)
    assert [row["code"] for row in client.get(f"{API}/households/mine").json()] == [world.households[0].code]
    own = {"area": "00139-TDP01", "household": world.households[0].code, "signer_name": "Nguyễn Văn An"}
    assert post(client, "/campaigns/gdat-2021/commitments", own).status_code == 201
    other = {**own, "household": world.households[1].code}
    assert post(client, "/campaigns/gdat-2021/commitments", other).status_code == 404
    assert client.get(f"{API}/campaigns").status_code == 403


def test_visits_retried_with_the_key_are_logged_once(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    body = {"area": "00139-TDP01", "household": world.households[0].code, "kind": "delivery"}
    first = post(client, "/visits", body, **{"Idempotency-Key": "v1"})
    again = post(client, "/visits", body, **{"Idempotency-Key": "v1"})
    assert (first.status_code, again.status_code) == (201, 200) and Visit.objects.count() == 1


def test_teams_duty_clash_is_409(client: Any, world: Any, ward_officer_bo_de: Any) -> None:
    client.force_login(ward_officer_bo_de)
    one = post(client, "/teams", {"area": "00139-TDP01"}).json()["id"]
    two = post(client, "/teams", {"area": "00139-TDP02"}).json()["id"]
    person = {"full_name": "Lê Văn Tổ", "phone": "0912000001", "role": "member"}
    a = post(client, f"/teams/{one}/members", person).json()["id"]
    b = post(client, f"/teams/{two}/members", person).json()["id"]
    assert post(client, f"/teams/{one}/duties", {"member": str(a), "day": "2021-09-15"}).status_code == 201
    clash = post(client, f"/teams/{two}/duties", {"member": str(b), "day": "2021-09-15"})
    assert clash.status_code == 409 and clash.json()["code"] == "already_on_duty"
    assert len(client.get(f"{API}/teams/{one}").json()["members"]) == 1


def test_housing_plan_and_checklist(
    client: Any, world: Any, ward_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    body = {"area": "00139-TDP01", "kind": "shared_sanitation", "name": "Xóm trọ ven đê", "address": "Ven đê"}
    made = post(client, "/housing", body)
    assert made.status_code == 201 and "plan" in made.json()["missing"]
    pk = made.json()["id"]
    plan = {
        "version": 1,
        "plan": "Vệ sinh khu chung",
        "responsible_name": "Tổ trưởng",
        "responsible_phone": "0912000005",
        "plan_starts_on": "2021-09-01",
        "plan_ends_on": "2021-09-30",
    }
    assert post(client, f"/housing/{pk}/plan", plan).status_code == 200
    assert post(client, f"/housing/{pk}/plan", plan).status_code == 409
    ticked = post(client, f"/housing/{pk}/checklist", {"key": "toilet_schedule"}).json()
    assert "toilet_schedule" not in ticked["missing"] and ticked["missing"][0] == "residents_listed"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"{API}/housing/{pk}").status_code == 404
