"""Turnaround (S18: results within 24 h) per laboratory and district, and samples waiting past 24 h."""

from datetime import date, timedelta

import pytest

from phaodai.diagnostics import selectors, turnaround
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at, make_lab


def test_the_median_reads_each_result_as_the_middle_of_its_hour():
    assert turnaround.median_from_histogram({}) is None
    assert turnaround.median_from_histogram({5: 1}) == 5.5
    assert turnaround.median_from_histogram({2: 2, 30: 2}) == 16.5
    assert turnaround.median_from_histogram({10: 1, 20: 3}) == 20.5
    assert turnaround.median_from_histogram({1: 1, 2: 1, 40: 1}) == 2.5


@pytest.mark.django_db
def test_share_within_24_hours_counts_late_waiting_samples(
    district_officer_long_bien, ward_officer_phuc_xa, sampled_person, lab_cdc
):
    other_lab = make_lab("BV-TN", "Bệnh viện Thanh Nhàn", "01")
    hours = [3, 10, 23, 30]
    for n, h in enumerate(hours):
        sampled_person(n, outcome="negative", resulted_at=SEPT_10_MORNING + timedelta(hours=h))
    sampled_person(10, collected_at=SEPT_10_MORNING - timedelta(days=2))  # waiting for 2 days: late
    sampled_person(11, collected_at=SEPT_10_MORNING + timedelta(hours=20))  # waiting, not yet due
    sampled_person(12, lab=other_lab, outcome="positive", resulted_at=SEPT_10_MORNING + timedelta(hours=2))
    clock = at(SEPT_10_MORNING + timedelta(hours=36))
    rows = {
        row.label: row
        for row in turnaround.by_lab(
            district_officer_long_bien, date(2021, 9, 1), date(2021, 9, 11), clock=clock
        )
    }
    cdc = rows["CDC Hà Nội"]
    assert (cdc.counted, cdc.within, cdc.waiting_late, cdc.within_pct) == (5, 3, 1, 60.0)
    assert cdc.median_hours == 17.0  # 3, 10, 23 and 30 h
    assert rows["Bệnh viện Thanh Nhàn"].within_pct == 100.0
    [district] = turnaround.by_district(
        district_officer_long_bien, date(2021, 9, 1), date(2021, 9, 11), clock=clock
    )
    assert (district.label, district.counted, district.within) == ("Quận Long Biên", 6, 4)
    # outside the district: nothing
    assert turnaround.by_lab(ward_officer_phuc_xa, date(2021, 9, 1), date(2021, 9, 11), clock=clock) == []


@pytest.mark.django_db
def test_waiting_samples_are_listed_oldest_first_by_keyset(
    district_officer_long_bien, sampled_person, lab_cdc
):
    for n in range(5):
        sampled_person(n, collected_at=SEPT_10_MORNING - timedelta(hours=30 + n))
    before = SEPT_10_MORNING - timedelta(hours=24)
    first = selectors.waiting_since(district_officer_long_bien, before, limit=3)
    assert [s.code for s in first.items] == ["HN-0000004", "HN-0000003", "HN-0000002"]
    assert first.next_after is not None
    moment, _, pk = first.next_after.partition("|")
    from datetime import datetime

    rest = selectors.waiting_since(
        district_officer_long_bien, before, (datetime.fromisoformat(moment), int(pk)), limit=3
    )
    assert [s.code for s in rest.items] == ["HN-0000001", "HN-0000000"]
    assert rest.next_after is None
