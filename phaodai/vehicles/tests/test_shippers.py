"""Shippers (S25): CCCD kept encrypted, a signed pass, hours checked by Hà Nội time of day."""

from typing import Any

import pytest

from phaodai.core.clock import hanoi
from phaodai.core.errors import DomainError, InvalidInput
from phaodai.core.models import AuditEntry
from phaodai.passes import selectors as passes
from phaodai.passes.codec import verify
from phaodai.passes.payload import PassPayload
from phaodai.vehicles import services
from phaodai.vehicles.models import Shipper
from phaodai.vehicles.tests.conftest import CLOCK, NOW, shipper_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipper(district_officer_long_bien: Any, unit: Any, signing_key: Any) -> Any:
    def make(**overrides: Any) -> Any:
        found, _created = services.register_shipper(
            by=district_officer_long_bien, unit=unit("004"), clock=CLOCK, **shipper_fields(**overrides)
        )
        return found

    return make


def test_the_cccd_is_never_stored_plain_and_the_pass_shows_it_masked(shipper: Any) -> None:
    rider = shipper()
    stored = Shipper.objects.filter(pk=rider.pk).values().get()
    assert "001095012345" not in repr(stored) and rider.cccd_last3 == "345" and rider.birth_year == 1995
    checked = verify(rider.pass_code, passes.trust_list(NOW), NOW)
    assert checked.signature_ok and checked.payload is not None and checked.payload["cc"] == "001******345"
    assert checked.payload["hr"] == ["06:00", "18:00"] and checked.payload["z"] == ["004", "00139"]
    audited = AuditEntry.objects.get(action="vehicles.shipper_registered")
    assert audited.object_id == str(rider.pk)
    assert "001095012345" not in repr(list(AuditEntry.objects.values()))


def test_one_standing_registration_per_person(shipper: Any) -> None:
    first = shipper()
    assert shipper(cccd="001 095 012 345").pk == first.pk
    with pytest.raises(DomainError) as clash:
        shipper(company="Công ty khác")
    assert clash.value.code == "shipper_already_registered"


@pytest.mark.parametrize(
    ("moment", "allowed", "code"),
    [
        (hanoi(2021, 9, 14, 5, 59, 59), False, "before_hours"),
        (hanoi(2021, 9, 14, 6, 0), True, "within_hours"),
        (hanoi(2021, 9, 14, 17, 59, 59), True, "within_hours"),
        (hanoi(2021, 9, 14, 18, 0), False, "after_hours"),
        (hanoi(2021, 9, 14, 23, 30), False, "after_hours"),
        (hanoi(2021, 10, 10, 12), False, "expired"),
        (hanoi(2021, 9, 9, 12), False, "not_yet_valid"),
    ],
)
def test_hours_are_checked_at_their_edges_in_hanoi_time(
    shipper: Any, moment: Any, allowed: bool, code: str
) -> None:
    rider = shipper()
    for subject in (
        rider,
        PassPayload.from_map(verify(rider.pass_code, passes.trust_list(NOW), NOW).payload),
    ):
        verdict = services.shipper_allowed(subject, moment)
        assert (verdict.allowed, verdict.reasons[0][0]) == (allowed, code)


def test_utc_instants_are_read_on_the_hanoi_clock(shipper: Any) -> None:
    rider = shipper()
    # 23:30 UTC on the 13th is 06:30 on the 14th in Hà Nội
    from datetime import UTC, datetime

    assert services.shipper_allowed(rider, datetime(2021, 9, 13, 23, 30, tzinfo=UTC)).allowed


def test_a_revoked_shipper_is_refused_with_the_reason(shipper: Any, district_officer_long_bien: Any) -> None:
    rider = services.revoke_shipper(by=district_officer_long_bien, shipper=shipper(), clock=CLOCK)
    verdict = services.shipper_allowed(rider, hanoi(2021, 9, 14, 9))
    assert not verdict.allowed and verdict.reasons[0][0] == "shipper_revoked"
    assert "revoked" in services.reasons(verdict)[0]["message"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cccd": "12345"}, "cccd"),
        ({"cccd": "999095012345"}, "cccd"),
        ({"hours_start": "6h"}, "hours_start"),
        ({"hours_end": "24:00"}, "hours_end"),
        ({"hours_start": "18:00", "hours_end": "06:00"}, "hours_end"),
        ({"zones": "99999"}, "zones"),
        ({"zones": "01"}, "zones"),
        ({"zones": ""}, "zones"),
        ({"plate": "29-XYZ"}, "plate"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_bad_shippers_are_refused(shipper: Any, changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        shipper(**changes)
    assert refused.value.field == field and Shipper.objects.count() == 0
