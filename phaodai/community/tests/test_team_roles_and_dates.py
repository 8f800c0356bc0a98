"""Review fixes: a linked team login that lost its role over the team's ward loses the team (page, visits,
API), and dates outside the plausible years are field errors on every community input (never 500)."""

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from django.http import Http404

from phaodai.community import selectors, services
from phaodai.community.models import Campaign, Duty, Housing, Visit
from phaodai.community.pages import form_moment
from phaodai.community.tests.world import SEPT_15, fixed
from phaodai.core.clock import HANOI
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db
CLOCK = fixed(SEPT_15)
API = "/api/v1/community"
PHONE = "0912000009"
IMPLAUSIBLE = "Give a day between 1900 and 2200."


def _linked_team(world: Any, officer: Any, login: Any) -> Any:
    team, _ = services.create_team(by=officer, area=world.area)
    services.add_team_member(by=officer, team=team, full_name="Y tá", phone=PHONE, role="member", user=login)
    return team


def _reload(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)  # a fresh object: roles are cached on the instance


def test_a_linked_login_reads_and_writes_its_team_while_it_holds_its_role(
    client: Any, world: Any, ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    team = _linked_team(world, ward_officer_bo_de, health_worker_bo_de)
    client.force_login(health_worker_bo_de)
    page = client.get(f"/community/teams/{team.pk}/")
    assert page.status_code == 200 and world.households[0].address in page.content.decode()
    visit = client.post(
        f"/community/teams/{team.pk}/visit/",
        {"household": str(world.households[0].pk), "kind": "reminder_5k", "token": "t1"},
    )
    assert visit.status_code == 302 and Visit.objects.filter(team=team).count() == 1
    assert client.get(f"{API}/teams/{team.pk}").status_code == 200


@pytest.mark.parametrize("loss", ["every_role", "moved_to_phuc_xa"])
def test_a_linked_login_that_lost_its_role_over_the_ward_loses_the_team(
    client: Any, world: Any, ward_officer_bo_de: Any, health_worker_bo_de: Any, loss: str
) -> None:
    team = _linked_team(world, ward_officer_bo_de, health_worker_bo_de)
    if loss == "every_role":
        health_worker_bo_de.role_assignments.update(active=False)
    else:  # still an official, but of another ward
        health_worker_bo_de.role_assignments.update(unit=Unit.objects.get(code="00001"))
    fresh = _reload(health_worker_bo_de)
    assert list(selectors.teams_visible_to(fresh)) == []
    with pytest.raises(Http404):
        selectors.team_for(fresh, team.pk)
    with pytest.raises((NotPermitted, OutOfScope)):
        services.log_visit(
            by=fresh, household=world.households[0], team=team, kind="isolation_check", clock=CLOCK
        )
    client.force_login(fresh)
    page = client.get(f"/community/teams/{team.pk}/")
    assert page.status_code == 404
    assert world.households[0].address not in page.content.decode() and PHONE not in page.content.decode()
    visit = client.post(
        f"/community/teams/{team.pk}/visit/",
        {"household": str(world.households[1].pk), "kind": "reminder_5k", "token": "t2"},
    )
    assert visit.status_code == 404
    assert client.get(f"{API}/teams/{team.pk}").status_code == 404
    body = {
        "area": world.area.code,
        "household": world.households[1].code,
        "kind": "reminder_5k",
        "team": team.pk,
    }
    api_visit = client.post(f"{API}/visits", body, content_type="application/json")
    assert api_visit.status_code in (403, 404)
    assert client.get(f"{API}/teams").json() == []
    assert Visit.objects.count() == 0


# Dates --------------------------------------------------------------------------------------------


OUTSIDE_MOMENTS = (
    form_moment("0001-01-01T00:00"),  # before year 1 in UTC: comparing it overflowed
    datetime(1899, 12, 31, 23, 0, tzinfo=HANOI),
    datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-7))),  # after year 9999 in UTC
)


