"""Concurrent writes on PostgreSQL: two approvals of the same list, one decision; the same payment sent
twice at once, paid once; the same person filed twice at once, one application; an objection and the
list's sending at once, never a list sent with an open objection; income support filed while a 3642 line
of the same person is paid, in one order or the other, never both unseen; a line revoked and paid at once,
one or the other."""

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection

from phaodai.core.errors import Conflict, Duplicate, InvalidInput
from phaodai.welfare import approval, listing, payments, services
from phaodai.welfare.models import Application, Decision, Objection, Payment, SupportList
from phaodai.welfare.tests.world import build_world, file, later
from phaodai.welfare.workflow import OtherSupport

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(*calls: Callable[[], Any]) -> list[Any]:
    start = threading.Barrier(len(calls), timeout=10)
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes.append(call())
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def appraised_list(world: Any, ward_officer: Any, district_officer: Any, count: int = 1) -> Any:
    for n in range(count):
        services.review(
            by=ward_officer, application=file(ward_officer, world, n), accept=True, clock=later(0.1)
        )
    posted = listing.post_list(by=ward_officer, ward=world.ward, programme_code="HN-3642", clock=later(0.2))
    listing.submit_list(by=ward_officer, support_list=posted, clock=later(3))
    return approval.appraise(by=district_officer, support_list=posted, clock=later(4))


def test_two_approvals_of_the_same_list_give_one_decision(
    ward_officer_bo_de, district_officer_long_bien, city_commander
):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien)
    outcomes = race(
        lambda: approval.approve(
            by=district_officer_long_bien,
            support_lists=[appraised],
            number="1/QĐ",
            signed_on=date(2021, 9, 10),
        ),
        lambda: approval.approve(
            by=city_commander, support_lists=[appraised], number="2/QĐ", signed_on=date(2021, 9, 10)
        ),
    )
    won = [o for o in outcomes if isinstance(o, Decision)]
    lost = [o for o in outcomes if not isinstance(o, Decision)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], Conflict) and lost[0].status == 409
    assert Decision.objects.count() == 1
    assert Application.objects.get().decision_id == won[0].pk


def test_the_same_payment_sent_twice_at_once_is_paid_once(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien)
    decision = approval.approve(
        by=district_officer_long_bien, support_lists=[appraised], number="3/QĐ", signed_on=date(2021, 9, 10)
    )
    line = Application.objects.get(decision=decision)

    def pay() -> Any:
        return payments.pay(
            by=welfare_officer_bo_de,
            application=line,
            method="bank",
            bank_reference="VCB-9",
            idempotency_key="p-9",
        )

    outcomes = race(pay, pay)
    assert sorted(created for _, created in outcomes) == [False, True], outcomes
    assert Payment.objects.get().status == "paid"


def test_two_cashiers_paying_the_same_line_at_once_pay_it_once(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien)
    decision = approval.approve(
        by=district_officer_long_bien, support_lists=[appraised], number="4/QĐ", signed_on=date(2021, 9, 10)
    )
    line = Application.objects.get(decision=decision)

    def pay(receipt: str) -> Any:
        return lambda: payments.pay(
            by=welfare_officer_bo_de, application=line, method="cash", receipt_number=receipt
        )

    outcomes = race(pay("BN-1"), pay("BN-2"))
    paid = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if not isinstance(o, tuple)]
    assert len(paid) == 1 and paid[0][1] is True, outcomes
    assert len(refused) == 1 and isinstance(refused[0], Duplicate), outcomes
    assert Payment.objects.count() == 1


def test_the_same_person_filed_twice_at_once_gets_one_application(ward_officer_bo_de, welfare_officer_bo_de):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    outcomes = race(lambda: file(ward_officer_bo_de, world), lambda: file(welfare_officer_bo_de, world))
    made = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if not isinstance(o, Application)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], Duplicate)
    assert Application.objects.count() == 1


def test_a_reconciliation_and_a_payment_at_once_count_every_line(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    """Reconciling locks the ward's lines, as paying does: a line paid meanwhile is counted paid or unpaid,
    never lost between the two."""
    world = build_world(ward_officer=ward_officer_bo_de, residents=2)
    appraised = appraised_list(world, ward_officer_bo_de, district_officer_long_bien, count=2)
    decision = approval.approve(
        by=district_officer_long_bien, support_lists=[appraised], number="5/QĐ", signed_on=date(2021, 9, 10)
    )
    first, second = Application.objects.filter(decision=decision).order_by("line_no")
    payments.pay(by=welfare_officer_bo_de, application=first, method="cash", receipt_number="BN-1")
    outcomes = race(
        lambda: payments.reconcile(by=welfare_officer_bo_de, decision=decision, ward=world.ward),
        lambda: payments.pay(
            by=welfare_officer_bo_de, application=second, method="cash", receipt_number="BN-2"
        ),
    )
    done = next(o for o in outcomes if not isinstance(o, tuple))
    assert not isinstance(done, Exception), outcomes
    assert done.count + done.unpaid_count == 2, (done.count, done.unpaid_count)


def test_an_objection_and_the_list_s_sending_at_once_never_send_it_with_the_objection_open(
    ward_officer_bo_de, welfare_officer_bo_de
):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    services.review(by=ward_officer_bo_de, application=file(ward_officer_bo_de, world), accept=True)
    posted = listing.post_list(
        by=ward_officer_bo_de, ward=world.ward, programme_code="HN-3642", clock=later(0.2)
    )
    application = Application.objects.get()
    outcomes = race(
        lambda: listing.record_objection(
            by=welfare_officer_bo_de, application=application, text="Vẫn đi làm"
        ),
        lambda: listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3)),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], InvalidInput), outcomes
    sent = SupportList.objects.get().status == "submitted"
    assert sent != Objection.objects.filter(status="open").exists()  # one or the other, never both


