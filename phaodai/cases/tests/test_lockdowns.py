"""Lockdowns: declared for an area, a building or a lane, extended, lifted once; read in scope."""

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404

from phaodai.cases import lockdown_selectors as selectors
from phaodai.cases import lockdowns
from phaodai.cases.lockdowns import LockdownChanged, LockdownEndsBeforeStart, LockdownInForce, LockdownLifted
from phaodai.cases.models import Lockdown
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.notifications.models import Notification

pytestmark = pytest.mark.django_db

NOON_10 = hanoi(2021, 9, 10, 12, 0)
NOON_24 = hanoi(2021, 9, 24, 12, 0)


def declare(by: Any, area: Any, **overrides: Any) -> tuple[Lockdown, bool]:
    fields: dict[str, Any] = {
        "scope": "lane",
        "place": "Ngõ 66 phố Bồ Đề",
        "reason": "Ổ dịch 5 ca F0 trong ngõ, chưa rõ nguồn lây.",
        "decision_number": "125/QĐ-UBND",
        "starts_at": NOON_10,
        "planned_end_at": NOON_24,
        "people_inside": 420,
        "checkpoints": ["Đầu ngõ 66", "  Cuối ngõ 66 ", "", "Đầu ngõ 66"],
        "clock": at(hanoi(2021, 9, 10, 11, 30)),
    }
    fields.update(overrides)
    return lockdowns.declare_lockdown(by=by, area=area, **fields)


@pytest.fixture
def lane(ward_officer_bo_de: Any, bo_de_area: Any) -> Lockdown:
    return declare(ward_officer_bo_de, bo_de_area)[0]


# Declaring


def test_a_lane_is_locked_down_and_the_ward_and_district_are_told(lane: Lockdown) -> None:
    assert (lane.status, lane.scope, lane.place, lane.version) == ("in_force", "lane", "Ngõ 66 phố Bồ Đề", 1)
    assert lane.path == "/01/004/00139/"
    assert lane.checkpoints == ["Đầu ngõ 66", "Cuối ngõ 66"]  # blank dropped, repeats once
    told = set(Notification.objects.filter(kind="cases.lockdown").values_list("unit__code", "severity"))
    assert told == {("00139", "urgent"), ("004", "urgent")}
    assert AuditEntry.objects.filter(action="cases.declare_lockdown", object_id=str(lane.pk)).count() == 1


def test_a_district_officer_declares_in_any_of_its_wards(
    district_officer_long_bien: Any, bo_de_area: Any
) -> None:
    lockdown, created = declare(district_officer_long_bien, bo_de_area, scope="area", place="")
    assert created and lockdown.scope == "area"


