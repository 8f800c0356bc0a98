"""Time: stored in UTC, reasoned about on Hà Nội's wall clock, with regimes switching at 06:00."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection

from phaodai.core import audit
from phaodai.core.clock import (
    HANOI,
    ImplausibleDay,
    hanoi,
    local_date,
    local_day_bounds,
    next_local_time,
    now,
    to_local,
)
from phaodai.core.models import AuditEntry


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_next_six_oclock_late_in_the_evening_is_tomorrow_morning():
    assert next_local_time(hanoi(2021, 9, 8, 23, 30)) == hanoi(2021, 9, 9, 6, 0)


def test_next_six_oclock_across_local_midnight_when_utc_is_still_the_day_before():
    # 00:30 on 9 September in Hà Nội is 17:30 UTC on the 8th: the switch is six hours later, not a day.
    after = utc(2021, 9, 8, 17, 30)
    assert next_local_time(after) == hanoi(2021, 9, 9, 6, 0) == utc(2021, 9, 8, 23, 0)


def test_next_six_oclock_in_the_small_hours_is_the_same_morning():
    assert next_local_time(hanoi(2021, 9, 9, 5, 59, 59)) == hanoi(2021, 9, 9, 6, 0)


def test_at_exactly_six_the_next_six_is_tomorrow():
    # "Strictly after": a decision taken at 06:00 sharp waits for the next 06:00.
    assert next_local_time(hanoi(2021, 9, 9, 6, 0)) == hanoi(2021, 9, 10, 6, 0)
    assert next_local_time(hanoi(2021, 9, 9, 6, 0) + timedelta(microseconds=1)) == hanoi(2021, 9, 10, 6, 0)


def test_next_local_time_takes_any_wall_clock_time_and_returns_hanoi_time():
    moment = next_local_time(utc(2021, 9, 9, 2, 0), time(16, 30))  # 09:00 in Hà Nội
    assert moment == hanoi(2021, 9, 9, 16, 30)
    assert moment.utcoffset() == timedelta(hours=7)


def test_next_local_time_across_the_end_of_a_year():
    assert next_local_time(hanoi(2021, 12, 31, 20, 0)) == hanoi(2022, 1, 1, 6, 0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        next_local_time(datetime(2021, 9, 9, 6, 0))
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2021, 9, 9, 6, 0))


def test_daily_counts_are_bucketed_by_the_hanoi_date():
    assert local_date(utc(2021, 9, 8, 16, 59, 59)) == date(2021, 9, 8)
    assert local_date(utc(2021, 9, 8, 17, 0)) == date(2021, 9, 9)


def test_a_hanoi_day_runs_from_local_midnight_to_local_midnight():
    start, end = local_day_bounds(date(2021, 9, 9))
    assert (start, end) == (utc(2021, 9, 8, 17, 0), utc(2021, 9, 9, 17, 0))


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31), date(1899, 12, 31), date(2201, 1, 1)])
def test_a_day_outside_the_plausible_years_is_refused_not_an_overflow(day):
    with pytest.raises(ImplausibleDay) as refused:
        local_day_bounds(day)
    assert refused.value.status == 422 and refused.value.code == "implausible_day"
    assert local_day_bounds(date(2200, 12, 31))[1] == utc(2200, 12, 31, 17, 0)


def test_now_is_aware_utc_and_follows_a_frozen_clock():
    with time_machine.travel(hanoi(2021, 9, 9, 6, 0), tick=False):
        assert now() == utc(2021, 9, 8, 23, 0)
        assert now().utcoffset() == timedelta(0)
        assert next_local_time(now()) == hanoi(2021, 9, 10, 6, 0)


def test_instants_are_stored_in_utc_and_read_back_as_the_same_instant(db):
    entry = audit.record(
        actor=None, action="test.time", object_type="test.thing", clock=lambda: hanoi(2021, 9, 9, 6, 0)
    )
    stored = AuditEntry.objects.get(pk=entry.pk).at
    assert stored == hanoi(2021, 9, 9, 6, 0)
    assert stored.utcoffset() == timedelta(0)
    assert to_local(stored).tzinfo == HANOI
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM core_auditentry")
        else:
            cursor.execute("SELECT at FROM core_auditentry")
        assert str(cursor.fetchone()[0])[:16] == "2021-09-08 23:00"
