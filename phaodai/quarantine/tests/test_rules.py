"""Pure quarantine policy: readiness from occupancy, room kinds, admission refusals, reach, schools."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phaodai.quarantine import rules
from phaodai.quarantine.rules import Beds

CAPACITY = Beds(male=2, female=2, family=1)


@pytest.mark.parametrize(
    ("state", "used", "expected"),
    [
        ("ready", Beds(), "ready"),
        ("ready", Beds(male=1), "active"),
        ("ready", Beds(male=2, female=2), "active"),  # the family bed is still free
        ("ready", Beds(male=2, female=2, family=1), "full"),
        ("preparing", Beds(), "preparing"),
        ("closed", Beds(), "closed"),
    ],
)
def test_readiness_follows_occupancy_only_when_the_facility_is_ready(state, used, expected):
    assert rules.readiness(state, CAPACITY, used) == expected


# Pure and quick, but generation is slow on a loaded machine: no deadline, no too_slow health check.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capacity=st.builds(Beds, st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
    taken=st.builds(Beds, st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
)
def test_a_ready_facility_reads_full_exactly_when_no_bed_of_any_kind_is_free(capacity, taken):
    used = Beds(*(min(taken.of(kind), capacity.of(kind)) for kind in rules.ROOM_KINDS))
    full = rules.readiness("ready", capacity, used) == "full"
    assert full == (used.total > 0 and capacity.minus(used).total == 0)


@pytest.mark.parametrize(
    ("current", "target", "capacity", "used", "problem"),
    [
        ("preparing", "ready", CAPACITY, Beds(), None),
        ("preparing", "ready", Beds(), Beds(), "no_beds"),
        ("ready", "closed", CAPACITY, Beds(), None),
        ("ready", "closed", CAPACITY, Beds(female=1), "not_empty"),
        ("ready", "preparing", CAPACITY, Beds(family=1), "not_empty"),
        ("ready", "full", CAPACITY, Beds(), "follows_occupancy"),
        ("ready", "active", CAPACITY, Beds(), "follows_occupancy"),
        ("ready", "open", CAPACITY, Beds(), "unknown"),
        ("closed", "ready", CAPACITY, Beds(), None),
    ],
)
def test_what_the_managing_unit_may_set(current, target, capacity, used, problem):
    assert rules.readiness_change_problem(current, target, capacity, used) == problem


def test_beds_cannot_go_below_the_people_in_those_rooms():
    assert rules.capacity_problem(Beds(2, 2, 0), Beds(2, 1, 0)) is None
    assert rules.capacity_problem(Beds(1, 2, 0), Beds(2, 1, 0)) == "below_male"
    assert rules.capacity_problem(Beds(2, 2, 0), Beds(0, 0, 1)) == "below_family"
    assert rules.capacity_problem(Beds(-1, 2, 0), Beds()) == "negative"


@pytest.mark.parametrize(
    ("sex", "requested", "expected"),
    [
        ("M", None, ("male", None)),
        ("F", "", ("female", None)),
        ("F", "family", ("family", None)),
        ("M", "family", ("family", None)),
        ("F", "male", (None, "mismatch")),
        ("M", "female", (None, "mismatch")),
        ("M", "dorm", (None, "unknown_kind")),
        ("", None, (None, "sex_unknown")),
    ],
)
def test_a_person_goes_to_the_rooms_of_their_sex_or_to_a_family_room(sex, requested, expected):
    assert rules.room_kind_for(sex, requested) == expected


@pytest.mark.parametrize(
    ("state", "used", "kind", "problem"),
    [
        ("ready", Beds(), "male", None),
        ("ready", Beds(male=1), "male", None),
        ("ready", Beds(male=2), "male", "full"),
        ("ready", Beds(male=2), "female", None),
        ("ready", Beds(), "family", None),
        ("preparing", Beds(), "male", "not_ready"),
        ("closed", Beds(), "male", "closed"),
    ],
)
def test_when_a_facility_admits(state, used, kind, problem):
    assert rules.admission_problem(state, CAPACITY, used, kind) == problem


def test_a_facility_without_rooms_of_a_kind_says_so_rather_than_full():
    assert rules.admission_problem("ready", Beds(male=5), Beds(), "family") == "no_rooms_of_kind"


def test_an_instant_a_few_minutes_ahead_is_clock_drift_but_an_hour_ahead_is_the_future():
    now = datetime(2021, 9, 10, 2, 0, tzinfo=UTC)
    assert rules.moment_problem(now + timedelta(minutes=4), now=now) is None
    assert rules.moment_problem(now + timedelta(hours=1), now=now) == "in_future"
    assert rules.moment_problem(now - timedelta(days=3), now=now) is None


def test_the_units_above_a_ward_are_its_district_and_the_city():
    assert rules.ancestors("/01/004/00139/") == ("/01/", "/01/004/")
    assert rules.ancestors("/01/004/") == ("/01/",)
    assert rules.ancestors("/01/") == ()


@pytest.mark.parametrize(
    ("is_school", "due", "expected"),
    [
        (False, None, ""),
        (True, None, "undated"),
        (True, date(2021, 9, 9), "overdue"),
        (True, date(2021, 9, 20), "soon"),
        (True, date(2021, 9, 24), "soon"),
        (True, date(2021, 10, 15), "scheduled"),
    ],
)
def test_how_urgent_handing_a_school_back_is(is_school, due, expected):
    assert rules.return_status(is_school, due, date(2021, 9, 10)) == expected
