"""QĐ 3642 pays informal workers with no other social-protection payment: a live NQ 68 income support
(filed, on its way, approved or paid) holds it back at filing, review, appraisal and payment; a rejected,
returned or withdrawn one does not. NQ 68 itself does not exclude 3642 (POLICY.md §7)."""

from datetime import date

import pytest

from phaodai.core.errors import Conflict, InvalidInput
from phaodai.welfare import approval, listing, payments, services
from phaodai.welfare.models import Application, Payment, SupportList
from phaodai.welfare.tests.world import build_world, file, later
from phaodai.welfare.workflow import OtherSupport

pytestmark = pytest.mark.django_db

LAID_OFF = {"job": {"labour_contract": False, "lost_work_on": "2021-07-24", "category": "arts_performer"}}


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


def file_3642(by, world, n=0):
    return file(by, world, n)


def file_laid_off(by, world, n=0):
    return file(by, world, n, code="NQ68-LAID-OFF", facts=LAID_OFF, document="termination_proof")


def to_district(ward_officer, world, applications, code):
    for application in applications:
        services.review(by=ward_officer, application=application, accept=True, clock=later(0.1))
    posted = listing.post_list(by=ward_officer, ward=world.ward, programme_code=code, clock=later(0.2))
    return listing.submit_list(by=ward_officer, support_list=posted, clock=later(3))


def approve(district_officer, appraised, number):
    return approval.approve(
        by=district_officer,
        support_lists=[appraised],
        number=number,
        signed_on=date(2021, 9, 10),
        clock=later(4.1),
    )


def through_approval(ward_officer, district_officer, world, applications, code, number):
    submitted = to_district(ward_officer, world, applications, code)
    appraised = approval.appraise(by=district_officer, support_list=submitted, clock=later(4))
    return approve(district_officer, appraised, number)


def test_an_income_support_filed_but_not_approved_refuses_3642_at_filing(world, ward_officer_bo_de):
    """The reviewer's case: NQ68-LAID-OFF filed, then 3642 for the same person."""
    laid_off = file_laid_off(ward_officer_bo_de, world)
    with pytest.raises(InvalidInput) as refused:
        file_3642(ward_officer_bo_de, world)
    assert refused.value.field == "eligibility" and "no_other_support" in str(refused.value)
    assert f"NQ68-LAID-OFF {laid_off.reference}" in str(refused.value)
    assert not Application.objects.filter(programme_code="HN-3642").exists()
    assert file_3642(ward_officer_bo_de, world, n=1).status == "filed"  # nobody else is affected


@pytest.mark.parametrize("status", ["reviewed", "posted", "submitted", "appraised", "paid", "reconciled"])
def test_an_income_support_at_any_live_step_refuses_3642(world, ward_officer_bo_de, status):
    laid_off = file_laid_off(ward_officer_bo_de, world)
    Application.objects.filter(pk=laid_off.pk).update(status=status)
    with pytest.raises(InvalidInput) as refused:
        file_3642(ward_officer_bo_de, world)
    assert "no_other_support" in str(refused.value)


@pytest.mark.parametrize("status", ["rejected", "returned", "withdrawn"])
def test_a_refused_returned_or_withdrawn_income_support_does_not_count(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, status
):
    laid_off = file_laid_off(ward_officer_bo_de, world)
    Application.objects.filter(pk=laid_off.pk).update(status=status)
    application = file_3642(ward_officer_bo_de, world)
    assert application.facts["job"].get("other_support") is not True
    through_approval(ward_officer_bo_de, district_officer_long_bien, world, [application], "HN-3642", "1/QĐ")
    paid, created = payments.pay(
        by=welfare_officer_bo_de,
        application=Application.objects.get(pk=application.pk),
        method="cash",
        receipt_number="BN-1",
    )
    assert created and paid.amount == 1_500_000


