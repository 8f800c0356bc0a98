"""The Long Biên scenario of September 2021 (S2–S5), replayed through the real services."""

from datetime import datetime
from typing import Any

import pytest
from django.core.management import call_command

from phaodai.core.clock import hanoi
from phaodai.demo.scenarios import BO_DE, LATE_WARD, long_bien_2021_09
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

pytestmark = pytest.mark.django_db


def quiet(_line: str) -> None:
    """Swallow the scenario's progress lines."""


def area_of(code: str) -> Any:
    area = territory.area_by_code(code)
    assert area is not None
    return area


def unit_of(code: str) -> Any:
    unit = territory.unit_by_code(code)
    assert unit is not None
    return unit


def placed(place: Any, at: datetime, *, unit: bool = False) -> Any:
    placement = zoning.placement_of_unit(place, at) if unit else zoning.placement_of_area(place, at)
    assert placement is not None
    return placement


def item_of(placement: Any, area: Any) -> Any:
    return next(i for i in zoning.items_of(placement.decision.proposal) if i.area_id == area.pk)


@pytest.fixture
def scenario() -> Any:
    return long_bien_2021_09(write=quiet)


def test_a_bo_de_area_switches_from_ct17_to_the_approved_regime_at_six_on_9_september(scenario: Any) -> None:
    # given the district approved the wards' proposals on 08/9, effective 06:00 09/9/2021
    area = area_of(scenario.changed_area)
    assert area.ward.code == BO_DE
    # when the area is looked up just before and at six
    before = placed(area, hanoi(2021, 9, 9, 5, 59))
    after = placed(area, hanoi(2021, 9, 9, 6, 0))
    # then the city-wide 17/CT-UBND holds until six, the district's decision from six
    assert before.regime.code == "CT17-HN"
    assert before.decision.number == "17/CT-UBND"
    assert (after.level.code, after.regime.code) == ("KV1", "CT17-HN")
    assert after.decision.issued_by.code == "004"
    assert after.since == hanoi(2021, 9, 9, 6, 0)


def test_the_district_changed_one_area_with_a_reason(scenario: Any) -> None:
    area = area_of(scenario.changed_area)
    placement = placed(area, hanoi(2021, 9, 10, 12, 0))
    item = item_of(placement, area)
    assert (item.proposed_level.code, item.decided_level.code) == ("KV2", "KV1")
    assert item.district_reason
    assert placement.assignment.reason == item.district_reason


def test_the_ward_raised_one_area_with_a_justification(scenario: Any) -> None:
    area = area_of(scenario.ward_changed_area)
    placement = placed(area, hanoi(2021, 9, 10, 12, 0))
    item = item_of(placement, area)
    assert (item.suggested_level.code, item.proposed_level.code) == ("KV3", "KV2")
    assert item.justification
    assert placement.regime.code == "CT15+"


def test_fourteen_wards_submitted_one_late_and_all_were_decided(scenario: Any) -> None:
    district = unit_of("004")
    round_ = zoning.rounds_for_district(district).get()
    proposals = list(zoning.proposals_of(round_))
    assert len(proposals) == 14
    assert {p.status for p in proposals} == {"decided"}
    assert [p.ward.code for p in proposals if p.late] == [LATE_WARD]
    every_area = territory.areas_within(district).count()
    decided = sum(zoning.assignments_of(p.decision).count() for p in proposals)
    assert decided == every_area


def test_every_level_of_the_table_is_in_force_in_bo_de_on_10_september(scenario: Any) -> None:
    areas = list(territory.areas_of(unit_of(BO_DE)))
    placements = zoning.placements_of_areas(areas, hanoi(2021, 9, 10, 12, 0))
    assert {p.level.code for p in placements.values() if p and p.level} == {"KV1", "KV2", "KV3"}


def test_another_district_stays_under_ct17(scenario: Any) -> None:
    phuc_xa = unit_of("00001")  # Ba Đình
    assert placed(phuc_xa, hanoi(2021, 9, 10, 12, 0), unit=True).regime.code == "CT17-HN"


def test_running_the_scenario_again_changes_nothing(scenario: Any) -> None:
    counts = (zoning.decisions().count(), territory.areas_within(territory.city()).count())
    call_command("scenario", "long-bien-2021-09", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (zoning.decisions().count(), territory.areas_within(territory.city()).count()) == counts
