"""Green-lane registrations: submit once, approve once (signed pass), reject, revoke, scope, audit, fleets."""

import base64
from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.core.errors import Conflict, DomainError, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.passes import selectors as passes
from phaodai.passes.codec import verify
from phaodai.vehicles import selectors, services
from phaodai.vehicles.models import GreenLane
from phaodai.vehicles.tests.conftest import CLOCK, NOW, at, green_lane_fields

pytestmark = pytest.mark.django_db


def test_a_registration_is_approved_once_and_carries_a_verifiable_vehicle_pass(
    register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = register()
    assert registration.status == "submitted" and registration.plate == "29C12345"
    approved = services.approve_green_lane(
        by=district_officer_long_bien, registration=registration, version=1, clock=CLOCK
    )
    assert approved.status == "approved" and approved.pass_code.startswith("PD1:")
    checked = verify(approved.pass_code, passes.trust_list(NOW), NOW)
    assert checked.error is None and checked.signature_ok and checked.payload is not None
    assert checked.payload["t"] == "vehicle" and checked.payload["pl"] == "29C-123.45"
    assert (
        checked.payload["og"] == "Công ty CP Vận tải Hà Nội" and checked.payload["id"] == approved.reference
    )
    with pytest.raises(Conflict):
        services.approve_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)


