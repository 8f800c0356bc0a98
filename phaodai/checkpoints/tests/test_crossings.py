"""The crossing log: recorded once per device record, re-syncs harmless, append-only, scoped."""

from datetime import datetime
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from phaodai.checkpoints import services
from phaodai.checkpoints.errors import CheckpointNotOperating, DeviceClockAhead, LocalIdReused
from phaodai.checkpoints.models import Checkpoint, Crossing, CrossingFailure
from phaodai.checkpoints.tests.conftest import CLOCK, NOW, at, denied, entry, fields
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_crossing_is_recorded_with_its_officer_device_and_unit_path(
    ql6: Any, checkpoint_officer_ql6: Any
) -> None:
    crossing, created = services.record_crossing(
        by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7", entry=entry(ql6), clock=CLOCK
    )
    assert created
    assert (crossing.unit_path, crossing.officer, crossing.device_id, crossing.local_id) == (
        "/01/268/", checkpoint_officer_ql6, "phone-7", "r1",
    )  # fmt: skip
    assert crossing.recorded_at == CLOCK() and crossing.at == hanoi(2021, 9, 14, 8, 30)


def test_the_same_record_again_is_one_row_and_a_different_one_under_the_same_id_is_refused(
    ql6: Any, checkpoint_officer_ql6: Any
) -> None:
    first, _ = services.record_crossing(
        by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7", entry=entry(ql6), clock=CLOCK
    )
    again, created = services.record_crossing(
        by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7", entry=entry(ql6), clock=CLOCK
    )
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(LocalIdReused):
        services.record_crossing(
            by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7",
            entry=entry(ql6, decision="denied", failed_rules=[("PD-ALL-0001", "")]), clock=CLOCK,
        )  # fmt: skip
    # Another device may use the same local id.
    services.record_crossing(
        by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-8", entry=entry(ql6), clock=CLOCK
    )
    assert Crossing.objects.count() == 2


def test_a_sync_reports_each_entry_and_a_resync_adds_nothing(
    ql6: Any, chuong_duong: Any, checkpoint_officer_ql6: Any
) -> None:
    entries = [
        entry(ql6, "a"),
        denied(ql6, "b", hanoi(2021, 9, 14, 8, 40), "PD-PERMIT-0001", "PD-DECL-0001"),
        entry(ql6, "c", at=hanoi(2021, 9, 14, 9, 30)),  # an hour ahead of the server
        entry(chuong_duong, "d"),  # Long Biên's: not this officer's
        entry(ql6, "e", plate="29C-123.45", pass_id="", pass_type=""),
        entry(ql6, "a"),  # the same record twice in one batch
    ]
    results = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="phone-7", entries=entries, clock=CLOCK
    )
    assert [(r.local_id, r.status, r.code) for r in results] == [
        ("a", "created", ""),
        ("b", "created", ""),
        ("c", "rejected", "device_clock_ahead"),
        ("d", "rejected", "not_found"),
        ("e", "created", ""),
        ("a", "duplicate", ""),
    ]
    assert results[2].message.startswith("at: The time is later than now")
    assert Crossing.objects.get(local_id="e").plate == "29C12345"
    assert sorted(CrossingFailure.objects.values_list("rule_id", flat=True)) == [
        "PD-DECL-0001",
        "PD-PERMIT-0001",
    ]
    assert AuditEntry.objects.filter(action="scope.denied", object_id=str(chuong_duong.pk)).count() == 1
    again = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="phone-7", entries=entries, clock=CLOCK
    )
    assert [r.status for r in again] == [
        "duplicate",
        "duplicate",
        "rejected",
        "rejected",
        "duplicate",
        "duplicate",
    ]
    assert Crossing.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"local_id": ""}, "local_id", "record id"),
        ({"at": datetime(2021, 9, 14, 8, 30)}, "at", "UTC offset"),
        ({"direction": "up"}, "direction", "in or out"),
        ({"decision": "maybe"}, "decision", "allowed or denied"),
        ({"pass_id": "", "pass_type": ""}, "pass_id", "names a pass id or a vehicle plate"),
        ({"pass_type": "ticket"}, "pass_type", "permit, declaration"),
        ({"pass_id": "", "pass_type": "permit"}, "pass_id", "goes with a pass id"),
        ({"plate": "not a plate"}, "plate", "Vietnamese plate"),
        ({"bundle_version": 0}, "bundle_version", "positive whole number"),
        ({"failed_rules": [("PD-ALL-0001", "")]}, "failed_rules", "allowed crossing fails no rule"),
        ({"decision": "denied", "failed_rules": [("bad id!", "")]}, "failed_rules", "rule id"),
        ({"decision": "denied", "failed_rules": ["x"]}, "failed_rules", "list of {id, description}"),
        (
            {"decision": "denied", "failed_rules": [(f"R{i}", "") for i in range(21)]},
            "failed_rules",
            "At most 20",
        ),
    ],
)
def test_bad_entries_are_rejected_with_their_field(
    ql6: Any, checkpoint_officer_ql6: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.record_crossing(
            by=checkpoint_officer_ql6,
            checkpoint=ql6,
            device_id="phone-7",
            entry=entry(ql6, **overrides),
            clock=CLOCK,
        )
    assert refused.value.field == field and message in str(refused.value)
    assert not Crossing.objects.exists()


def test_a_crossing_when_the_checkpoint_was_not_in_operation_is_refused(
    ql6: Any, checkpoint_officer_ql6: Any
) -> None:
    with pytest.raises(CheckpointNotOperating):
        services.record_crossing(
            by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7",
            entry=entry(ql6, at=hanoi(2021, 8, 22, 8)), clock=CLOCK,
        )  # fmt: skip


def test_an_offline_crossing_made_while_open_syncs_after_the_checkpoint_is_suspended(
    ql6: Any, city_commander: Any, checkpoint_officer_ql6: Any, unit: Any
) -> None:
    # Checked at 08:00 offline, the checkpoint suspended at 08:30, the device syncs at 09:00: it
    # operated at 08:00, so the crossing is kept; a live scan now is still refused.
    services.update_checkpoint(
        by=city_commander, checkpoint=ql6, clock=at(hanoi(2021, 9, 14, 8, 30)),
        **{**fields(), "other_side": unit("277"), "status": "suspended"},
    )  # fmt: skip
    ql6.refresh_from_db()
    results = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="phone-7",
        entries=[entry(ql6, "a", at=hanoi(2021, 9, 14, 8)), entry(ql6, "b", at=hanoi(2021, 8, 22, 8))],
        clock=CLOCK,
    )  # fmt: skip
    assert [(r.local_id, r.status, r.code) for r in results] == [
        ("a", "created", ""),
        ("b", "rejected", "checkpoint_not_operating"),  # before the period still is
    ]
    assert Crossing.objects.get().at == hanoi(2021, 9, 14, 8)
    with pytest.raises(CheckpointNotOperating):
        services.record_crossing(
            by=checkpoint_officer_ql6, checkpoint=ql6, device_id="phone-7",
            entry=entry(ql6, "c", at=NOW), clock=CLOCK,
        )  # fmt: skip


