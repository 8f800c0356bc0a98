"""Shift rosters: named staff, no one in two places at once, copying last week, removing a shift."""

from datetime import date, timedelta
from typing import Any

import pytest

from phaodai.checkpoints import selectors, services
from phaodai.checkpoints.errors import (
    CheckpointClosed,
    NotEligibleStaff,
    ShiftOutsidePeriod,
    ShiftStarted,
    StaffClash,
)
from phaodai.checkpoints.models import Shift, ShiftStaff, StaffMember
from phaodai.checkpoints.tests.conftest import CLOCK, at, fields
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone

pytestmark = pytest.mark.django_db

HUNG = services.StaffRef(full_name="Nguyễn Văn Hùng", organisation="police", phone="0912 345 678")
LAN = services.StaffRef(full_name="Vũ Thị Lan", organisation="youth_union", phone="+84 987 654 321")


def shift(by: Any, checkpoint: Any, day: int, hour: int, hours: int = 8, *staff: Any) -> Shift:
    start = hanoi(2021, 9, day, hour)
    return services.add_shift(
        by=by, checkpoint=checkpoint, starts_at=start, ends_at=start + timedelta(hours=hours),
        staff=list(staff) or [HUNG], clock=CLOCK,
    )  # fmt: skip


def test_a_shift_names_a_user_with_a_role_here_and_people_of_other_forces(
    ql6: Any, district_officer_long_bien: Any, city_commander: Any, checkpoint_officer_ql6: Any
) -> None:
    made = shift(city_commander, ql6, 15, 6, 8, services.StaffRef(user=checkpoint_officer_ql6), HUNG, LAN)
    people = {(p.staff.full_name, p.staff.organisation, p.staff.phone) for p in made.staff.all()}
    assert people == {
        ("checkpoint-268", "police", ""),
        ("Nguyễn Văn Hùng", "police", "0912345678"),
        ("Vũ Thị Lan", "youth_union", "0987654321"),
    }
    assert made.unit_path == "/01/268/"


def test_no_one_is_in_two_places_at_once_and_the_refusal_names_the_other_checkpoint_and_time(
    ql6: Any, checkpoint_of: Any, city_commander: Any
) -> None:
    tran_phu = checkpoint_of("268", code="268-06", name="Chốt Trục phía Nam", road="Trục phía Nam")
    shift(city_commander, ql6, 15, 6, 8, HUNG)
    with pytest.raises(StaffClash) as refused:
        shift(city_commander, tran_phu, 15, 13, 8, LAN, HUNG)
    assert str(refused.value) == (
        "Nguyễn Văn Hùng is already on shift at Chốt QL6 Yên Nghĩa from 06:00 15/09/2021 to 14:00 15/09/2021."
    )
    # Refused whole: Lan was not put on the shift either, and no empty shift was left behind.
    assert not Shift.objects.filter(checkpoint=tran_phu).exists()
    # Shifts that only touch do not clash; the same person by the same number typed otherwise is the same.
    same = services.StaffRef(full_name="nguyen van hung", organisation="police", phone="0912.345.678")
    later = shift(city_commander, tran_phu, 15, 14, 8, same)
    assert later.staff.get().staff.full_name == "Nguyễn Văn Hùng"
    assert StaffMember.objects.count() == 1


def test_the_same_slot_again_adds_people_to_it_and_a_double_submit_changes_nothing(
    ql6: Any, city_commander: Any
) -> None:
    first = shift(city_commander, ql6, 15, 6, 8, HUNG)
    again = shift(city_commander, ql6, 15, 6, 8, HUNG, LAN)
    twice = shift(city_commander, ql6, 15, 6, 8, HUNG, LAN)
    assert first.pk == again.pk == twice.pk
    assert ShiftStaff.objects.filter(shift=first).count() == 2


def test_one_number_is_one_person(ql6: Any, city_commander: Any) -> None:
    shift(city_commander, ql6, 15, 6, 8, HUNG)
    other = services.StaffRef(full_name="Trần Văn Bình", organisation="army", phone="0912345678")
    with pytest.raises(InvalidInput) as refused:
        shift(city_commander, ql6, 16, 6, 8, other)
    assert refused.value.field == "phone" and "already on the rosters as Nguyễn Văn Hùng" in str(
        refused.value
    )


@pytest.mark.parametrize(
    ("ref", "field", "message"),
    [
        (
            services.StaffRef(full_name="", organisation="police", phone="0912345678"),
            "full_name",
            "full name",
        ),
        (
            services.StaffRef(full_name="A", organisation="navy", phone="0912345678"),
            "organisation",
            "organisation",
        ),
        (services.StaffRef(full_name="A", organisation="police", phone="12345"), "phone", "10 digits"),
    ],
)
def test_a_named_person_needs_a_name_an_organisation_and_a_mobile_number(
    ql6: Any, city_commander: Any, ref: Any, field: str, message: str
) -> None:
    with pytest.raises((InvalidInput, InvalidPhone)) as refused:
        shift(city_commander, ql6, 15, 6, 8, ref)
    assert refused.value.field == field and message in str(refused.value)


def test_a_user_without_a_role_at_the_checkpoints_unit_is_refused(
    ql6: Any, city_commander: Any, district_officer_ba_dinh: Any, district_officer_long_bien: Any
) -> None:
    for user in (district_officer_ba_dinh, city_commander):
        with pytest.raises(NotEligibleStaff) as refused:
            shift(city_commander, ql6, 15, 6, 8, services.StaffRef(user=user))
        assert "has no role at Quận Hà Đông" in str(refused.value)


