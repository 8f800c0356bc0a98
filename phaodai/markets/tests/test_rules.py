"""The allocation rules, pure: patterns, slots, capacity, nearest market, shortfall, printed passes."""

from collections import Counter
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phaodai.markets import rules

START = date(2021, 7, 26)  # a Monday


def scheme(pattern=None, days=15, slot=60, choice=rules.NEAREST) -> rules.Scheme:
    return rules.make_scheme(
        starts_on=START,
        ends_on=START + timedelta(days=days - 1),
        pattern=pattern or {"kind": "every_n_days", "n": 3},
        slot_minutes=slot,
        market_choice=choice,
    )


def market(mid, area, capacity=10, opens=7 * 60, closes=11 * 60, is_open=True) -> rules.Market:
    return rules.Market(mid, f"CHO-{mid:02d}", area, opens, closes, capacity, is_open)


def households(count, area=1, first_id=1):
    return [rules.Household(first_id + i, area) for i in range(count)]


def run(plan, people, markets, ranking=None, printed=()):
    if ranking is None:
        areas = sorted({person.area for person in people})
        ranking = rules.rank_markets([rules.Area(area, str(area)) for area in areas], markets)
    return rules.allocate(scheme=plan, households=people, markets=markets, ranking=ranking, printed=printed)


def placements(result):
    return list(rules.expand(result))


def seats(result, printed=()):
    counted = Counter((p.market, p.day, p.start_minute) for p in placements(result))
    for kept in printed:
        counted[(kept.market, kept.day, kept.start_minute)] += 1
    return counted


# Patterns -------------------------------------------------------------------------------------------


def test_every_three_days_gives_five_passes_in_fifteen_days_staggered_over_three_phases():
    result = run(scheme(), households(9), [market(1, 1, capacity=100)])
    days_of = Counter(p.household for p in placements(result))
    assert set(days_of.values()) == {5}
    per_day = Counter(p.day for p in placements(result))
    assert len(per_day) == 15 and set(per_day.values()) == {3}
    first = sorted(p.day for p in placements(result) if p.household == 1)
    assert [(b - a).days for a, b in pairwise(first)] == [3, 3, 3, 3]


def test_parity_gives_odd_or_even_days_plus_sunday_for_everyone():
    plan = scheme({"kind": "parity", "extra_weekdays": [6]}, days=7)  # 26/7 (Mon) to 1/8 (Sun)
    result = run(plan, households(4), [market(1, 1, capacity=100)])
    days = {hid: sorted(p.day.day for p in placements(result) if p.household == hid) for hid in (1, 2)}
    # Household 1 odd days (27, 29, 31), household 2 even days (26, 28, 30), both the Sunday 1/8.
    assert days[1] == [1, 27, 29, 31]
    assert days[2] == [1, 26, 28, 30]


@pytest.mark.parametrize(
    ("pattern", "field", "fragment"),
    [
        ({"kind": "weekly"}, "pattern", "kind must be"),
        ({"kind": "every_n_days", "n": 0}, "pattern", "from 1 to"),
        ({"kind": "every_n_days", "n": True}, "pattern", "whole number"),
        ({"kind": "every_n_days", "n": 3, "m": 1}, "pattern", "unknown key 'm'"),
        ({"kind": "parity", "extra_weekdays": [7]}, "pattern", "0 (Monday) to 6 (Sunday)"),
        ({"kind": "parity", "extra_weekdays": [6, 6]}, "pattern", "twice"),
        ([3], "pattern", "must be an object"),
    ],
)
def test_a_pattern_that_does_not_make_sense_is_refused_saying_why(pattern, field, fragment):
    with pytest.raises(rules.SchemeError) as refused:
        scheme(pattern)
    assert refused.value.field == field and fragment in refused.value.reason


def test_period_slot_and_market_choice_are_checked():
    with pytest.raises(rules.SchemeError, match="ends before"):
        scheme(days=0)
    with pytest.raises(rules.SchemeError, match="slot"):
        scheme(slot=5)
    with pytest.raises(rules.SchemeError, match="market_choice"):
        scheme(choice="anywhere")


# Slots, capacity, nearest market ----------------------------------------------------------------------


def test_load_is_spread_over_the_opening_hours_least_loaded_first():
    # 4 one-hour slots (07-11), 10 people each; 3 households a day go 07, 08, 09 and the next day too.
    result = run(scheme(days=3, pattern={"kind": "every_n_days", "n": 1}), households(6), [market(1, 1)])
    day_one = Counter(p.start_minute for p in placements(result) if p.day == START)
    assert day_one == {7 * 60: 2, 8 * 60: 2, 9 * 60: 1, 10 * 60: 1}


def test_a_last_slot_that_would_run_past_closing_is_not_offered():
    grid = rules.market_grid(market(1, 1, opens=7 * 60, closes=9 * 60 + 30), 60)
    assert len(grid.capacities) == 2