@pytest.mark.parametrize(
    ("ends", "field"),
    [(NOON_10 - timedelta(hours=1), "planned_end_at"), (NOON_10, "planned_end_at")],
    ids=["before the start", "at the start"],
)
def test_a_lockdown_ending_before_it_starts_is_refused_and_nothing_is_written(
    ward_officer_bo_de: Any, bo_de_area: Any, ends: datetime, field: str
) -> None:
    with pytest.raises(LockdownEndsBeforeStart) as refused:
        declare(ward_officer_bo_de, bo_de_area, planned_end_at=ends)
    assert (refused.value.status, refused.value.field) == (422, field)
    assert refused.value.code == "lockdown_ends_before_start"
    assert not Lockdown.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.filter(action="cases.declare_lockdown").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"scope": "building", "place": "  "}, "place", "Name the building or lane locked down."),
        ({"scope": "street"}, "scope", "Choose an area, a building or a lane."),
        ({"reason": ""}, "reason", "Say why the place is locked down."),
        ({"decision_number": ""}, "decision_number", "Give the number of the lockdown decision."),
        ({"people_inside": -1}, "people_inside", "Give the number of people inside, from 0 to 1,000,000."),
        ({"checkpoints": ["x" * 201]}, "checkpoints", "Checkpoint 1: at most 200 characters."),
        ({"checkpoints": "Đầu ngõ"}, "checkpoints", "List the checkpoints, one per line."),
        ({"starts_at": datetime(2021, 9, 10, 12)}, "starts_at", "Give a date and time."),
    ],
    ids=[
        "no place",
        "bad scope",
        "no reason",
        "no decision",
        "negative people",
        "long checkpoint",
        "checkpoints not a list",
        "naive start",
    ],
)
def test_bad_input_is_refused_beside_its_field(
    ward_officer_bo_de: Any, bo_de_area: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        declare(ward_officer_bo_de, bo_de_area, **overrides)
    assert (refused.value.field, str(refused.value.detail)) == (field, message)
    assert not Lockdown.objects.exists()


def test_outside_their_ward_an_officer_gets_404_and_the_attempt_is_logged(
    ward_officer_phuc_xa: Any, bo_de_area: Any
) -> None:
    with pytest.raises(OutOfScope):
        declare(ward_officer_phuc_xa, bo_de_area)
    assert AuditEntry.objects.filter(action="scope.denied", object_type="territory.area").count() == 1
    assert not Lockdown.objects.exists()


def test_a_health_worker_cannot_declare(health_worker_bo_de: Any, bo_de_area: Any) -> None:
    with pytest.raises(NotPermitted):
        declare(health_worker_bo_de, bo_de_area)


def test_the_same_declaration_sent_again_is_the_same_lockdown(
    lane: Lockdown, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    again, created = declare(ward_officer_bo_de, bo_de_area, place="ngõ 66 phố bồ đề")
    assert (again.pk, created) == (lane.pk, False)
    assert Lockdown.objects.count() == 1
    assert Notification.objects.filter(kind="cases.lockdown").count() == 2  # not told twice


def test_a_second_lockdown_of_a_place_in_force_is_refused_naming_the_first(
    lane: Lockdown, ward_officer_bo_de: Any, bo_de_area: Any
) -> None:
    with pytest.raises(LockdownInForce) as refused:
        declare(
            ward_officer_bo_de,
            bo_de_area,
            decision_number="130/QĐ-UBND",
            starts_at=NOON_10 + timedelta(days=1),
        )
    assert refused.value.status == 409
    assert refused.value.as_dict()["existing_lockdown"] == lane.pk
    assert "extend it instead" in str(refused.value.detail)
    # another lane of the same area is a lockdown of its own
    other, created = declare(ward_officer_bo_de, bo_de_area, place="Ngõ 12 phố Bồ Đề")
    assert created and other.pk != lane.pk


# Extending and lifting


def test_extending_moves_the_planned_end_and_a_retry_changes_nothing(
    lane: Lockdown, ward_officer_bo_de: Any
) -> None:
    later = NOON_24 + timedelta(days=7)
    extended = lockdowns.extend(by=ward_officer_bo_de, lockdown=lane, planned_end_at=later, version=1)
    assert (extended.planned_end_at, extended.version) == (later, 2)
    again = lockdowns.extend(by=ward_officer_bo_de, lockdown=lane, planned_end_at=later, version=1)
    assert again.version == 2
    assert AuditEntry.objects.filter(action="cases.extend_lockdown").count() == 1


def test_an_extension_must_end_later_and_on_the_version_read(lane: Lockdown, ward_officer_bo_de: Any) -> None:
    with pytest.raises(InvalidInput) as earlier:
        lockdowns.extend(by=ward_officer_bo_de, lockdown=lane, planned_end_at=NOON_24 - timedelta(days=1))
    assert earlier.value.field == "planned_end_at"
    assert "to end it sooner, lift it" in str(earlier.value.detail)
    with pytest.raises(LockdownChanged):
        lockdowns.extend(
            by=ward_officer_bo_de, lockdown=lane, planned_end_at=NOON_24 + timedelta(days=1), version=7
        )
    assert Lockdown.objects.get().planned_end_at == NOON_24


def test_lifting_ends_it_once(lane: Lockdown, ward_officer_bo_de: Any) -> None:
    lifted_at = hanoi(2021, 9, 20, 18, 0)
    clock = at(hanoi(2021, 9, 20, 18, 5))
    lifted = lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=lifted_at, version=1, clock=clock)
    assert (lifted.status, lifted.ended_at, lifted.version) == ("lifted", lifted_at, 2)
    with pytest.raises(LockdownLifted) as twice:
        lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=lifted_at, clock=clock)
    assert (twice.value.status, twice.value.code) == (409, "lockdown_lifted")
    assert "18:00 20/09/2021" in str(twice.value.detail)
    with pytest.raises(LockdownLifted):
        lockdowns.extend(by=ward_officer_bo_de, lockdown=lane, planned_end_at=NOON_24 + timedelta(days=3))
    assert AuditEntry.objects.filter(action="cases.lift_lockdown").count() == 1
    steps = Notification.objects.filter(kind="cases.lockdown").values_list("subject", flat=True)
    assert sum("lifted" in subject for subject in steps) == 2  # ward and district


