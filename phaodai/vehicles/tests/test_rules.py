"""Pure policy: plates written and read back, trip matching invariants, shipper hours (no database)."""

from datetime import time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.clock import hanoi
from phaodai.vehicles import rules

BASE = hanoi(2021, 9, 14)
plates = st.from_regex(r"[0-9]{2}[A-Z]{1,2}[0-9]?[0-9]{4,5}", fullmatch=True)


@given(plates)
def test_a_plate_shown_reads_back_as_itself(key: str) -> None:
    assert rules.normal_plate(key) == key
    assert rules.normal_plate(rules.shown_plate(key)) == key


@given(st.text(max_size=30))
def test_any_text_is_a_plate_or_empty_never_an_error(text: str) -> None:
    key = rules.normal_plate(text)
    assert key == "" or rules.normal_plate(key) == key


crossings = st.lists(
    st.tuples(
        st.sampled_from(["29C12345", "30A11111"]), st.integers(0, 72 * 60), st.sampled_from(["in", "out"])
    ),
    max_size=30,
)


@given(crossings, st.lists(st.integers(0, 48), min_size=1, max_size=4, unique=True))
def test_matching_uses_each_crossing_once_and_exits_follow_entries(raw: list, starts: list) -> None:
    log = [
        rules.GatewayCrossing(n, plate, BASE + timedelta(minutes=minute), direction, 1)
        for n, (plate, minute, direction) in enumerate(raw)
    ]
    trips = [
        rules.TripWindow(
            n, "29C12345", BASE + timedelta(hours=h), BASE + timedelta(hours=h + 6), timedelta(hours=3)
        )
        for n, h in enumerate(starts)
    ]
    result = rules.match_trips(trips, log, BASE + timedelta(days=4))
    used = [c.crossing_id for m in result.values() for c in (m.entry, m.exit) if c is not None]
    assert len(used) == len(set(used))
    for match in result.values():
        if match.entry is not None:
            assert match.entry.plate == "29C12345" and match.entry.direction == "in"
        if match.exit is not None:
            assert (
                match.entry is not None and match.exit.at >= match.entry.at and match.exit.direction == "out"
            )
            assert match.duration is not None and match.duration >= timedelta(0)


def test_an_entry_long_before_its_window_is_not_its_entry() -> None:
    trip = rules.TripWindow(1, "29C12345", hanoi(2021, 9, 14, 6), hanoi(2021, 9, 14, 18), timedelta(hours=4))
    early = rules.GatewayCrossing(1, "29C12345", hanoi(2021, 9, 14, 3, 59), "in", 1)
    assert rules.match_trips([trip], [early], hanoi(2021, 9, 15))[1].state == "expected"


def test_shipper_hours_verdicts_name_the_hours() -> None:
    facts = rules.ShipperFacts(True, hanoi(2021, 9, 1), hanoi(2021, 10, 1), time(6), time(18))
    verdict = rules.shipper_hours_verdict(facts, hanoi(2021, 9, 14, 5, 30), time(5, 30))
    assert not verdict.allowed and verdict.reasons == (
        ("before_hours", {"start": "06:00", "end": "18:00", "at": "05:30"}),
    )


def test_read_hour_accepts_only_a_24_hour_clock() -> None:
    assert rules.read_hour("06:00") == time(6) and rules.read_hour(" 23:59 ") == time(23, 59)
    assert [rules.read_hour(t) for t in ("24:00", "6:00", "06:60", "", "06h00")] == [None] * 5