def test_a_crossing_after_the_checkpoint_closed_is_refused_when_synced(
    ql6: Any, city_commander: Any, checkpoint_officer_ql6: Any, unit: Any
) -> None:
    # Closed at 08:30 (its period still open-ended), a device syncs a check timed 09:00: refused, as
    # a live scan then would have been; one timed 08:00 is kept.
    services.update_checkpoint(
        by=city_commander, checkpoint=ql6, clock=at(hanoi(2021, 9, 14, 8, 30)),
        **{**fields(), "other_side": unit("277"), "status": "closed"},
    )  # fmt: skip
    ql6.refresh_from_db()
    results = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="phone-7",
        entries=[entry(ql6, "a", at=NOW), entry(ql6, "b", at=hanoi(2021, 9, 14, 8))],
        clock=CLOCK,
    )  # fmt: skip
    assert [(r.local_id, r.status, r.code) for r in results] == [
        ("a", "rejected", "checkpoint_not_operating"),
        ("b", "created", ""),
    ]


def test_a_suspended_checkpoint_without_a_status_moment_refuses_synced_crossings(
    ql6: Any, checkpoint_officer_ql6: Any
) -> None:
    # A checkpoint suspended before the status moment was kept: when it stopped is unknown.
    Checkpoint.objects.filter(pk=ql6.pk).update(status="suspended", status_since=None)
    results = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="phone-7",
        entries=[entry(ql6, "a", at=hanoi(2021, 9, 14, 8))], clock=CLOCK,
    )  # fmt: skip
    assert [(r.status, r.code) for r in results] == [("rejected", "checkpoint_not_operating")]


