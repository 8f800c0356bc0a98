"""Testing rounds: planning by target and cadence (S18), sessions with their targets, closing once."""

import threading
from datetime import date
from typing import Any

import pytest
from django.db import connection, connections

from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.diagnostics import services
from phaodai.diagnostics.models import SamplingSession, SessionTarget
from phaodai.diagnostics.models import TestingRound as Round
from phaodai.diagnostics.services import RoundPlan
from phaodai.diagnostics.tests.conftest import SEPT_10_MORNING, at, resident_cccd

pytestmark = pytest.mark.django_db

CLOCK = at(SEPT_10_MORNING)


def area_plan(*areas: Any, **changes: Any) -> RoundPlan:
    values: dict[str, Any] = {
        "name": "Xét nghiệm sàng lọc TDP5",
        "target": Round.Target.AREAS,
        "method": "pcr",
        "cadence_days": 3,
        "starts_on": date(2021, 9, 10),
        "ends_on": date(2021, 9, 16),
        "area_codes": [area.code for area in areas],
    }
    values.update(changes)
    return RoundPlan(**values)


def test_cadence_policy_follows_s18():
    assert services.needs_frequent_testing("lockdown")
    assert services.needs_frequent_testing("group", "shipper")
    assert not services.needs_frequent_testing("group", "service")
    assert not services.needs_frequent_testing("areas")
    assert services.default_cadence("group", "market_trader") == 3
    assert services.default_cadence("areas") == 7
    assert services.session_days(date(2021, 9, 10), date(2021, 9, 16), 3) == [
        date(2021, 9, 10),
        date(2021, 9, 13),
        date(2021, 9, 16),
    ]


def test_an_areas_round_has_one_session_per_area_and_day_with_the_residents_as_targets(
    ward_officer_bo_de, bo_de_area, bo_de_area_2, resident
):
    # given three residents in TDP5 and one in TDP6
    for n in range(3):
        resident(n)
    resident(9, area=bo_de_area_2)
    # when the ward plans a round over both areas every 3 days from 10 to 16/9
    testing_round, created = services.create_round(
        by=ward_officer_bo_de,
        unit=bo_de_area.ward,
        plan=area_plan(bo_de_area, bo_de_area_2),
        clock=CLOCK,
    )
    # then 3 days x 2 areas = 6 sessions, each targeting its area's residents
    assert created
    sessions = list(testing_round.sessions.order_by("day", "area__code"))
    assert len(sessions) == 6
    assert [(s.area_id, s.targeted, s.sampled) for s in sessions[:2]] == [
        (bo_de_area.pk, 3, 0),
        (bo_de_area_2.pk, 1, 0),
    ]
    assert SessionTarget.objects.filter(session__round=testing_round).count() == 12
    assert {s.path for s in sessions} == {bo_de_area.ward.path}


