"""Paying approved support (S33): the payment list, each payment, the reconciliation.

The payment list is not stored: it is read from the decision. Every approved line of the decision without
a payment is payable, unless the same person already has a payment of the programme for the period (the
duplicate check, an EXISTS on the unique key (person, programme, period) of payments). A payment row is
written only when money is handed over, so a list of 608,000 beneficiaries costs one read, not 608,000
writes (decision record 0031). A payment retried after a timeout is paid once: the application row is
locked, a retry with the same Idempotency-Key (or the same receipt) returns the earlier payment, and any
other attempt on a paid line is refused with the earlier payment named.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.bulk.report import csv_lines
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.uploads import check_upload, stored_name
from phaodai.welfare import rules
from phaodai.welfare.models import Application, Decision, Payment, Reconciliation
from phaodai.welfare.workflow import (
    APPLICATION_TYPE,
    DECISION_TYPE,
    PAYMENT_TYPE,
    HeldLine,
    held_for_other_support,
    refuse_other_support,
    require,
    require_any,
    serialise_support_of,
    text,
)

PAYERS = (Perm.PAY_SUPPORT, Perm.APPRAISE_SUPPORT)
REFERENCE_LIMIT = 60
EXPORT_CHUNK = 20_000


class AlreadyPaid(Duplicate):
    code = "already_paid"
    message = gettext_lazy("This support was already paid.")


@dataclass(frozen=True)
class PaymentList:
    payable: int  # approved lines without a payment, the duplicate check passed
    payable_total: int
    blocked: int  # approved lines left off: the person was already paid this support for the period
    held: int = 0  # approved lines left off while the person's other support is live (pay() refuses them)
    held_total: int = 0
    held_lines: tuple[HeldLine, ...] = ()


def _covered_path(decision: Decision, ward: Any) -> str:
    if ward is None:
        return decision.unit_path
    if not ward.path.startswith(decision.unit_path):
        raise InvalidInput(_("This ward is not covered by the decision."), field="ward")
    return ward.path


def paid_for_period() -> Exists:
    """The duplicate check: the line's person already holds a payment of the programme for the period."""
    return Exists(
        Payment.objects.filter(
            person_id=OuterRef("person_id"),
            programme_code=OuterRef("programme_code"),
            period_key=OuterRef("period_key"),
        )
    )


def payable_q() -> Q:
    """An application that can still be paid: approved in a decision, no payment, and nobody paid for
    the period on another line (for pages that count what is left to pay: payable_among also leaves out
    the lines held for other support)."""
    return Q(status=rules.APPROVED, decision__isnull=False, payment__isnull=True) & ~Q(paid_for_period())


def held_among(lines: QuerySet[Application]) -> list[HeldLine]:
    """The lines among `lines` that payable_q admits but pay() refuses: the person's other support is live.
    For pages that count what is left to pay across decisions (exclude their ids)."""
    return held_for_other_support(lines.filter(payable_q()))


def payable_among(lines: QuerySet[Application]) -> QuerySet[Application]:
    """The lines among `lines` that can be paid now: payable_q, less those held for other support."""
    held = [item.line.pk for item in held_among(lines)]
    payable = lines.filter(payable_q())
    return payable.exclude(pk__in=held) if held else payable


def _approved_unpaid(decision: Decision, ward: Any) -> QuerySet[Application]:
    # NOT EXISTS rather than a left join's IS NULL: PostgreSQL plans it as an anti join and estimates it.
    lines = Application.objects.filter(
        ~Exists(Payment.objects.filter(application_id=OuterRef("pk"))),
        decision=decision,
        status=rules.APPROVED,
    )
    path = _covered_path(decision, ward)
    # Equalities only where they do the job: PostgreSQL misjudges a path prefix's share of the lines by
    # orders of magnitude, and one line expected instead of thousands turns the duplicate check into a
    # nested loop over every payment.
    if ward is None:
        return lines.order_by()  # every line of a decision is within its unit
    if getattr(ward, "level", "") == "ward":
        return lines.filter(unit_id=ward.pk).order_by()
    return lines.filter(unit_path__startswith=path).order_by()


def _unpaid_not_duplicate(decision: Decision, ward: Any) -> QuerySet[Application]:
    return _approved_unpaid(decision, ward).filter(~paid_for_period())


def held_lines(decision: Decision, ward: Any = None) -> list[HeldLine]:
    """The unpaid lines, past the duplicate check, that pay() refuses while the person's NQ 68 income
    support is live (QĐ 3642 excludes other support; that support may be filed after the appraisal). They
    are left off the list and named until the other support is closed; they are few."""
    return held_for_other_support(_unpaid_not_duplicate(decision, ward))


