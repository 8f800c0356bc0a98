"""The demo's community work in Bồ Đề, September 2021: a plausible share of households signed, a team per
tổ dân phố with its week's roster and visits, a party member's households, special housing; a rerun adds
nothing."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from phaodai.community.models import Assignment, Campaign, Commitment, Duty, Housing, Team, TeamMember, Visit
from phaodai.demo.community_seed import seed_community
from phaodai.demo.context import DemoContext
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, LONG_BIEN
from phaodai.territory.models import Area, Household

NEEDED = ("areas", "people", "logins")


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[str]]:
    """Long Biên's registry, then the community phase twice, once."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN,), persons=1200, write=lambda line: None)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            with transaction.atomic():
                yield [seed_community(ctx), seed_community(ctx)]
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_a_plausible_share_of_bo_de_households_signed_once(seeded: list[str]) -> None:
    campaign = Campaign.objects.get(code="gdat-long-bien-2021")
    households = Household.objects.filter(path__contains=f"/{BO_DE}/").count()
    signed = Commitment.objects.filter(campaign=campaign).count()
    assert households > 0 and 0.6 * households <= signed <= 0.9 * households
    assert "0 new signatures" in seeded[1]


@pytest.mark.django_db
def test_every_to_dan_pho_has_a_team_a_week_of_duty_and_visits(seeded: list[str]) -> None:
    groups = Area.objects.filter(ward__code=BO_DE, kind="to_dan_pho").count()
    teams = Team.objects.filter(unit_path__contains=f"/{BO_DE}/")
    assert teams.count() == groups > 0
    assert TeamMember.objects.filter(team__in=teams, role="leader").count() == groups
    assert Duty.objects.filter(team__in=teams).count() == 7 * groups
    assert Visit.objects.filter(team__in=teams).exists()
    assert "0 teams set up, 0 visits logged" in seeded[1]


@pytest.mark.django_db
def test_a_party_member_follows_households_and_housing_has_a_plan(seeded: list[str]) -> None:
    households = Household.objects.filter(path__contains=f"/{BO_DE}/").count()
    assert Assignment.objects.filter(member__username="community-00139").count() == min(15, households) > 0
    boarding = Housing.objects.get(kind="boarding_house")
    assert boarding.plan and boarding.responsible_phone and boarding.plan_ends_on is not None
    assert Housing.objects.filter(kind="shared_sanitation", plan="").exists()