def test_a_stale_version_loses_and_a_decided_one_cannot_be_rejected(
    register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = register()
    services.reject_green_lane(
        by=district_officer_long_bien, registration=registration, version=1, note="Sai lộ trình", clock=CLOCK
    )
    with pytest.raises(Conflict) as refused:
        services.approve_green_lane(
            by=district_officer_long_bien, registration=registration, version=1, clock=CLOCK
        )
    assert refused.value.code == "not_awaiting_decision"
    other = register(plate="29C-555.55")
    with pytest.raises(Conflict) as stale:
        services.revoke_green_lane(by=district_officer_long_bien, registration=other, version=7, clock=CLOCK)
    assert stale.value.code == "registration_changed"


def test_revoking_ends_an_approved_registration_once(
    register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = services.approve_green_lane(
        by=district_officer_long_bien, registration=register(), clock=CLOCK
    )
    revoked = services.revoke_green_lane(
        by=district_officer_long_bien, registration=registration, note="Hết hợp đồng", clock=CLOCK
    )
    assert revoked.status == "revoked" and revoked.version == 3
    assert selectors.revoked_passes(NOW) == [registration.reference]
    with pytest.raises(Conflict) as again:
        services.revoke_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    assert again.value.code == "already_ended"


def test_a_resubmission_is_idempotent_and_a_clash_is_refused(register: Any) -> None:
    first = register()
    assert register().pk == first.pk
    assert GreenLane.objects.count() == 1
    with pytest.raises(DomainError) as clash:
        register(cargo="Vật liệu xây dựng")
    assert clash.value.code == "already_registered"
    with pytest.raises(DomainError) as overlap:
        register(valid_from=hanoi(2021, 9, 20))
    assert overlap.value.code == "already_registered" and first.reference in str(overlap.value.detail)


def test_an_idempotency_key_returns_the_first_registration(
    district_officer_long_bien: Any, unit: Any
) -> None:
    first, created = services.register_green_lane(
        by=district_officer_long_bien,
        unit=unit("004"),
        idempotency_key="k-1",
        clock=CLOCK,
        **green_lane_fields(),
    )
    again, created_again = services.register_green_lane(
        by=district_officer_long_bien,
        unit=unit("004"),
        idempotency_key="k-1",
        clock=CLOCK,
        **green_lane_fields(),
    )
    assert created and not created_again and again.pk == first.pk


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"plate": "ABC-123"}, "plate", "invalid_plate"),
        ({"plate": "29C-123.45\x00"}, "plate", "invalid_plate"),
        ({"plate": 2912345}, "plate", "invalid_plate"),
        ({"operator": ""}, "operator", "invalid_input"),
        ({"cargo": "x" * 121}, "cargo", "invalid_input"),
        ({"valid_to": hanoi(2021, 9, 9)}, "valid_to", "bad_period"),
        ({"valid_from": hanoi(2021, 9, 1), "valid_to": hanoi(2021, 9, 12)}, "valid_to", "bad_period"),
        ({"valid_to": hanoi(2022, 1, 10)}, "valid_to", "bad_period"),
        ({"valid_from": "2021-09-10"}, "valid_from", "invalid_input"),
        # its pass, signed today, would end 90 days on: before it starts
        (
            {"valid_from": hanoi(2021, 12, 14), "valid_to": hanoi(2022, 1, 10)},
            "valid_from",
            "starts_too_far_ahead",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    register: Any, changes: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(**changes)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert GreenLane.objects.count() == 0


def test_only_managers_of_the_unit_register_and_decide(
    register: Any, ward_officer_bo_de: Any, checkpoint_officer_ql6: Any, district_officer_ba_dinh: Any,
    unit: Any, signing_key: Any,
) -> None:  # fmt: skip
    with pytest.raises(NotPermitted):
        register(by=ward_officer_bo_de)
    with pytest.raises(NotPermitted):
        register(by=checkpoint_officer_ql6, unit=unit("268"))
    with pytest.raises(OutOfScope):
        register(by=district_officer_ba_dinh)
    registration = register()
    with pytest.raises(OutOfScope):
        services.approve_green_lane(by=district_officer_ba_dinh, registration=registration, clock=CLOCK)
    assert AuditEntry.objects.filter(action="scope.denied").count() == 2


def test_every_write_is_audited_without_personal_data(
    register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = register()
    services.approve_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    services.revoke_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    actions = list(
        AuditEntry.objects.filter(object_type="vehicles.greenlane")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "vehicles.green_lane_registered", "vehicles.green_lane_approved", "vehicles.green_lane_revoked"
    ]  # fmt: skip


FLEET = """Biển số;Đơn vị vận tải;Hàng hóa;Lộ trình;Từ ngày;Đến ngày
29C-123.45;;Rau củ;QL6 → Long Biên;10/09/2021;30/09/2021
29C-123.45;;Rau củ;QL6 → Long Biên;10/09/2021;30/09/2021
ABC-1;;Gạo;QL1;10/09/2021;30/09/2021
30A-543.21;Công ty Khác;Gạo;QL1 → Hoàng Mai;10/09/2021;31/09/2021
30A-543.22;;Gạo;QL1 → Hoàng Mai;10/09/2021;30/09/2021

29LD-111.22;;Thuốc;QL5;2021-09-12;2021-10-12
"""


def test_a_fleet_csv_keeps_every_good_row_and_reports_each_bad_one(
    district_officer_long_bien: Any, unit: Any
) -> None:
    result = services.import_fleet(
        by=district_officer_long_bien,
        unit=unit("004"),
        data=FLEET.encode(),
        operator="Công ty CP Vận tải Hà Nội",
        batch="fleet-1",
        clock=CLOCK,
    )
    assert sorted(r.plate for r in result.created) == ["29C12345", "29LD11122", "30A54322"]
    assert [(e.row, e.column) for e in result.errors] == [(3, "plate"), (4, "plate"), (5, "valid_to")]
    assert "row 2" in result.errors[0].message
    assert GreenLane.objects.get(plate="29C12345").operator == "Công ty CP Vận tải Hà Nội"
    again = services.import_fleet(
        by=district_officer_long_bien,
        unit=unit("004"),
        data=FLEET.encode(),
        operator="Công ty CP Vận tải Hà Nội",
        clock=CLOCK,
    )
    assert not again.created and len(again.already) == 3 and GreenLane.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe\x00b", "UTF-8"),
        (b"plate,cargo\n29C-123.45,x\n", "lacks the columns"),
        (b"x" * (1024 * 1024 + 1), "1 MB"),
        (
            'Biển số,Hàng hóa,Lộ trình,Từ ngày,Đến ngày\n"29C,x'.encode(),
            "not valid CSV",
        ),
    ],
)
def test_a_bad_fleet_file_is_refused_as_a_whole_with_the_reason(
    district_officer_long_bien: Any, unit: Any, data: bytes, fragment: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.import_fleet(by=district_officer_long_bien, unit=unit("004"), data=data, clock=CLOCK)
    assert fragment in str(refused.value.detail)


def test_approval_without_a_signing_key_changes_nothing(
    register: Any, district_officer_long_bien: Any
) -> None:
    registration = register()
    with pytest.raises(Conflict) as refused:
        services.approve_green_lane(by=district_officer_long_bien, registration=registration, clock=at(NOW))
    assert refused.value.code == "no_signing_key"
    registration.refresh_from_db()
    assert registration.status == "submitted" and not registration.pass_code
    assert base64  # the pass key fixture is what other tests use


def test_an_old_registration_starting_beyond_a_pass_lifetime_is_refused_on_approval(
    register: Any, district_officer_long_bien: Any, signing_key: Any
) -> None:
    registration = register()
    # stored before registration refused it: starts 100 days ahead
    GreenLane.objects.filter(pk=registration.pk).update(
        valid_from=hanoi(2021, 12, 23), valid_to=hanoi(2022, 1, 20)
    )
    registration.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        services.approve_green_lane(by=district_officer_long_bien, registration=registration, clock=CLOCK)
    assert (refused.value.code, refused.value.field) == ("starts_too_far_ahead", "valid_from")
    registration.refresh_from_db()
    assert registration.status == "submitted" and not registration.pass_code


def test_the_green_card_prints_the_end_of_its_signed_pass(
    register: Any, district_officer_long_bien: Any, signing_key: Any, monkeypatch: Any
) -> None:
    from phaodai.core.pdf import Document
    from phaodai.vehicles import cards

    # registered for 1/12 to 20/12, signed on 14/9: the pass ends 90 days after signing
    registration = register(valid_from=hanoi(2021, 12, 1), valid_to=hanoi(2021, 12, 20))
    approved = services.approve_green_lane(
        by=district_officer_long_bien, registration=registration, clock=CLOCK
    )
    payload = verify(approved.pass_code, passes.trust_list(NOW), NOW).payload
    assert payload is not None and payload["vt"] == "2021-12-13T02:00:00Z"
    printed: dict[str, str] = {}
    monkeypatch.setattr(
        Document, "line_of", lambda self, label, value: printed.__setitem__(str(label), value)
    )
    cards.green_card(approved)
    assert (printed["Valid from"], printed["Valid until"]) == ("01/12/2021 00:00", "13/12/2021 09:00")
