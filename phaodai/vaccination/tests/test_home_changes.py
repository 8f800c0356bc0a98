"""Changing what is planned for home vaccination (S19): cancelling visits and editing mobile teams."""

import threading
from datetime import date

import pytest
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.models import AuditEntry
from phaodai.vaccination import errors, home
from phaodai.vaccination.models import HomeVisit, TeamDay
from phaodai.vaccination.tests.conftest import CLOCK

pytestmark = pytest.mark.django_db
DAY = date(2021, 10, 16)


@pytest.fixture
def team(unit, ward_officer_bo_de):
    return home.register_team(
        by=ward_officer_bo_de, unit=unit("00139"), name="Tổ tiêm lưu động 1", daily_capacity=1
    )


@pytest.fixture
def request_visit(resident, ward_officer_bo_de):
    def make(serial):
        person = resident(serial, disability_immobile=True)
        return home.request_home_visit(by=ward_officer_bo_de, person=person, clock=CLOCK)[0]

    return make


def schedule(by, visit, team, day=DAY):
    return home.schedule_home_visit(by=by, visit=visit, team=team, day=day, clock=CLOCK)


def test_a_cancelled_visit_frees_the_teams_place(
    request_visit, ward_officer_bo_de, health_worker_bo_de, team
):
    first, second = request_visit(1), request_visit(2)
    scheduled = schedule(ward_officer_bo_de, first, team)
    with pytest.raises(errors.TeamFull):
        schedule(ward_officer_bo_de, second, team)
    cancelled = home.cancel_home_visit(
        by=health_worker_bo_de, visit=scheduled, reason="Đã chuyển đi nơi khác", clock=CLOCK
    )
    assert (cancelled.status, cancelled.cancel_reason, cancelled.version) == (
        "cancelled",
        "Đã chuyển đi nơi khác",
        3,
    )
    assert TeamDay.objects.get(team=team, day=DAY).booked == 0
    second.refresh_from_db()
    assert schedule(ward_officer_bo_de, second, team).status == "scheduled"
    assert AuditEntry.objects.filter(action="vaccination.cancel_home_visit").count() == 1


def test_a_request_not_yet_scheduled_is_cancelled_and_may_be_made_again(
    request_visit, health_worker_bo_de, resident
):
    visit = request_visit(1)
    home.cancel_home_visit(by=health_worker_bo_de, visit=visit, reason="Gia đình tự đưa đi tiêm", clock=CLOCK)
    assert not TeamDay.objects.exists()
    again, created = home.request_home_visit(by=health_worker_bo_de, person=visit.person, clock=CLOCK)
    assert created and again.pk != visit.pk


def test_cancelling_twice_changes_nothing(request_visit, ward_officer_bo_de, team):
    visit = schedule(ward_officer_bo_de, request_visit(1), team)
    home.cancel_home_visit(by=ward_officer_bo_de, visit=visit, reason="Ốm nặng", clock=CLOCK)
    again = home.cancel_home_visit(
        by=ward_officer_bo_de, visit=visit, reason="Ốm nặng", version=2, clock=CLOCK
    )
    assert again.status == "cancelled" and TeamDay.objects.get().booked == 0
    assert AuditEntry.objects.filter(action="vaccination.cancel_home_visit").count() == 1


def test_a_stale_cancellation_is_a_conflict_and_frees_nothing(request_visit, ward_officer_bo_de, team):
    visit = request_visit(1)
    stale = HomeVisit.objects.get(pk=visit.pk)  # read as requested, version 1
    schedule(ward_officer_bo_de, visit, team)
    with pytest.raises(errors.VisitChanged):
        home.cancel_home_visit(by=ward_officer_bo_de, visit=stale, reason="Nhầm", clock=CLOCK)
    assert TeamDay.objects.get().booked == 1


def test_a_visit_done_cannot_be_cancelled(
    request_visit, ward_officer_bo_de, health_worker_bo_de, team, product
):
    visit = schedule(ward_officer_bo_de, request_visit(1), team)
    done = home.record_visit_dose(
        by=health_worker_bo_de, visit=visit, product=product("pfizer"), dose_number=1, lot="FF1",
        vaccinator="Lê Thị Hoa", given_on=date(2021, 10, 15), clock=CLOCK,
    )  # fmt: skip
    with pytest.raises(errors.VisitClosed):
        home.cancel_home_visit(by=health_worker_bo_de, visit=done, reason="Nhầm", clock=CLOCK)