def test_of_two_officers_lifting_on_the_same_version_one_wins(
    lane: Lockdown, ward_officer_bo_de: Any, district_officer_long_bien: Any
) -> None:
    clock = at(hanoi(2021, 9, 20, 18, 5))
    ended = hanoi(2021, 9, 20, 18, 0)
    lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=ended, version=1, clock=clock)
    with pytest.raises(LockdownLifted):
        lockdowns.lift(by=district_officer_long_bien, lockdown=lane, ended_at=ended, version=1, clock=clock)
    assert Lockdown.objects.get().version == 2


def test_a_lockdown_cannot_be_lifted_before_it_starts_nor_in_the_future(
    lane: Lockdown, ward_officer_bo_de: Any
) -> None:
    clock = at(hanoi(2021, 9, 12, 9, 0))
    with pytest.raises(LockdownEndsBeforeStart) as early:
        lockdowns.lift(
            by=ward_officer_bo_de, lockdown=lane, ended_at=NOON_10 - timedelta(minutes=1), clock=clock
        )
    assert early.value.field == "ended_at"
    with pytest.raises(InvalidInput) as future:
        lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=hanoi(2021, 9, 13), clock=clock)
    assert future.value.field == "ended_at"
    assert Lockdown.objects.get().status == "in_force"


def test_lifting_outside_their_ward_is_404(lane: Lockdown, ward_officer_phuc_xa: Any) -> None:
    with pytest.raises(OutOfScope):
        lockdowns.lift(by=ward_officer_phuc_xa, lockdown=lane, ended_at=NOON_10 + timedelta(hours=1))
    assert Lockdown.objects.get().status == "in_force"


# Reading


def test_a_lockdown_is_in_force_from_its_start_until_lifted(lane: Lockdown, ward_officer_bo_de: Any) -> None:
    area_id = lane.area_id
    assert selectors.in_force([area_id], NOON_10 - timedelta(seconds=1)) == set()
    assert selectors.in_force([area_id], NOON_10) == {area_id}
    # past its planned end but not lifted: still in force (lifting is a decision)
    assert selectors.in_force([area_id], NOON_24 + timedelta(days=2)) == {area_id}
    lifted_at = hanoi(2021, 9, 20, 18, 0)
    lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=lifted_at, clock=at(lifted_at))
    assert selectors.in_force([area_id], lifted_at - timedelta(seconds=1)) == {area_id}
    assert selectors.in_force([area_id], lifted_at) == set()
    assert selectors.in_force([], lifted_at) == set()


def test_lockdowns_are_read_in_scope(
    lane: Lockdown, health_worker_bo_de: Any, district_officer_ba_dinh: Any, welfare_officer_bo_de: Any
) -> None:
    assert selectors.lockdown_for(health_worker_bo_de, lane.pk) == lane
    with pytest.raises(Http404):
        selectors.lockdown_for(district_officer_ba_dinh, lane.pk)
    assert AuditEntry.objects.filter(action="scope.denied", object_type="cases.lockdown").count() == 1
    assert list(selectors.lockdowns_visible_to(district_officer_ba_dinh)) == []
    with pytest.raises(NotPermitted):
        selectors.require_reader(welfare_officer_bo_de)


# Two officers at once


def _at_once(*calls: Any) -> list[Any]:
    """Run the calls in two threads released together; each outcome is a result or the refusal."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = []

    def run(call: Any) -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(call())
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_lockdown_sent_twice_at_once_is_declared_once(
    ward_officer_bo_de: Any, district_officer_long_bien: Any, bo_de_area: Any
) -> None:
    outcomes = _at_once(
        lambda: declare(ward_officer_bo_de, bo_de_area),
        lambda: declare(district_officer_long_bien, bo_de_area),
    )
    assert sorted(created for _lockdown, created in outcomes) == [False, True], outcomes
    assert Lockdown.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_lifting_at_once_give_one_lift_and_one_conflict(
    ward_officer_bo_de: Any, district_officer_long_bien: Any, bo_de_area: Any
) -> None:
    lane = declare(ward_officer_bo_de, bo_de_area)[0]
    ended, clock = hanoi(2021, 9, 20, 18, 0), at(hanoi(2021, 9, 20, 18, 5))
    outcomes = _at_once(
        lambda: lockdowns.lift(by=ward_officer_bo_de, lockdown=lane, ended_at=ended, version=1, clock=clock),
        lambda: lockdowns.lift(
            by=district_officer_long_bien, lockdown=lane, ended_at=ended, version=1, clock=clock
        ),
    )
    won = [o for o in outcomes if isinstance(o, Lockdown)]
    lost = [o for o in outcomes if not isinstance(o, Lockdown)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], LockdownLifted | LockdownChanged) and lost[0].status == 409
    assert AuditEntry.objects.filter(action="cases.lift_lockdown").count() == 1
