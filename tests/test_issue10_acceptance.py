"""Issue #10 acceptance (welfare, S33), on SQLite and PostgreSQL, through the services, selectors and API
the pages use, in Bồ Đề (Long Biên) in September 2021:

- an informal worker goes from application to payment through every step (filed by the ward, reviewed,
  posted publicly for the programme's days with an objection recorded and dismissed, sent to the
  district, appraised, approved in a numbered decision, on the ward's payment list, paid in cash with a
  signed receipt, reconciled);
- a second application for the same programme and period is blocked, the earlier record shown;
- a retried payment (the same Idempotency-Key after a timeout) is paid once;
- the public list masks names.
"""

from datetime import date
from typing import Any

import pytest

from phaodai.core.errors import Duplicate
from phaodai.welfare import approval, listing, payments, selectors, services
from phaodai.welfare.models import Application, Payment
from phaodai.welfare.tests.world import INFORMAL, SEPT_6, build_world, clock_at, later, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de: Any) -> Any:
    return build_world(ward_officer=ward_officer_bo_de, residents=2)


def file_3642(by: Any, world: Any, n: int = 0) -> tuple[Application, bool]:
    return services.file_application(
        by=by,
        ward=world.ward,
        person_id=world.residents[n].pk,
        programme_code="HN-3642",
        facts=INFORMAL,
        documents=[("application_form", pdf())],
        clock=clock_at(SEPT_6),
    )


def approved_decision(world: Any, ward_officer: Any, district_officer: Any) -> Any:
    application, _ = file_3642(ward_officer, world)
    services.review(by=ward_officer, application=application, accept=True, clock=later(0.1))
    posted = listing.post_list(by=ward_officer, ward=world.ward, programme_code="HN-3642", clock=later(0.2))
    application.refresh_from_db()
    objection = listing.record_objection(
        by=ward_officer, application=application, text="Nghe nói vẫn bán hàng", clock=later(1)
    )
    listing.resolve_objection(
        by=ward_officer,
        objection=objection,
        upheld=False,
        note="Tổ dân phố xác nhận đã nghỉ bán từ 24/7",
        clock=later(1.5),
    )
    listing.submit_list(by=ward_officer, support_list=posted, clock=later(2.5))
    approval.appraise(by=district_officer, support_list=posted, clock=later(3))
    posted.refresh_from_db()
    return approval.approve(
        by=district_officer,
        support_lists=[posted],
        number="2468/QĐ-UBND",
        signed_on=date(2021, 9, 10),
        clock=later(4),
    )


def test_an_informal_worker_goes_from_application_to_payment(
    world: Any, ward_officer_bo_de: Any, district_officer_long_bien: Any, welfare_officer_bo_de: Any
) -> None:
    decision = approved_decision(world, ward_officer_bo_de, district_officer_long_bien)
    line = selectors.decision_lines(decision).get()
    assert (line.status, line.line_no, line.amount) == ("approved", 1, 1_500_000)
    listed = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (listed.payable, listed.payable_total, listed.blocked) == (1, 1_500_000, 0)
    payment, _ = payments.pay(
        by=welfare_officer_bo_de,
        application=line,
        method="cash",
        receipt_number="BN-00139-0001",
        receipt=pdf("bien-nhan.pdf"),
        clock=later(6),
    )
    done = payments.reconcile(by=welfare_officer_bo_de, decision=decision, ward=world.ward, clock=later(8))
    assert (done.count, done.total, done.unpaid_count) == (1, 1_500_000, 0)
    line.refresh_from_db()
    payment.refresh_from_db()
    assert line.status == "reconciled" and payment.status == "reconciled" and payment.receipt


def test_a_second_application_for_the_same_programme_and_period_is_blocked(
    world: Any, ward_officer_bo_de: Any, welfare_officer_bo_de: Any
) -> None:
    first, _ = file_3642(ward_officer_bo_de, world)
    with pytest.raises(Duplicate) as blocked:
        file_3642(welfare_officer_bo_de, world)
    assert blocked.value.params["earlier"] == first
    assert first.reference in str(blocked.value)
    assert Application.objects.count() == 1


def test_a_retried_payment_is_paid_once(
    client: Any,
    world: Any,
    ward_officer_bo_de: Any,
    district_officer_long_bien: Any,
    welfare_officer_bo_de: Any,
) -> None:
    decision = approved_decision(world, ward_officer_bo_de, district_officer_long_bien)
    client.force_login(welfare_officer_bo_de)
    listed = client.get(f"/api/v1/welfare/decisions/{decision.pk}/payment-list?ward=00139")
    assert listed.status_code == 200
    assert (listed.json()["payable"], listed.json()["blocked"]) == (1, 0)
    (row,) = listed.json()["rows"]
    body = {"method": "bank", "bank_reference": "VCB-2021-0917-001"}
    headers = {"Idempotency-Key": "chi-tra-0001"}
    url = f"/api/v1/welfare/applications/{row['application']}/pay"
    first = client.post(url, body, content_type="application/json", headers=headers)
    retry = client.post(url, body, content_type="application/json", headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"] and retry.json()["status"] == "paid"
    other = client.post(url, {"method": "cash", "receipt_number": "BN-2"}, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "already_paid"
    assert Payment.objects.filter(status="paid").count() == 1
    assert Payment.objects.get().bank_reference == "VCB-2021-0917-001"
    after = client.get(f"/api/v1/welfare/decisions/{decision.pk}/payment-list?ward=00139").json()
    assert (after["payable"], after["rows"]) == (0, [])


def test_the_public_list_masks_names(
    client: Any, world: Any, ward_officer_bo_de: Any, district_officer_long_bien: Any
) -> None:
    approved_decision(world, ward_officer_bo_de, district_officer_long_bien)
    answer = client.get("/api/v1/welfare/public/wards/00139")
    assert answer.status_code == 200
    rows = answer.json()["rows"]
    assert [row["name"] for row in rows] == ["Nguyễn V. A., 1978"]
    assert "Nguyễn Văn An" not in answer.content.decode()
    assert rows[0]["amount"] == 1_500_000 and rows[0]["decision"] == "2468/QĐ-UBND"
    totals = client.get("/api/v1/welfare/public/totals").json()
    assert [(t["programme"], t["district"], t["count"], t["total"]) for t in totals] == [
        ("HN-3642", "004", 1, 1_500_000)
    ]
