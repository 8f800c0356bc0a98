"""What testing tells zoning (tests and positivity over 7 days per area) and the situation report."""

from datetime import timedelta

import pytest

from phaodai.diagnostics import providers
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING
from phaodai.sitreps import prefill
from phaodai.zoning import indicators

pytestmark = pytest.mark.django_db

AT = SEPT_10_MORNING + timedelta(days=1)


def facts(area):
    return indicators.AreaFacts(
        id=area.pk, code=area.code, kind=area.kind, population=area.population, shared_sanitation=False
    )


def test_zoning_reads_tests_and_positivity_of_the_last_7_days_per_area(
    sampled_person, resident, bo_de_area, bo_de_area_2, phuc_xa_area
):
    sampled_person(1, outcome="positive")
    sampled_person(2, outcome="negative")
    sampled_person(3, outcome="negative")
    sampled_person(4)  # pending: a test taken, not yet a result
    sampled_person(5, outcome="negative", collected_at=SEPT_10_MORNING - timedelta(days=8))  # too old
    values = indicators.gather([facts(bo_de_area), facts(bo_de_area_2), facts(phuc_xa_area)], AT)
    assert values[bo_de_area.pk]["tests_7d"] == 4
    assert values[bo_de_area.pk]["test_positivity_7d_pct"] == 33.3
    # another area of a ward that tests here: nobody tested there (0), no positivity to give
    assert values[bo_de_area_2.pk]["tests_7d"] == 0
    assert "test_positivity_7d_pct" not in values[bo_de_area_2.pk]
    # a ward without any sample keeps what it enters by hand
    assert "tests_7d" not in values[phuc_xa_area.pk]


def test_a_pool_member_waiting_for_retest_is_not_a_result(sampled_person, bo_de_area):
    sampled_person(1, outcome="retest")
    sampled_person(2, outcome="negative")
    values = providers.zoning_values([facts(bo_de_area)], AT)
    assert values[bo_de_area.pk] == {"tests_7d": 2, "test_positivity_7d_pct": 0.0}


def test_the_report_gets_tests_taken_positive_and_pending_for_units_that_test_here(sampled_person, unit):
    start, end = SEPT_10_MORNING - timedelta(hours=3), SEPT_10_MORNING + timedelta(hours=9)
    sampled_person(1, outcome="positive")
    sampled_person(2, outcome="negative")
    sampled_person(3)  # pending
    sampled_person(4, collected_at=start - timedelta(days=1))  # taken before the slot, still pending
    sampled_person(5, collected_at=start - timedelta(days=20))  # lost: not counted as pending
    units = [unit("00139"), unit("004"), unit("00001")]
    values = prefill.known_values(units, start, end, ["tests_taken", "tests_positive", "results_pending"])
    expected = {"tests_taken": 3, "tests_positive": 1, "results_pending": 2}
    assert values[unit("00139").pk] == expected
    assert values[unit("004").pk] == expected
    # Phúc Xá has no sample in the last 7 days: nothing prefilled, the reporter types the figures
    assert values[unit("00001").pk] == {}
