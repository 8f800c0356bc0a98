"""Sites and slots (S19): hourly capacity, invitations by priority group, bookings, check-in."""

import threading
from datetime import date, time

import pytest
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput
from phaodai.vaccination import errors, sites
from phaodai.vaccination.models import Booking, SiteHour
from phaodai.vaccination.tests.conftest import CLOCK

pytestmark = pytest.mark.django_db
EIGHT = hanoi(2021, 10, 16, 8)


def site_fields(**overrides):
    fields = {
        "name": "Trường THCS Bồ Đề", "address": "Phố Nguyễn Văn Cừ", "hourly_capacity": 1,
        "opens_at": time(7), "closes_at": time(17), "incident_contact": "BS. Nguyễn Thị Lan",
        "incident_phone": "0912345678", "nearest_hospital": "Bệnh viện Đa khoa Đức Giang",
        "severe_reaction_plan": "Xử trí phản vệ theo phác đồ; gọi 115; chuyển Bệnh viện Đức Giang.",
    }  # fmt: skip
    fields.update(overrides)
    return fields


@pytest.fixture
def site(unit, ward_officer_bo_de):
    return sites.register_site(by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields())


def test_a_site_keeps_its_incident_plan(site):
    assert site.nearest_hospital == "Bệnh viện Đa khoa Đức Giang" and site.path == "/01/004/00139/"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hourly_capacity": 0}, "hourly_capacity"),
        ({"opens_at": time(17), "closes_at": time(7)}, "closes_at"),
        ({"incident_phone": "call Lan"}, "incident_phone"),
        ({"severe_reaction_plan": "  "}, "severe_reaction_plan"),
    ],
)
def test_a_site_needs_capacity_hours_and_a_plan(unit, ward_officer_bo_de, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        sites.register_site(
            by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields(**overrides)
        )
    assert refused.value.field == field


def test_invitations_go_to_the_priority_group_oldest_first(resident, ward_officer_bo_de, site, give):
    oldest = resident(1, born=date(1935, 1, 1))
    older = resident(2, born=date(1950, 1, 1))
    resident(3, born=date(1990, 1, 1))
    done = resident(4, born=date(1940, 1, 1))
    give(done, "pfizer", 1, date(2021, 8, 1))
    give(done, "pfizer", 2, date(2021, 8, 22))
    count = sites.invite_priority_group(
        by=ward_officer_bo_de, site=site, group="elderly_65", day=date(2021, 10, 16), limit=5, clock=CLOCK
    )
    assert count == 2
    assert list(Booking.objects.order_by("person__birth_date").values_list("person_id", flat=True)) == [
        oldest.pk,
        older.pk,
    ]
    # invited again: nobody new
    assert (
        sites.invite_priority_group(
            by=ward_officer_bo_de, site=site, group="elderly_65", day=date(2021, 10, 16), clock=CLOCK
        )
        == 0
    )


def test_no_hour_is_booked_over_capacity(resident, health_worker_bo_de, site):
    first, created = sites.book_hour(
        by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT, clock=CLOCK
    )
    again, created_again = sites.book_hour(
        by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT, clock=CLOCK
    )
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(errors.HourFull) as refused:
        sites.book_hour(by=health_worker_bo_de, site=site, person=resident(2), starts_at=EIGHT, clock=CLOCK)
    assert refused.value.status == 409
    assert SiteHour.objects.get(site=site).booked == 1


def test_an_invitation_becomes_the_booking(resident, ward_officer_bo_de, site):
    old = resident(1, born=date(1935, 1, 1))
    sites.invite_priority_group(
        by=ward_officer_bo_de, site=site, group="elderly_65", day=date(2021, 10, 16), clock=CLOCK
    )
    booking, created = sites.book_hour(
        by=ward_officer_bo_de, site=site, person=old, starts_at=EIGHT, clock=CLOCK
    )
    assert created and booking.status == "booked" and booking.priority_group == "elderly_65"
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("starts_at", "error"),
    [
        (hanoi(2021, 10, 16, 6), errors.OutsideOpeningHours),
        (hanoi(2021, 10, 16, 17), errors.OutsideOpeningHours),
        (hanoi(2021, 10, 16, 8, 30), InvalidInput),
        (hanoi(2021, 10, 14, 8), errors.DayInPast),
    ],
)
def test_an_hour_must_be_whole_open_and_ahead(resident, health_worker_bo_de, site, starts_at, error):
    with pytest.raises(error):
        sites.book_hour(
            by=health_worker_bo_de, site=site, person=resident(1), starts_at=starts_at, clock=CLOCK
        )


def test_check_in_happens_once(resident, health_worker_bo_de, site):
    booking, _ = sites.book_hour(
        by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT, clock=CLOCK
    )
    arrived = sites.check_in(by=health_worker_bo_de, booking=booking, clock=lambda: hanoi(2021, 10, 16, 8, 5))
    assert arrived.status == "checked_in"
    with pytest.raises(errors.BookingChanged):
        sites.check_in(by=health_worker_bo_de, booking=booking, clock=lambda: hanoi(2021, 10, 16, 8, 6))


@pytest.mark.parametrize("day", [15, 17])
def test_check_in_is_only_on_the_booked_day(resident, health_worker_bo_de, site, day):
    booking, _ = sites.book_hour(
        by=health_worker_bo_de, site=site, person=resident(1), starts_at=EIGHT, clock=CLOCK
    )
    with pytest.raises(errors.NotBookedToday) as refused:
        sites.check_in(by=health_worker_bo_de, booking=booking, clock=lambda: hanoi(2021, 10, day, 8))
    assert refused.value.status == 422 and "08:00 16/10/2021" in str(refused.value.detail)
    assert Booking.objects.get().status == "booked"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_the_last_place_one_wins(resident, health_worker_bo_de, site):
    people = [resident(1), resident(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(person):
        try:
            barrier.wait()
            sites.book_hour(by=health_worker_bo_de, site=site, person=person, starts_at=EIGHT, clock=CLOCK)
            outcomes.append("won")
        except errors.HourFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full", "won"]
    assert SiteHour.objects.get(site=site).booked == 1