def test_households_go_to_their_own_areas_market_then_the_next_with_room():
    markets = [market(1, 1, capacity=1), market(2, 2, capacity=1)]
    plan = scheme(days=1, pattern={"kind": "every_n_days", "n": 1})
    result = run(plan, households(6, area=1), markets)
    by_market = Counter(p.market for p in placements(result))
    assert by_market == {1: 4, 2: 2}  # 4 slots of one at home, the rest next door


def test_other_markets_are_ranked_by_distance_between_area_centres_then_code():
    areas = [rules.Area(1, "A", (0.0, 0.0)), rules.Area(2, "B", (5.0, 5.0)), rules.Area(3, "C", (1.0, 1.0))]
    markets = [market(1, 2), market(2, 3), market(3, None), market(4, 1, is_open=False)]
    assert rules.rank_markets(areas, markets)[1] == (2, 1, 3)


def test_demand_that_cannot_fit_is_reported_per_market_day_not_overfilled():
    plan = scheme(days=2, pattern={"kind": "every_n_days", "n": 1})
    result = run(plan, households(50), [market(1, 1, capacity=10)])
    assert all(count <= 10 for count in seats(result).values())
    assert [(item.market, item.day, item.short) for item in result.shortfall] == [
        (1, START, 10),
        (1, START + timedelta(days=1), 10),
    ]
    assert result.placed == 80 and result.demand == 100


def test_closed_markets_get_nothing_and_a_ward_without_an_open_market_is_all_short():
    plan = scheme(days=1, pattern={"kind": "every_n_days", "n": 1})
    result = run(plan, households(3), [market(1, 1, is_open=False)])
    assert result.placed == 0
    assert [(item.market, item.short) for item in result.shortfall] == [(None, 3)]


def test_households_without_a_representative_are_left_out_and_listed():
    people = [*households(2), rules.Household(9, 1, has_representative=False)]
    result = run(scheme(), people, [market(1, 1)])
    assert result.left_out == (9,)
    assert 9 not in {p.household for p in placements(result)}


def test_any_in_ward_names_no_market_and_uses_the_wards_total_per_slot():
    markets = [market(1, 1, capacity=2, opens=7 * 60, closes=9 * 60), market(2, 2, capacity=3, closes=8 * 60)]
    plan = scheme(days=1, pattern={"kind": "every_n_days", "n": 1}, choice=rules.ANY_IN_WARD)
    result = run(plan, households(9), markets)
    by_slot = Counter(p.start_minute for p in placements(result))
    assert {p.market for p in placements(result)} == {None}
    assert by_slot == {7 * 60: 5, 8 * 60: 2}  # 07-08 both markets (5), 08-09 the first only (2)
    assert result.shortfall[0].short == 2


# Printed passes ----------------------------------------------------------------------------------------


def test_printed_passes_stay_and_their_seats_are_taken_first():
    plan = scheme(days=1, pattern={"kind": "every_n_days", "n": 1})
    printed = [rules.PrintedPass(7, START, 1, 10 * 60), rules.PrintedPass(8, START, 1, 10 * 60)]
    result = run(plan, households(10), [market(1, 1, capacity=2)], printed=printed)
    assert {p.household for p in placements(result)}.isdisjoint({7, 8})
    loads = seats(result, printed)
    assert loads[(1, START, 10 * 60)] == 2 and all(count <= 2 for count in loads.values())
    assert result.kept == 2 and result.placed == 6 and result.demand == 8


def test_a_household_with_printed_passes_keeps_its_days():
    plan = scheme()
    # Household 1 would be phase 0 by order; its printed pass is on a phase-1 day.
    printed = [rules.PrintedPass(1, START + timedelta(days=1), 1, 7 * 60)]
    result = run(plan, households(3), [market(1, 1, capacity=100)], printed=printed)
    days = sorted(p.day for p in placements(result) if p.household == 1)
    assert days == [START + timedelta(days=d) for d in (4, 7, 10, 13)]


# Properties -----------------------------------------------------------------------------------------


@st.composite
def cities(draw):
    area_count = draw(st.integers(1, 4))
    people = []
    next_id = 1
    for area in range(1, area_count + 1):
        for _ in range(draw(st.integers(0, 25))):
            people.append(rules.Household(next_id, area, draw(st.booleans()) or draw(st.booleans())))
            next_id += draw(st.integers(1, 3))
    markets = []
    for mid in range(1, draw(st.integers(0, 4)) + 1):
        opens = draw(st.integers(6, 9)) * 60 + draw(st.sampled_from([0, 30]))
        closes = opens + draw(st.integers(1, 5)) * 60
        area = draw(st.integers(1, area_count + 1))
        markets.append(
            market(
                mid, area, draw(st.integers(1, 6)), opens, closes, draw(st.sampled_from([True, True, False]))
            )
        )
    pattern = draw(
        st.one_of(
            st.builds(lambda n: {"kind": "every_n_days", "n": n}, st.integers(1, 4)),
            st.builds(
                lambda extra: {"kind": "parity", "extra_weekdays": sorted(extra)},
                st.sets(st.integers(0, 6), max_size=2),
            ),
        )
    )
    plan = scheme(
        pattern,
        days=draw(st.integers(1, 10)),
        slot=draw(st.sampled_from([30, 60, 90])),
        choice=draw(st.sampled_from([rules.NEAREST, rules.ANY_IN_WARD])),
    )
    printed = []
    if markets and people:
        for _ in range(draw(st.integers(0, 6))):
            kept_market = draw(st.sampled_from(markets))
            printed.append(
                rules.PrintedPass(
                    draw(st.sampled_from(people)).id,
                    plan.starts_on + timedelta(days=draw(st.integers(0, len(plan.days) - 1))),
                    None if plan.market_choice == rules.ANY_IN_WARD else kept_market.id,
                    kept_market.opens_minute,
                )
            )
        printed = list({(p.household, p.day): p for p in printed}.values())
    return plan, people, markets, printed


