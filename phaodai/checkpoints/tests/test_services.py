"""Registering and changing checkpoints: one focal unit, the kind's managing level, scope, versions."""

from typing import Any

import pytest

from phaodai.checkpoints import services
from phaodai.checkpoints.errors import (
    BoundaryHasFocalUnit,
    CheckpointChanged,
    CheckpointCodeTaken,
    NotManagingHere,
    OtherSideLevel,
    ProvinceNotForKind,
    ProvinceRequired,
    SidesMustDiffer,
    WrongManagingLevel,
)
from phaodai.checkpoints.models import Checkpoint
from phaodai.checkpoints.tests.conftest import CLOCK, OPENED, fields
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_district_officer_registers_a_checkpoint_of_its_district_with_an_audit_entry(
    district_officer_long_bien: Any, unit: Any
) -> None:
    made = services.register_checkpoint(
        by=district_officer_long_bien, unit=unit("004"), clock=CLOCK,
        **fields(code="004-01", name="  Chốt đầu cầu Chương Dương ", road="Nguyễn Văn Cừ"),
    )  # fmt: skip
    assert (made.code, made.name, made.unit_path, made.status) == (
        "004-01", "Chốt đầu cầu Chương Dương", "/01/004/", "active",
    )  # fmt: skip
    assert made.boundary_key == "" and made.other_side is None
    assert AuditEntry.objects.filter(action="checkpoints.register", object_id=str(made.pk)).exists()


def test_a_gateway_is_run_by_the_district_it_stands_in_not_by_the_city_or_a_ward(
    city_commander: Any, unit: Any
) -> None:
    gateway = fields(code="CN-05", kind="city_gateway", neighbouring_province="Hòa Bình")
    made = services.register_checkpoint(by=city_commander, unit=unit("277"), clock=CLOCK, **gateway)
    assert made.kind == "city_gateway" and made.unit.code == "277"
    with pytest.raises(WrongManagingLevel) as refused:
        services.register_checkpoint(
            by=city_commander, unit=unit("01"), clock=CLOCK, **{**gateway, "code": "X"}
        )
    assert str(refused.value) == (
        "A checkpoint of this kind (City gateway (chốt cửa ngõ Thành phố)) is run by a district; "
        "Thành phố Hà Nội is not one."
    )
    assert refused.value.field == "unit"
    with pytest.raises(WrongManagingLevel):
        services.register_checkpoint(
            by=city_commander, unit=unit("10018"), clock=CLOCK, **{**gateway, "code": "Y"}
        )


def test_a_ward_checkpoint_needs_a_ward_and_a_residential_one_too(city_commander: Any, unit: Any) -> None:
    with pytest.raises(WrongManagingLevel):
        services.register_checkpoint(by=city_commander, unit=unit("268"), clock=CLOCK, **fields(kind="ward"))
    made = services.register_checkpoint(
        by=city_commander, unit=unit("09562"), clock=CLOCK, **fields(kind="residential", code="09562-01")
    )
    assert made.unit_path == "/01/268/09562/"


def test_between_two_wards_one_focal_unit_names_the_other_side_and_the_other_cannot_register_it_too(
    city_commander: Any, district_officer_long_bien: Any, unit: Any
) -> None:
    # Bồ Đề sets up the checkpoint on the street it shares with Ngọc Lâm.
    on_boundary = fields(
        kind="ward", code="00139-01", road="Nguyễn Văn Cừ", location="Giáp ranh Bồ Đề – Ngọc Lâm"
    )
    made = services.register_checkpoint(
        by=district_officer_long_bien,
        unit=unit("00139"),
        other_side=unit("00133"),
        clock=CLOCK,
        **on_boundary,
    )
    assert made.other_side is not None
    assert (made.unit.code, made.other_side.code, made.other_side_path) == (
        "00139",
        "00133",
        "/01/004/00133/",
    )
    # Ngọc Lâm, registering the same place from its side, is told who the focal unit is.
    with pytest.raises(BoundaryHasFocalUnit) as refused:
        services.register_checkpoint(
            by=district_officer_long_bien, unit=unit("00133"), other_side=unit("00139"), clock=CLOCK,
            **{**on_boundary, "code": "00133-01", "road": " nguyen van cu "},
        )  # fmt: skip
    assert "Phường Bồ Đề is already the focal unit of checkpoint 00139-01" in str(refused.value)
    # Another road on the same boundary is another place.
    other = services.register_checkpoint(
        by=district_officer_long_bien, unit=unit("00133"), other_side=unit("00139"), clock=CLOCK,
        **{**on_boundary, "code": "00133-02", "road": "Ngọc Lâm"},
    )  # fmt: skip
    assert other.boundary_key != made.boundary_key


def test_a_closed_boundary_checkpoint_frees_the_place(district_officer_long_bien: Any, unit: Any) -> None:
    on_boundary = fields(kind="ward", code="00139-01", road="Nguyễn Văn Cừ")
    made = services.register_checkpoint(
        by=district_officer_long_bien,
        unit=unit("00139"),
        other_side=unit("00133"),
        clock=CLOCK,
        **on_boundary,
    )
    services.update_checkpoint(
        by=district_officer_long_bien, checkpoint=made, version=1, other_side=unit("00133"), clock=CLOCK,
        **{**on_boundary, "status": "closed", "active_until": hanoi(2021, 9, 21, 6)},
    )  # fmt: skip
    again = services.register_checkpoint(
        by=district_officer_long_bien, unit=unit("00133"), other_side=unit("00139"), clock=CLOCK,
        **{**on_boundary, "code": "00133-01"},
    )  # fmt: skip
    assert again.unit.code == "00133"


