"""The S33 workflow through the services: filing to reconciliation, and every refusal on the way."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.welfare import approval, listing, payments, selectors, services
from phaodai.welfare.models import Application, Payment, Programme
from phaodai.welfare.tests.world import INFORMAL, SEPT_6, build_world, clock_at, later, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(ward_officer_bo_de, ward_officer_phuc_xa):
    return build_world(ward_officer=ward_officer_bo_de, outsider_officer=ward_officer_phuc_xa)


def file(by, world, n=0, **extra):
    params = dict(
        by=by,
        ward=world.ward,
        person_id=world.residents[n].pk,
        programme_code="HN-3642",
        facts=INFORMAL,
        documents=[("application_form", pdf())],
        clock=clock_at(SEPT_6),
    )
    params.update(extra)
    return services.file_application(**params)


def through_approval(world, ward_officer, district_officer, count=2):
    filed = [file(ward_officer, world, n)[0] for n in range(count)]
    for application in filed:
        services.review(by=ward_officer, application=application, accept=True, clock=later(0.1))
    posted = listing.post_list(by=ward_officer, ward=world.ward, programme_code="HN-3642", clock=later(0.2))
    submitted = listing.submit_list(by=ward_officer, support_list=posted, clock=later(3))
    appraised = approval.appraise(by=district_officer, support_list=submitted, clock=later(4))
    decision = approval.approve(
        by=district_officer,
        support_lists=[appraised],
        number="125/QĐ-UBND",
        signed_on=date(2021, 9, 10),
        clock=later(4.1),
    )
    return filed, posted, decision


def test_files_an_informal_worker_with_the_fixed_amount(world, ward_officer_bo_de):
    application, created = file(ward_officer_bo_de, world)
    assert created
    assert application.status == "filed"
    assert application.amount == 1_500_000
    assert application.period_key == "once"
    assert application.reference == f"HT-00139-{application.pk:06d}"
    assert application.facts["person"]["registered_in_ward"] is True
    assert selectors.documents_of(application)[0].kind == "application_form"
    assert AuditEntry.objects.filter(action="welfare.file", object_id=str(application.pk)).exists()


def test_someone_outside_the_ward_is_refused_clearly(world, ward_officer_bo_de, district_officer_long_bien):
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world, person_id=world.outsider.pk)
    assert refused.value.field == "person"
    assert "Bồ Đề" in str(refused.value)
    # A district officer sees people of Ngọc Lâm too, but files in the ward where they are registered.
    assert not Application.objects.exists()


def test_an_ineligible_person_is_told_which_rule_failed(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        file(
            ward_officer_bo_de, world, facts={"job": {"labour_contract": True, "lost_work_on": "2021-07-24"}}
        )
    assert refused.value.field == "eligibility"
    assert "no_labour_contract" in str(refused.value)
    with pytest.raises(InvalidInput) as early:
        file(ward_officer_bo_de, world, facts={"job": {"lost_work_on": "2021-04-01"}})
    assert "lost_work_since_may" in str(early.value)


def test_missing_documents_are_named(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world, documents=[])
    assert refused.value.field == "documents"
    assert "Application form" in str(refused.value)
    assert not Application.objects.exists()


def test_a_document_that_is_not_a_pdf_is_refused(world, ward_officer_bo_de):
    fake = SimpleUploadedFile("don.pdf", b"not a pdf at all", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        file(ward_officer_bo_de, world, documents=[("application_form", fake)])


def test_an_amount_outside_the_programmes_is_refused(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world, amount=2_000_000)
    assert refused.value.field == "amount"
    application, _ = file(ward_officer_bo_de, world, amount="1.500.000")
    assert application.amount == 1_500_000


def test_a_capped_amount_must_lie_in_the_range(world, ward_officer_bo_de):
    facts = {"job": {"social_insurance": True, "suspended_days": 20}}
    docs = [("suspension_agreement", pdf())]
    with pytest.raises(InvalidInput) as refused:
        file(
            ward_officer_bo_de,
            world,
            programme_code="NQ68-SUSPENDED",
            facts=facts,
            documents=docs,
            amount=5_000_000,
        )
    assert refused.value.field == "amount"
    application, _ = file(
        ward_officer_bo_de,
        world,
        programme_code="NQ68-SUSPENDED",
        facts=facts,
        documents=docs,
        amount=1_855_000,
    )
    assert application.amount == 1_855_000


def test_a_second_application_for_the_same_period_is_blocked_with_the_earlier_shown(
    world, ward_officer_bo_de
):
    first, _ = file(ward_officer_bo_de, world)
    with pytest.raises(Duplicate) as blocked:
        file(ward_officer_bo_de, world)
    assert blocked.value.params["earlier"].pk == first.pk
    assert first.reference in str(blocked.value)
    assert Application.objects.count() == 1


def test_the_database_blocks_a_duplicate_too(world, ward_officer_bo_de):
    from django.db import IntegrityError, transaction

    first, _ = file(ward_officer_bo_de, world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            reference="HT-X",
            programme=first.programme,
            programme_code=first.programme_code,
            person=first.person,
            unit=first.unit,
            unit_path=first.unit_path,
            period_key="once",
            amount=1_500_000,
            filed_by=ward_officer_bo_de,
            filed_at=SEPT_6,
        )


def test_a_withdrawn_application_frees_the_period(world, ward_officer_bo_de):
    first, _ = file(ward_officer_bo_de, world)
    services.withdraw(by=ward_officer_bo_de, application=first, note="Người dân rút đơn")
    second, created = file(ward_officer_bo_de, world)
    assert created and second.pk != first.pk


def test_a_retried_filing_with_the_same_key_is_filed_once(world, ward_officer_bo_de):
    first, created = file(ward_officer_bo_de, world, idempotency_key="k-1")
    again, created_again = file(ward_officer_bo_de, world, idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk


def test_who_may_file(world, ward_officer_phuc_xa, health_worker_bo_de, ward_officer_bo_de):
    with pytest.raises(NotPermitted):
        file(health_worker_bo_de, world)
    with pytest.raises(OutOfScope):
        file(ward_officer_phuc_xa, world)


def test_the_whole_workflow_to_reconciliation(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _filed, posted, decision = through_approval(world, ward_officer_bo_de, district_officer_long_bien)
    assert posted.posting_ends_at == posted.posted_at + timedelta(days=2)
    assert decision.count == 2 and decision.total == 3_000_000
    lines = list(selectors.decision_lines(decision))
    assert [line.line_no for line in lines] == [1, 2]
    listed = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (listed.payable, listed.payable_total, listed.blocked) == (2, 3_000_000, 0)
    assert not Payment.objects.exists()  # the list is read from the decision: nothing is written
    cash_line, bank_line = lines
    payments.pay(
        by=welfare_officer_bo_de,
        application=cash_line,
        method="cash",
        receipt_number="BN-001",
        receipt=pdf("bn.pdf"),
        clock=later(5),
    )
    left = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (left.payable, left.payable_total) == (1, 1_500_000)
    payments.pay(by=welfare_officer_bo_de, application=bank_line, method="bank", bank_reference="VCB-778899")
    assert payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward).payable == 0
    reconciliation = payments.reconcile(
        by=welfare_officer_bo_de, decision=decision, ward=world.ward, clock=later(7)
    )
    assert (reconciliation.count, reconciliation.total, reconciliation.unpaid_count) == (2, 3_000_000, 0)
    assert set(Application.objects.values_list("status", flat=True)) == {"reconciled"}
    assert set(Payment.objects.values_list("status", flat=True)) == {"reconciled"}


def test_the_payment_list_as_csv_lists_every_payable_line_and_records_its_export(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _, _, decision = through_approval(world, ward_officer_bo_de, district_officer_long_bien)
    first, second = selectors.decision_lines(decision)
    payments.pay(by=welfare_officer_bo_de, application=first, method="cash", receipt_number="BN-1")
    # A name that a spreadsheet would run as a formula is written inert.
    type(second.person).objects.filter(pk=second.person_id).update(full_name="=HYPERLINK(1) An")
    lines = payments.export_payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    rows = list(csv.reader(io.StringIO("".join(lines).lstrip("\ufeff"))))
    assert rows[0] == list(payments.EXPORT_HEADER) and len(rows) == 2  # the paid line is left off
    assert rows[1][0] == "2" and rows[1][2] == "'=HYPERLINK(1) An"
    assert rows[1][5] == "1500000" and rows[1][6] == ""
    assert AuditEntry.objects.filter(action="welfare.payment_list", object_id=str(decision.pk)).count() == 1


def test_one_key_for_two_lines_is_refused_for_the_second(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _, _, decision = through_approval(world, ward_officer_bo_de, district_officer_long_bien)
    first, second = selectors.decision_lines(decision)
    payments.pay(
        by=welfare_officer_bo_de, application=first, method="bank", bank_reference="V-1", idempotency_key="k"
    )
    with pytest.raises(InvalidInput) as refused:
        payments.pay(
            by=welfare_officer_bo_de,
            application=second,
            method="bank",
            bank_reference="V-2",
            idempotency_key="k",
        )
    assert refused.value.field == "Idempotency-Key" and Payment.objects.count() == 1


def test_only_an_approved_line_of_a_decision_is_paid(world, ward_officer_bo_de, welfare_officer_bo_de):
    filed, _ = file(ward_officer_bo_de, world)
    with pytest.raises(InvalidInput) as refused:
        payments.pay(by=welfare_officer_bo_de, application=filed, method="cash", receipt_number="BN-1")
    assert refused.value.field == "payment" and not Payment.objects.exists()


def test_a_retried_payment_is_paid_once(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _, _, decision = through_approval(world, ward_officer_bo_de, district_officer_long_bien, count=1)
    (line,) = selectors.decision_lines(decision)
    first, paid = payments.pay(
        by=welfare_officer_bo_de,
        application=line,
        method="bank",
        bank_reference="VCB-1",
        idempotency_key="pay-1",
    )
    retry, paid_again = payments.pay(
        by=welfare_officer_bo_de,
        application=line,
        method="bank",
        bank_reference="VCB-1",
        idempotency_key="pay-1",
    )
    assert paid and not paid_again and retry.pk == first.pk
    # The same transfer sent again without the key is still the same payment.
    _, paid_third = payments.pay(
        by=welfare_officer_bo_de, application=line, method="bank", bank_reference="VCB-1"
    )
    assert not paid_third
    with pytest.raises(Duplicate) as twice:
        payments.pay(by=welfare_officer_bo_de, application=line, method="cash", receipt_number="BN-9")
    assert "VCB-1" in str(twice.value)
    assert Payment.objects.get().status == "paid"
    assert AuditEntry.objects.filter(action="welfare.pay").count() == 1


def test_a_person_already_paid_is_left_off_a_later_payment_list_and_refused_at_the_cash_desk(
    world, ward_officer_bo_de, district_officer_long_bien, welfare_officer_bo_de
):
    _, _, decision = through_approval(world, ward_officer_bo_de, district_officer_long_bien, count=1)
    (line,) = selectors.decision_lines(decision)
    first, _ = payments.pay(by=welfare_officer_bo_de, application=line, method="cash", receipt_number="BN-7")
    # A second approved line for the same person and period (as if approved twice by mistake).
    Application.objects.filter(pk=first.application_id).update(status="withdrawn")
    again, _ = file(ward_officer_bo_de, world)
    Application.objects.filter(pk=again.pk).update(status="approved", decision=decision, line_no=2)
    listed = payments.payment_list(by=welfare_officer_bo_de, decision=decision, ward=world.ward)
    assert (listed.payable, listed.blocked) == (0, 1)
    assert list(payments.payable_rows(decision, world.ward)) == []
    assert [line.pk for line in payments.blocked_lines(decision, world.ward)] == [again.pk]
    with pytest.raises(Duplicate) as refused:
        payments.pay(by=welfare_officer_bo_de, application=again, method="cash", receipt_number="BN-8")
    assert refused.value.params["earlier"].pk == first.pk and "BN-7" in str(refused.value)
    assert Payment.objects.count() == 1


def test_objections_are_recorded_and_an_upheld_one_rejects(world, ward_officer_bo_de):
    first, _ = file(ward_officer_bo_de, world, 0)
    second, _ = file(ward_officer_bo_de, world, 1)
    for application in (first, second):
        services.review(by=ward_officer_bo_de, application=application, accept=True)
    posted = listing.post_list(
        by=ward_officer_bo_de, ward=world.ward, programme_code="HN-3642", clock=later(0.2)
    )
    first.refresh_from_db()
    objection = listing.record_objection(
        by=ward_officer_bo_de,
        application=first,
        text="Vẫn đi làm bình thường",
        objector="Tổ trưởng",
        clock=later(1),
    )
    with pytest.raises(InvalidInput):
        listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(1.5))  # still posted
    with pytest.raises(InvalidInput) as open_one:
        listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3))
    assert open_one.value.field == "objections"
    listing.resolve_objection(by=ward_officer_bo_de, objection=objection, upheld=True, note="Xác minh đúng")
    with pytest.raises(Conflict):
        listing.resolve_objection(by=ward_officer_bo_de, objection=objection, upheld=False, note="x")
    listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("rejected", "submitted")


def test_the_district_returns_an_application_with_a_reason(
    world, ward_officer_bo_de, district_officer_long_bien
):
    filed = [file(ward_officer_bo_de, world, n)[0] for n in range(2)]
    for application in filed:
        services.review(by=ward_officer_bo_de, application=application, accept=True)
    posted = listing.post_list(
        by=ward_officer_bo_de, ward=world.ward, programme_code="HN-3642", clock=later(0.2)
    )
    listing.submit_list(by=ward_officer_bo_de, support_list=posted, clock=later(3))
    with pytest.raises(NotPermitted):
        approval.appraise(by=ward_officer_bo_de, support_list=posted)
    approval.appraise(
        by=district_officer_long_bien, support_list=posted, returned={filed[1].pk: "Thiếu xác nhận"}
    )
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {filed[0].pk: "appraised", filed[1].pk: "returned"}


def test_a_decision_number_is_used_once_and_lists_are_approved_once(
    world, ward_officer_bo_de, district_officer_long_bien, city_commander
):
    _filed, posted, _decision = through_approval(
        world, ward_officer_bo_de, district_officer_long_bien, count=1
    )
    posted.refresh_from_db()
    with pytest.raises(Conflict):
        approval.approve(
            by=city_commander, support_lists=[posted], number="126/QĐ-UBND", signed_on=date(2021, 9, 11)
        )


def test_the_public_list_masks_names(world, ward_officer_bo_de, district_officer_long_bien):
    through_approval(world, ward_officer_bo_de, district_officer_long_bien)
    public = selectors.public_ward_list("00139")
    names = [row.masked_name for row in public.rows]
    assert names == ["Nguyễn V. A., 1978", "Trần T. B., 1979"]
    assert public.total == 3_000_000 and public.count == 2
    totals = selectors.public_totals()
    assert [(t.programme_code, t.district_code, t.count, t.total) for t in totals] == [
        ("HN-3642", "004", 2, 3_000_000)
    ]
    assert [w.code for w in selectors.public_wards()] == ["00139"]


def test_programmes_in_force_are_the_shipped_ones():
    from phaodai.welfare.reference import ensure_programmes

    ensure_programmes()
    assert ensure_programmes() == 0
    codes = {p.code for p in selectors.programmes_in_force(date(2021, 9, 6))}
    assert {"HN-3642", "NQ68-FOOD", "HN-POOR", "NQ68-SUSPENDED"} <= codes
    food = selectors.programme_by_code("NQ68-FOOD")
    assert (food.amount, food.day_caps) == (80_000, {"F0": 45, "F1": 21})
    assert selectors.programme_by_code("NQ68-CHILD").to_verify


# Review findings (issue #10) --------------------------------------------------------------------------

SUSPENDED_DOCS = [("suspension_agreement", pdf())]


def suspended(by, world, days, **extra):
    facts = {"job": {"social_insurance": True, "suspended_days": days}}
    docs = [("suspension_agreement", pdf())]
    return file(by, world, programme_code="NQ68-SUSPENDED", facts=facts, documents=docs, **extra)


def test_suspended_contract_support_is_tiered_by_the_days_suspended(world, ward_officer_bo_de):
    """Finding 3: 1,855,000 for 15 days to under a month, 3,710,000 for a month or more, nothing else."""
    short, _ = suspended(ward_officer_bo_de, world, 20)
    assert short.amount == 1_855_000
    long, _ = suspended(ward_officer_bo_de, world, 31, n=1)
    assert long.amount == 3_710_000
    for n, days, asked in ((2, 20, 3_710_000), (2, 20, 2_000_000), (3, 45, 2_500_000)):
        with pytest.raises(InvalidInput) as refused:
            suspended(ward_officer_bo_de, world, days, n=n, amount=asked)
        assert refused.value.field == "amount"
    exact, _ = suspended(ward_officer_bo_de, world, 45, n=3, amount="3.710.000")
    assert exact.amount == 3_710_000


@pytest.mark.parametrize("typed", ["24/07/2021", "2021-07-24"])
def test_the_date_work_was_lost_is_read_as_a_date(world, ward_officer_bo_de, typed):
    """Finding 4: ISO and dd/mm/yyyy accepted, stored ISO, compared as dates."""
    application, _ = file(
        ward_officer_bo_de, world, facts={"job": {"labour_contract": False, "lost_work_on": typed}}
    )
    assert application.facts["job"]["lost_work_on"] == "2021-07-24"


@pytest.mark.parametrize("typed", ["tháng 6", "31/02/2021", "2021-09-07", "30/12/2021"])
def test_a_nonsense_or_future_loss_date_is_refused(world, ward_officer_bo_de, typed):
    """Finding 4: text that is no date, and a date after the filing day (6/9/2021), are refused."""
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world, facts={"job": {"labour_contract": False, "lost_work_on": typed}})
    assert refused.value.field == "facts" and "lost_work_on" in str(refused.value)
    assert not Application.objects.exists()


def test_a_loss_before_may_is_refused_as_a_date(world, ward_officer_bo_de):
    with pytest.raises(InvalidInput) as refused:
        file(
            ward_officer_bo_de, world, facts={"job": {"labour_contract": False, "lost_work_on": "30/04/2021"}}
        )
    assert refused.value.field == "eligibility" and "lost_work_since_may" in str(refused.value)


def test_other_support_on_record_is_not_self_declared(world, ward_officer_bo_de):
    """Finding 5: an approved NQ 68 income support counts as another payment, whatever is declared."""
    stopped, _ = file(
        ward_officer_bo_de,
        world,
        programme_code="NQ68-STOPPED",
        facts={"job": {"labour_contract": True, "stopped_days": 20}},
        documents=[("stoppage_confirmation", pdf())],
    )
    Application.objects.filter(pk=stopped.pk).update(status="approved")
    declared = {"job": {**INFORMAL["job"], "other_support": False}}
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world, facts=declared)
    assert refused.value.field == "eligibility" and "no_other_support" in str(refused.value)
    other, _ = file(ward_officer_bo_de, world, n=1, facts=declared)  # nobody else is affected
    assert other.facts["job"]["other_support"] is False


def test_an_open_ended_programme_names_its_start_only(world, ward_officer_bo_de):
    """Finding 8: a programme without an end date gives a 422 with an open-ended phrase, not a crash."""
    Programme.objects.filter(code="HN-3642").update(period_starts=date(2021, 10, 1), period_ends=None)
    with pytest.raises(InvalidInput) as refused:
        file(ward_officer_bo_de, world)
    assert refused.value.field == "period" and "01/10/2021" in str(refused.value)
