"""Admissions, discharges and transfers: capacity never exceeded, retries admit once, nothing half-written."""

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.quarantine import selectors, services
from phaodai.quarantine.errors import (
    AlreadyAdmitted,
    AlreadyDischarged,
    DischargeBeforeAdmission,
    FacilityClosed,
    FacilityFull,
    FacilityNotReady,
    IdempotencyKeyReused,
    MomentInFuture,
    NoRoomsOfKind,
    OverlapsPreviousStay,
    ReleaseBeforeAdmission,
    RoomKindMismatch,
    TransferToSamePlace,
)
from phaodai.quarantine.models import Admission, Facility
from phaodai.quarantine.tests.conftest import CLOCK, NOW, admit, at, cccd_for

pytestmark = pytest.mark.django_db


def counters(facility: Facility) -> tuple[int, int, int]:
    fresh = Facility.objects.get(pk=facility.pk)
    return fresh.used_male, fresh.used_female, fresh.used_family


def counted(facility: Facility) -> tuple[int, int, int]:
    open_stays = Admission.objects.filter(facility=facility, discharged_at__isnull=True)
    return tuple(open_stays.filter(room_kind=kind).count() for kind in ("male", "female", "family"))  # type: ignore[return-value]


# Admitting -----------------------------------------------------------------------------------------


def test_a_person_goes_to_the_rooms_of_their_sex_and_the_beds_are_counted(
    district_officer_long_bien, dorm, an, binh
):
    stay_an = admit(district_officer_long_bien, dorm, an, order_ref="QĐ 123/QĐ-UBND")
    stay_binh = admit(district_officer_long_bien, dorm, binh)
    assert (stay_an.room_kind, stay_binh.room_kind) == ("male", "female")
    assert (stay_an.person_path, stay_an.admitted_at, stay_an.order_ref) == (
        "/01/004/00139/",
        NOW,
        "QĐ 123/QĐ-UBND",
    )
    assert counters(dorm) == counted(dorm) == (1, 1, 0)
    assert Facility.objects.get(pk=dorm.pk).readiness == "active"
    occupancy = selectors.occupancy(Facility.objects.get(pk=dorm.pk))
    assert occupancy.as_dict()["total"] == {"capacity": 6, "used": 2, "free": 4}


def test_anyone_may_go_to_a_family_room_but_not_to_the_other_sexs_rooms(
    district_officer_long_bien, dorm, an, binh
):
    assert admit(district_officer_long_bien, dorm, an, room_kind="family").room_kind == "family"
    with pytest.raises(RoomKindMismatch) as refused:
        admit(district_officer_long_bien, dorm, binh, room_kind="male")
    assert refused.value.field == "room_kind"
    assert "Trần T. B. goes to female rooms or to a family room" in str(refused.value)


def test_the_audit_entry_names_no_cccd(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an)
    entry = AuditEntry.objects.get(action="quarantine.admit")
    assert (entry.object_id, entry.unit_path) == (str(stay.pk), dorm.path)
    assert cccd_for("M", 1985, 1) not in str(entry.__dict__)


def test_a_facility_still_preparing_does_not_admit(district_officer_long_bien, facility_of, an):
    school = facility_of("Trường THCS Ngọc Lâm", readiness="preparing", kind="school", is_school=True)
    with pytest.raises(FacilityNotReady) as refused:
        admit(district_officer_long_bien, school, an)
    assert refused.value.status == 409
    assert not Admission.objects.exists()


def test_a_closed_facility_does_not_admit_and_nothing_is_written(district_officer_long_bien, facility_of, an):
    closed = facility_of("Khách sạn Long Biên", readiness="closed", kind="hotel")
    with pytest.raises(FacilityClosed):
        admit(district_officer_long_bien, closed, an)
    assert not Admission.objects.exists()
    assert counters(closed) == (0, 0, 0)
    assert not AuditEntry.objects.filter(action="quarantine.admit").exists()


def test_a_facility_without_family_rooms_says_so(district_officer_long_bien, facility_of, an):
    hotel = facility_of("Khách sạn Long Biên", family=0, kind="hotel")
    with pytest.raises(NoRoomsOfKind) as refused:
        admit(district_officer_long_bien, hotel, an, room_kind="family")
    assert str(refused.value) == "Khách sạn Long Biên has no family rooms."


