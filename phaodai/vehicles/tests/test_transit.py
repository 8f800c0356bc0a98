"""Transit trips (S23): registration with a signed pass, entry/exit matching, the overdue list."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from phaodai.checkpoints.models import Crossing
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput
from phaodai.vehicles import rules, selectors, services, transit
from phaodai.vehicles.models import TransitTrip
from phaodai.vehicles.tests.conftest import CLOCK, at, transit_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any) -> Any:
    def make(**overrides: Any) -> Any:
        found, _created = services.register_transit(
            by=overrides.pop("by", district_officer_long_bien),
            unit=unit("004"),
            entry_checkpoint=gateway,
            clock=overrides.pop("clock", CLOCK),
            **transit_fields(**overrides),
        )
        return found

    return make


def states(user: Any, moment: Any) -> dict[str, str]:
    found, _next = selectors.transit_page(user, moment)
    return {state.trip.plate: state.match.state for state in found}


def test_a_trip_is_issued_with_a_transit_pass_and_a_retry_finds_it(trip: Any) -> None:
    first = trip()
    assert first.status == "approved" and first.pass_code.startswith("PD1:") and first.expected_hours == 4
    assert trip().pk == first.pk and TransitTrip.objects.count() == 1


def test_the_expected_hours_default_to_the_configuration(trip: Any, settings: Any) -> None:
    settings.PHAODAI_TRANSIT_HOURS = 8
    assert trip(expected_hours=None).expected_hours == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expected_hours": 0}, "expected_hours"),
        ({"expected_hours": 49}, "expected_hours"),
        ({"expected_hours": "bốn"}, "expected_hours"),
        ({"plate": "not a plate"}, "plate"),
        ({"from_province": ""}, "from_province"),
        ({"valid_to": hanoi(2021, 9, 30)}, "valid_to"),
    ],
)
def test_bad_trips_are_refused(trip: Any, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        trip(**changes)
    assert refused.value.field == field


def test_a_trip_enters_at_a_gateway_not_a_district_checkpoint(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, district_checkpoint: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.register_transit(
            by=district_officer_long_bien,
            unit=unit("004"),
            entry_checkpoint=district_checkpoint,
            clock=CLOCK,
            **transit_fields(),
        )
    assert refused.value.code == "not_a_gateway"


def test_entry_and_exit_across_midnight_match_with_their_duration(
    trip: Any, cross: Any, gateway: Any, exit_gateway: Any, district_officer_long_bien: Any
) -> None:
    trip(valid_from=hanoi(2021, 9, 13, 18), valid_to=hanoi(2021, 9, 14, 6), clock=at(hanoi(2021, 9, 13, 17)))
    cross(gateway, "51D-678.90", hanoi(2021, 9, 13, 23, 30), "in")
    cross(exit_gateway, "51D67890", hanoi(2021, 9, 14, 2, 10), "out")
    found, _next = selectors.transit_page(district_officer_long_bien, hanoi(2021, 9, 14, 9))
    (state,) = found
    assert state.match.state == "left" and state.match.duration == timedelta(hours=2, minutes=40)
    assert state.match.entry is not None and state.match.exit is not None
    assert state.match.entry.checkpoint_code == "CN-06" and state.match.exit.checkpoint_code == "CN-05"
    assert not selectors.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 14, 9))


def test_a_vehicle_not_seen_leaving_in_time_is_overdue_with_where_it_entered(
    trip: Any, cross: Any, gateway: Any, district_officer_long_bien: Any, city_commander: Any,
    checkpoint_officer_ql6: Any,
) -> None:  # fmt: skip
    trip()
    cross(gateway, "51D-678.90", hanoi(2021, 9, 14, 7, 0), "in")
    # within the 4 hours: in the city, not overdue; at 11:00 exactly still not; from 11:01 overdue
    assert states(district_officer_long_bien, hanoi(2021, 9, 14, 10, 59)) == {"51D67890": "in_city"}
    assert not selectors.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 14, 11, 0))
    late = selectors.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 14, 11, 1))
    assert [(s.trip.plate, s.match.entry and s.match.entry.checkpoint_name) for s in late] == [
        ("51D67890", "Chốt cửa ngõ QL6 Yên Nghĩa")
    ]
    assert late[0].match.due_by == hanoi(2021, 9, 14, 11, 0)
    assert len(selectors.overdue_transits(city_commander, hanoi(2021, 9, 14, 12))) == 1
    # the trip is Long Biên's, entering at Hà Đông's gateway: Hà Đông's checkpoint officer watches for
    # it too, and may open it, but only Long Biên (which registered it) may revoke it.
    (watched,) = selectors.overdue_transits(checkpoint_officer_ql6, hanoi(2021, 9, 14, 12))
    assert watched.trip.plate == "51D67890"
    assert selectors.transit_for(checkpoint_officer_ql6, watched.trip.pk) == watched.trip
    assert not selectors.manages(checkpoint_officer_ql6, watched.trip)


def test_denied_entries_and_inner_checkpoints_do_not_count(
    trip: Any, cross: Any, gateway: Any, district_checkpoint: Any, district_officer_long_bien: Any
) -> None:
    trip()
    cross(gateway, "51D-678.90", hanoi(2021, 9, 14, 7), "in", decision="denied")
    cross(district_checkpoint, "51D-678.90", hanoi(2021, 9, 14, 7, 30), "in")
    assert states(district_officer_long_bien, hanoi(2021, 9, 14, 20)) == {"51D67890": "expected"}


def test_repeated_trips_of_one_plate_each_take_their_own_crossings(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any, exit_gateway: Any, cross: Any
) -> None:
    def register(day: int) -> Any:
        found, _ = services.register_transit(
            by=district_officer_long_bien,
            unit=unit("004"),
            clock=at(hanoi(2021, 9, 10)),
            **transit_fields(valid_from=hanoi(2021, 9, day), valid_to=hanoi(2021, 9, day + 1)),
        )
        return found

    first, second, third = register(11), register(12), register(13)
    cross(gateway, "51D-678.90", hanoi(2021, 9, 11, 8), "in")
    cross(exit_gateway, "51D-678.90", hanoi(2021, 9, 11, 10), "out")
    cross(gateway, "51D-678.90", hanoi(2021, 9, 12, 8), "in")
    # second trip: never seen leaving; the third's entry must not close it
    cross(gateway, "51D-678.90", hanoi(2021, 9, 13, 9), "in")
    cross(exit_gateway, "51D-678.90", hanoi(2021, 9, 13, 12), "out")
    by_id = {s.trip.pk: s.match for s in transit.match([first, second, third], hanoi(2021, 9, 14, 9))}
    assert by_id[first.pk].duration == timedelta(hours=2)
    assert by_id[second.pk].state == "overdue" and by_id[second.pk].exit is None
    assert by_id[third.pk].duration == timedelta(hours=3)


def test_matching_many_trips_reads_the_log_once(
    district_officer_long_bien: Any, unit: Any, signing_key: Any, gateway: Any, exit_gateway: Any,
    city_commander: Any, django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    plates = [f"29C{10000 + n}" for n in range(300)]
    TransitTrip.objects.bulk_create(
        TransitTrip(
            unit=unit("004"),
            unit_path="/01/004/",
            plate=plate,
            from_province="Hòa Bình",
            to_province="Bắc Ninh",
            valid_from=hanoi(2021, 9, 14, 0),
            valid_to=hanoi(2021, 9, 15, 0),
            expected_hours=4,
            status="approved",
            created_by=district_officer_long_bien,
        )
        for plate in plates
    )
    start = hanoi(2021, 9, 14, 1)
    rows = []
    for n, plate in enumerate(plates):
        entered = start + timedelta(minutes=n)
        rows.append((gateway, plate, entered, "in"))
        if n % 3:  # every third vehicle never leaves
            rows.append((exit_gateway, plate, entered + timedelta(hours=2), "out"))
    Crossing.objects.bulk_create(
        Crossing(
            checkpoint=checkpoint,
            unit_path=checkpoint.unit_path,
            at=moment,
            plate=plate,
            direction=direction,
            decision="allowed",
            officer=city_commander,
            device_id="bulk",
            local_id=f"b{n}",
            recorded_at=timezone.now(),
        )
        for n, (checkpoint, plate, moment, direction) in enumerate(rows)
    )
    with django_assert_max_num_queries(4):
        late = selectors.overdue_transits(district_officer_long_bien, hanoi(2021, 9, 14, 12))
    assert len(late) == 100 and all(s.match.exit is None for s in late)


def test_match_trips_is_pure_and_ignores_other_plates() -> None:
    window = rules.TripWindow(1, "29C12345", hanoi(2021, 9, 14), hanoi(2021, 9, 15), timedelta(hours=4))
    log = [
        rules.GatewayCrossing(1, "30A11111", hanoi(2021, 9, 14, 8), "in", 9),
        rules.GatewayCrossing(2, "29C12345", hanoi(2021, 9, 13, 23), "in", 9),  # inside the 2 h grace
        rules.GatewayCrossing(3, "29C12345", hanoi(2021, 9, 14, 1), "out", 9),
    ]
    result = rules.match_trips([window], log, hanoi(2021, 9, 14, 9))[1]
    assert result.state == "left" and result.duration == timedelta(hours=2)