def test_the_status_moment_changes_only_with_the_status(ql6: Any, city_commander: Any, unit: Any) -> None:
    assert ql6.status_since == NOW  # registered at 09:00
    renamed = services.update_checkpoint(
        by=city_commander, checkpoint=ql6, clock=at(hanoi(2021, 9, 14, 10)),
        **{**fields(name="Chốt QL6 Yên Nghĩa mới"), "other_side": unit("277")},
    )  # fmt: skip
    assert renamed.status_since == NOW
    suspended = services.update_checkpoint(
        by=city_commander, checkpoint=renamed, clock=at(hanoi(2021, 9, 14, 11)),
        **{**fields(), "other_side": unit("277"), "status": "suspended"},
    )  # fmt: skip
    assert suspended.status_since == hanoi(2021, 9, 14, 11)
    assert Checkpoint.objects.get(pk=ql6.pk).status_since == hanoi(2021, 9, 14, 11)


def test_a_device_clock_ahead_is_refused_a_little_ahead_is_tolerated(
    ql6: Any, checkpoint_officer_ql6: Any
) -> None:
    services.record_crossing(
        by=checkpoint_officer_ql6, checkpoint=ql6, device_id="p",
        entry=entry(ql6, at=hanoi(2021, 9, 14, 9, 5)), clock=CLOCK,
    )  # fmt: skip
    with pytest.raises(DeviceClockAhead):
        services.record_crossing(
            by=checkpoint_officer_ql6, checkpoint=ql6, device_id="p",
            entry=entry(ql6, "r2", at=hanoi(2021, 9, 14, 9, 11)), clock=CLOCK,
        )  # fmt: skip


def test_who_records(
    ql6: Any, district_officer_long_bien: Any, ward_officer_bo_de: Any, city_commander: Any
) -> None:
    with pytest.raises(OutOfScope):
        services.record_crossing(
            by=district_officer_long_bien, checkpoint=ql6, device_id="p", entry=entry(ql6), clock=CLOCK
        )
    with pytest.raises(NotPermitted):
        services.record_crossing(
            by=ward_officer_bo_de, checkpoint=ql6, device_id="p", entry=entry(ql6), clock=CLOCK
        )
    with pytest.raises(NotPermitted):
        services.sync_crossings(by=ward_officer_bo_de, device_id="p", entries=[entry(ql6)], clock=CLOCK)
    services.record_crossing(by=city_commander, checkpoint=ql6, device_id="p", entry=entry(ql6), clock=CLOCK)


def test_a_sync_is_bounded_and_needs_a_device_id(ql6: Any, checkpoint_officer_ql6: Any) -> None:
    with pytest.raises(InvalidInput, match="at most 500"):
        services.sync_crossings(
            by=checkpoint_officer_ql6,
            device_id="p",
            entries=[entry(ql6, str(i)) for i in range(501)],
            clock=CLOCK,
        )
    with pytest.raises(InvalidInput, match="device id"):
        services.sync_crossings(by=checkpoint_officer_ql6, device_id="", entries=[entry(ql6)], clock=CLOCK)


def test_the_model_refuses_changes_and_deletion(ql6: Any, checkpoint_officer_ql6: Any) -> None:
    results = services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="p", clock=CLOCK,
        entries=[denied(ql6, "x", hanoi(2021, 9, 14, 8), "PD-ALL-0001")],
    )  # fmt: skip
    crossing = Crossing.objects.get(local_id=results[0].local_id)
    crossing.decision = "allowed"
    with pytest.raises(RuntimeError, match="append-only"):
        crossing.save()
    with pytest.raises(RuntimeError, match="append-only"):
        crossing.delete()
    with pytest.raises(RuntimeError, match="append-only"):
        CrossingFailure.objects.get().delete()
    assert Crossing.objects.get().decision == "denied"


def production_condition() -> None:
    """Switch off the test database's purge default for this transaction, as in production; check the
    test's own inserts now (TRUNCATE refuses a table with foreign-key checks still pending)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL phaodai.audit_purge = 'off'")


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checkpoints_crossing SET decision = 'allowed'",
        "DELETE FROM checkpoints_crossing",
        "TRUNCATE checkpoints_crossing CASCADE",
        "UPDATE checkpoints_crossingfailure SET rule_id = 'X'",
        "DELETE FROM checkpoints_crossingfailure WHERE false",
    ],
)
def test_postgresql_refuses_update_delete_and_truncate(
    ql6: Any, checkpoint_officer_ql6: Any, sql: str
) -> None:
    services.sync_crossings(
        by=checkpoint_officer_ql6, device_id="p", clock=CLOCK,
        entries=[denied(ql6, "x", hanoi(2021, 9, 14, 8), "PD-ALL-0001")],
    )  # fmt: skip
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        production_condition()
        with connection.cursor() as cursor:
            cursor.execute(sql)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        production_condition()
        Crossing.objects.all().update(decision="allowed")
    assert Crossing.objects.get().decision == "denied"
    assert CrossingFailure.objects.count() == 1
