"""The demo's support (S33, POLICY.md §7) in Bồ Đề (00139), September 2021, through the welfare services.

- The shipped programmes (3642/QĐ-UBND, NQ 68's policies, the F0/F1 food allowance, poor households).
- Informal workers (street vendors, xe ôm drivers, café staff who lost work after the dine-in ban)
  filed by the ward (or brought in by the person) for QĐ 3642 on 2/9, two poor households the same
  day; reviewed on 6/9, one rejected (registered at another address); the ward list posted on 6/9 for
  two days, one objection recorded and dismissed; sent to Long Biên on 8/9, appraised on 9/9, one returned;
  approved on 10/9 in decision 2468/QĐ-UBND; most lines paid in cash with a signed receipt or by bank
  transfer on 13–15/9 (one left to pay), reconciled on 17/9; a second batch filed on 15/9 waits for
  review. F0/F1 isolated in the ward (when the cases phase ran) get their food allowance filed.

Safe to run again: filings carry an idempotency key, every later step acts only on what is still at
that step.
"""

from datetime import date, datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.core.errors import DomainError
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, at, official
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory
from phaodai.welfare import approval, listing, payments, selectors, services
from phaodai.welfare.reference import ensure_programmes

FILED, REVIEWED, POSTED = hanoi(2021, 9, 2, 9), hanoi(2021, 9, 6, 9), hanoi(2021, 9, 6, 15)
OBJECTED, SUBMITTED = hanoi(2021, 9, 7, 10), hanoi(2021, 9, 8, 16)
APPRAISED, APPROVED = hanoi(2021, 9, 9, 10), hanoi(2021, 9, 10, 9)
PAID, RECONCILED, SECOND_BATCH = hanoi(2021, 9, 14, 9), hanoi(2021, 9, 17, 15), hanoi(2021, 9, 15, 9)
DECISION = "2468/QĐ-UBND"
WORKERS, POOR, SECOND = 14, 2, 4
JOBS = (
    ("street_vendor", "2021-07-24"),  # CT 17 stopped street trading on 24/7
    ("xe_om_driver", "2021-07-24"),
    ("cafe_staff", "2021-05-04"),  # the dine-in ban of early May
    ("lottery_seller", "2021-07-24"),
    ("porter", "2021-07-24"),
    ("karaoke_staff", "2021-05-01"),
)
WORKING_AGE = (date(1961, 9, 1), date(2003, 9, 1))


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% demo scan\n", content_type="application/pdf")


def _residents(officer: Any, ward: Any, count: int) -> list[Any]:
    low, high = WORKING_AGE
    return list(
        people.persons_visible_to(officer)
        .filter(unit_path__startswith=ward.path, birth_date__range=(low, high), provisional=False)
        .order_by("name_key", "pk")[:count]
    )


def _file(officer: Any, ward: Any, person: Any, code: str, facts: dict[str, Any], moment: datetime) -> Any:
    documents = {"HN-3642": "application_form", "HN-POOR": "poor_household_certificate"}
    try:
        application, _ = services.file_application(
            by=officer,
            ward=ward,
            person_id=person.pk,
            programme_code=code,
            facts=facts,
            channel="ward" if len(person.full_name) % 3 else "self",
            documents=[(documents[code], _pdf("don-de-nghi.pdf"))] if code in documents else [],
            idempotency_key=f"demo-{code}-{person.pk}",
            clock=at(moment),
        )
    except DomainError:  # already paid this period through another programme's list, say
        return None
    return application


def _filings(officer: Any, ward: Any) -> tuple[list[Any], list[Any]]:
    residents = _residents(officer, ward, WORKERS + POOR + SECOND)
    first, second = [], []
    for n, person in enumerate(residents):
        if n < WORKERS + POOR:
            if n < WORKERS:
                occupation, lost = JOBS[n % len(JOBS)]
                facts = {"job": {"labour_contract": False, "lost_work_on": lost, "occupation": occupation}}
                code = "HN-3642"
            else:
                facts, code = {"household": {"poor": True, "members": 4}}, "HN-POOR"
            first.append(_file(officer, ward, person, code, facts, FILED))
        else:
            facts = {
                "job": {"labour_contract": False, "lost_work_on": "2021-07-24", "occupation": "street_vendor"}
            }
            second.append(_file(officer, ward, person, "HN-3642", facts, SECOND_BATCH))
    return [a for a in first if a is not None], [a for a in second if a is not None]


