"""Isolation orders: planned ends from the rule in force, one open order per person, facility admissions
in the same transaction, release with a decision, and the daily checks."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from phaodai.cases import isolation, services
from phaodai.cases.isolation_errors import (
    CaseRequired,
    EarlyReleaseNeedsReason,
    FacilityNeedsAdmitter,
    FollowUpDayOutside,
    FollowUpRecorded,
    IsolationNotOver,
    OpenOrderExists,
    OrderChanged,
    OrderClosed,
    ReleaseBeforeStart,
    StillAdmitted,
)
from phaodai.cases.models import FollowUp, IsolationOrder
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.isolation_support import day, facility, order
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.notifications.models import Notification
from phaodai.quarantine.errors import FacilityFull
from phaodai.quarantine.models import Admission

pytestmark = pytest.mark.django_db


@pytest.fixture
def f0_case(resident: Any, health_worker_bo_de: Any) -> Any:
    case, _ = services.record_case(
        by=health_worker_bo_de,
        person=resident(0),
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=False,
        test_ref="LB-0910-0001",
        clock=at(SEPT_10_MORNING),
    )
    return case


# Ordering --------------------------------------------------------------------------------------------


def test_an_f1_order_ends_14_days_later_then_7_days_of_monitoring_with_tests_on_days_1_7_14(
    resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    assert (made.isolation_ends_at, made.monitoring_ends_at) == (day(24), hanoi(2021, 10, 1, 9))
    assert made.rule.code == "F1-2021-09"
    assert isolation.tests_due(made) == (date(2021, 9, 10), date(2021, 9, 16), date(2021, 9, 23))
    assert (made.status, made.path, made.area_id) == (
        "active",
        "/01/004/00139/",
        made.person.residence_area_id,
    )
    assert AuditEntry.objects.filter(action="cases.order_isolation", object_id=str(made.pk)).exists()


def test_a_second_open_order_for_the_same_person_is_refused_naming_the_first(
    resident: Any, health_worker_bo_de: Any
) -> None:
    person = resident(1)
    first = order(health_worker_bo_de, person)
    with pytest.raises(OpenOrderExists) as refused:
        order(health_worker_bo_de, person, subject="F2", starts=day(11))
    assert refused.value.status == 409
    assert refused.value.as_dict()["existing_order"] == first.pk
    assert f"#{first.pk}" in str(refused.value.detail)
    assert IsolationOrder.objects.filter(person=person).count() == 1


def test_a_retry_returns_the_first_order_by_key_or_by_the_same_facts(
    resident: Any, health_worker_bo_de: Any
) -> None:
    person = resident(1)
    first, created = isolation.order_isolation(
        by=health_worker_bo_de, person=person, subject="F1", setting="home", starts_at=SEPT_10_MORNING,
        idempotency_key="form-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    again, created_again = isolation.order_isolation(
        by=health_worker_bo_de, person=person, subject="F1", setting="home", starts_at=day(11),
        idempotency_key="form-1", clock=at(day(11)),
    )  # fmt: skip
    same, created_same = isolation.order_isolation(
        by=health_worker_bo_de, person=person, subject="F1", setting="home", starts_at=SEPT_10_MORNING,
        clock=at(day(11)),
    )  # fmt: skip
    assert (created, created_again, created_same) == (True, False, False)
    assert again.pk == same.pk == first.pk


def test_an_f0_is_isolated_under_their_case(resident: Any, health_worker_bo_de: Any, f0_case: Any) -> None:
    made = order(health_worker_bo_de, f0_case.person, subject="F0", setting="hospital")
    assert made.case_id == f0_case.pk
    assert made.rule.code == "F0-2021-09"
    with pytest.raises(CaseRequired):
        order(health_worker_bo_de, resident(2), subject="F0")


def test_a_contact_order_records_the_case_they_were_traced_from(
    resident: Any, health_worker_bo_de: Any, f0_case: Any
) -> None:
    contact = resident(1)
    services.add_contacts(
        by=health_worker_bo_de,
        source=f0_case.person,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=contact)],
        clock=at(SEPT_10_MORNING),
    )
    assert order(health_worker_bo_de, contact).case_id == f0_case.pk


@pytest.mark.parametrize(
    ("starts", "now", "field"),
    [
        (hanoi(2021, 9, 13, 9), SEPT_10_MORNING, "starts_at"),  # three days ahead
        (hanoi(2021, 8, 1, 9), SEPT_10_MORNING, "starts_at"),  # entered 40 days late
        (hanoi(1, 1, 2), SEPT_10_MORNING, "starts_at"),
    ],
)
def test_an_implausible_start_is_refused(
    resident: Any, health_worker_bo_de: Any, starts: Any, now: Any, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        order(health_worker_bo_de, resident(1), starts=starts, now=now)
    assert refused.value.field == field
    assert not IsolationOrder.objects.exists()


def test_unknown_subjects_and_settings_are_refused(resident: Any, health_worker_bo_de: Any) -> None:
    person = resident(1)
    with pytest.raises(InvalidInput) as subject:
        order(health_worker_bo_de, person, subject="F3")
    with pytest.raises(InvalidInput) as setting:
        order(health_worker_bo_de, person, setting="hotel")
    with pytest.raises(InvalidInput) as no_facility:
        order(health_worker_bo_de, person, setting="facility")
    assert (subject.value.field, setting.value.field, no_facility.value.field) == (
        "subject",
        "setting",
        "facility",
    )


def test_only_isolating_roles_within_the_persons_ward_may_order(
    resident: Any, welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any, ward_officer_bo_de: Any
) -> None:
    person = resident(1)
    with pytest.raises(NotPermitted):
        order(welfare_officer_bo_de, person)
    with pytest.raises(OutOfScope):
        order(ward_officer_phuc_xa, person)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(person.pk)).exists()
    assert order(ward_officer_bo_de, person).ordered_by == ward_officer_bo_de


def test_the_ward_where_a_case_was_found_may_isolate_them_though_they_live_elsewhere(
    resident: Any, health_worker_bo_de: Any, ward_officer_phuc_xa: Any, unit: Any
) -> None:
    person = resident(0)
    case, _ = services.record_case(
        by=ward_officer_phuc_xa, person=person, confirmed_at=SEPT_10_MORNING, detected_in="screening",
        source_known=True, detected_unit=unit("00001"), test_ref="BD-1", clock=at(SEPT_10_MORNING),
    )  # fmt: skip
    made = order(ward_officer_phuc_xa, person, subject="F0", setting="hospital")
    # Followed where they live: Bồ Đề's worklist.
    assert (made.case_id, made.path) == (case.pk, "/01/004/00139/")


# Facility orders -------------------------------------------------------------------------------------


def test_a_facility_order_admits_the_person_in_the_same_transaction(
    resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    dorm = facility(city_commander, unit)
    made = order(health_worker_bo_de, resident(1), setting="facility", facility=dorm)
    stay = Admission.objects.get(pk=int(made.facility_ref))
    assert (stay.facility_id, stay.person_id, stay.order_ref) == (
        dorm.pk,
        made.person_id,
        f"isolation:{made.pk}",
    )
    assert stay.planned_release == date(2021, 9, 24)


def test_a_full_facility_leaves_nothing_written_and_names_free_beds_elsewhere(
    resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    small = facility(city_commander, unit, "Trường THCS Ngọc Lâm", beds=(1, 0, 0))
    facility(city_commander, unit, "Ký túc xá Long Biên", beds=(3, 0, 0))
    order(health_worker_bo_de, resident(1), setting="facility", facility=small)
    second = resident(2)
    entries = AuditEntry.objects.count()
    with pytest.raises(FacilityFull) as full:
        order(health_worker_bo_de, second, setting="facility", facility=small)
    assert "Ký túc xá Long Biên (3)" in str(full.value.detail)
    assert IsolationOrder.objects.count() == 1
    assert Admission.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_a_ward_officer_cannot_order_to_a_facility_since_they_do_not_admit(
    resident: Any, ward_officer_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    dorm = facility(city_commander, unit)
    with pytest.raises(FacilityNeedsAdmitter):
        order(ward_officer_bo_de, resident(1), setting="facility", facility=dorm)
    assert not IsolationOrder.objects.exists()


def test_a_person_already_in_the_facility_keeps_their_stay(
    resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    from phaodai.quarantine import services as quarantine

    dorm = facility(city_commander, unit)
    person = resident(1)
    stay, _ = quarantine.admit(by=health_worker_bo_de, facility=dorm, person=person, clock=at(day(10, 8)))
    made = order(health_worker_bo_de, person, setting="facility", facility=dorm)
    assert made.facility_ref == str(stay.pk)
    assert Admission.objects.count() == 1


# Transitions -----------------------------------------------------------------------------------------


def test_monitoring_starts_on_the_day_the_isolation_ends_and_discharges_the_facility_stay(
    resident: Any, health_worker_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    dorm = facility(city_commander, unit)
    made = order(health_worker_bo_de, resident(1), setting="facility", facility=dorm)
    with pytest.raises(IsolationNotOver):
        isolation.move_to_monitoring(by=health_worker_bo_de, order=made, clock=at(day(23, 20)))
    moved = isolation.move_to_monitoring(by=health_worker_bo_de, order=made, version=1, clock=at(day(24, 8)))
    assert (moved.status, moved.version) == ("monitoring", 2)
    stay = Admission.objects.get(pk=int(made.facility_ref))
    assert (stay.discharged_at, stay.discharge_reason) == (day(24, 8), "released")


def test_a_facility_stay_the_officer_cannot_discharge_blocks_the_move(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any, city_commander: Any, unit: Any
) -> None:
    dorm = facility(city_commander, unit)
    made = order(health_worker_bo_de, resident(1), setting="facility", facility=dorm)
    with pytest.raises(StillAdmitted) as refused:
        isolation.move_to_monitoring(by=ward_officer_bo_de, order=made, clock=at(day(24, 10)))
    assert dorm.name in str(refused.value.detail)
    assert IsolationOrder.objects.get(pk=made.pk).status == "active"


def test_release_needs_a_decision_and_comes_after_the_start(resident: Any, health_worker_bo_de: Any) -> None:
    made = order(health_worker_bo_de, resident(1), starts=day(11), now=day(10))
    with pytest.raises(InvalidInput) as no_decision:
        isolation.release(by=health_worker_bo_de, order=made, decision="  ", clock=at(day(25)))
    with pytest.raises(ReleaseBeforeStart):
        isolation.release(
            by=health_worker_bo_de, order=made, decision="12/QĐ", released_at=day(10, 20), clock=at(day(25))
        )
    assert no_decision.value.field == "decision"
    assert IsolationOrder.objects.get(pk=made.pk).status == "active"


def test_release_before_the_isolation_ends_needs_a_reason_and_tells_the_ward(
    resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    with pytest.raises(EarlyReleaseNeedsReason):
        isolation.release(by=health_worker_bo_de, order=made, decision="12/QĐ", clock=at(day(15)))
    released = isolation.release(
        by=health_worker_bo_de,
        order=made,
        decision="12/QĐ",
        reason="Tested positive, moved to hospital",
        clock=at(day(15)),
    )
    assert (released.status, released.released_at, released.release_decision) == (
        "released",
        day(15),
        "12/QĐ",
    )
    told = Notification.objects.get(kind="cases.isolation_early_release")
    assert told.unit.code == "00139" and "Tested positive" in told.body


def test_release_after_the_isolation_needs_only_the_decision_and_is_idempotent(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    first = isolation.release(
        by=health_worker_bo_de, order=made, decision="12/QĐ", version=1, clock=at(day(25))
    )
    again = isolation.release(
        by=health_worker_bo_de, order=first, decision="12/QĐ", version=1, clock=at(day(26))
    )
    assert (again.pk, again.version, again.released_at) == (first.pk, 2, day(25))
    with pytest.raises(OrderClosed):
        isolation.release(by=ward_officer_bo_de, order=made, decision="13/QĐ", clock=at(day(26)))
    assert not Notification.objects.filter(kind="cases.isolation_early_release").exists()


def test_of_two_officers_acting_on_the_version_they_saw_one_wins(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    isolation.cancel(by=ward_officer_bo_de, order=made, reason="Wrong person", version=1, clock=at(day(11)))
    with pytest.raises(OrderClosed):
        isolation.release(by=health_worker_bo_de, order=made, decision="12/QĐ", version=1, clock=at(day(25)))
    other = order(health_worker_bo_de, resident(2))
    isolation.move_to_monitoring(by=health_worker_bo_de, order=other, version=1, clock=at(day(24)))
    with pytest.raises(OrderChanged):
        isolation.release(by=ward_officer_bo_de, order=other, decision="12/QĐ", version=1, clock=at(day(25)))


def test_a_cancelled_order_frees_the_person_for_a_new_one(resident: Any, health_worker_bo_de: Any) -> None:
    person = resident(1)
    made = order(health_worker_bo_de, person, subject="F2")
    with pytest.raises(InvalidInput):
        isolation.cancel(by=health_worker_bo_de, order=made, reason="", clock=at(day(10, 10)))
    isolation.cancel(by=health_worker_bo_de, order=made, reason="F2 by mistake", clock=at(day(10, 10)))
    assert order(health_worker_bo_de, person, subject="F1", starts=day(10, 11)).status == "active"


# Follow-ups ------------------------------------------------------------------------------------------


def check(by: Any, made: Any, on: date, result: str = "well", now: Any = None, **kwargs: Any) -> Any:
    return isolation.record_follow_up(
        by=by,
        order=made,
        day=on,
        result=result,
        clock=at(now or hanoi(on.year, on.month, on.day, 18)),
        **kwargs,
    )


def test_a_check_is_recorded_once_per_day(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    first, created = check(health_worker_bo_de, made, date(2021, 9, 11), temperature="36.8")
    again, created_again = check(ward_officer_bo_de, made, date(2021, 9, 11), temperature=Decimal("36.80"))
    assert (created, created_again, again.pk) == (True, False, first.pk)
    with pytest.raises(FollowUpRecorded) as differs:
        check(ward_officer_bo_de, made, date(2021, 9, 11), result="unreachable")
    assert differs.value.as_dict()["existing_follow_up"] == first.pk
    assert FollowUp.objects.get().result == "well"


@pytest.mark.parametrize(
    ("on", "now"),
    [(date(2021, 9, 12), hanoi(2021, 9, 11, 20)), (date(2021, 9, 9), hanoi(2021, 9, 11, 20))],
    ids=["a future day", "a day before the order"],
)
def test_a_check_outside_the_orders_days_is_refused(
    resident: Any, health_worker_bo_de: Any, on: Any, now: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    with pytest.raises(FollowUpDayOutside):
        check(health_worker_bo_de, made, on, now=now)
    assert not FollowUp.objects.exists()


def test_after_release_only_the_days_up_to_the_release_take_checks(
    resident: Any, health_worker_bo_de: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    released = isolation.release(by=health_worker_bo_de, order=made, decision="1/QĐ", clock=at(day(25)))
    assert check(health_worker_bo_de, released, date(2021, 9, 25), now=day(27))[1]
    with pytest.raises(FollowUpDayOutside):
        check(health_worker_bo_de, released, date(2021, 9, 26), now=day(27))


def test_symptoms_tell_the_following_ward_once(resident: Any, health_worker_bo_de: Any) -> None:
    made = order(health_worker_bo_de, resident(1))
    check(
        health_worker_bo_de,
        made,
        date(2021, 9, 12),
        result="symptoms",
        symptoms=["fever", "cough"],
        temperature=38.5,
    )
    told = Notification.objects.get(kind="cases.isolation_symptoms")
    assert (told.unit.code, told.perm, told.severity) == ("00139", "cases.trace", "urgent")
    assert "38.5 °C" in told.body and "fever" in told.body
    assert resident(1).full_name not in told.subject + told.body


@pytest.mark.parametrize(
    ("result", "kwargs", "field"),
    [
        ("symptoms", {}, "symptoms"),
        ("well", {"symptoms": ["cough"]}, "result"),
        ("well", {"temperature": 38.2}, "result"),
        ("unreachable", {"temperature": 36.5}, "temperature"),
        ("well", {"temperature": 52}, "temperature"),
        ("well", {"temperature": "hot"}, "temperature"),
        ("symptoms", {"symptoms": ["sneezing"]}, "symptoms"),
        ("fine", {}, "result"),
    ],
)
def test_inconsistent_checks_are_refused(
    resident: Any, health_worker_bo_de: Any, result: str, kwargs: dict[str, Any], field: str
) -> None:
    made = order(health_worker_bo_de, resident(1))
    with pytest.raises(InvalidInput) as refused:
        check(health_worker_bo_de, made, date(2021, 9, 11), result=result, **kwargs)
    assert refused.value.field == field


def test_checks_are_for_isolating_roles_in_scope(
    resident: Any, health_worker_bo_de: Any, welfare_officer_bo_de: Any, ward_officer_phuc_xa: Any
) -> None:
    made = order(health_worker_bo_de, resident(1))
    with pytest.raises(NotPermitted):
        check(welfare_officer_bo_de, made, date(2021, 9, 11))
    with pytest.raises(OutOfScope):
        check(ward_officer_phuc_xa, made, date(2021, 9, 11))
