"""Home vaccination (S19): who may be visited, teams within their daily capacity, visits as doses."""

import threading
from datetime import date

import pytest
from django.db import connection

from phaodai.core.errors import NotPermitted
from phaodai.vaccination import errors, home
from phaodai.vaccination.models import Dose, HomeVisit, TeamDay
from phaodai.vaccination.tests.conftest import CLOCK

pytestmark = pytest.mark.django_db
DAY = date(2021, 10, 16)


@pytest.fixture
def team(unit, ward_officer_bo_de):
    return home.register_team(
        by=ward_officer_bo_de, unit=unit("00139"), name="Tổ tiêm lưu động 1", daily_capacity=1
    )


def test_an_immobile_person_gets_a_home_visit_request_once(resident, health_worker_bo_de):
    an = resident(1, disability_immobile=True)
    visit, created = home.request_home_visit(by=health_worker_bo_de, person=an, clock=CLOCK)
    again, created_again = home.request_home_visit(by=health_worker_bo_de, person=an, clock=CLOCK)
    assert created and not created_again and visit.pk == again.pk
    assert visit.reason == "immobile" and visit.status == "requested"


def test_the_very_old_and_the_ill_qualify_from_the_registry(resident, health_worker_bo_de):
    old = resident(1, born=date(1938, 5, 1))
    ill = resident(2, chronic_illness=True)
    assert home.request_home_visit(by=health_worker_bo_de, person=old, clock=CLOCK)[0].reason == "very_old"
    assert (
        home.request_home_visit(by=health_worker_bo_de, person=ill, clock=CLOCK)[0].reason == "severely_ill"
    )


def test_anyone_else_is_put_on_the_list_by_the_ward(resident, health_worker_bo_de, ward_officer_bo_de):
    an = resident(1)
    with pytest.raises(errors.NotEligibleAtHome):
        home.request_home_visit(by=health_worker_bo_de, person=an, clock=CLOCK)
    with pytest.raises(NotPermitted):
        home.request_home_visit(by=health_worker_bo_de, person=an, reason="ward", clock=CLOCK)
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=an, note="Sau phẫu thuật", clock=CLOCK)
    assert visit.reason == "ward"


def test_a_visit_is_scheduled_within_the_teams_capacity(resident, ward_officer_bo_de, team):
    first, _ = home.request_home_visit(
        by=ward_officer_bo_de, person=resident(1, disability_immobile=True), clock=CLOCK
    )
    second, _ = home.request_home_visit(
        by=ward_officer_bo_de, person=resident(2, disability_immobile=True), clock=CLOCK
    )
    scheduled = home.schedule_home_visit(by=ward_officer_bo_de, visit=first, team=team, day=DAY, clock=CLOCK)
    assert (scheduled.status, scheduled.visit_on, scheduled.version) == ("scheduled", DAY, 2)
    with pytest.raises(errors.TeamFull) as refused:
        home.schedule_home_visit(by=ward_officer_bo_de, visit=second, team=team, day=DAY, clock=CLOCK)
    assert refused.value.status == 409 and "16/10/2021" in str(refused.value.detail)
    assert TeamDay.objects.get(team=team, day=DAY).booked == 1
    # the failed attempt left the second visit requested
    assert HomeVisit.objects.get(pk=second.pk).status == "requested"


def test_a_stale_version_is_a_conflict_and_frees_the_place(resident, ward_officer_bo_de, team):
    visit, _ = home.request_home_visit(
        by=ward_officer_bo_de, person=resident(1, disability_immobile=True), clock=CLOCK
    )
    with pytest.raises(errors.VisitChanged):
        home.schedule_home_visit(
            by=ward_officer_bo_de, visit=visit, team=team, day=DAY, version=7, clock=CLOCK
        )
    assert not TeamDay.objects.filter(team=team, day=DAY, booked__gt=0).exists()


def test_a_team_works_only_in_its_unit_and_not_in_the_past(
    resident, areas, ward_officer_bo_de, city_commander, team
):
    visit, _ = home.request_home_visit(
        by=city_commander, person=resident(1, area="phuc_xa", disability_immobile=True), clock=CLOCK
    )
    with pytest.raises(errors.TeamOutsideArea):
        home.schedule_home_visit(by=city_commander, visit=visit, team=team, day=DAY, clock=CLOCK)
    here, _ = home.request_home_visit(
        by=ward_officer_bo_de, person=resident(2, disability_immobile=True), clock=CLOCK
    )
    with pytest.raises(errors.DayInPast):
        home.schedule_home_visit(
            by=ward_officer_bo_de, visit=here, team=team, day=date(2021, 10, 14), clock=CLOCK
        )


def test_the_visit_is_recorded_as_a_dose(resident, ward_officer_bo_de, health_worker_bo_de, team, product):
    an = resident(1, disability_immobile=True)
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=an, clock=CLOCK)
    visit = home.schedule_home_visit(
        by=ward_officer_bo_de, visit=visit, team=team, day=date(2021, 10, 15), clock=CLOCK
    )
    done = home.record_visit_dose(
        by=health_worker_bo_de, visit=visit, product=product("pfizer"), dose_number=1, lot="FF-9",
        vaccinator="Lê Thị Hoa", clock=CLOCK,
    )  # fmt: skip
    dose = Dose.objects.get(person=an)
    assert done.status == "done" and done.dose_id == dose.pk and dose.site == "At home"
    assert dose.given_on == date(2021, 10, 15)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_the_last_place_one_wins(resident, ward_officer_bo_de, team):
    visits = [
        home.request_home_visit(
            by=ward_officer_bo_de, person=resident(n, disability_immobile=True), clock=CLOCK
        )[0]
        for n in (1, 2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(visit):
        try:
            barrier.wait()
            home.schedule_home_visit(by=ward_officer_bo_de, visit=visit, team=team, day=DAY, clock=CLOCK)
            outcomes.append("won")
        except errors.TeamFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(v,)) for v in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full", "won"]
    assert TeamDay.objects.get(team=team, day=DAY).booked == 1


def test_a_reason_the_registry_does_not_show_needs_the_ward(
    resident, health_worker_bo_de, ward_officer_bo_de
):
    an = resident(1)
    with pytest.raises(errors.NotEligibleAtHome):
        home.request_home_visit(by=health_worker_bo_de, person=an, reason="immobile", clock=CLOCK)
    visit, _ = home.request_home_visit(by=ward_officer_bo_de, person=an, reason="immobile", clock=CLOCK)
    assert visit.reason == "immobile"
