"""The shipped checkpoint list: S22's 22 gateways and 33 district checkpoints, on real units only."""

from collections import Counter

import pytest

from phaodai.checkpoints import rules
from phaodai.checkpoints.reference import shipped_checkpoints
from phaodai.territory.models import Unit

ROWS = shipped_checkpoints()


def test_the_counts_are_s22s() -> None:
    assert Counter(row.kind for row in ROWS) == {rules.CITY_GATEWAY: 22, rules.DISTRICT: 33}
    assert len({row.code for row in ROWS}) == len(ROWS)


def test_the_named_roads_of_s24_and_the_gateways_roads_are_there() -> None:
    roads = {row.road for row in ROWS}
    for road in ("QL6", "QL21B", "Phùng Hưng", "Lê Trọng Tấn", "Tố Hữu", "Trục phía Nam", "QL1A", "QL2",
                 "QL3", "QL5", "QL18", "QL32", "Cao tốc Pháp Vân – Cầu Giẽ", "Đại lộ Thăng Long",
                 "Cao tốc Nội Bài – Lào Cai", "Cao tốc Hà Nội – Hải Phòng"):  # fmt: skip
        assert road in roads, road
    assert all(row.neighbouring_province for row in ROWS if row.kind == rules.CITY_GATEWAY)


@pytest.mark.django_db
def test_every_unit_is_real_and_each_ward_lies_in_its_district() -> None:
    units = {unit.code: unit for unit in Unit.objects.select_related("parent")}
    for row in ROWS:
        district, ward = units[row.unit_code], units[row.ward_code]
        assert district.level == "district" and ward.parent_id == district.pk, row.code
        assert rules.managing_level_allowed(row.kind, district.level)
        if row.other_side_code:
            assert units[row.other_side_code].level == "district" and row.other_side_code != row.unit_code