@pytest.mark.parametrize(
    ("day", "hour", "hours", "field", "message"),
    [
        (15, 6, 0, "ends_at", "must end after it starts"),
        (15, 6, 25, "ends_at", "at most 24 hours"),
    ],
)
def test_shift_times_are_checked(
    ql6: Any, city_commander: Any, day: int, hour: int, hours: int, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        shift(city_commander, ql6, day, hour, hours)
    assert refused.value.field == field and message in str(refused.value)


def test_a_shift_lies_within_the_checkpoints_period_and_not_at_a_closed_one(
    checkpoint_of: Any, city_commander: Any, unit: Any
) -> None:
    ending = checkpoint_of(active_until=hanoi(2021, 9, 21, 6))
    with pytest.raises(ShiftOutsidePeriod) as refused:
        shift(city_commander, ending, 20, 23)
    assert "operates from 06:00 23/08/2021 to 06:00 21/09/2021" in str(refused.value)
    with pytest.raises(ShiftOutsidePeriod) as refused:
        services.add_shift(
            by=city_commander, checkpoint=ending, starts_at=hanoi(2021, 8, 22, 22),
            ends_at=hanoi(2021, 8, 23, 6), staff=[HUNG], clock=CLOCK,
        )  # fmt: skip
    assert "the shift lies outside that period" in str(refused.value)
    closed = services.update_checkpoint(
        by=city_commander, checkpoint=ending, version=1, clock=CLOCK, other_side=None,
        **fields(status="closed", active_until=hanoi(2021, 9, 21, 6)),
    )  # fmt: skip
    with pytest.raises(CheckpointClosed):
        shift(city_commander, closed, 15, 6)


def test_only_the_focal_units_managers_change_the_roster(
    ql6: Any, checkpoint_officer_ql6: Any, district_officer_long_bien: Any
) -> None:
    with pytest.raises(NotPermitted):
        shift(checkpoint_officer_ql6, ql6, 15, 6)
    with pytest.raises(OutOfScope):
        shift(district_officer_long_bien, ql6, 15, 6)


def test_a_shift_not_yet_started_is_removed_and_a_started_one_is_kept(ql6: Any, city_commander: Any) -> None:
    past = shift(city_commander, ql6, 14, 6)  # started at 06:00 today; the clock says 09:00
    future = shift(city_commander, ql6, 16, 6, 8, LAN)
    with pytest.raises(ShiftStarted):
        services.remove_shift(by=city_commander, shift=past, clock=CLOCK)
    services.remove_shift(by=city_commander, shift=future, clock=CLOCK)
    services.remove_shift(by=city_commander, shift=future, clock=CLOCK)  # again: nothing to do
    assert list(Shift.objects.values_list("pk", flat=True)) == [past.pk]
    assert not ShiftStaff.objects.filter(staff__full_name="Vũ Thị Lan").exists()


def test_copying_last_week_copies_the_shifts_to_come_with_the_people_free_then(
    ql6: Any, checkpoint_of: Any, city_commander: Any
) -> None:
    # Last week (6–12/9): Monday and Wednesday mornings. This week, Hùng already stands Wednesday
    # morning at another checkpoint; Monday 13/9 has passed by the tests' clock (Tuesday 14/9).
    shift(city_commander, ql6, 6, 6, 8, HUNG, LAN)
    shift(city_commander, ql6, 8, 6, 8, HUNG, LAN)
    other = checkpoint_of("268", code="268-06", name="Chốt Trục phía Nam", road="Trục phía Nam")
    shift(city_commander, other, 15, 6, 8, HUNG)
    result = services.copy_previous_week(
        by=city_commander, checkpoint=ql6, monday=date(2021, 9, 15), clock=CLOCK
    )
    assert (result.shifts, result.posts) == (1, 1)
    assert result.skipped == [
        "06:00 13/09/2021: already started, not copied.",
        "06:00 15/09/2021: Nguyễn Văn Hùng is already on shift at Chốt Trục phía Nam from 06:00 15/09/2021 "
        "to 14:00 15/09/2021.",
    ]
    copied = Shift.objects.get(checkpoint=ql6, starts_at=hanoi(2021, 9, 15, 6))
    assert [p.staff.full_name for p in copied.staff.all()] == ["Vũ Thị Lan"]
    # Again: nothing more is added.
    again = services.copy_previous_week(
        by=city_commander, checkpoint=ql6, monday=date(2021, 9, 13), clock=CLOCK
    )
    assert (again.shifts, again.posts) == (0, 0)
    assert ShiftStaff.objects.filter(shift=copied).count() == 1


def test_the_roster_week_groups_shifts_by_local_day(ql6: Any, city_commander: Any) -> None:
    shift(city_commander, ql6, 13, 22, 8, HUNG)  # Monday 22:00 to Tuesday 06:00
    shift(city_commander, ql6, 19, 6, 8, LAN)  # Sunday
    shift(city_commander, ql6, 20, 6, 8, LAN)  # next Monday: another week
    days = selectors.roster_week(ql6, date(2021, 9, 13))
    assert [len(day.shifts) for day in days] == [1, 0, 0, 0, 0, 0, 1]
    assert days[0].day == date(2021, 9, 13) and days[6].day == date(2021, 9, 19)


def test_eligible_users_are_the_officials_of_the_checkpoints_units(
    ql6: Any, checkpoint_officer_ql6: Any, district_officer_long_bien: Any
) -> None:
    assert [u.username for u in selectors.eligible_users(ql6)] == ["checkpoint-268"]


def test_copy_clock_is_used_for_started_shifts(ql6: Any, city_commander: Any) -> None:
    shift(city_commander, ql6, 6, 6, 8, HUNG)
    early = services.copy_previous_week(
        by=city_commander, checkpoint=ql6, monday=date(2021, 9, 13), clock=at(hanoi(2021, 9, 12, 18))
    )
    assert (early.shifts, early.posts, early.skipped) == (1, 1, [])