def test_a_full_room_kind_refuses_and_names_where_beds_are_free_in_the_district(
    district_officer_long_bien, facility_of, resident
):
    small = facility_of("Ký túc xá A", male=1)
    facility_of("Trường B", male=5)
    facility_of("Trường C", male=3)
    facility_of("Trường D", male=1)
    facility_of("Trường E", male=2, readiness="preparing")  # does not admit: not counted
    facility_of("Trường Hà Đông", "268", male=50)  # another district
    admit(district_officer_long_bien, small, resident(1))
    with pytest.raises(FacilityFull) as refused:
        admit(district_officer_long_bien, small, resident(2))
    error = refused.value
    assert error.status == 409
    body = error.as_dict()
    assert (body["code"], body["room_kind"], body["free_elsewhere"]) == ("facility_full", "male", 9)
    assert [a["name"] for a in body["alternatives"]] == ["Trường B", "Trường C", "Trường D"]
    assert [a["free"] for a in body["alternatives"]] == [5, 3, 1]
    assert (
        "9 male beds are free elsewhere in Quận Long Biên: Trường B (5), Trường C (3), Trường D (1)"
        in body["message"]
    )
    assert Admission.objects.count() == 1
    assert counters(small) == (1, 0, 0)


def test_full_when_no_other_facility_has_a_bed_either(district_officer_long_bien, facility_of, resident):
    small = facility_of("Ký túc xá A", male=1)
    admit(district_officer_long_bien, small, resident(1))
    with pytest.raises(FacilityFull) as refused:
        admit(district_officer_long_bien, small, resident(2))
    assert refused.value.as_dict()["free_elsewhere"] == 0
    assert "nor has any other facility of Quận Long Biên" in str(refused.value)


def test_the_last_bed_makes_the_facility_full_and_a_discharge_makes_it_active_again(
    district_officer_long_bien, facility_of, an, binh
):
    pair = facility_of("Ký túc xá A", male=1, female=1)
    admit(district_officer_long_bien, pair, an)
    stay = admit(district_officer_long_bien, pair, binh)
    assert Facility.objects.get(pk=pair.pk).readiness == "full"
    services.discharge(by=district_officer_long_bien, admission=stay, reason="released", clock=CLOCK)
    assert Facility.objects.get(pk=pair.pk).readiness == "active"


def test_the_database_itself_refuses_more_people_than_beds(dorm):
    # The check behind the row lock: whatever the code does, the counter cannot pass the beds.
    with pytest.raises(IntegrityError), transaction.atomic():
        Facility.objects.filter(pk=dorm.pk).update(used_male=F("beds_male") + 1)


def test_a_person_has_one_open_stay_in_the_database(district_officer_long_bien, dorm, facility_of, an):
    other = facility_of("Trường B")
    stay = admit(district_officer_long_bien, dorm, an)
    with pytest.raises(IntegrityError), transaction.atomic():
        Admission.objects.create(
            person=an, person_path=an.unit_path, facility=other, room_kind="male",
            admitted_at=NOW, admitted_by=district_officer_long_bien,
        )  # fmt: skip
    assert Admission.objects.get().pk == stay.pk