@pytest.mark.parametrize("moment", OUTSIDE_MOMENTS, ids=str)
def test_a_visit_time_outside_the_plausible_years_is_a_field_error(
    world: Any, ward_officer_bo_de: Any, moment: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.log_visit(
            by=ward_officer_bo_de,
            household=world.households[0],
            kind="reminder_5k",
            visited_at=moment,
            clock=CLOCK,
        )
    assert refused.value.field == "visited_at" and str(refused.value.detail) == IMPLAUSIBLE
    assert not Visit.objects.exists()


def test_the_first_plausible_year_is_still_taken(world: Any, ward_officer_bo_de: Any) -> None:
    visit, created = services.log_visit(
        by=ward_officer_bo_de,
        household=world.households[0],
        kind="reminder_5k",
        visited_at=datetime(1900, 1, 1, tzinfo=HANOI),
        clock=CLOCK,
    )
    assert created and visit.visited_at.year in (1899, 1900)  # stored in UTC


def test_a_year_one_visit_on_the_pages_is_a_form_error(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    services.assign_households(by=ward_officer_bo_de, member=world.member, households=[world.households[1]])
    client.force_login(ward_officer_bo_de)
    on_team = client.post(
        f"/community/teams/{team.pk}/visit/",
        {
            "household": str(world.households[0].pk),
            "kind": "reminder_5k",
            "visited_at": "0001-01-01T00:00",
            "token": "t1",
        },
    )
    assert on_team.status_code == 422 and IMPLAUSIBLE in on_team.content.decode()
    client.force_login(world.member)
    mine = client.post(
        f"/community/mine/{world.households[1].pk}/visit/",
        {"kind": "reminder_5k", "visited_at": "0001-01-01T00:00", "token": "t2"},
    )
    assert mine.status_code == 422 and IMPLAUSIBLE in mine.content.decode()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+07:00", "9999-12-31T23:00:00-07:00", "1899-06-01T08:00:00+07:00"]
)
def test_a_visit_time_outside_the_plausible_years_is_422_on_the_api(
    client: Any, world: Any, ward_officer_bo_de: Any, moment: str
) -> None:
    client.force_login(ward_officer_bo_de)
    body = {
        "area": world.area.code,
        "household": world.households[0].code,
        "kind": "reminder_5k",
        "visited_at": moment,
    }
    response = client.post(f"{API}/visits", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "visited_at"
    assert not Visit.objects.exists()


def _plan(officer: Any, housing: Any, **days: Any) -> Any:
    return services.update_plan(
        by=officer,
        housing=housing,
        version=housing.version,
        plan="Kế hoạch",
        responsible_name="",
        responsible_phone="",
        **days,
    )


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)])
def test_days_outside_the_plausible_years_are_field_errors(
    world: Any, ward_officer_bo_de: Any, city_commander: Any, day: date
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    member, _ = services.add_team_member(
        by=ward_officer_bo_de, team=team, full_name="Ba", phone=PHONE, role="member"
    )
    housing, _ = services.register_housing(
        by=ward_officer_bo_de, area=world.area, kind="old_apartments", name="Khu A", address="Ngõ 1"
    )
    attempts: list[tuple[str, Any]] = [
        ("day", lambda: services.put_on_duty(by=ward_officer_bo_de, member=member, day=day)),
        (
            "starts_on",
            lambda: services.create_campaign(
                by=city_commander,
                unit=world.campaign.unit,
                code="cu",
                name_vi="Cũ",
                name_en="Old",
                starts_on=day,
            ),
        ),
        (
            "signed_on",
            lambda: services.sign_commitment(
                by=ward_officer_bo_de,
                campaign=world.campaign,
                household=world.households[0],
                signer_name="An",
                signed_on=day,
                clock=CLOCK,
            ),
        ),
        (
            "plan_starts_on",
            lambda: _plan(ward_officer_bo_de, housing, plan_starts_on=day, plan_ends_on=None),
        ),
        (
            "plan_ends_on",
            lambda: _plan(ward_officer_bo_de, housing, plan_starts_on=None, plan_ends_on=day),
        ),
    ]
    for field, attempt in attempts:
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.field == field and str(refused.value.detail) == IMPLAUSIBLE
    assert not Duty.objects.exists() and not Campaign.objects.filter(code="cu").exists()
    assert Housing.objects.get(pk=housing.pk).plan_starts_on is None


def test_a_year_one_duty_day_is_a_form_error_and_422_on_the_api(
    client: Any, world: Any, ward_officer_bo_de: Any
) -> None:
    team, _ = services.create_team(by=ward_officer_bo_de, area=world.area)
    member, _ = services.add_team_member(
        by=ward_officer_bo_de, team=team, full_name="Ba", phone=PHONE, role="member"
    )
    client.force_login(ward_officer_bo_de)
    page = client.post(f"/community/teams/{team.pk}/duty/", {"member": str(member.pk), "day": "0001-01-01"})
    assert page.status_code == 422 and IMPLAUSIBLE in page.content.decode()
    api = client.post(
        f"{API}/teams/{team.pk}/duties",
        {"member": str(member.pk), "day": "0001-01-01"},
        content_type="application/json",
    )
    assert api.status_code == 422 and api.json()["field"] == "day"
    assert not Duty.objects.exists()