def test_creating_twice_with_the_same_key_makes_one_round(ward_officer_bo_de, bo_de_area):
    first, created = services.create_round(
        by=ward_officer_bo_de,
        unit=bo_de_area.ward,
        plan=area_plan(bo_de_area),
        idempotency_key="k1",
        clock=CLOCK,
    )
    again, created_again = services.create_round(
        by=ward_officer_bo_de,
        unit=bo_de_area.ward,
        plan=area_plan(bo_de_area),
        idempotency_key="k1",
        clock=CLOCK,
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Round.objects.count() == 1


def test_a_slow_cadence_for_a_high_risk_group_must_be_confirmed(ward_officer_bo_de, unit):
    plan = RoundPlan(
        name="Shipper Bồ Đề",
        target="group",
        risk_group="shipper",
        method="rapid_antigen",
        cadence_days=7,
        starts_on=date(2021, 9, 10),
        ends_on=date(2021, 9, 30),
    )
    with pytest.raises(services.SlowCadence) as refused:
        services.create_round(by=ward_officer_bo_de, unit=unit("00139"), plan=plan, clock=CLOCK)
    assert refused.value.field == "cadence_days"
    confirmed = RoundPlan(**{**plan.__dict__, "accept_slow_cadence": True})
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=unit("00139"), plan=confirmed, clock=CLOCK
    )
    # a group round has one session per day, none with an area, no targets until the ward adds them
    assert list(testing_round.sessions.values_list("area", "targeted")) == [(None, 0)] * 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"method": "pcr_pooled"}, "pool_size"),
        ({"method": "pcr_pooled", "pool_size": 7}, "pool_size"),
        ({"method": "pcr", "pool_size": 5}, "pool_size"),
        ({"cadence_days": 0}, "cadence_days"),
        ({"cadence_days": 15}, "cadence_days"),
        ({"ends_on": date(2021, 9, 9)}, "ends_on"),
        ({"starts_on": date(2021, 9, 1), "ends_on": date(2021, 9, 5)}, "ends_on"),
        ({"ends_on": date(2021, 12, 31)}, "ends_on"),
        ({"area_codes": []}, "areas"),
        ({"area_codes": ["00001-TDP01"]}, "areas"),
        ({"target": "lockdown", "area_codes": []}, "lockdown"),
        ({"target": "group", "area_codes": []}, "risk_group"),
        ({"target": "nobody"}, "target"),
    ],
)
def test_bad_plans_are_refused_beside_their_field(ward_officer_bo_de, bo_de_area, changes, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_round(
            by=ward_officer_bo_de, unit=bo_de_area.ward, plan=area_plan(bo_de_area, **changes), clock=CLOCK
        )
    assert refused.value.field == field
    assert Round.objects.count() == 0


def test_a_ward_plans_only_in_its_ward_and_labs_not_at_all(ward_officer_phuc_xa, lab_tech_cdc, bo_de_area):
    with pytest.raises(OutOfScope):
        services.create_round(
            by=ward_officer_phuc_xa, unit=bo_de_area.ward, plan=area_plan(bo_de_area), clock=CLOCK
        )
    with pytest.raises(NotPermitted):
        services.create_round(by=lab_tech_cdc, unit=bo_de_area.ward, plan=area_plan(bo_de_area), clock=CLOCK)


def lockdown_in(area: Any, by: Any, scope: str = "area") -> Any:
    from phaodai.cases import lockdowns
    from phaodai.core.clock import hanoi

    lockdown, _ = lockdowns.declare_lockdown(
        by=by,
        area=area,
        scope=scope,
        place="" if scope == "area" else "Ngõ 12 Bồ Đề",
        reason="Ổ dịch tại TDP5",
        decision_number="125/QĐ-UBND",
        starts_at=hanoi(2021, 9, 9, 12),
        planned_end_at=hanoi(2021, 9, 23, 12),
        clock=at(hanoi(2021, 9, 9, 11)),
    )
    return lockdown


def test_a_lockdown_round_targets_the_residents_of_the_locked_down_area(
    ward_officer_bo_de, bo_de_area, resident
):
    resident(1)
    resident(2)
    lockdown = lockdown_in(bo_de_area, ward_officer_bo_de)
    plan = RoundPlan(
        name="Phong tỏa TDP5",
        target="lockdown",
        lockdown_id=lockdown.pk,
        method="pcr_pooled",
        pool_size=5,
        cadence_days=2,
        starts_on=date(2021, 9, 10),
        ends_on=date(2021, 9, 14),
    )
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=bo_de_area.ward, plan=plan, clock=CLOCK
    )
    assert list(testing_round.sessions.values_list("area", "targeted")) == [(bo_de_area.pk, 2)] * 3


