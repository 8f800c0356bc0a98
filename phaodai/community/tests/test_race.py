"""Concurrent writes on PostgreSQL: a household signed by two officers at once signs once; one person put
on two teams' duty for the same day at once is on one."""

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import connection

from phaodai.community import services
from phaodai.community.models import Commitment, Duty
from phaodai.community.tests.world import SEPT_15, fixed


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    start = threading.Barrier(len(calls), timeout=10)
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes.append(call())
        except Exception as error:  # the loser's refusal is the point
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_signing_one_household_at_once_record_it_once(
    world: Any, ward_officer_bo_de: Any, district_officer_long_bien: Any
) -> None:
    home = world.households[0]

    def sign(by: Any, name: str) -> Callable[[], Any]:
        return lambda: services.sign_commitment(
            by=by, campaign=world.campaign, household=home, signer_name=name, clock=fixed(SEPT_15)
        )

    outcomes = _race(
        [sign(ward_officer_bo_de, "Nguyễn Văn An"), sign(district_officer_long_bien, "Nguyễn Thị Hoa")]
    )
    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(created for _row, created in outcomes) == [False, True]
    assert len({row.pk for row, _created in outcomes}) == 1
    assert Commitment.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_person_put_on_two_teams_duty_at_once_is_on_one(world: Any, ward_officer_bo_de: Any) -> None:
    one, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    two, _ = services.create_team(by=ward_officer_bo_de, area=world.other_area)
    members = [
        services.add_team_member(
            by=ward_officer_bo_de, team=team, full_name="Lê Văn Tổ", phone="0912000001", role="member"
        )[0]
        for team in (one, two)
    ]
    day = date(2021, 9, 15)

    def duty(member: Any) -> Callable[[], Any]:
        return lambda: services.put_on_duty(by=ward_officer_bo_de, member=member, day=day)

    outcomes = _race([duty(m) for m in members])
    assert sum(isinstance(o, services.AlreadyOnDuty) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, tuple) and o[1] for o in outcomes) == 1
    assert Duty.objects.count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_officers_assigning_the_same_households_at_once_never_fail(
    world: Any, ward_officer_bo_de: Any, district_officer_long_bien: Any
) -> None:
    from phaodai.accounts import services as accounts
    from phaodai.accounts.roles import Role
    from phaodai.community.models import Assignment

    second = accounts.create_user(
        username="community-00139-b", password="x", role=Role.COMMUNITY_MEMBER, unit=world.ward
    )
    homes = world.households + world.other_households
    outcomes = _race(
        [
            lambda: services.assign_households(by=ward_officer_bo_de, member=world.member, households=homes),
            lambda: services.assign_households(
                by=district_officer_long_bien, member=second, households=homes
            ),
        ]
    )
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert Assignment.objects.count() == len(homes)