def test_income_support_filed_after_3642_holds_it_at_the_ward_s_review(world, ward_officer_bo_de):
    """NQ 68 does not exclude 3642, so it is filed; the 3642 one is then held back."""
    application = file_3642(ward_officer_bo_de, world)
    laid_off = file_laid_off(ward_officer_bo_de, world)
    assert laid_off.status == "filed"
    with pytest.raises(OtherSupport) as refused:
        services.review(by=ward_officer_bo_de, application=application, accept=True)
    assert refused.value.status == 409 and refused.value.params["lines"] == [application.pk]
    assert application.reference in str(refused.value) and laid_off.reference in str(refused.value)
    services.review(by=ward_officer_bo_de, application=application, accept=False, note="Hưởng NQ 68")
    assert Application.objects.get(pk=application.pk).status == "rejected"


def test_income_support_filed_after_3642_is_named_at_appraisal_and_the_district_returns_it(
    world, ward_officer_bo_de, district_officer_long_bien
):
    held, other = file_3642(ward_officer_bo_de, world, 0), file_3642(ward_officer_bo_de, world, 1)
    submitted = to_district(ward_officer_bo_de, world, [held, other], "HN-3642")
    laid_off = file_laid_off(ward_officer_bo_de, world, 0)
    with pytest.raises(OtherSupport) as refused:
        approval.appraise(by=district_officer_long_bien, support_list=submitted, clock=later(4))
    assert refused.value.params["lines"] == [held.pk] and laid_off.reference in str(refused.value)
    assert SupportList.objects.get(pk=submitted.pk).status == "submitted"
    approval.appraise(
        by=district_officer_long_bien,
        support_list=submitted,
        returned={held.pk: "Hưởng NQ 68"},
        clock=later(4),
    )
    statuses = dict(Application.objects.filter(programme_code="HN-3642").values_list("pk", "status"))
    assert statuses == {held.pk: "returned", other.pk: "appraised"}


