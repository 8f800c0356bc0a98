"""Paying approved support (S33): the payment list, each payment, the reconciliation.

The payment list is built in one set-based statement: a `due` payment for every approved line of the
decision, unless the same person already has a payment of the programme for the period (NOT EXISTS,
and the unique constraint (person, programme, period) under it). A payment retried after a timeout is
paid once: the row is locked, a retry with the same Idempotency-Key (or the same receipt) returns it,
and any other attempt on a paid payment is refused with the earlier payment named.
"""

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.uploads import check_upload, stored_name
from phaodai.welfare import rules
from phaodai.welfare.models import Application, Decision, Payment, Reconciliation
from phaodai.welfare.workflow import DECISION_TYPE, PAYMENT_TYPE, require, require_any, text

PAYERS = (Perm.PAY_SUPPORT, Perm.APPRAISE_SUPPORT)
REFERENCE_LIMIT = 60


class AlreadyPaid(Duplicate):
    code = "already_paid"
    message = gettext_lazy("This support was already paid.")


@dataclass(frozen=True)
class PaymentList:
    added: int  # payments made due by this build
    blocked: int  # approved lines left without a payment: the person was already paid for the period


# Set-based: one INSERT ... SELECT with the duplicate check, the same on SQLite and PostgreSQL.
BUILD_SQL = """
INSERT INTO welfare_payment (
    created_at, updated_at, application_id, person_id, programme_code, period_key, decision_id,
    unit_path, amount, status, method, receipt_number, receipt, bank_reference, version
)
SELECT %s, %s, a.id, a.person_id, a.programme_code, a.period_key, a.decision_id,
       a.unit_path, a.amount, 'due', '', '', '', '', 1
FROM welfare_application a
WHERE a.decision_id = %s AND a.status = 'approved' AND a.unit_path LIKE %s
  AND NOT EXISTS (
      SELECT 1 FROM welfare_payment p
      WHERE p.person_id = a.person_id AND p.programme_code = a.programme_code AND p.period_key = a.period_key
  )
ON CONFLICT DO NOTHING
"""


def build_payment_list(*, by: Any, decision: Decision, ward: Any = None, clock: Clock = now) -> PaymentList:
    """Make every approved line of the decision (of one ward, when given) due for payment; a retry adds 0."""
    path = ward.path if ward is not None else decision.unit_path
    if ward is not None and not ward.path.startswith(decision.unit_path):
        raise InvalidInput(_("This ward is not covered by the decision."), field="ward")
    require_any(by, PAYERS, path, DECISION_TYPE, decision.pk)
    stamp = connection.ops.adapt_datetimefield_value(clock())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(BUILD_SQL, [stamp, stamp, decision.pk, path.replace("%", "") + "%"])
            added = max(cursor.rowcount, 0)
        blocked = (
            Application.objects.filter(decision=decision, status=rules.APPROVED, unit_path__startswith=path)
            .filter(payment__isnull=True)
            .count()
        )
        if not added:
            return PaymentList(added, blocked)  # a re-run writes nothing, so records nothing
        audit.record(
            actor=by,
            action="welfare.payment_list",
            object_type=DECISION_TYPE,
            object_id=decision.pk,
            unit_path=path,
            after={"added": added, "blocked": blocked},
            clock=clock,
        )
    return PaymentList(added, blocked)


def _paid_message(payment: Payment) -> str:
    reference = payment.receipt_number or payment.bank_reference
    return _("Already paid on %(day)s (%(method)s %(reference)s).") % {
        "day": f"{local_date(payment.paid_at):%d/%m/%Y}" if payment.paid_at else "?",
        "method": payment.get_method_display(),
        "reference": reference,
    }


def _same_attempt(payment: Payment, method: str, receipt_number: str, bank_reference: str, key: str) -> bool:
    if key and payment.idempotency_key == key:
        return True
    reference = receipt_number if method == Payment.Method.CASH else bank_reference
    paid_reference = (
        payment.receipt_number if payment.method == Payment.Method.CASH else payment.bank_reference
    )
    return bool(reference) and payment.method == method and paid_reference == reference