# Retries -------------------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_returns_the_first_stay(district_officer_long_bien, dorm, an):
    first, created = services.admit(
        by=district_officer_long_bien, facility=dorm, person=an, idempotency_key="k-1", clock=CLOCK
    )
    again, created_again = services.admit(
        by=district_officer_long_bien,
        facility=dorm,
        person=an,
        idempotency_key="k-1",
        clock=at(NOW + timedelta(minutes=3)),
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert counters(dorm) == (1, 0, 0)


def test_a_retry_with_the_same_key_returns_the_first_stay_even_after_a_discharge(
    district_officer_long_bien, dorm, an
):
    first = admit(district_officer_long_bien, dorm, an, idempotency_key="k-1")
    services.discharge(by=district_officer_long_bien, admission=first, reason="released", clock=CLOCK)
    again, created = services.admit(
        by=district_officer_long_bien, facility=dorm, person=an, idempotency_key="k-1", clock=CLOCK
    )
    assert (again.pk, created) == (first.pk, False)
    assert Admission.objects.count() == 1


def test_a_retry_without_a_key_but_the_same_fields_returns_the_first_stay(
    district_officer_long_bien, dorm, an
):
    first = admit(district_officer_long_bien, dorm, an, order_ref="QĐ 12")
    again, created = services.admit(
        by=district_officer_long_bien,
        facility=dorm,
        person=an,
        order_ref="QĐ 12",
        clock=at(NOW + timedelta(minutes=2)),
    )
    assert (again.pk, created) == (first.pk, False)


def test_another_admission_of_a_person_already_in_a_facility_is_a_conflict(
    district_officer_long_bien, dorm, facility_of, an
):
    other = facility_of("Trường B")
    admit(district_officer_long_bien, dorm, an)
    with pytest.raises(AlreadyAdmitted) as refused:
        admit(district_officer_long_bien, other, an)
    assert "has been in Ký túc xá Long Biên since 09:00 10/09/2021" in str(refused.value)
    with pytest.raises(AlreadyAdmitted):  # the same facility, another order
        admit(district_officer_long_bien, dorm, an, order_ref="QĐ 99")


def test_a_key_used_for_another_person_is_a_conflict(district_officer_long_bien, dorm, an, binh):
    admit(district_officer_long_bien, dorm, an, idempotency_key="k-1")
    with pytest.raises(IdempotencyKeyReused):
        admit(district_officer_long_bien, dorm, binh, idempotency_key="k-1")
    assert Admission.objects.count() == 1


def test_keys_belong_to_each_admitting_user(district_officer_long_bien, city_commander, dorm, an, binh):
    admit(district_officer_long_bien, dorm, an, idempotency_key="k-1")
    assert admit(city_commander, dorm, binh, idempotency_key="k-1").person_id == binh.pk


# Times ---------------------------------------------------------------------------------------------


def test_an_admission_in_the_future_is_refused(district_officer_long_bien, dorm, an):
    with pytest.raises(MomentInFuture) as refused:
        admit(district_officer_long_bien, dorm, an, admitted_at=NOW + timedelta(hours=2))
    assert (refused.value.field, str(refused.value)) == (
        "admitted_at",
        "11:00 10/09/2021 is still in the future.",
    )


def test_a_planned_release_before_the_admission_is_refused(district_officer_long_bien, dorm, an):
    with pytest.raises(ReleaseBeforeAdmission):
        admit(district_officer_long_bien, dorm, an, planned_release=date(2021, 9, 9))
    stay = admit(district_officer_long_bien, dorm, an, planned_release=date(2021, 9, 24))
    assert stay.planned_release == date(2021, 9, 24)


def test_a_stay_cannot_start_before_the_last_one_ended(district_officer_long_bien, dorm, an):
    first = admit(district_officer_long_bien, dorm, an, admitted_at=hanoi(2021, 9, 1, 8))
    services.discharge(
        by=district_officer_long_bien,
        admission=first,
        reason="released",
        discharged_at=hanoi(2021, 9, 8, 8),
        clock=CLOCK,
    )
    with pytest.raises(OverlapsPreviousStay):
        admit(district_officer_long_bien, dorm, an, admitted_at=hanoi(2021, 9, 5, 8))


# Discharging ---------------------------------------------------------------------------------------


def test_a_discharge_frees_the_bed_and_records_why(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an, admitted_at=hanoi(2021, 9, 1, 8))
    ended = services.discharge(
        by=district_officer_long_bien,
        admission=stay,
        reason="positive",
        note="RT-PCR dương tính",
        clock=CLOCK,
    )
    assert (ended.discharged_at, ended.discharge_reason, ended.discharge_note) == (
        NOW,
        "positive",
        "RT-PCR dương tính",
    )
    assert ended.discharged_by == district_officer_long_bien
    assert counters(dorm) == counted(dorm) == (0, 0, 0)
    assert selectors.current_admission(an) is None
    assert AuditEntry.objects.filter(action="quarantine.discharge", object_id=str(stay.pk)).exists()


def test_a_discharge_before_the_admission_is_refused(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an)
    with pytest.raises(DischargeBeforeAdmission) as refused:
        services.discharge(
            by=district_officer_long_bien, admission=stay, reason="released",
            discharged_at=NOW - timedelta(hours=1), clock=CLOCK,
        )  # fmt: skip
    assert refused.value.field == "discharged_at"
    assert "admitted at 09:00 10/09/2021" in str(refused.value)
    assert Admission.objects.get().is_open
    assert counters(dorm) == (1, 0, 0)


def test_a_second_discharge_is_a_conflict_that_says_when_and_why(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an)
    services.discharge(by=district_officer_long_bien, admission=stay, reason="hospital", clock=CLOCK)
    with pytest.raises(AlreadyDischarged) as refused:
        services.discharge(by=district_officer_long_bien, admission=stay, reason="released", clock=CLOCK)
    assert refused.value.status == 409
    assert "already ended at 09:00 10/09/2021 (transferred to hospital)" in str(refused.value)
    assert Admission.objects.get().discharge_reason == "hospital"
    assert counters(dorm) == (0, 0, 0)


def test_a_discharge_needs_a_known_reason(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an)
    with pytest.raises(InvalidInput) as refused:
        services.discharge(by=district_officer_long_bien, admission=stay, reason="escaped", clock=CLOCK)
    assert refused.value.field == "reason"


# Transfers -----------------------------------------------------------------------------------------


def test_a_transfer_ends_one_stay_and_starts_the_next_together(
    district_officer_long_bien, dorm, facility_of, an
):
    other = facility_of("Trường B")
    stay = admit(district_officer_long_bien, dorm, an, order_ref="QĐ 12", planned_release=date(2021, 9, 24))
    moved = services.transfer(by=district_officer_long_bien, admission=stay, to_facility=other, clock=CLOCK)
    old = Admission.objects.get(pk=stay.pk)
    assert (old.discharge_reason, old.discharged_at) == ("transferred", NOW)
    assert (moved.facility_id, moved.transferred_from_id, moved.order_ref) == (other.pk, stay.pk, "QĐ 12")
    assert moved.planned_release == date(2021, 9, 24)
    assert (counters(dorm), counters(other)) == ((0, 0, 0), (1, 0, 0))


def test_a_transfer_to_a_full_facility_leaves_the_person_where_they_are(
    district_officer_long_bien, dorm, facility_of, resident
):
    full = facility_of("Trường B", male=1)
    admit(district_officer_long_bien, full, resident(1))
    stay = admit(district_officer_long_bien, dorm, resident(2))
    with pytest.raises(FacilityFull):
        services.transfer(by=district_officer_long_bien, admission=stay, to_facility=full, clock=CLOCK)
    assert Admission.objects.get(pk=stay.pk).is_open
    assert (counters(dorm), counters(full)) == ((1, 0, 0), (1, 0, 0))


def test_a_transfer_within_a_facility_changes_the_room_kind(district_officer_long_bien, dorm, an):
    stay = admit(district_officer_long_bien, dorm, an)
    moved = services.transfer(
        by=district_officer_long_bien, admission=stay, to_facility=dorm, room_kind="family", clock=CLOCK
    )
    assert moved.room_kind == "family"
    assert counters(dorm) == counted(dorm) == (0, 0, 1)
    with pytest.raises(TransferToSamePlace):
        services.transfer(by=district_officer_long_bien, admission=moved, to_facility=dorm, clock=CLOCK)


# Reach ---------------------------------------------------------------------------------------------


def test_a_ward_health_worker_admits_to_the_districts_and_the_citys_facilities(
    health_worker_bo_de, dorm, facility_of, an, binh
):
    barracks = facility_of("Doanh trại Quân đoàn 1", "01", kind="barracks")
    assert admit(health_worker_bo_de, dorm, an).facility_id == dorm.pk
    assert admit(health_worker_bo_de, barracks, binh).facility_id == barracks.pk


def test_a_facility_of_another_district_is_not_found_and_the_attempt_is_logged(
    health_worker_bo_de, facility_of, an
):
    phenikaa = facility_of("Ký túc xá Trường Đại học Phenikaa", "268")
    with pytest.raises(OutOfScope):
        admit(health_worker_bo_de, phenikaa, an)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(phenikaa.pk)).exists()


