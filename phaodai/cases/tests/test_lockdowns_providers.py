"""What the cases app provides: zoning's case and lockdown indicators per area (from real cases, through the
classification path), and the situation report's case figures per unit."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from phaodai.cases import lockdowns, recording, services
from phaodai.cases.models import IsolationOrder, IsolationRule
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.people.tests.conftest import make_area
from phaodai.sitreps import prefill
from phaodai.territory import selectors as territory
from phaodai.zoning import indicators
from phaodai.zoning import selectors as zoning_selectors
from phaodai.zoning import services as zoning_services

pytestmark = pytest.mark.django_db

AT = hanoi(2021, 9, 14, 9, 0)
FIELDS = ["new_f0_community", "new_f0_quarantine", "f1_traced", "quarantine_concentrated", "quarantine_home"]


def facts(*areas: Any) -> list[indicators.AreaFacts]:
    return [indicators.AreaFacts(a.id, a.code, a.kind, a.population, a.shared_sanitation) for a in areas]


def case(
    by: Any, person: Any, confirmed_at: datetime, found: str = "community", *, known: bool = True
) -> Any:
    return services.record_case(
        by=by, person=person, confirmed_at=confirmed_at, detected_in=found, source_known=known,
        test_ref=f"T-{person.pk}", clock=at(confirmed_at + timedelta(minutes=30)),
    )[0]  # fmt: skip


def record_here(by: Any, ward: Any, since: date = date(2021, 8, 1)) -> None:
    """The ward keeps its cases in phaodai from `since` on (its own choice, recording.py)."""
    recording.start_recording(
        by=by, ward=ward, since=since, clock=at(hanoi(since.year, since.month, since.day))
    )


@pytest.fixture
def cases_of_tdp5(resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any, unit: Any) -> None:
    """Tổ dân phố 5 (Bồ Đề, which keeps its cases here since 01/8): community cases 1, 3 and 6 days before
    AT (one of unknown source), 10 days before, 20 days before (outside 14 days); one found in quarantine
    2 days before (not community)."""
    record_here(ward_officer_bo_de, unit("00139"))
    hw = health_worker_bo_de
    case(hw, resident(1), AT - timedelta(days=1), known=False)
    case(hw, resident(2), AT - timedelta(days=3))
    case(hw, resident(3), AT - timedelta(days=6, hours=23))
    case(hw, resident(4), AT - timedelta(days=10))
    case(hw, resident(5), AT - timedelta(days=20))
    case(hw, resident(6), AT - timedelta(days=2), "quarantine")
    case(hw, resident(7), AT + timedelta(hours=1))  # after the instant asked about


def test_zoning_reads_community_cases_from_real_cases(
    cases_of_tdp5: None, bo_de_area: Any, ward_officer_bo_de: Any
) -> None:
    # what the ward entered earlier no longer counts once its cases are kept here
    zoning_services.enter_indicators(
        by=ward_officer_bo_de,
        entries=[zoning_services.IndicatorEntry(bo_de_area, "community_cases_14d", 9)],
        as_of=AT - timedelta(days=1),
        clock=at(AT - timedelta(days=1)),
    )
    quiet = make_area("00139", "TDP06", "Tổ dân phố 6")
    values = indicators.gather(facts(bo_de_area, quiet), AT)
    assert {k: values[bo_de_area.id][k] for k in sorted(FIELDS_ZONING)} == {
        "community_cases_14d": 4,
        "community_cases_7d": 3,
        "days_since_last_community_case": 1,
        "lockdown_active": False,
        "unknown_source_cases_14d": 1,
    }
    # an area of the same ward without cases: zero, not a stale entry
    assert values[quiet.id]["community_cases_14d"] == 0
    assert "days_since_last_community_case" not in values[quiet.id]


FIELDS_ZONING = {
    "community_cases_7d",
    "community_cases_14d",
    "unknown_source_cases_14d",
    "days_since_last_community_case",
    "lockdown_active",
}


def test_a_ward_not_recording_cases_here_keeps_what_it_entered(
    cases_of_tdp5: None, ward_officer_phuc_xa: Any
) -> None:
    phuc_xa = make_area("00001", "TDP01", "Tổ 1 Phúc Xá")
    zoning_services.enter_indicators(
        by=ward_officer_phuc_xa,
        entries=[
            zoning_services.IndicatorEntry(phuc_xa, "community_cases_14d", 2),
            zoning_services.IndicatorEntry(phuc_xa, "lockdown_active", True),
        ],
        as_of=AT - timedelta(days=1),
        clock=at(AT - timedelta(days=1)),
    )
    values = indicators.gather(facts(phuc_xa), AT)[phuc_xa.id]
    assert (values["community_cases_14d"], values["lockdown_active"]) == (2, True)


def test_the_classification_follows_real_cases_and_lockdowns(
    cases_of_tdp5: None, bo_de_area: Any, ward_officer_bo_de: Any
) -> None:
    table = zoning_selectors.table_valid_at("LB-2021-09", AT)
    assert table is not None
    found = zoning_services.classify_areas(table, [bo_de_area], AT)[bo_de_area.id]
    # a community case of unknown source within 14 days: KV1-2
    assert found.matched_row == "KV1-2"
    assert found.values["community_cases_14d"] == 4


def test_lockdown_active_while_in_force_and_not_after_lifting(
    bo_de_area: Any, ward_officer_bo_de: Any, unit: Any
) -> None:
    record_here(ward_officer_bo_de, unit("00139"))
    start = hanoi(2021, 9, 10, 12, 0)
    lockdown, _ = lockdowns.declare_lockdown(
        by=ward_officer_bo_de, area=bo_de_area, scope="building", place="Nhà A", reason="F0",
        decision_number="1/QĐ", starts_at=start, planned_end_at=start + timedelta(days=14),
    )  # fmt: skip

    def active(moment: datetime) -> bool:
        return bool(indicators.gather(facts(bo_de_area), moment)[bo_de_area.id]["lockdown_active"])

    assert active(start) and active(start + timedelta(days=3))
    assert not active(start - timedelta(minutes=1))
    lifted_at = start + timedelta(days=5)
    lockdowns.lift(by=ward_officer_bo_de, lockdown=lockdown, ended_at=lifted_at, clock=at(lifted_at))
    assert active(lifted_at - timedelta(minutes=1))
    assert not active(lifted_at) and not active(lifted_at + timedelta(days=1))


def test_gathering_many_areas_costs_the_same_few_queries(
    cases_of_tdp5: None, bo_de_area: Any, django_assert_max_num_queries: Any
) -> None:
    from phaodai.cases import providers

    many = [make_area("00139", f"X{n:02d}", f"Khu {n}") for n in range(30)]
    with django_assert_max_num_queries(4):
        values = providers.zoning_values(facts(bo_de_area, *many), AT)
    assert len(values) == 31


# The situation report


def test_the_report_is_prefilled_with_the_periods_cases_contacts_and_isolation(
    resident: Any,
    health_worker_bo_de: Any,
    ward_officer_bo_de: Any,
    district_officer_long_bien: Any,
    unit: Any,
) -> None:
    hw = health_worker_bo_de
    record_here(ward_officer_bo_de, unit("00139"))
    start, end = hanoi(2021, 9, 9, 16, 30), hanoi(2021, 9, 10, 16, 30)  # the ward's daily slot
    f0 = resident(0)
    case(hw, f0, hanoi(2021, 9, 10, 9, 0))
    case(hw, resident(1), hanoi(2021, 9, 10, 10, 0), "lockdown")
    case(hw, resident(2), hanoi(2021, 9, 10, 11, 0), "quarantine")
    case(hw, resident(3), hanoi(2021, 9, 9, 16, 0))  # the previous period
    contacts = [resident(10 + n) for n in range(4)]
    # three contacts recorded within the period, one after it (next day's report)
    for moment, people in [
        (hanoi(2021, 9, 10, 11, 0), contacts[:3]),
        (hanoi(2021, 9, 10, 18, 0), contacts[3:]),
    ]:
        with time_machine.travel(moment, tick=False):
            services.add_contacts(
                by=hw, source=f0, clock=at(moment),
                contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=p)
                          for p in people],
            )  # fmt: skip
    rule = IsolationRule.objects.get(code="F1-2021-09")
    for person, setting in [(contacts[0], "facility"), (contacts[1], "home"), (contacts[2], "home")]:
        IsolationOrder.objects.create(
            person=person, subject="F1", setting=setting, rule=rule, starts_at=hanoi(2021, 9, 10, 13, 0),
            isolation_ends_at=hanoi(2021, 9, 24, 13), monitoring_ends_at=hanoi(2021, 10, 1, 13),
            area=person.residence_area, path=person.unit_path, ordered_by=hw,
        )  # fmt: skip
    known = prefill.known_values([unit("00139"), unit("004"), unit("00133")], start, end, FIELDS)
    expected = {
        "new_f0_community": 1,
        "new_f0_quarantine": 2,
        "f1_traced": 3,
        "quarantine_concentrated": 1,
        "quarantine_home": 2,
    }
    assert known[unit("00139").pk] == expected
    # Long Biên's other wards do not record: a sum of Bồ Đề's alone would understate the district.
    assert known[unit("004").pk] == {}
    assert known[unit("00133").pk] == {}  # Ngọc Lâm keeps no case here: its reporter fills the form
    for ward in territory.children_of(unit("004")).exclude(code="00139"):
        record_here(district_officer_long_bien, ward)
    known = prefill.known_values([unit("00139"), unit("004"), unit("00133")], start, end, FIELDS)
    assert known[unit("004").pk] == known[unit("00139").pk] == expected
    assert known[unit("00133").pk] == {key: 0 for key in FIELDS}  # recording, and nothing happened there


def test_nothing_is_prefilled_before_any_case_is_kept(unit: Any) -> None:
    known = prefill.known_values(
        [unit("00139")], hanoi(2021, 9, 9, 16, 30), hanoi(2021, 9, 10, 16, 30), FIELDS
    )
    assert known == {unit("00139").pk: {}}


def test_a_ward_starting_today_leaves_todays_report_to_its_reporter(
    resident: Any, health_worker_bo_de: Any, ward_officer_bo_de: Any, unit: Any
) -> None:
    record_here(ward_officer_bo_de, unit("00139"), since=date(2021, 9, 10))
    case(health_worker_bo_de, resident(0), hanoi(2021, 9, 10, 9, 0))
    slot = (hanoi(2021, 9, 9, 16, 30), hanoi(2021, 9, 10, 16, 30))  # starts the day before recording
    assert prefill.known_values([unit("00139")], *slot, FIELDS) == {unit("00139").pk: {}}
    next_slot = (hanoi(2021, 9, 10, 16, 30), hanoi(2021, 9, 11, 16, 30))
    assert (
        prefill.known_values([unit("00139")], *next_slot, FIELDS)[unit("00139").pk]["new_f0_community"] == 0
    )
