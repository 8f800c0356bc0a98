"""Changing what is planned at a site (S19): cancelling bookings, editing the site, and the conflicts
a booking can meet (the review's L4)."""

import threading
from datetime import date, time

import pytest
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.models import AuditEntry
from phaodai.vaccination import errors, sites
from phaodai.vaccination.models import Booking, SiteHour
from phaodai.vaccination.tests.conftest import CLOCK
from phaodai.vaccination.tests.test_sites import EIGHT, site_fields

pytestmark = pytest.mark.django_db
NINE = hanoi(2021, 10, 16, 9)


@pytest.fixture
def site(unit, ward_officer_bo_de):
    return sites.register_site(
        by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields(hourly_capacity=2)
    )


def book(by, site, person, at=EIGHT):
    return sites.book_hour(by=by, site=site, person=person, starts_at=at, clock=CLOCK)[0]


def edit(by, site, **overrides):
    details = {name: getattr(site, name) for name in site_fields()} | overrides
    return sites.update_site(by=by, site=site, clock=CLOCK, **details)


def test_a_cancelled_booking_frees_its_place_for_someone_else(resident, health_worker_bo_de, site):
    first, second, third = resident(1), resident(2), resident(3)
    booking = book(health_worker_bo_de, site, first)
    book(health_worker_bo_de, site, second)
    with pytest.raises(errors.HourFull):
        book(health_worker_bo_de, site, third)
    cancelled = sites.cancel_booking(
        by=health_worker_bo_de, booking=booking, reason="Ốm, hẹn lại tuần sau", clock=CLOCK
    )
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Ốm, hẹn lại tuần sau")
    assert SiteHour.objects.get().booked == 1
    book(health_worker_bo_de, site, third)
    assert SiteHour.objects.get().booked == 2
    entry = AuditEntry.objects.get(action="vaccination.cancel_booking")
    assert entry.object_id == str(booking.pk)


def test_cancelling_twice_changes_nothing_and_the_person_may_book_again(resident, health_worker_bo_de, site):
    an = resident(1)
    booking = book(health_worker_bo_de, site, an)
    sites.cancel_booking(by=health_worker_bo_de, booking=booking, reason="Đổi giờ", clock=CLOCK)
    again = sites.cancel_booking(by=health_worker_bo_de, booking=booking, reason="Đổi giờ", clock=CLOCK)
    assert again.status == "cancelled" and SiteHour.objects.get().booked == 0
    assert AuditEntry.objects.filter(action="vaccination.cancel_booking").count() == 1
    rebooked = book(health_worker_bo_de, site, an, at=NINE)
    assert rebooked.pk != booking.pk and rebooked.status == "booked"


def test_an_invitation_is_cancelled_without_touching_any_hour(resident, ward_officer_bo_de, site):
    resident(1, born=date(1940, 1, 1))
    sites.invite_priority_group(
        by=ward_officer_bo_de, site=site, group="elderly_65", day=date(2021, 10, 16), clock=CLOCK
    )
    invitation = Booking.objects.get()
    cancelled = sites.cancel_booking(by=ward_officer_bo_de, booking=invitation, reason="Đã tiêm nơi khác")
    assert cancelled.status == "cancelled" and not SiteHour.objects.exists()


def test_a_checked_in_booking_cannot_be_cancelled(resident, health_worker_bo_de, site):
    booking = book(health_worker_bo_de, site, resident(1))
    sites.check_in(by=health_worker_bo_de, booking=booking, clock=lambda: hanoi(2021, 10, 16, 8, 5))
    with pytest.raises(errors.BookingClosed) as refused:
        sites.cancel_booking(by=health_worker_bo_de, booking=booking, reason="Nhầm", clock=CLOCK)
    assert refused.value.status == 409 and SiteHour.objects.get().booked == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_cancellation_needs_a_reason(resident, health_worker_bo_de, site, reason):
    booking = book(health_worker_bo_de, site, resident(1))
    with pytest.raises(InvalidInput) as refused:
        sites.cancel_booking(by=health_worker_bo_de, booking=booking, reason=reason, clock=CLOCK)
    assert refused.value.field == "reason" and SiteHour.objects.get().booked == 1


def test_a_second_hour_for_a_person_is_a_booking_conflict_even_in_a_race(
    resident, health_worker_bo_de, site, monkeypatch
):
    # L4: another clerk's booking of the same person commits between our read and our insert.
    an = resident(1)
    book(health_worker_bo_de, site, an)
    real, calls = sites._live_booking, []

    def first_read_too_early(at_site, person):
        calls.append(person)
        return None if len(calls) == 1 else real(at_site, person)

    monkeypatch.setattr(sites, "_live_booking", first_read_too_early)
    with pytest.raises(errors.BookingChanged) as refused:
        book(health_worker_bo_de, site, an, at=NINE)
    assert "08:00 16/10/2021" in str(refused.value.detail)
    assert list(SiteHour.objects.values_list("booked", flat=True)) == [1]  # nine o'clock rolled back


