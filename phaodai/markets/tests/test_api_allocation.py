"""The allocation API: run a scheme's allocation, read its latest run; errors as {code, message, field}."""

from typing import Any

import pytest
from django.test import Client

from phaodai.markets.models import MarketPass, Scheme
from phaodai.markets.tests.test_allocation import Ward, build_ward

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(ward_officer_bo_de: Any) -> Ward:
    return build_ward(ward_officer_bo_de)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def allocate(client: Client, scheme: Scheme) -> Any:
    return client.post(
        f"/api/v1/markets/schemes/{scheme.pk}/allocate", data={}, content_type="application/json"
    )


def test_allocating_answers_the_runs_summary(ward: Ward) -> None:
    scheme = ward.scheme()
    response = allocate(client_for(ward.officer), scheme)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {
        key: body[key] for key in ("scheme", "scheme_status", "number", "households", "passes", "kept")
    } == {
        "scheme": scheme.pk,
        "scheme_status": "allocated",
        "number": 1,
        "households": 14,
        "passes": 28,
        "kept": 0,
    }
    assert body["short"] == 0 and body["shortfall"] == []
    assert body["left_out_count"] == 1 and body["left_out"][0]["reason"] == "no_representative"
    assert MarketPass.objects.filter(scheme=scheme).count() == 28


def test_the_latest_run_is_read_back_and_is_404_before_the_first(ward: Ward) -> None:
    scheme = ward.scheme()
    client = client_for(ward.officer)
    before = client.get(f"/api/v1/markets/schemes/{scheme.pk}/runs/latest")
    assert before.status_code == 404 and before.json()["code"] == "not_found"
    allocate(client, scheme)
    allocate(client, scheme)
    latest = client.get(f"/api/v1/markets/schemes/{scheme.pk}/runs/latest")
    assert latest.status_code == 200 and latest.json()["number"] == 2


def test_shortfall_is_reported_per_market_day(ward_officer_bo_de: Any) -> None:
    ward = build_ward(ward_officer_bo_de, per_area=(12, 0), unrepresented=0, capacities=(1, 1))
    scheme = ward.scheme(pattern={"kind": "every_n_days", "n": 1}, days=1)
    body = allocate(client_for(ward.officer), scheme).json()
    assert body["shortfall"] == [{"market": "CHO-T-01", "day": "2021-07-26", "short": 7}]
    assert body["short"] == 7 and body["passes"] == 5


def test_a_withdrawn_scheme_is_409_and_a_bad_pattern_422(ward: Ward) -> None:
    client = client_for(ward.officer)
    withdrawn = ward.scheme(name="Đã rút")
    Scheme.objects.filter(pk=withdrawn.pk).update(status=Scheme.Status.WITHDRAWN)
    response = allocate(client, withdrawn)
    assert response.status_code == 409 and response.json()["code"] == "scheme_locked"

    broken = ward.scheme(pattern={"kind": "weekly"}, name="Sai mẫu")
    response = allocate(client, broken)
    assert response.status_code == 422
    assert response.json()["field"] == "pattern" and "kind must be" in response.json()["message"]


def test_other_roles_are_403_other_wards_404_anonymous_401(
    ward: Ward, checkpoint_officer_ql6: Any, ward_officer_phuc_xa: Any
) -> None:
    scheme = ward.scheme()
    assert allocate(client_for(checkpoint_officer_ql6), scheme).status_code == 403
    assert allocate(client_for(ward_officer_phuc_xa), scheme).status_code == 404
    assert allocate(Client(), scheme).status_code == 401
    assert not MarketPass.objects.exists()