@pytest.mark.parametrize(
    ("other", "error"),
    [("00139", SidesMustDiffer), ("004", OtherSideLevel)],
)
def test_the_other_side_is_another_unit_of_the_same_level(
    district_officer_long_bien: Any, unit: Any, other: str, error: type[InvalidInput]
) -> None:
    with pytest.raises(error) as refused:
        services.register_checkpoint(
            by=district_officer_long_bien, unit=unit("00139"), other_side=unit(other), clock=CLOCK,
            **fields(kind="ward"),
        )  # fmt: skip
    assert refused.value.field == "other_side"


def test_the_neighbouring_province_belongs_to_border_kinds(city_commander: Any, unit: Any) -> None:
    with pytest.raises(ProvinceRequired):
        services.register_checkpoint(
            by=city_commander, unit=unit("277"), clock=CLOCK, **fields(kind="province_border")
        )
    with pytest.raises(ProvinceNotForKind):
        services.register_checkpoint(
            by=city_commander, unit=unit("268"), clock=CLOCK, **fields(neighbouring_province="Hòa Bình")
        )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"code": "chốt 1"}, "code", "A code is 1 to 20 letters"),
        ({"name": "   "}, "name", "This field is required."),
        ({"location": "x" * 301}, "location", "At most 300 characters."),
        ({"kind": "airport"}, "kind", "Choose one of the kinds"),
        ({"latitude": "20.97"}, "longitude", "Give both latitude and longitude"),
        ({"latitude": "91", "longitude": "105.7"}, "latitude", "between -90 and 90"),
        ({"latitude": "abc", "longitude": "105.7"}, "latitude", "decimal degrees"),
        ({"active_from": None}, "active_from", "This field is required."),
        ({"active_until": OPENED}, "active_until", "must close after it opens"),
        ({"status": "paused"}, "status", "Choose one of the statuses."),
    ],
)
def test_bad_details_are_refused_beside_their_field(
    city_commander: Any, unit: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.register_checkpoint(by=city_commander, unit=unit("268"), clock=CLOCK, **fields(**overrides))
    assert refused.value.field == field and message in str(refused.value)


def test_coordinates_are_kept_to_six_decimals(city_commander: Any, unit: Any) -> None:
    made = services.register_checkpoint(
        by=city_commander, unit=unit("268"), clock=CLOCK, **fields(latitude="20.97123456", longitude=105.7)
    )
    made.refresh_from_db()
    assert (str(made.latitude), str(made.longitude)) == ("20.971235", "105.700000")


def test_codes_are_unique(ql6: Any, city_commander: Any, unit: Any) -> None:
    with pytest.raises(CheckpointCodeTaken):
        services.register_checkpoint(
            by=city_commander, unit=unit("004"), clock=CLOCK, **fields(code="268-01")
        )


def test_outside_the_managers_units_is_404_and_without_the_role_403(
    district_officer_long_bien: Any, checkpoint_officer_ql6: Any, ward_officer_bo_de: Any, unit: Any
) -> None:
    with pytest.raises(OutOfScope):
        services.register_checkpoint(by=district_officer_long_bien, unit=unit("268"), clock=CLOCK, **fields())
    assert AuditEntry.objects.filter(action="scope.denied", object_id="268").exists()
    for user in (checkpoint_officer_ql6, ward_officer_bo_de):
        with pytest.raises(NotPermitted):
            services.register_checkpoint(by=user, unit=unit("268"), clock=CLOCK, **fields())
    assert not Checkpoint.objects.exists()


def test_changes_are_compare_and_set(ql6: Any, city_commander: Any, unit: Any) -> None:
    kept = {**fields(), "other_side": unit("277")}
    changed = services.update_checkpoint(
        by=city_commander, checkpoint=ql6, version=1, clock=CLOCK, **{**kept, "status": "suspended"}
    )
    assert (changed.status, changed.version) == ("suspended", 2)
    with pytest.raises(CheckpointChanged):
        services.update_checkpoint(by=city_commander, checkpoint=ql6, version=1, clock=CLOCK, **kept)
    assert Checkpoint.objects.get(pk=ql6.pk).status == "suspended"


def test_only_the_focal_units_managers_change_a_checkpoint(
    ql6: Any, district_officer_long_bien: Any, checkpoint_officer_ql6: Any, unit: Any
) -> None:
    # Chương Mỹ's side reads it but does not manage; Long Biên does not reach it; a checkpoint officer
    # has no managing role at all.
    from phaodai.accounts.roles import Role
    from phaodai.accounts.services import create_user

    chuong_my = create_user(
        username="district-277", password=None, role=Role.DISTRICT_OFFICER, unit=unit("277")
    )
    kept = {**fields(), "other_side": unit("277")}
    with pytest.raises(NotManagingHere):
        services.update_checkpoint(by=chuong_my, checkpoint=ql6, version=1, clock=CLOCK, **kept)
    with pytest.raises(OutOfScope):
        services.update_checkpoint(
            by=district_officer_long_bien, checkpoint=ql6, version=1, clock=CLOCK, **kept
        )
    with pytest.raises(NotPermitted):
        services.update_checkpoint(by=checkpoint_officer_ql6, checkpoint=ql6, version=1, clock=CLOCK, **kept)


def test_in_operation_follows_status_and_period(ql6: Any) -> None:
    assert ql6.in_operation(hanoi(2021, 9, 14, 9))
    assert not ql6.in_operation(hanoi(2021, 8, 23, 5, 59))
    ql6.active_until = hanoi(2021, 9, 21, 6)
    assert not ql6.in_operation(hanoi(2021, 9, 21, 6))
    ql6.status = "suspended"
    assert not ql6.in_operation(hanoi(2021, 9, 14, 9))