def test_the_capacity_never_goes_below_an_hours_bookings(
    resident, ward_officer_bo_de, health_worker_bo_de, site
):
    book(health_worker_bo_de, site, resident(1))
    book(health_worker_bo_de, site, resident(2))
    with pytest.raises(errors.CapacityBelowBooked) as refused:
        edit(ward_officer_bo_de, site, hourly_capacity=1)
    assert refused.value.field == "hourly_capacity"
    assert "2 people are booked at 08:00 16/10/2021" in str(refused.value.detail)
    site.refresh_from_db()
    assert (site.hourly_capacity, site.version) == (2, 1)


def test_a_new_capacity_applies_to_the_hours_already_opened(
    resident, ward_officer_bo_de, health_worker_bo_de, site
):
    book(health_worker_bo_de, site, resident(1))
    changed = edit(ward_officer_bo_de, site, hourly_capacity=3, name="Trường THCS Bồ Đề (cơ sở 2)")
    assert (changed.hourly_capacity, changed.version, changed.name) == (3, 2, "Trường THCS Bồ Đề (cơ sở 2)")
    assert SiteHour.objects.get().capacity == 3
    book(health_worker_bo_de, site, resident(2))
    book(health_worker_bo_de, site, resident(3))
    assert SiteHour.objects.get().booked == 3
    assert AuditEntry.objects.filter(action="vaccination.update_site").count() == 1


def test_opening_hours_may_not_leave_a_booked_hour_out(
    resident, ward_officer_bo_de, health_worker_bo_de, site
):
    book(health_worker_bo_de, site, resident(1))
    with pytest.raises(errors.BookedOutsideHours) as refused:
        edit(ward_officer_bo_de, site, opens_at=time(9))
    assert "08:00 16/10/2021" in str(refused.value.detail)


def test_an_hour_left_outside_the_opening_hours_takes_no_more_bookings(
    resident, ward_officer_bo_de, health_worker_bo_de, site
):
    booking = book(health_worker_bo_de, site, resident(1))
    sites.cancel_booking(by=health_worker_bo_de, booking=booking, reason="Đổi giờ", clock=CLOCK)
    changed = edit(ward_officer_bo_de, site, opens_at=time(9))
    assert SiteHour.objects.get().capacity == 0
    with pytest.raises(errors.OutsideOpeningHours):
        book(health_worker_bo_de, changed, resident(2))
    with pytest.raises(errors.HourFull):  # a clerk still holding the old opening hours
        book(health_worker_bo_de, site, resident(2))


def test_a_stale_edit_is_a_conflict(ward_officer_bo_de, site):
    edit(ward_officer_bo_de, site, hourly_capacity=5)
    with pytest.raises(errors.SiteChanged):
        edit(ward_officer_bo_de, site, hourly_capacity=6)  # `site` still says version 1


def test_an_edit_keeps_the_name_unique_and_the_plan_required(unit, ward_officer_bo_de, site):
    sites.register_site(
        by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields(name="Nhà văn hóa")
    )
    with pytest.raises(Duplicate):
        edit(ward_officer_bo_de, site, name="Nhà văn hóa")
    with pytest.raises(InvalidInput) as refused:
        edit(ward_officer_bo_de, site, severe_reaction_plan=" ")
    assert refused.value.field == "severe_reaction_plan"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_booking_one_person_at_two_hours_get_one_booking(resident, health_worker_bo_de, site):
    an = resident(1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(at):
        try:
            barrier.wait()
            book(health_worker_bo_de, site, an, at=at)
            outcomes.append("booked")
        except errors.BookingChanged:
            outcomes.append("booking_changed")
        except errors.HourFull:
            outcomes.append("hour_full")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(at,)) for at in (EIGHT, NINE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "booking_changed"]
    assert sum(SiteHour.objects.values_list("booked", flat=True)) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_edit_lowering_the_capacity_and_a_booking_never_overbook(
    resident, ward_officer_bo_de, health_worker_bo_de, site
):
    book(health_worker_bo_de, site, resident(1))
    other = resident(2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def lower():
        try:
            barrier.wait()
            edit(ward_officer_bo_de, site, hourly_capacity=1)
            outcomes.append("edited")
        except errors.CapacityBelowBooked:
            outcomes.append("edit_refused")
        finally:
            connection.close()

    def take():
        try:
            barrier.wait()
            book(health_worker_bo_de, site, other)
            outcomes.append("booked")
        except errors.HourFull:
            outcomes.append("hour_full")
        finally:
            connection.close()

    threads = [threading.Thread(target=lower), threading.Thread(target=take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    hour = SiteHour.objects.get()
    assert hour.booked <= hour.capacity
    assert sorted(outcomes) in (["booked", "edit_refused"], ["edited", "hour_full"])