def slot_of(result, target, start_minute):
    grid = result.grids.get(target)
    return grid.slot_at(start_minute) if grid is not None else None


@settings(max_examples=150, deadline=None)
@given(cities())
def test_no_market_slot_is_ever_over_capacity(city):
    plan, people, markets, printed = city
    result = run(plan, people, markets, printed=printed)
    new = Counter((p.market, p.day, slot_of(result, p.market, p.start_minute)) for p in placements(result))
    # A printed pass takes a seat in the slot its start falls in (wherever the grid now lies).
    kept = Counter((p.market, p.day, slot_of(result, p.market, p.start_minute)) for p in printed)
    for (target, day, slot), count in new.items():
        capacity = result.grids[target].capacities[slot]
        # Printed passes were handed out before: new ones only fill what they left.
        assert count + kept[(target, day, slot)] <= max(capacity, kept[(target, day, slot)])
    for (target, day), loads in result.loads.items():
        for slot, load in enumerate(loads):
            assert load <= max(result.grids[target].capacities[slot], kept[(target, day, slot)])


@settings(max_examples=150, deadline=None)
@given(cities())
def test_every_placed_household_day_is_within_the_scheme_and_printed_passes_never_move(city):
    plan, people, markets, printed = city
    result = run(plan, people, markets, printed=printed)
    placed = placements(result)
    represented = {person.id: person.area for person in people if person.has_representative}
    open_markets = {m.id for m in markets if m.is_open}
    ranking = rules.rank_markets([rules.Area(a, str(a)) for a in set(represented.values())], markets)
    printed_days = {(p.household, p.day) for p in printed}
    seen = set()
    for p in placed:
        assert plan.starts_on <= p.day <= plan.ends_on
        assert p.household in represented
        assert (p.household, p.day) not in printed_days  # a printed day is not given again
        assert (p.household, p.day) not in seen  # one pass a household a day
        seen.add((p.household, p.day))
        if plan.market_choice == rules.NEAREST:
            assert p.market in open_markets and p.market in ranking[represented[p.household]]
        else:
            assert p.market is None
        assert p.end_minute - p.start_minute == plan.slot_minutes
    assert result.kept == len(printed)


@settings(max_examples=150, deadline=None)
@given(cities())
def test_shortfall_and_placed_add_up_to_demand(city):
    plan, people, markets, printed = city
    result = run(plan, people, markets, printed=printed)
    assert result.placed == len(placements(result))
    assert result.placed + sum(item.short for item in result.shortfall) == result.demand
    assert all(item.short > 0 for item in result.shortfall)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=8).flatmap(
        lambda loads: st.tuples(
            st.just(loads),
            st.lists(st.integers(0, 8), min_size=len(loads), max_size=len(loads)),
            st.integers(0, 40),
        )
    )
)
def test_water_filling_matches_placing_one_at_a_time(case):
    loads, capacities, wanted = case
    greedy = list(loads)
    for _ in range(wanted):
        open_slots = [slot for slot in range(len(greedy)) if greedy[slot] < capacities[slot]]
        if not open_slots:
            break
        slot = min(open_slots, key=lambda s: (greedy[s], s))
        greedy[slot] += 1
    room = sum(max(0, cap - load) for cap, load in zip(capacities, loads, strict=True))
    added = rules.water_fill(loads, capacities, min(wanted, room))
    assert [load + more for load, more in zip(loads, added, strict=True)] == greedy


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 12), st.integers(1, 9), st.lists(st.integers(0, 30), max_size=8))
def test_the_even_shortcut_matches_placing_one_at_a_time(slots, capacity, batches):
    grid = rules.SlotGrid(0, 60, (capacity,) * slots)
    fast, greedy = rules.DayLoad(grid), [0] * slots
    for wanted in batches:
        handed = []
        for count, cycle in fast.place(wanted):
            handed += [cycle[i % len(cycle)] for i in range(count)]
        expected = []
        for _ in range(wanted):
            open_slots = [s for s in range(slots) if greedy[s] < capacity]
            if not open_slots:
                break
            slot = min(open_slots, key=lambda s: (greedy[s], s))
            greedy[slot] += 1
            expected.append(slot)
        assert sorted(handed) == sorted(expected)
    assert fast.slot_loads() == greedy