def payable_lines(decision: Decision, ward: Any = None) -> QuerySet[Application]:
    """The unpaid lines that pass the duplicate check and are not held for other support: what the cashier
    or the bank pays."""
    lines = _unpaid_not_duplicate(decision, ward)
    held = [item.line.pk for item in held_lines(decision, ward)]
    return lines.exclude(pk__in=held) if held else lines


def payment_list(*, by: Any, decision: Decision, ward: Any = None) -> PaymentList:
    """What is left to pay on the decision (in one ward, when given): payable lines and their total, the
    lines the duplicate check leaves off, and those held for other support."""
    path = _covered_path(decision, ward)
    require_any(by, PAYERS, path, DECISION_TYPE, decision.pk)
    # Two single-pass aggregates: all unpaid lines, and those the duplicate check leaves off.
    unpaid = _approved_unpaid(decision, ward).aggregate(count=Count("pk"), total=Sum("amount"))
    blocked = blocked_lines(decision, ward).aggregate(count=Count("pk"), total=Sum("amount"))
    held = held_lines(decision, ward)
    held_total = sum(item.line.amount for item in held)
    payable_total = (unpaid["total"] or 0) - (blocked["total"] or 0) - held_total
    payable = unpaid["count"] - blocked["count"] - len(held)
    return PaymentList(payable, payable_total, blocked["count"], len(held), held_total, tuple(held))


def blocked_lines(decision: Decision, ward: Any = None) -> QuerySet[Application]:
    """The unpaid lines the duplicate check leaves off: the person was paid this support for the period
    on another line (the district returns them; they are never paid)."""
    return _approved_unpaid(decision, ward).filter(paid_for_period())


EXPORT_HEADER = ("line", "reference", "full_name", "birth_year", "programme", "amount", "signature")


def _of_person(column: str) -> Subquery:
    """One column of the line's person, read by primary key for each line. A join let PostgreSQL scan the
    whole registry per decision, and a look-up of 5,000 ids at once did the same per chunk; a key look-up
    per line is what a list of a few thousand lines costs, however large the registry."""
    person: Any = Application._meta.get_field("person").related_model  # people's model, not imported
    return Subquery(person.objects.filter(pk=OuterRef("person_id")).order_by().values(column)[:1])


def _chunk(rows: QuerySet[Any, Any]) -> list[Any]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Its estimates (key look-ups for every line) pass jit_above_cost; compiling takes longer than
            # the look-ups do (as in diagnostics' import).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return list(rows)


def payable_rows(decision: Decision, ward: Any = None) -> Iterator[tuple[Any, ...]]:
    """The payable lines in line order, as the rows of the list handed to the cashier or the bank (the
    duplicate check applied), read EXPORT_CHUNK lines at a time after the last line number: memory stays
    flat for a district's 100,000 lines, and each chunk is an ordinary query (a server-side cursor is
    planned for its first rows, which turned the duplicate check into a nested loop)."""
    # Held lines are skipped here rather than excluded in SQL: a NOT IN list is tested on every row.
    held = {item.line.pk for item in held_lines(decision, ward)}
    lines = (
        _unpaid_not_duplicate(decision, ward)
        .annotate(person_name=_of_person("full_name"), person_born=_of_person("birth_date"))
        .order_by("line_no")
    )
    columns = ("line_no", "pk", "reference", "person_name", "person_born", "programme_code", "amount")
    after = 0
    while chunk := _chunk(lines.filter(line_no__gt=after).values_list(*columns)[:EXPORT_CHUNK]):
        for line_no, pk, reference, name, born, programme, amount in chunk:
            if pk not in held:
                yield (line_no, reference, name, born.year if born else "", programme, amount, "")
        after = chunk[-1][0]


def export_payment_list(*, by: Any, decision: Decision, ward: Any, clock: Clock = now) -> Iterator[str]:
    """A ward's payment list as CSV lines (a BOM for Excel, the header, one row per payable line, every
    cell made inert for spreadsheets), streamed; the export of names is recorded when it is asked for."""
    path = _covered_path(decision, ward)
    require_any(by, PAYERS, path, DECISION_TYPE, decision.pk)
    audit.record(
        actor=by,
        action="welfare.payment_list",
        object_type=DECISION_TYPE,
        object_id=decision.pk,
        unit_path=path,
        after={"exported": path},
        clock=clock,
    )
    return csv_lines(itertools.chain([EXPORT_HEADER], payable_rows(decision, ward)))


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


