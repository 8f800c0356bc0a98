"""The welfare API: the payment list (read from the decision), paying a line (Idempotency-Key: a retried
payment is paid once), revoking an unpaid line by an amending decision, reconciliation, and the public
transparency lists (masked names, no sign-in).
"""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from phaodai.accounts.roles import Perm
from phaodai.core.errors import NotPermitted
from phaodai.core.idempotency import header_key
from phaodai.welfare import approval, payments, selectors
from phaodai.welfare.api_applications import ward_of
from phaodai.welfare.api_schemas import (
    KEY_LIMIT,
    MAX_ID,
    ApplicationOut,
    PayIn,
    PaymentListOut,
    PaymentOut,
    Pk,
    PublicListOut,
    ReconciliationOut,
    RevokeIn,
    TotalOut,
    WardIn,
    application_out,
    payment_out,
)

router = Router(tags=["welfare"])
PAYMENTS_LIMIT = 500


@router.get(
    "/decisions/{pk}/payment-list",
    url_name="welfare_payment_list",
    response=PaymentListOut,
    summary="What is left to pay on a decision (?ward): payable lines in line order (?after), people already "
    "paid left off",
)
def payment_list(
    request: HttpRequest,
    pk: Pk,
    ward: Annotated[str, Query(max_length=5)] = "",
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> dict[str, Any]:
    decision = selectors.decision_for(request.user, pk)
    unit = ward_of(ward) if ward else None
    summary = payments.payment_list(by=request.user, decision=decision, ward=unit)
    lines = list(
        payments.payable_lines(decision, unit)
        .filter(line_no__gt=after)
        .order_by("line_no")
        .values("pk", "line_no", "reference", "programme_code", "amount")[: PAYMENTS_LIMIT + 1]
    )
    more = len(lines) > PAYMENTS_LIMIT
    lines = lines[:PAYMENTS_LIMIT]
    return {
        "payable": summary.payable,
        "payable_total": summary.payable_total,
        "blocked": summary.blocked,
        "held": summary.held,
        "held_total": summary.held_total,
        "held_rows": [
            {
                "application": item.line.pk,
                "line": item.line.line_no,
                "reference": item.line.reference,
                "amount": item.line.amount,
                "other_support": item.others_text,
                "rule": item.rule,
            }
            for item in summary.held_lines[:PAYMENTS_LIMIT]
        ],
        "rows": [
            {
                "application": line["pk"],
                "line": line["line_no"],
                "reference": line["reference"],
                "programme": line["programme_code"],
                "amount": line["amount"],
            }
            for line in lines
        ],
        "next_after": lines[-1]["line_no"] if more else None,
    }


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
    "/applications/{pk}/pay",
    url_name="welfare_pay",
    response={200: PaymentOut, 201: PaymentOut},
    summary="Pay an approved line in cash (receipt number) or by bank (reference); a retry is paid once",
)
def pay(request: HttpRequest, pk: Pk, payload: PayIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    if not selectors.can_pay(request.user):
        raise NotPermitted()  # the district reads lines it may not pay: 403, not 404
    line = selectors.application_for(request.user, pk, Perm.PAY_SUPPORT)
    paid, created = payments.pay(
        by=request.user,
        application=line,
        method=payload.method,
        receipt_number=payload.receipt_number,
        bank_reference=payload.bank_reference,
        idempotency_key=f"{request.user.pk}:{key}" if key else "",
    )
    return (201 if created else 200), payment_out(paid)


@router.post(
    "/applications/{pk}/revoke",
    url_name="welfare_revoke",
    response=ApplicationOut,
    summary="Revoke an approved, unpaid line from its decision (amending decision); retries change nothing",
)
def revoke(request: HttpRequest, pk: Pk, payload: RevokeIn) -> dict[str, Any]:
    if not selectors.can_appraise(request.user):
        raise NotPermitted()  # the ward reads the lines it may not revoke: 403, not 404
    line = selectors.application_for(request.user, pk, Perm.APPRAISE_SUPPORT)
    revoked = approval.revoke_line(
        by=request.user,
        application=line,
        number=payload.number,
        reason=payload.reason,
        version=payload.version,
    )
    return application_out(revoked)


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