def test_income_support_filed_after_the_appraisal_does_not_hold_back_the_decision_but_its_payment(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    application = file_3642(ward_officer_bo_de, world)
    neighbour = file_3642(ward_officer_bo_de, world, n=1)
    submitted = to_district(ward_officer_bo_de, world, [application, neighbour], "HN-3642")
    appraised = approval.appraise(by=district_officer_long_bien, support_list=submitted, clock=later(4))
    # Filed after the appraisal, and approved in its own decision first.
    laid_off = file_laid_off(ward_officer_bo_de, world)
    Application.objects.filter(pk=laid_off.pk).update(status="approved")
    # An appraised line cannot be returned: refusing here would hold back the neighbour's support too.
    decision = approve(district_officer_long_bien, appraised, "2/QĐ")
    assert decision.count == 2
    with pytest.raises(OtherSupport) as refused:
        payments.pay(
            by=welfare_officer_bo_de,
            application=Application.objects.get(pk=application.pk),
            method="cash",
            receipt_number="BN-1",
        )
    assert f"NQ68-LAID-OFF {laid_off.reference}" in str(refused.value)
    paid, created = payments.pay(
        by=welfare_officer_bo_de,
        application=Application.objects.get(pk=neighbour.pk),
        method="cash",
        receipt_number="BN-1B",
    )
    assert created and paid.application_id == neighbour.pk
    assert list(Payment.objects.values_list("application_id", flat=True)) == [neighbour.pk]


def test_income_support_approved_after_3642_s_decision_blocks_its_payment(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    application = file_3642(ward_officer_bo_de, world)
    through_approval(ward_officer_bo_de, district_officer_long_bien, world, [application], "HN-3642", "4/QĐ")
    laid_off = file_laid_off(ward_officer_bo_de, world)
    through_approval(
        ward_officer_bo_de, district_officer_long_bien, world, [laid_off], "NQ68-LAID-OFF", "5/QĐ"
    )
    with pytest.raises(Conflict) as refused:
        payments.pay(
            by=welfare_officer_bo_de,
            application=Application.objects.get(pk=application.pk),
            method="cash",
            receipt_number="BN-2",
        )
    assert isinstance(refused.value, OtherSupport) and laid_off.reference in str(refused.value)
    assert not Payment.objects.exists()
    assert Application.objects.get(pk=application.pk).status == "approved"
    # NQ 68 is the person's entitlement: it is paid, once.
    paid, created = payments.pay(
        by=welfare_officer_bo_de,
        application=Application.objects.get(pk=laid_off.pk),
        method="cash",
        receipt_number="BN-3",
    )
    assert created and paid.amount == 3_710_000
    assert list(Payment.objects.values_list("programme_code", flat=True)) == ["NQ68-LAID-OFF"]


def test_the_pay_api_refuses_with_409_naming_the_other_support(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, client
):
    application = file_3642(ward_officer_bo_de, world)
    through_approval(ward_officer_bo_de, district_officer_long_bien, world, [application], "HN-3642", "6/QĐ")
    laid_off = file_laid_off(ward_officer_bo_de, world)
    client.force_login(welfare_officer_bo_de)
    response = client.post(
        f"/api/v1/welfare/applications/{application.pk}/pay",
        {"method": "cash", "receipt_number": "BN-4"},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "other_support" and laid_off.reference in body["message"]
    assert not Payment.objects.exists()


def held_world(ward_officer, district_officer, world):
    """Two QĐ 3642 lines approved in one decision; the first person files an NQ 68 income support after."""
    application = file_3642(ward_officer, world)
    neighbour = file_3642(ward_officer, world, n=1)
    decision = through_approval(
        ward_officer, district_officer, world, [application, neighbour], "HN-3642", "7/QĐ"
    )
    laid_off = file_laid_off(ward_officer, world)
    return decision, application, neighbour, laid_off


def test_a_line_held_for_other_support_is_left_off_the_payment_list_until_that_support_closes(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    decision, application, neighbour, laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    summary = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (summary.payable, summary.blocked, summary.held) == (1, 0, 1)
    assert (summary.payable_total, summary.held_total) == (neighbour.amount, application.amount)
    assert [item.line.pk for item in summary.held_lines] == [application.pk]
    assert f"NQ68-LAID-OFF {laid_off.reference}" in summary.held_lines[0].others_text
    assert list(payments.payable_lines(decision, world.ward).values_list("pk", flat=True)) == [neighbour.pk]
    exported = "".join(
        payments.export_payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    )
    assert neighbour.reference in exported and application.reference not in exported

    services.withdraw(
        by=ward_officer_bo_de, application=laid_off, note="Chỉ nhận hỗ trợ 3642", clock=later(5)
    )
    summary = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (summary.payable, summary.held) == (2, 0)
    assert set(payments.payable_lines(decision).values_list("pk", flat=True)) == {
        application.pk,
        neighbour.pk,
    }


def test_the_payment_list_api_names_the_held_line_and_its_other_support(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, client
):
    decision, application, neighbour, laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    client.force_login(welfare_officer_bo_de)
    body = client.get(f"/api/v1/welfare/decisions/{decision.pk}/payment-list?ward=00139").json()
    assert (body["payable"], body["held"], body["held_total"]) == (1, 1, application.amount)
    assert [row["reference"] for row in body["rows"]] == [neighbour.reference]
    [held] = body["held_rows"]
    assert (held["application"], held["reference"]) == (application.pk, application.reference)
    assert f"NQ68-LAID-OFF {laid_off.reference}" in held["other_support"] and held["rule"]


def test_the_pages_count_a_held_line_apart_and_offer_no_pay_link(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de, client
):
    from django.urls import reverse

    decision, application, neighbour, laid_off = held_world(
        ward_officer_bo_de, district_officer_long_bien, world
    )
    client.force_login(welfare_officer_bo_de)
    page = client.get(reverse("welfare:decision", args=[decision.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("welfare:pay", args=[neighbour.pk]) in html
    assert reverse("welfare:pay", args=[application.pk]) not in html
    assert "data-held=" in html and laid_off.reference in html
    [ward] = page.context["wards"]
    assert (ward["unpaid"], ward["unpaid_total"]) == (1, neighbour.amount)
    home = client.get(reverse("welfare:home"))
    assert home.context["waiting"]["to_pay"] == {"n": 1, "total": neighbour.amount}