def pay(
    *,
    by: Any,
    payment: Payment,
    method: str,
    receipt_number: str = "",
    bank_reference: str = "",
    receipt: UploadedFile | None = None,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Payment, bool]:
    """Pay a due payment in cash (signed receipt) or by bank transfer; (payment, False) for a retry."""
    require(by, Perm.PAY_SUPPORT, payment.unit_path, PAYMENT_TYPE, payment.pk)
    key = (idempotency_key or "").strip()
    if key:
        found = Payment.objects.filter(idempotency_key=key).first()
        if found is not None:
            if found.pk != payment.pk:
                raise InvalidInput(
                    _("This Idempotency-Key was used for another payment."), field="Idempotency-Key"
                )
            return found, False
    if method not in Payment.Method.values:
        raise InvalidInput(_("Choose cash or bank transfer."), field="method")
    cash = method == Payment.Method.CASH
    receipt_no = text(receipt_number, "receipt_number", limit=40, required=cash) if cash else ""
    bank_ref = "" if cash else text(bank_reference, "bank_reference", limit=REFERENCE_LIMIT)
    extension = check_upload(receipt, field="receipt") if (cash and receipt is not None) else ""
    moment = clock()
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status != Payment.Status.DUE:
                if _same_attempt(locked, method, receipt_no, bank_ref, key):
                    return locked, False
                raise AlreadyPaid(_paid_message(locked), field="payment", earlier=locked)
            locked.status, locked.method = Payment.Status.PAID, method
            locked.receipt_number, locked.bank_reference = receipt_no, bank_ref
            locked.paid_at, locked.paid_by, locked.idempotency_key = moment, by, key or None
            locked.version += 1
            if extension:
                locked.receipt.save(stored_name(extension), receipt, save=False)
            locked.save()
            Application.objects.filter(pk=locked.application_id, status=rules.APPROVED).update(
                status=rules.PAID, version=F("version") + 1
            )
            audit.record(
                actor=by,
                action="welfare.pay",
                object_type=PAYMENT_TYPE,
                object_id=locked.pk,
                unit_path=locked.unit_path,
                after={"amount": locked.amount, "method": method, "reference": receipt_no or bank_ref},
                clock=clock,
            )
    except IntegrityError:
        # The same key sent twice at once on another connection: the first one's result.
        found = Payment.objects.filter(idempotency_key=key).first() if key else None
        if found is not None and found.pk == payment.pk:
            return found, False
        raise
    return locked, True


def reconcile(*, by: Any, decision: Decision, ward: Any, clock: Clock = now) -> Reconciliation:
    """Check a ward's payments of a decision: paid ones are reconciled, the unpaid are counted."""
    if ward is None or not ward.path.startswith(decision.unit_path):
        raise InvalidInput(_("This ward is not covered by the decision."), field="ward")
    require(by, Perm.PAY_SUPPORT, ward.path, DECISION_TYPE, decision.pk)
    moment = clock()
    with transaction.atomic():
        rows = Payment.objects.select_for_update().filter(decision=decision, unit_path__startswith=ward.path)
        paid_ids = [pk for pk, status in rows.values_list("pk", "status") if status == Payment.Status.PAID]
        if not paid_ids:
            raise InvalidInput(_("Nothing paid is waiting for reconciliation."), field="ward")
        paid = Payment.objects.filter(pk__in=paid_ids).aggregate(count=Count("pk"), total=Sum("amount"))
        unpaid = Payment.objects.filter(
            decision=decision, unit_path__startswith=ward.path, status=Payment.Status.DUE
        ).aggregate(count=Count("pk"), total=Sum("amount"))
        reconciliation = Reconciliation.objects.create(
            decision=decision,
            unit=ward,
            unit_path=ward.path,
            count=paid["count"],
            total=paid["total"] or 0,
            unpaid_count=unpaid["count"],
            unpaid_total=unpaid["total"] or 0,
            by=by,
            at=moment,
        )
        Payment.objects.filter(pk__in=paid_ids).update(
            status=Payment.Status.RECONCILED, reconciliation=reconciliation, version=F("version") + 1
        )
        Application.objects.filter(payment__pk__in=paid_ids, status=rules.PAID).update(
            status=rules.RECONCILED, version=F("version") + 1
        )
        audit.record(
            actor=by,
            action="welfare.reconcile",
            object_type=DECISION_TYPE,
            object_id=decision.pk,
            unit_path=ward.path,
            after={
                "paid": reconciliation.count,
                "total": reconciliation.total,
                "unpaid": reconciliation.unpaid_count,
            },
            clock=clock,
        )
    return reconciliation
