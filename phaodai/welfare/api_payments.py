"""The welfare API: the payment list, payments (Idempotency-Key: a retried payment is paid once),
reconciliation, and the public transparency lists (masked names, no sign-in).
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from phaodai.core.idempotency import header_key
from phaodai.welfare import payments, selectors
from phaodai.welfare.api_applications import ward_of
from phaodai.welfare.api_schemas import (
    KEY_LIMIT,
    MAX_ID,
    PayIn,
    PaymentListOut,
    PaymentOut,
    Pk,
    PublicListOut,
    ReconciliationOut,
    TotalOut,
    WardIn,
    payment_out,
)

router = Router(tags=["welfare"])
PAYMENTS_LIMIT = 500


@router.post(
    "/decisions/{pk}/payment-list",
    url_name="welfare_payment_list",
    response=PaymentListOut,
    summary="Make the approved lines of a decision (of a ward) due for payment; people already paid left off",
)
def build_payment_list(request: HttpRequest, pk: Pk, payload: WardIn) -> dict[str, Any]:
    decision = selectors.decision_for(request.user, pk)
    ward = ward_of(payload.ward) if payload.ward else None
    built = payments.build_payment_list(by=request.user, decision=decision, ward=ward)
    return {"added": built.added, "blocked": built.blocked}


@router.get(
    "/payments",
    url_name="welfare_payments",
    response=list[PaymentOut],
    summary="Payments in your units (?decision, ?status), at most 500",
)
def list_payments(
    request: HttpRequest,
    decision: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: str = "",
) -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    rows = selectors.payments_visible_to(request.user)
    if decision is not None:
        rows = rows.filter(decision_id=decision)
    if status:
        rows = rows.filter(status=status[:10])
    return [payment_out(p) for p in rows.order_by("pk")[:PAYMENTS_LIMIT]]


@router.post(
    "/payments/{pk}/pay",
    url_name="welfare_payment_pay",
    response={200: PaymentOut, 201: PaymentOut},
    summary="Pay in cash (receipt number) or by bank (reference); a retry is paid once (200)",
)
def pay(request: HttpRequest, pk: Pk, payload: PayIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    payment = selectors.payment_for(request.user, pk)
    paid, created = payments.pay(
        by=request.user,
        payment=payment,
        method=payload.method,
        receipt_number=payload.receipt_number,
        bank_reference=payload.bank_reference,
        idempotency_key=f"{request.user.pk}:{key}" if key else "",
    )
    return (201 if created else 200), payment_out(paid)


@router.post(
    "/decisions/{pk}/reconcile",
    url_name="welfare_reconcile",
    response={201: ReconciliationOut},
    summary="Reconcile a ward's payments of a decision: paid ones are closed, unpaid ones counted",
)
def reconcile(request: HttpRequest, pk: Pk, payload: WardIn) -> tuple[int, dict[str, Any]]:
    decision = selectors.decision_for(request.user, pk)
    done = payments.reconcile(by=request.user, decision=decision, ward=ward_of(payload.ward))
    return 201, {
        "id": done.pk,
        "decision": done.decision_id,
        "ward": done.unit.code,
        "count": done.count,
        "total": done.total,
        "unpaid_count": done.unpaid_count,
        "unpaid_total": done.unpaid_total,
        "at": done.at,
    }


@router.get(
    "/public/wards/{code}",
    url_name="welfare_public_ward",
    response=PublicListOut,
    auth=None,
    summary="A ward's approved beneficiaries, names masked (public)",
)
def public_ward(request: HttpRequest, code: str) -> dict[str, Any]:
    found = selectors.public_ward_list(code[:5])
    return {
        "ward": found.ward.code,
        "ward_name": found.ward.full_name,
        "district": found.district.code if found.district else "",
        "count": found.count,
        "total": found.total,
        "rows": [
            {
                "name": r.masked_name,
                "programme": r.programme_code,
                "programme_name": r.programme_name,
                "amount": r.amount,
                "decision": r.decision_number,
                "paid": r.paid,
            }
            for r in found.rows
        ],
    }


@router.get(
    "/public/totals",
    url_name="welfare_public_totals",
    response=list[TotalOut],
    auth=None,
    summary="Approved beneficiaries and amounts per programme and district, with what is paid (public)",
)
def public_totals(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "programme": t.programme_code,
            "programme_name": t.programme_name,
            "district": t.district_code,
            "district_name": t.district_name,
            "count": t.count,
            "total": t.total,
            "paid_count": t.paid_count,
            "paid_total": t.paid_total,
        }
        for t in selectors.public_totals()
    ]
