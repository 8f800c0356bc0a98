"""Decisions and payments: the payment list read from the decision (and its CSV), paying a line in cash or
by bank (a double submit pays once), the reconciliation view, and scope."""

import pytest

from phaodai.core.models import AuditEntry
from phaodai.welfare import payments, selectors
from phaodai.welfare.models import Application, Payment
from phaodai.welfare.tests.test_views import approved
from phaodai.welfare.tests.world import build_world, later, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


@pytest.fixture
def decision(world, ward_officer_bo_de, district_officer_long_bien):
    return approved(world, ward_officer_bo_de, district_officer_long_bien)


@pytest.fixture
def welfare(client, welfare_officer_bo_de):
    client.force_login(welfare_officer_bo_de)
    return client


def first_line(decision):
    return selectors.decision_lines(decision).first()


def test_the_decision_page_offers_each_line_to_pay_and_the_ward_s_payment_list(
    world, decision, welfare, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = welfare.get(f"/welfare/decisions/{decision.pk}/").content.decode()
    assert "125/QĐ-UBND" in page and f"/welfare/applications/{first_line(decision).pk}/pay/" in page
    assert f"/welfare/decisions/{decision.pk}/payment-list.csv?ward=00139" in page
    response = welfare.get(f"/welfare/decisions/{decision.pk}/payment-list.csv?ward=00139")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert body[0].startswith("line,reference,full_name") and len(body) == 3
    assert AuditEntry.objects.filter(action="welfare.payment_list").count() == 1
    assert not Payment.objects.exists()
    outside = welfare.get(f"/welfare/decisions/{decision.pk}/payment-list.csv?ward=00001")
    assert outside.status_code == 422 and "not covered by the decision" in outside.content.decode()


def test_paying_in_cash_and_a_double_submit_pays_once(world, decision, welfare):
    line = first_line(decision)
    page = welfare.get(f"/welfare/applications/{line.pk}/pay/").content.decode()
    assert 'id="pay-form"' in page and 'name="token"' in page
    form = {
        "method": "cash",
        "receipt_number": "PT-0001",
        "token": "pay-form-1",
        "receipt": pdf("bien-nhan.pdf"),
    }
    first = welfare.post(f"/welfare/applications/{line.pk}/pay/", form)
    assert first.status_code == 302
    form["receipt"] = pdf("bien-nhan.pdf")
    second = welfare.post(f"/welfare/applications/{line.pk}/pay/", form, follow=True)  # the same form again
    assert second.status_code == 200 and "nothing was paid twice" in second.content.decode()
    paid = Payment.objects.get()
    assert paid.status == "paid" and paid.receipt_number == "PT-0001" and paid.receipt
    assert Application.objects.get(pk=line.pk).status == "paid"
    # The paid line's pay page now shows the payment.
    assert welfare.get(f"/welfare/applications/{line.pk}/pay/")["Location"] == f"/welfare/payments/{paid.pk}/"


def test_a_cash_payment_needs_its_receipt_number_and_keeps_the_input(world, decision, welfare):
    line = first_line(decision)
    response = welfare.post(
        f"/welfare/applications/{line.pk}/pay/",
        {"method": "cash", "receipt_number": "", "token": "t-1", "bank_reference": "x"},
    )
    assert response.status_code == 422 and 'id="id_receipt_number-errors"' in response.content.decode()
    assert 'value="t-1"' in response.content.decode()
    assert not Payment.objects.exists()


def test_paying_again_differently_names_the_earlier_payment(world, decision, welfare):
    line = first_line(decision)
    welfare.post(
        f"/welfare/applications/{line.pk}/pay/", {"method": "bank", "bank_reference": "VCB-1", "token": "a"}
    )
    # A stale page (opened before the payment) submitted with another reference.
    response = welfare.post(
        f"/welfare/applications/{line.pk}/pay/", {"method": "bank", "bank_reference": "VCB-2", "token": "b"}
    )
    assert response.status_code == 409 and 'id="earlier-payment"' in response.content.decode()
    assert "VCB-1" in response.content.decode()
    assert Payment.objects.get().bank_reference == "VCB-1"


def test_the_reconciliation_view_and_reconciling_a_ward(
    world, decision, welfare, welfare_officer_bo_de, django_assert_max_num_queries
):
    line = first_line(decision)
    first, _ = payments.pay(
        by=welfare_officer_bo_de, application=line, method="bank", bank_reference="VCB-9", clock=later(6)
    )
    with django_assert_max_num_queries(10):
        page = welfare.get("/welfare/payments/").content.decode()
    assert 'data-ward="00139"' in page and "Reconcile the paid" in page
    response = welfare.post(f"/welfare/decisions/{decision.pk}/reconcile/", {"ward": "00139"})
    assert response.status_code == 302
    assert Payment.objects.get(pk=first.pk).status == "reconciled"
    done = Payment.objects.get(pk=first.pk).reconciliation
    assert done is not None and (done.count, done.unpaid_count) == (1, 1)


def test_payments_are_out_of_reach_elsewhere(
    world, decision, client, welfare_officer_bo_de, ward_officer_phuc_xa, district_officer_long_bien
):
    line = first_line(decision)
    payment, _ = payments.pay(
        by=welfare_officer_bo_de, application=line, method="cash", receipt_number="PT-1"
    )
    other = selectors.decision_lines(decision).exclude(pk=line.pk).get()
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/welfare/payments/{payment.pk}/").status_code == 404
    assert client.get(f"/welfare/decisions/{decision.pk}/").status_code == 404
    assert client.get(f"/welfare/applications/{other.pk}/pay/").status_code == 404
    client.force_login(district_officer_long_bien)  # reads, but pays nothing: the ward pays
    assert client.get(f"/welfare/payments/{payment.pk}/").status_code == 200
    refused = client.post(
        f"/welfare/applications/{other.pk}/pay/", {"method": "bank", "bank_reference": "X", "token": "z"}
    )
    assert refused.status_code == 403 and Payment.objects.count() == 1