def test_a_lockdown_must_be_in_force(ward_officer_bo_de, bo_de_area):
    from phaodai.core.clock import hanoi

    lockdown = lockdown_in(bo_de_area, ward_officer_bo_de)
    plan = RoundPlan(
        name="Phong tỏa",
        target="lockdown",
        lockdown_id=lockdown.pk,
        method="pcr",
        cadence_days=2,
        starts_on=date(2021, 9, 25),
        ends_on=date(2021, 9, 28),
    )
    with pytest.raises(InvalidInput) as refused:
        services.create_round(
            by=ward_officer_bo_de, unit=bo_de_area.ward, plan=plan, clock=at(hanoi(2021, 9, 9, 8))
        )
    assert refused.value.field == "lockdown"


def test_the_ward_adds_a_risk_group_by_cccd(ward_officer_bo_de, unit, resident):
    resident(1)
    resident(2)
    plan = RoundPlan(
        name="Tiểu thương chợ Bồ Đề",
        target="group",
        risk_group="market_trader",
        method="rapid_antigen",
        cadence_days=3,
        starts_on=date(2021, 9, 10),
        ends_on=date(2021, 9, 16),
    )
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=unit("00139"), plan=plan, clock=CLOCK
    )
    lines = [resident_cccd(1), "", resident_cccd(2), "12345", resident_cccd(77), resident_cccd(1)]
    added = services.add_targets(by=ward_officer_bo_de, testing_round=testing_round, cccds=lines, clock=CLOCK)
    assert (added.added, added.invalid_lines, added.not_found_lines) == (2, [4], [5])
    assert list(testing_round.sessions.values_list("targeted", flat=True)) == [2, 2, 2]
    again = services.add_targets(
        by=ward_officer_bo_de, testing_round=testing_round, cccds=lines[:1], clock=CLOCK
    )
    assert (again.added, again.already) == (0, 1)


def test_closing_a_round_is_done_once(ward_officer_bo_de, bo_de_area):
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=bo_de_area.ward, plan=area_plan(bo_de_area), clock=CLOCK
    )
    closed = services.close_round(
        by=ward_officer_bo_de, testing_round=testing_round, version=testing_round.version, clock=CLOCK
    )
    assert closed.status == "closed"
    assert list(closed.sessions.order_by("day").values_list("status", flat=True)) == [
        "done",
        "cancelled",
        "cancelled",
    ]
    with pytest.raises(services.RoundClosed):
        services.close_round(
            by=ward_officer_bo_de, testing_round=testing_round, version=closed.version, clock=CLOCK
        )


def test_a_stale_version_cannot_close(ward_officer_bo_de, bo_de_area):
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=bo_de_area.ward, plan=area_plan(bo_de_area), clock=CLOCK
    )
    with pytest.raises(services.RoundChanged):
        services.close_round(by=ward_officer_bo_de, testing_round=testing_round, version=99, clock=CLOCK)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_closing_at_once_get_one_winner(
    ward_officer_bo_de, district_officer_long_bien, bo_de_area
):
    testing_round, _ = services.create_round(
        by=ward_officer_bo_de, unit=bo_de_area.ward, plan=area_plan(bo_de_area), clock=CLOCK
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close(by: Any) -> None:
        try:
            barrier.wait()
            services.close_round(by=by, testing_round=testing_round, version=1, clock=CLOCK)
            outcomes.append("closed")
        except (services.RoundClosed, services.RoundChanged):
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=close, args=(by,)) for by in (ward_officer_bo_de, district_officer_long_bien)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["closed", "conflict"]
    assert connection.vendor == "postgresql"
    assert SamplingSession.objects.filter(round=testing_round, status="planned").count() == 0


def test_residents_registered_after_planning_are_added_on_refresh(ward_officer_bo_de, area_round, resident):
    resident(1)
    testing_round = area_round()
    resident(2)
    assert services.refresh_targets(by=ward_officer_bo_de, testing_round=testing_round) == 3
    assert services.refresh_targets(by=ward_officer_bo_de, testing_round=testing_round) == 0
    assert list(testing_round.sessions.values_list("targeted", flat=True)) == [2, 2, 2]
