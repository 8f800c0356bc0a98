"""Crossings per checkpoint and Hà Nội hour: totals, denials by failed rule, the peak; in few queries."""

from datetime import date
from typing import Any

import pytest

from phaodai.checkpoints import selectors, services, stats
from phaodai.checkpoints.tests.conftest import CLOCK, denied, entry
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db
DAY = date(2021, 9, 14)


@pytest.fixture
def traffic(ql6: Any, checkpoint_of: Any, checkpoint_officer_ql6: Any) -> Any:
    """Hà Đông's QL6: 3 crossings at 07h (1 denied), 4 at 08h (2 denied); Trục phía Nam: 2 at 07h;
    and one at 23:30 on 13/9, Hà Nội time (16:30 UTC), which belongs to the day before."""
    south = checkpoint_of("268", code="268-06", name="Chốt Trục phía Nam", road="Trục phía Nam")
    entries = [
        entry(ql6, "a1", at=hanoi(2021, 9, 14, 7, 5)),
        entry(ql6, "a2", at=hanoi(2021, 9, 14, 7, 59)),
        denied(ql6, "a3", hanoi(2021, 9, 14, 7, 30), "PD-PERMIT-0001"),
        entry(ql6, "b1", at=hanoi(2021, 9, 14, 8, 0)),
        entry(ql6, "b2", at=hanoi(2021, 9, 14, 8, 45)),
        denied(ql6, "b3", hanoi(2021, 9, 14, 8, 10), "PD-PERMIT-0001", "PD-DECL-0001"),
        denied(ql6, "b4", hanoi(2021, 9, 14, 8, 20), "PD-PERMIT-0001"),
        entry(ql6, "z", at=hanoi(2021, 9, 13, 23, 30)),
        entry(south, "s1", at=hanoi(2021, 9, 14, 7, 10)),
        entry(south, "s2", at=hanoi(2021, 9, 14, 7, 20)),
    ]
    results = services.sync_crossings(by=checkpoint_officer_ql6, device_id="p", entries=entries, clock=CLOCK)
    assert all(r.status == "created" for r in results), results
    return south


def test_a_checkpoints_day_by_hanoi_hour_with_its_peak_and_denials_by_reason(
    ql6: Any, traffic: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(2):
        day = stats.checkpoint_day(ql6, DAY)
    busy = [(h.hour, h.crossings, h.denied) for h in day.hours if h.crossings]
    assert day.peak is not None
    assert busy == [(7, 3, 1), (8, 4, 2)]
    assert (day.crossings, day.denied, day.peak.hour, day.peak.crossings) == (7, 3, 8, 4)
    assert [(r.rule_id, r.count) for r in day.reasons] == [("PD-PERMIT-0001", 3), ("PD-DECL-0001", 1)]
    assert day.reasons[0].description == "Rule PD-PERMIT-0001"
    before = stats.checkpoint_day(ql6, date(2021, 9, 13))
    assert [(h.hour, h.crossings) for h in before.hours if h.crossings] == [(23, 1)]


def test_a_districts_day_together_and_per_checkpoint(
    ql6: Any, traffic: Any, checkpoint_officer_ql6: Any, django_assert_max_num_queries: Any
) -> None:
    checkpoints = selectors.search_checkpoints(checkpoint_officer_ql6, district="268")
    with django_assert_max_num_queries(2):
        overall, rows = stats.unit_day(checkpoints, "/01/268/", DAY)
    assert overall.peak is not None and (overall.crossings, overall.denied, overall.peak.hour) == (9, 3, 7)
    peaks = [
        (row.checkpoint.code, row.stats.crossings, row.stats.peak and row.stats.peak.hour) for row in rows
    ]
    assert peaks == [
        ("268-01", 7, 8),
        ("268-06", 2, 7),
    ]
    assert [r.rule_id for r in overall.reasons] == ["PD-PERMIT-0001", "PD-DECL-0001"]


def test_a_quiet_day_has_no_peak(ql6: Any) -> None:
    day = stats.checkpoint_day(ql6, DAY)
    assert (day.crossings, day.peak, day.reasons) == (0, None, [])
