"""The demo's outbreaks of September 2021: told through the services, in agreement with Long Biên's zoning
story, visible on the KPI board, the worklists and zoning's indicators; and a rerun adds nothing."""

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from phaodai.accounts.selectors import user_by_username
from phaodai.cases import kpis, services
from phaodai.cases.isolation_selectors import lost_to_follow_up, worklist
from phaodai.cases.lockdown_selectors import in_force
from phaodai.cases.models import Case, Exposure, FollowUp, IsolationOrder, Lockdown, TraceLevel
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.demo.cases_seed import LAST_DAY, seed_cases
from phaodai.demo.context import DemoContext
from phaodai.demo.phases import PHASES, run_phases
from phaodai.demo.scenarios import BO_DE, EFFECTIVE, LONG_BIEN, OBSERVED, TABLE
from phaodai.quarantine.models import Facility
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services
from phaodai.zoning.indicators import AreaFacts, gather

HA_DONG = "268"
# What the outbreaks stand on: residents of both districts, the logins, Long Biên's zoning, the facilities.
NEEDED = ("areas", "people", "logins", "zoning", "quarantine", "cases")
PERSONS = 4000


def quiet(_line: str) -> None:
    """Swallow the phases' progress lines."""


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoContext]:
    """The phases, run once for the module in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            ctx = DemoContext(districts=(LONG_BIEN, HA_DONG), persons=PERSONS, write=quiet)
            run_phases(ctx, [phase for phase in PHASES if phase.name in NEEDED])
            yield ctx
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def login(demo: DemoContext, db: Any) -> Any:
    def find(username: str) -> Any:
        user = user_by_username(username)
        assert user is not None, username
        return user

    return find


def counts() -> dict[str, int]:
    models = (Case, Exposure, TraceLevel, IsolationOrder, FollowUp, Lockdown, Facility, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def bo_de_areas() -> list[Any]:
    ward = territory.unit_by_code(BO_DE)
    assert ward is not None
    return list(territory.areas_of(ward).order_by("code"))


def case_of(key: str) -> Case:
    return Case.objects.select_related("residence_area", "person").get(
        idempotency_key=f"demo-2021-09:case:{key}"
    )


def levels() -> dict[Any, int]:
    return dict(TraceLevel.objects.values_list("person_id", "level"))


def test_four_outbreaks_in_long_bien_and_ha_dong(login: Any) -> None:
    assert Case.objects.count() == 8
    by_ward = Counter(Case.objects.values_list("residence_unit__parent__code", flat=True))
    assert by_ward == {LONG_BIEN: 7, HA_DONG: 1}
    found = Counter(Case.objects.values_list("detected_in", flat=True))
    assert found == {"community": 4, "quarantine": 2, "lockdown": 1, "screening": 1}
    assert Case.objects.filter(source_known=False).count() == 4
    clusters = {case.cluster_id for case in Case.objects.all()}
    assert len(clusters) == 4 and None not in clusters
    assert Counter(TraceLevel.objects.values_list("level", flat=True))[0] == 8


def test_bo_de_has_the_cases_its_ward_counted_on_6_september_and_classifies_the_same(login: Any) -> None:
    areas = bo_de_areas()
    locked, index = areas[0], case_of("hh1-1")
    assert index.residence_area == locked  # the scenario's "first area of Bồ Đề", in lockdown
    assert in_force([locked.pk], OBSERVED) == {locked.pk}
    assert not in_force([locked.pk], hanoi(2021, 9, 19))
    # Classified again from the real cases, every area of Bồ Đề gets what the ward's figures gave it.
    table = zoning.table_valid_at(TABLE, EFFECTIVE)
    assert table is not None
    again = zoning_services.classify_areas(table, areas, OBSERVED)
    proposal_items = {
        item.area_id: item.suggested_level.code
        for item in zoning.items_of(zoning.proposals_visible_to(login("ward-00139")).get())
    }
    assert {a.pk: again[a.pk].level_code for a in areas} == proposal_items
    assert case_of("hh1-2").residence_area != case_of("new-town-1").residence_area != locked


def test_zoning_reads_community_cases_from_the_real_cases(login: Any) -> None:
    areas = bo_de_areas()
    facts = [AreaFacts(a.id, a.code, a.kind, a.population, a.shared_sanitation) for a in areas]
    values = gather(facts, hanoi(2021, 9, 10, 18))
    unknown, known = case_of("new-town-1").residence_area, case_of("hh1-2").residence_area
    # The lockdown's index case counts; the two found in quarantine and in the lockdown do not.
    assert values[areas[0].pk]["community_cases_14d"] == 1
    assert values[areas[0].pk]["lockdown_active"] is True
    assert (values[unknown.pk]["community_cases_14d"], values[unknown.pk]["unknown_source_cases_14d"]) == (
        1,
        1,
    )
    assert (values[known.pk]["community_cases_14d"], values[known.pk]["unknown_source_cases_14d"]) == (1, 0)
    assert sum(v["community_cases_14d"] for v in values.values()) == 3


def test_levels_are_derived_one_f1_moved_up_and_a_full_rebuild_agrees(login: Any) -> None:
    vendor = case_of("hh1-2")
    assert (vendor.traced_from, vendor.traced_level) == (case_of("hh1-1"), 1)
    # Her household, F2 while she was an F1, are F1 of her own case now.
    household = TraceLevel.objects.filter(
        root_case=vendor, level=1, person__household=vendor.person.household_id
    ).exclude(person=vendor.person)
    assert household.count() >= 2
    assert all(
        IsolationOrder.objects.filter(person_id=row.person_id, subject="F2", status="released").exists()
        and IsolationOrder.objects.filter(person_id=row.person_id, subject="F1", setting="facility").exists()
        for row in household
    )
    before = levels()
    services.rederive(as_of=LAST_DAY)
    assert levels() == before


def test_every_case_and_contact_is_isolated_where_the_rules_say(login: Any) -> None:
    orders = IsolationOrder.objects.exclude(status="cancelled")
    assert set(orders.filter(subject="F0").values_list("setting", flat=True)) == {"hospital", "facility"}
    assert set(orders.filter(subject="F1").values_list("setting", flat=True)) == {"facility", "home"}
    assert set(orders.filter(subject="F2").values_list("setting", flat=True)) == {"home"}
    # Each case has its own F0 order; the only F1 at home is the one known by name and phone.
    assert orders.filter(subject="F0").values("person").distinct().count() == 8
    assert orders.filter(subject="F1", setting="home").get().person.provisional
    # Admitted to the Long Biên and Hà Đông facilities, never beyond their beds.
    used = {f.name: f for f in Facility.objects.all() if f.used_male or f.used_female or f.used_family}
    assert {f.unit.code for f in used.values()} == {LONG_BIEN, HA_DONG}
    assert all(f.used_male <= f.beds_male and f.used_female <= f.beds_female for f in used.values())
    assert orders.filter(status="released").exclude(release_decision="").count() >= 10


def test_a_day_of_follow_ups_with_one_person_lost(login: Any) -> None:
    health = login("health-00139")
    lost = lost_to_follow_up(health, LAST_DAY)
    assert [item.lost for item in lost] == ["unreachable"]
    assert lost[0].order.subject == "F2" and lost[0].order.setting == "home"
    today = [item for group in worklist(health, LAST_DAY) for item in group.items]
    assert len(today) >= 10
    assert all(item.check is not None for item in today)
    assert FollowUp.objects.filter(result="symptoms").count() == 2


def test_the_kpi_board_counts_the_golden_hours(login: Any) -> None:
    long_bien, bo_de = territory.unit_by_code(LONG_BIEN), territory.unit_by_code(BO_DE)
    as_of = lambda: hanoi(2021, 9, 22, 8)  # noqa: E731
    district, ward = kpis.daily([long_bien, bo_de], date(2021, 9, 4), clock=as_of)
    assert district.new_cases.community == ward.new_cases.community == 1
    # The index case's F1: the colleagues and a vendor of Ngọc Lâm were isolated a day late, and the
    # vendor nobody reached was isolated only once she tested positive, two days later.
    assert district.timeliness.f1 - district.timeliness.on_time == 4
    assert ward.timeliness.f1 - ward.timeliness.on_time == 2  # the colleague of Bồ Đề, and the vendor
    assert district.timeliness.not_isolated == 0
    sixth = kpis.daily([long_bien], date(2021, 9, 6), clock=as_of)[0]
    assert sixth.new_cases.community == 2
    assert 0 < (sixth.timeliness.share or 0) < 1
    assert sixth.isolation.facility > 0 and sixth.isolation.home > 0 and sixth.isolation.hospital > 0
    assert kpis.daily([long_bien], date(2021, 9, 7), clock=as_of)[0].new_cases.quarantine == 1


def test_running_the_phase_again_adds_nothing(demo: DemoContext, db: Any) -> None:
    before = counts()
    summary = seed_cases(DemoContext(seed=demo.seed, write=quiet))
    assert summary.startswith("nothing to add")
    assert counts() == before
