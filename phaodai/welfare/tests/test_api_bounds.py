"""Finding 7: every integer the welfare API reads from a path, a query or a body is bounded
(ge=1, le=2**63-1): a number beyond the database's integer is a 422, never a 500."""

from typing import Any

import pytest
from django.test import Client

from phaodai.welfare.tests.world import build_world

pytestmark = pytest.mark.django_db
HUGE = 99999999999999999999999


@pytest.fixture
def client(ward_officer_bo_de: Any) -> Client:
    build_world(ward_officer=ward_officer_bo_de, residents=1)
    client = Client(raise_request_exception=False)
    client.force_login(ward_officer_bo_de)
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/welfare/payments?decision={HUGE}",
        f"/api/v1/welfare/applications?after={HUGE}",
        f"/api/v1/welfare/applications/{HUGE}",
        f"/api/v1/welfare/applications/{HUGE}/objections",
        f"/api/v1/welfare/lists/{HUGE}",
        f"/api/v1/welfare/decisions/{HUGE}",
        "/api/v1/welfare/payments?decision=0",
        f"/api/v1/welfare/decisions/{HUGE}/payment-list",
        f"/api/v1/welfare/decisions/1/payment-list?after={HUGE}",
        "/api/v1/welfare/decisions/1/payment-list?ward=001390",
    ],
)
def test_huge_numbers_in_paths_and_queries_are_refused(client: Client, url: str) -> None:
    assert client.get(url).status_code == 422


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/welfare/applications/1/review", {"accept": True, "version": HUGE}),
        ("/api/v1/welfare/applications/1/withdraw", {"note": "x", "version": HUGE}),
        ("/api/v1/welfare/lists/1/submit", {"version": HUGE}),
        ("/api/v1/welfare/lists/1/appraise", {"returned": {str(HUGE): "x"}}),
        (
            "/api/v1/welfare/lists/1/approve",
            {"more_lists": [HUGE], "number": "1/QĐ", "signed_on": "2021-09-10"},
        ),
        (f"/api/v1/welfare/applications/{HUGE}/pay", {"method": "cash", "receipt_number": "1"}),
        (f"/api/v1/welfare/decisions/{HUGE}/reconcile", {"ward": "00139"}),
        (
            "/api/v1/welfare/applications",
            {"ward": "00139", "programme": "NQ68-FOOD", "person": "x", "isolation_order": HUGE},
        ),
        (
            "/api/v1/welfare/applications",
            {"ward": "00139", "programme": "HN-3642", "person": "x", "days": HUGE},
        ),
        (
            "/api/v1/welfare/applications",
            {"ward": "00139", "programme": "HN-3642", "person": "x", "amount": HUGE},
        ),
    ],
)
def test_huge_numbers_in_bodies_are_refused(client: Client, url: str, body: dict[str, Any]) -> None:
    assert client.post(url, data=body, content_type="application/json").status_code == 422