def _earlier_payment(application: Application) -> Payment | None:
    """The person's payment of this programme for this period, from this line or another one."""
    return (
        Payment.objects.filter(
            person_id=application.person_id,
            programme_code=application.programme_code,
            period_key=application.period_key,
        )
        .order_by("pk")
        .first()
    )


def pay(
    *,
    by: Any,
    application: Application,
    method: str,
    receipt_number: str = "",
    bank_reference: str = "",
    receipt: UploadedFile | None = None,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Payment, bool]:
    """Pay an approved line in cash (signed receipt) or by bank transfer; (payment, False) for a retry."""
    require(by, Perm.PAY_SUPPORT, application.unit_path, APPLICATION_TYPE, application.pk)
    key = (idempotency_key or "").strip()
    if key:
        found = Payment.objects.filter(idempotency_key=key).first()
        if found is not None:
            if found.application_id != application.pk:
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
            # The line's row lock orders two payers of the same line: the second sees the first's payment.
            line = Application.objects.select_for_update().get(pk=application.pk)
            earlier = _earlier_payment(line)
            if earlier is not None:
                retry = earlier.application_id == line.pk
                if retry and _same_attempt(earlier, method, receipt_no, bank_ref, key):
                    return earlier, False
                raise AlreadyPaid(_paid_message(earlier), field="payment", earlier=earlier)
            if line.status != rules.APPROVED or line.decision_id is None:
                raise InvalidInput(_("Only an approved line of a decision can be paid."), field="payment")
            # Other support filed or approved since this line was (or being filed now): never pay both.
            serialise_support_of(line.person_id)
            refuse_other_support(
                Application.objects.filter(pk=line.pk),
                _("It is not paid while the other support is live."),
            )
            payment = Payment(
                application=line,
                person_id=line.person_id,
                programme_code=line.programme_code,
                period_key=line.period_key,
                decision_id=line.decision_id,
                unit_path=line.unit_path,
                amount=line.amount,
                status=Payment.Status.PAID,
                method=method,
                receipt_number=receipt_no,
                bank_reference=bank_ref,
                paid_at=moment,
                paid_by=by,
                idempotency_key=key or None,
            )
            if extension:
                payment.receipt.save(stored_name(extension), receipt, save=False)
            payment.save()
            Application.objects.filter(pk=line.pk).update(status=rules.PAID, version=F("version") + 1)
            audit.record(
                actor=by,
                action="welfare.pay",
                object_type=PAYMENT_TYPE,
                object_id=payment.pk,
                unit_path=payment.unit_path,
                after={"amount": payment.amount, "method": method, "reference": receipt_no or bank_ref},
                clock=clock,
            )
    except IntegrityError:
        # Another line of the same person paid at the same moment, or the same key sent twice at once.
        found = Payment.objects.filter(idempotency_key=key).first() if key else None
        if found is not None:
            if found.application_id == application.pk:
                return found, False
            raise InvalidInput(
                _("This Idempotency-Key was used for another payment."), field="Idempotency-Key"
            ) from None
        earlier = _earlier_payment(application)
        if earlier is not None:
            raise AlreadyPaid(_paid_message(earlier), field="payment", earlier=earlier) from None
        raise
    return payment, True


def reconcile(*, by: Any, decision: Decision, ward: Any, clock: Clock = now) -> Reconciliation:
    """Check a ward's payments of a decision: paid ones are reconciled, the unpaid are counted."""
    if ward is None or not ward.path.startswith(decision.unit_path):
        raise InvalidInput(_("This ward is not covered by the decision."), field="ward")
    require(by, Perm.PAY_SUPPORT, ward.path, DECISION_TYPE, decision.pk)
    moment = clock()
    with transaction.atomic():
        # The ward's lines first, as pay() locks a line: a payment being made is either in or waits.
        lines = Application.objects.select_for_update().filter(
            decision=decision, unit_path__startswith=ward.path, status__in=(rules.APPROVED, rules.PAID)
        )
        list(lines.values_list("pk", flat=True))
        rows = Payment.objects.select_for_update().filter(decision=decision, unit_path__startswith=ward.path)
        paid_ids = [pk for pk, status in rows.values_list("pk", "status") if status == Payment.Status.PAID]
        if not paid_ids:
            raise InvalidInput(_("Nothing paid is waiting for reconciliation."), field="ward")
        paid = Payment.objects.filter(pk__in=paid_ids).aggregate(count=Count("pk"), total=Sum("amount"))
        # Still owed: every approved line not paid, held ones included (payable once the other support
        # closes); not those someone was already paid for, nor revoked ones.
        unpaid = _unpaid_not_duplicate(decision, ward).aggregate(count=Count("pk"), total=Sum("amount"))
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