def test_a_cancellation_needs_a_reason(request_visit, health_worker_bo_de):
    with pytest.raises(InvalidInput) as refused:
        home.cancel_home_visit(by=health_worker_bo_de, visit=request_visit(1), reason=" ", clock=CLOCK)
    assert refused.value.field == "reason"


def test_the_daily_capacity_never_goes_below_a_planned_days_visits(request_visit, ward_officer_bo_de, team):
    edited = home.update_team(by=ward_officer_bo_de, team=team, name=team.name, daily_capacity=2, clock=CLOCK)
    assert edited.version == 2
    for serial in (1, 2):
        schedule(ward_officer_bo_de, request_visit(serial), edited)
    assert TeamDay.objects.get().capacity == 2
    with pytest.raises(errors.CapacityBelowBooked) as refused:
        home.update_team(by=ward_officer_bo_de, team=edited, name=team.name, daily_capacity=1, clock=CLOCK)
    assert refused.value.field == "daily_capacity" and "16/10/2021" in str(refused.value.detail)
    edited.refresh_from_db()
    assert (edited.daily_capacity, edited.version) == (2, 2)


def test_a_past_day_keeps_its_capacity(request_visit, ward_officer_bo_de, team):
    schedule(ward_officer_bo_de, request_visit(1), team)
    later = lambda: hanoi(2021, 10, 20, 9)  # noqa: E731
    home.update_team(by=ward_officer_bo_de, team=team, name=team.name, daily_capacity=3, clock=later)
    assert TeamDay.objects.get().capacity == 1


def test_a_team_with_visits_ahead_is_not_retired(request_visit, ward_officer_bo_de, team):
    visit = schedule(ward_officer_bo_de, request_visit(1), team)
    with pytest.raises(errors.TeamHasVisits):
        home.update_team(
            by=ward_officer_bo_de, team=team, name=team.name, daily_capacity=1, active=False, clock=CLOCK
        )
    home.cancel_home_visit(by=ward_officer_bo_de, visit=visit, reason="Đã tiêm tại trạm", clock=CLOCK)
    team.refresh_from_db()
    retired = home.update_team(
        by=ward_officer_bo_de, team=team, name=team.name, daily_capacity=1, active=False, clock=CLOCK
    )
    assert not retired.active and TeamDay.objects.get().capacity == 0
    with pytest.raises(errors.TeamOutsideArea):
        schedule(ward_officer_bo_de, request_visit(2), retired)
    with pytest.raises(errors.TeamFull):  # a planner still holding the team as working
        schedule(ward_officer_bo_de, request_visit(3), team)


def test_a_team_edit_is_checked_like_a_registration(unit, ward_officer_bo_de, team):
    home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 2", daily_capacity=3)
    with pytest.raises(Duplicate):
        home.update_team(by=ward_officer_bo_de, team=team, name="Tổ 2", daily_capacity=1, clock=CLOCK)
    with pytest.raises(InvalidInput) as refused:
        home.update_team(by=ward_officer_bo_de, team=team, name="Tổ 1", daily_capacity=0, clock=CLOCK)
    assert refused.value.field == "daily_capacity"
    home.update_team(by=ward_officer_bo_de, team=team, name="Tổ 1", daily_capacity=1, clock=CLOCK)
    with pytest.raises(errors.TeamChanged):
        home.update_team(by=ward_officer_bo_de, team=team, name="Tổ 1A", daily_capacity=1, clock=CLOCK)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_edit_lowering_the_capacity_and_a_schedule_never_overbook(request_visit, ward_officer_bo_de, unit):
    team = home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 2", daily_capacity=2)
    schedule(ward_officer_bo_de, request_visit(1), team)
    waiting = request_visit(2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def lower():
        try:
            barrier.wait()
            home.update_team(by=ward_officer_bo_de, team=team, name="Tổ 2", daily_capacity=1, clock=CLOCK)
            outcomes.append("edited")
        except errors.CapacityBelowBooked:
            outcomes.append("edit_refused")
        finally:
            connection.close()

    def take():
        try:
            barrier.wait()
            schedule(ward_officer_bo_de, waiting, team)
            outcomes.append("scheduled")
        except errors.TeamFull:
            outcomes.append("team_full")
        finally:
            connection.close()

    threads = [threading.Thread(target=lower), threading.Thread(target=take)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    day = TeamDay.objects.get()
    assert day.booked <= day.capacity
    assert sorted(outcomes) in (["edit_refused", "scheduled"], ["edited", "team_full"])
