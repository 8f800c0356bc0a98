"""Scoped reads: a district sees its checkpoints, a checkpoint officer those of their unit, the city all;
the other side of a boundary reads; anything else is 404 and logged."""

from typing import Any

import pytest
from django.http import Http404

from phaodai.checkpoints import selectors
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def codes(rows: Any) -> list[str]:
    return [row.code for row in rows]


def test_each_reader_sees_the_checkpoints_of_their_units(
    ql6: Any, chuong_duong: Any, checkpoint_of: Any, city_commander: Any, district_officer_long_bien: Any,
    checkpoint_officer_ql6: Any,
) -> None:  # fmt: skip
    gia_lam = checkpoint_of("018", code="018-01", name="Chốt QL5 Trâu Quỳ", road="QL5", other_side="004")
    assert codes(selectors.search_checkpoints(city_commander)) == ["004-01", "018-01", "268-01"]
    # Long Biên reads its own, and Gia Lâm's QL5 checkpoint whose other side it is.
    assert codes(selectors.search_checkpoints(district_officer_long_bien)) == ["004-01", "018-01"]
    assert codes(selectors.search_checkpoints(checkpoint_officer_ql6)) == ["268-01"]
    assert selectors.may_manage(city_commander, gia_lam)
    assert not selectors.may_manage(district_officer_long_bien, gia_lam)


def test_filters(ql6: Any, chuong_duong: Any, checkpoint_of: Any, city_commander: Any) -> None:
    checkpoint_of("277", code="CN-05", kind="city_gateway", name="Chốt cửa ngõ QL6 Xuân Mai")
    assert codes(selectors.search_checkpoints(city_commander, kind="city_gateway")) == ["CN-05"]
    assert codes(selectors.search_checkpoints(city_commander, district="268")) == ["268-01"]
    assert codes(selectors.search_checkpoints(city_commander, query="ql6")) == ["268-01", "CN-05"]
    assert codes(selectors.search_checkpoints(city_commander, query="chuong duong")) == ["004-01"]
    assert codes(selectors.search_checkpoints(city_commander, query="cn-05")) == ["CN-05"]


def test_a_checkpoint_outside_is_404_and_the_attempt_logged(
    ql6: Any, district_officer_long_bien: Any, ward_officer_bo_de: Any
) -> None:
    with pytest.raises(Http404):
        selectors.checkpoint_for(district_officer_long_bien, ql6.pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(ql6.pk)).exists()
    assert not selectors.is_reader(ward_officer_bo_de)
    with pytest.raises(Http404):
        selectors.checkpoint_for(ward_officer_bo_de, 999999)


def test_districts_of_a_reader(
    city_commander: Any, district_officer_long_bien: Any, checkpoint_officer_ql6: Any
) -> None:
    assert len(selectors.districts_of(city_commander)) == 30
    assert [d.code for d in selectors.districts_of(district_officer_long_bien)] == ["004"]
    assert [d.code for d in selectors.districts_of(checkpoint_officer_ql6)] == ["268"]
    with pytest.raises(Http404):
        selectors.district_for(district_officer_long_bien, "268")
    assert selectors.district_for(city_commander, "268").code == "268"


def test_managing_units_are_the_managers_districts_and_wards(district_officer_long_bien: Any) -> None:
    units = selectors.managing_units(district_officer_long_bien)
    assert units[0].code == "004" and len(units) == 15
    assert all(u.path.startswith("/01/004/") for u in units)