LAID_OFF = {"job": {"labour_contract": False, "lost_work_on": "2021-07-24", "category": "arts_performer"}}
HOLD = 1.5  # seconds one side holds its transaction open, waiting to see whether the other gets through


def approved_3642_line(world: Any, ward_officer: Any, district_officer: Any) -> Application:
    appraised = appraised_list(world, ward_officer, district_officer)
    decision = approval.approve(
        by=district_officer, support_lists=[appraised], number="6/QĐ", signed_on=date(2021, 9, 10)
    )
    return Application.objects.get(decision=decision)


def file_laid_off(ward_officer: Any, world: Any) -> Application:
    return file(ward_officer, world, 0, code="NQ68-LAID-OFF", facts=LAID_OFF, document="termination_proof")


def hold_after(
    monkeypatch: Any, module: Any, name: str
) -> tuple[threading.Event, threading.Event, list[bool]]:
    """Patch module.name to hold its transaction open once it has run: (reached: it has run; done: to be
    set by the other side when it gets through; seen: whether it got through while this one held)."""
    reached, done = threading.Event(), threading.Event()
    seen: list[bool] = []
    step = getattr(module, name)

    def step_then_hold(*args: Any, **kwargs: Any) -> Any:
        result = step(*args, **kwargs)
        reached.set()
        seen.append(done.wait(HOLD))
        return result

    monkeypatch.setattr(module, name, step_then_hold)
    return reached, done, seen


def once(reached: threading.Event, call: Callable[[], Any], done: threading.Event) -> Callable[[], Any]:
    """`call` started once the other side has `reached` its hold; `done` set when it gets through."""

    def run() -> Any:
        assert reached.wait(10)
        result = call()
        done.set()
        return result

    return run


def test_income_support_filed_while_a_3642_line_is_being_paid_comes_after_the_payment(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, monkeypatch
):
    """The payment has checked for other support and not committed yet: the filing waits for it."""
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    line = approved_3642_line(world, ward_officer_bo_de, district_officer_long_bien)
    checked, filed, seen = hold_after(monkeypatch, payments, "refuse_other_support")
    outcomes = race(
        lambda: payments.pay(
            by=welfare_officer_bo_de, application=line, method="cash", receipt_number="BN-6"
        ),
        once(checked, lambda: file_laid_off(ward_officer_bo_de, world), filed),
    )
    assert seen == [False], "the income support was filed while the payment was checking for it"
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    payment = Payment.objects.get()
    laid_off = Application.objects.get(programme_code="NQ68-LAID-OFF")
    assert payment.created_at < laid_off.created_at  # in order: paid, then filed


def test_a_3642_line_paid_while_income_support_is_being_filed_is_refused(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, monkeypatch
):
    """The filing has written the income support and not committed yet: the payment waits and refuses."""
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    line = approved_3642_line(world, ward_officer_bo_de, district_officer_long_bien)
    filing, paid, seen = hold_after(monkeypatch, services, "_save_document")
    outcomes = race(
        lambda: file_laid_off(ward_officer_bo_de, world),
        once(
            filing,
            lambda: payments.pay(
                by=welfare_officer_bo_de, application=line, method="cash", receipt_number="BN-7"
            ),
            paid,
        ),
    )
    assert seen == [False], "the line was paid while the income support was being filed"
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], OtherSupport), outcomes
    assert not Payment.objects.exists()
    assert Application.objects.get(pk=line.pk).status == "approved"


def test_a_line_revoked_and_paid_at_once_is_one_or_the_other(
    ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    world = build_world(ward_officer=ward_officer_bo_de, residents=1)
    line = approved_3642_line(world, ward_officer_bo_de, district_officer_long_bien)
    outcomes = race(
        lambda: approval.revoke_line(
            by=district_officer_long_bien, application=line, number="7/QĐ", reason="Lập trùng"
        ),
        lambda: payments.pay(
            by=welfare_officer_bo_de, application=line, method="cash", receipt_number="BN-8"
        ),
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], InvalidInput), outcomes
    status = Application.objects.get(pk=line.pk).status
    assert status in ("paid", "revoked")
    assert (status == "paid") == Payment.objects.exists()