@pytest.mark.parametrize("persona", ["ward_officer_bo_de", "welfare_officer_bo_de", "lab_tech_cdc"])
def test_roles_that_do_not_admit_are_refused(request, dorm, an, persona):
    with pytest.raises(NotPermitted):
        admit(request.getfixturevalue(persona), dorm, an)


# Two officers, one bed -----------------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_admissions_to_the_last_free_bed_give_one_stay_and_one_full(
    district_officer_long_bien, city_commander, facility_of, resident
):
    last_bed = facility_of("Ký túc xá A", male=2, female=0)
    admit(city_commander, last_bed, resident(1))
    people = [resident(2), resident(3)]
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def admit_one(by: Any, person: Any) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(services.admit(by=by, facility=last_bed, person=person, clock=CLOCK)[0])
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=admit_one, args=(district_officer_long_bien, people[0])),
        threading.Thread(target=admit_one, args=(city_commander, people[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, Admission)]
    lost = [o for o in outcomes if not isinstance(o, Admission)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], FacilityFull) and lost[0].status == 409
    assert counters(last_bed) == counted(last_bed) == (2, 0, 0)
    assert Facility.objects.get(pk=last_bed.pk).readiness == "full"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_admission_sent_twice_at_once_admits_once(district_officer_long_bien, dorm, an):
    start = threading.Barrier(2)
    outcomes: list[Any] = []

    def send() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(
                services.admit(
                    by=district_officer_long_bien,
                    facility=dorm,
                    person=an,
                    idempotency_key="k-1",
                    clock=CLOCK,
                )
            )
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(created for _stay, created in outcomes) == [False, True], outcomes
    assert len({stay.pk for stay, _created in outcomes}) == 1
    assert counters(dorm) == (1, 0, 0)