def _ward_steps(officer: Any, ward: Any, filed: list[Any]) -> list[Any]:
    for n, application in enumerate(filed):
        application.refresh_from_db()
        if application.status == "filed":
            wrong = n == 3
            services.review(
                by=officer,
                application=application,
                accept=not wrong,
                note="Sai địa chỉ thường trú, hướng dẫn nộp tại nơi cư trú" if wrong else "",
                clock=at(REVIEWED),
            )
    made = []
    for code in ("HN-3642", "HN-POOR"):
        if selectors.applications_visible_to(officer).filter(programme_code=code, status="reviewed").exists():
            made.append(listing.post_list(by=officer, ward=ward, programme_code=code, clock=at(POSTED)))
    for support_list in made:
        entries = list(selectors.entries_of(support_list))
        if support_list.programme.code == "HN-3642" and entries:
            objection = listing.record_objection(
                by=officer,
                application=entries[0],
                text="Hàng xóm phản ánh vẫn thấy đi bán hàng",
                objector="Tổ trưởng tổ dân phố",
                clock=at(OBJECTED),
            )
            listing.resolve_objection(
                by=officer,
                objection=objection,
                upheld=False,
                note="Tổ dân phố xác minh: đã nghỉ bán từ 24/7, chỉ đi chợ cho gia đình",
                clock=at(OBJECTED),
            )
        listing.submit_list(by=officer, support_list=support_list, clock=at(SUBMITTED))
    return made


def _district_steps(district_officer: Any, officer: Any) -> Any:
    lists = list(selectors.lists_visible_to(officer).filter(status="submitted"))
    for support_list in lists:
        entries = list(selectors.entries_of(support_list))
        returned = (
            {entries[-1].pk: "Chưa có xác nhận của chủ quán về việc nghỉ việc"}
            if support_list.programme.code == "HN-3642" and len(entries) > 4
            else {}
        )
        approval.appraise(
            by=district_officer, support_list=support_list, returned=returned, clock=at(APPRAISED)
        )
    decision = None
    for number, code in ((DECISION, "HN-3642"), ("2469/QĐ-UBND", "HN-POOR")):
        appraised = list(selectors.lists_visible_to(officer).filter(status="appraised", programme__code=code))
        if appraised:
            made = approval.approve(
                by=district_officer,
                support_lists=appraised,
                number=_free_number(district_officer, number),
                signed_on=APPROVED.date(),
                clock=at(APPROVED),
            )
            decision = decision or made
    return decision


def _free_number(district_officer: Any, preferred: str) -> str:
    """The decision's number; a later batch (a re-run with more residents) takes the next free one."""
    used = set(selectors.decisions_visible_to(district_officer).values_list("number", flat=True))
    number = 2470
    while preferred in used:
        preferred, number = f"{number}/QĐ-UBND", number + 1
    return preferred


def _payments(payer: Any, ward: Any) -> tuple[int, int]:
    paid = reconciled = 0
    for decision in selectors.decisions_visible_to(payer):
        if not ward.path.startswith(decision.unit_path):
            continue
        due = list(payments.payable_lines(decision, ward).order_by("line_no"))
        if selectors.payments_of(decision, ward).exists():
            due = []  # paid in an earlier run: the one left stays to pay
        for n, line in enumerate(due[:-1] if len(due) > 2 else due):  # one left to pay next week
            bank = n % 3 == 0
            payments.pay(
                by=payer,
                application=line,
                method="bank" if bank else "cash",
                bank_reference=f"VCB-210914-{line.pk:05d}" if bank else "",
                receipt_number="" if bank else f"BN-00139-{line.pk:05d}",
                receipt=None if bank else _pdf("bien-nhan.pdf"),
                clock=at(PAID),
            )
            paid += 1
        if selectors.payments_of(decision, ward).filter(status="paid").exists():
            reconciled += payments.reconcile(
                by=payer, decision=decision, ward=ward, clock=at(RECONCILED)
            ).count
    return paid, reconciled


def _food_allowance(officer: Any, ward: Any) -> int:
    found = selectors.food_candidates(officer, ward, since=date(2021, 7, 1), until=date(2021, 9, 20))
    filed = 0
    for candidate in found[:10]:
        moment = max(
            FILED, hanoi(candidate.starts_on.year, candidate.starts_on.month, candidate.starts_on.day, 12)
        )
        try:
            services.file_application(
                by=officer,
                ward=ward,
                person_id=candidate.person_id,
                programme_code="NQ68-FOOD",
                idempotency_key=f"demo-food-{candidate.order_id}",
                clock=at(moment),
            )
            filed += 1
        except DomainError:
            continue
    return filed


def seed_welfare(ctx: DemoContext) -> str:
    """Bồ Đề's 3642 and poor-household support from filing to reconciliation, and a batch waiting."""
    ensure_programmes()
    ward = territory.unit_by_code(BO_DE)
    if ward is None:
        raise LookupError(f"unit {BO_DE} is missing: run the territory migrations first")
    officer = official(Role.WARD_OFFICER, BO_DE)
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    payer = official(Role.WELFARE_OFFICER, BO_DE)
    first, second = _filings(officer, ward)
    _ward_steps(officer, ward, first)
    _district_steps(district_officer, officer)
    paid, reconciled = _payments(payer, ward)
    food = _food_allowance(officer, ward)
    public = selectors.public_ward_list(BO_DE)
    in_force = len(selectors.programmes_in_force(date(2021, 9, 10)))
    return (
        f"{in_force} programmes; Bồ Đề: {len(first)} applications filed on 2/9 and {len(second)} on 15/9; "
        f"{public.count} approved ({public.total:,} VND), {paid} paid, "
        f"{reconciled} reconciled; {food} food allowances from isolation records"
    )
