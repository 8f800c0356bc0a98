"""Decisions and payments (S33): a decision's lines, a ward's payment list (CSV for the cashier or the
bank), paying each line (cash with a signed receipt, or bank transfer), revoking an unpaid line by an
amending decision, and the reconciliation per decision and ward.

The pay form carries an idempotency key: a double submit, or a retry after a timeout, pays once.
"""

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phaodai.accounts.roles import Perm
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.text import vnd
from phaodai.territory import selectors as territory
from phaodai.welfare import approval, payments, rules, selectors
from phaodai.welfare.forms import PayForm, RevokeForm, new_token
from phaodai.welfare.models import Application, Decision, Payment
from phaodai.welfare.views_common import may, require_perm, require_reader, reraise_scope

DECISION_LIMIT = 50
LINE_LIMIT = 1000


def lines_within_reach(user: Any, decision_ids: list[int]) -> QuerySet[Application]:
    return Application.objects.filter(selectors.reach_q(user), decision_id__in=decision_ids)


def ward_summaries(
    user: Any, decision_ids: list[int], held: Collection[int] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per decision and ward within the user's reach: lines standing (not revoked), still to pay, paid,
    reconciled (counts, VND), and the lines revoked.
    `held`: the ids of the lines held for other support, when the caller has read them already."""
    within = lines_within_reach(user, decision_ids)
    if held is None:
        held = [item.line.pk for item in payments.held_among(within)]
    payable = payments.payable_q() & ~Q(pk__in=list(held))
    standing = ~Q(status=rules.REVOKED)  # a revoked line is shown apart, not as approved
    rows = (
        within.values("decision_id", "unit__code", "unit__name", "unit_path")
        .annotate(
            lines=Count("pk", filter=standing),
            total=Sum("amount", filter=standing),
            unpaid=Count("pk", filter=payable),
            unpaid_total=Sum("amount", filter=payable),
            paid=Count("pk", filter=Q(payment__status=Payment.Status.PAID)),
            paid_total=Sum("amount", filter=Q(payment__status=Payment.Status.PAID)),
            reconciled=Count("pk", filter=Q(payment__status=Payment.Status.RECONCILED)),
            reconciled_total=Sum("amount", filter=Q(payment__status=Payment.Status.RECONCILED)),
            revoked=Count("pk", filter=Q(status=rules.REVOKED)),
        )
        .order_by("decision_id", "unit_path")
    )
    found: dict[int, list[dict[str, Any]]] = {pk: [] for pk in decision_ids}
    for row in rows:
        path = row["unit_path"]
        row["can_export"] = row["unpaid"] and (
            may(user, path, Perm.PAY_SUPPORT) or may(user, path, Perm.APPRAISE_SUPPORT)
        )
        row["can_reconcile"] = row["paid"] and may(user, path, Perm.PAY_SUPPORT)
        found.setdefault(row["decision_id"], []).append(row)
    return found


@login_required
@require_GET
def payment_index(request: HttpRequest) -> HttpResponse:
    """The reconciliation view: each decision within reach, per ward: approved, to pay, paid, reconciled."""
    user = request.user
    require_reader(user)
    decisions = list(selectors.decisions_visible_to(user).order_by("-signed_on", "-pk")[:DECISION_LIMIT])
    summaries = ward_summaries(user, [d.pk for d in decisions])
    rows = [{"decision": d, "wards": summaries.get(d.pk, [])} for d in decisions]
    return render(request, "welfare/payments.html", {"rows": rows, "more": len(decisions) == DECISION_LIMIT})


def decision_page(
    request: HttpRequest, decision: Decision, status: int = 200, error: Any = None
) -> HttpResponse:
    user = request.user
    lines = list(
        selectors.decision_lines(decision, user)
        .select_related("payment")
        .order_by("line_no")[: LINE_LIMIT + 1]
    )
    unpaid = [line.pk for line in lines if line.status == rules.APPROVED and not hasattr(line, "payment")]
    blocked = set(payments.blocked_lines(decision).filter(pk__in=unpaid).values_list("pk", flat=True))
    held = {item.line.pk: item for item in payments.held_among(lines_within_reach(user, [decision.pk]))}
    for line in lines:
        line.held = held.get(line.pk)  # type: ignore[attr-defined]  # named on the page
    payable_here = {
        line.pk
        for line in lines
        if line.pk in unpaid
        and line.pk not in blocked
        and line.pk not in held
        and may(user, line.unit_path, Perm.PAY_SUPPORT)
    }
    revocable = {
        line.pk for line in lines if line.pk in unpaid and may(user, line.unit_path, Perm.APPRAISE_SUPPORT)
    }
    context = {
        "decision": decision,
        "lines": lines[:LINE_LIMIT],
        "payable_here": payable_here,
        "revocable": revocable,
        "blocked": blocked,
        "held": len(held),
        "more": len(lines) > LINE_LIMIT,
        "wards": ward_summaries(user, [decision.pk], held).get(decision.pk, []),
        "lists": list(decision.lists.select_related("unit").order_by("unit__path", "number")[:200]),
        "error": error,
        "can_pay": selectors.can_pay(user),
    }
    return render(request, "welfare/decision.html", context, status=status)


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_reader(request.user)
    return decision_page(request, selectors.decision_for(request.user, pk))


def _ward_of_form(request: HttpRequest, decision: Decision) -> Any:
    return _ward_code(request.POST.get("ward", ""), decision)


def _ward_code(text: str, decision: Decision) -> Any:
    code = text.strip()[:5]
    ward = territory.unit_by_code(code) if code else None
    if ward is None or ward.level != "ward" or not ward.path.startswith(decision.unit_path):
        raise InvalidInput(_("This ward is not covered by the decision."), field="ward")
    return ward


@login_required
@require_GET
def payment_list_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A ward's payment list as CSV: every payable line (people already paid left off), for the cashier's
    signatures or the bank's transfer file. Its export is recorded."""
    user = request.user
    if not (selectors.can_pay(user) or selectors.can_appraise(user)):
        require_perm(user, Perm.PAY_SUPPORT)
    decision = selectors.decision_for(user, pk)
    try:
        ward = _ward_code(request.GET.get("ward", ""), decision)
        lines = payments.export_payment_list(by=user, decision=decision, ward=ward)
    except DomainError as error:
        reraise_scope(error)
        return decision_page(request, decision, error.status, error=error)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payment-list-{decision.pk}-{ward.code}.csv"'
    return response


@login_required
@require_POST
def payments_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_perm(user, Perm.PAY_SUPPORT)
    decision = selectors.decision_for(user, pk)
    try:
        done = payments.reconcile(by=user, decision=decision, ward=_ward_of_form(request, decision))
    except DomainError as error:
        reraise_scope(error)
        return decision_page(request, decision, error.status, error=error)
    messages.success(
        request,
        _("Reconciled: %(n)s paid, %(total)s VND; %(unpaid)s still to pay.")
        % {"n": done.count, "total": vnd(done.total), "unpaid": done.unpaid_count},
    )
    return redirect("welfare:decision", pk=pk)


@login_required
@require_GET
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recorded payment: who was paid, how, when, and its receipt."""
    require_reader(request.user)
    payment = selectors.payment_for(request.user, pk)
    context = {"payment": payment, "application": payment.application, "person": payment.person}
    return render(request, "welfare/payment.html", context)


def _line_page(
    request: HttpRequest, template: str, line: Application, form: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    """A form about one line of a decision (pay it, revoke it), with the line and its person."""
    context = {"application": line, "person": line.person, "form": form, **extra}
    return render(request, template, context, status=status)


def _pay_page(
    request: HttpRequest, line: Application, form: PayForm, status: int = 200, earlier: Any = None
) -> HttpResponse:
    return _line_page(request, "welfare/pay.html", line, form, status, earlier=earlier)


@login_required
@require_http_methods(["GET", "POST"])
def pay_line(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay one approved line in cash (receipt number, signed receipt) or by bank transfer (reference)."""
    user = request.user
    require_perm(user, Perm.PAY_SUPPORT)
    line = selectors.application_for(user, pk, Perm.PAY_SUPPORT)
    paid_already = Payment.objects.filter(application=line).first()
    if request.method == "GET":
        if paid_already is not None:
            return redirect("welfare:payment", pk=paid_already.pk)
        form = PayForm(initial={"token": new_token(), "method": Payment.Method.CASH})
        return _pay_page(request, line, form)
    form = PayForm(request.POST, request.FILES)
    if not form.is_valid():
        return _pay_page(request, line, form, 422)
    data = form.cleaned_data
    try:
        paid, created = payments.pay(
            by=user,
            application=line,
            method=data["method"],
            receipt_number=data["receipt_number"],
            bank_reference=data["bank_reference"],
            receipt=data.get("receipt") or None,
            idempotency_key=data["token"],
        )
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        return _pay_page(request, line, form, error.status, earlier=error.params.get("earlier"))
    if created:
        messages.success(request, _("Paid %(amount)s VND.") % {"amount": vnd(paid.amount)})
    else:
        messages.info(request, _("This payment was already recorded: nothing was paid twice."))
    return redirect("welfare:payment", pk=paid.pk)


@login_required
@require_http_methods(["GET", "POST"])
def revoke_line(request: HttpRequest, pk: int) -> HttpResponse:
    """The district takes an approved, unpaid line out of its decision by an amending decision."""
    user = request.user
    require_perm(user, Perm.APPRAISE_SUPPORT)
    line = selectors.application_for(user, pk, Perm.APPRAISE_SUPPORT)
    if request.method == "GET":
        return _line_page(request, "welfare/revoke.html", line, RevokeForm(initial={"version": line.version}))
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _line_page(request, "welfare/revoke.html", line, form, 422)
    data = form.cleaned_data
    try:
        approval.revoke_line(
            by=user, application=line, number=data["number"], reason=data["reason"], version=data["version"]
        )
    except DomainError as error:
        reraise_scope(error)
        form.add_domain_error(error)
        line.refresh_from_db()
        return _line_page(request, "welfare/revoke.html", line, form, error.status)
    messages.success(
        request,
        _("Line revoked from the decision by %(number)s: it will not be paid.") % {"number": data["number"]},
    )
    return redirect("welfare:decision", pk=line.decision_id)  # only a line of a decision is revoked
