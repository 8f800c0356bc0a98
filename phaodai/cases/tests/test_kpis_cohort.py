"""The 24-hour KPI's cohort: the F1 of a day's F0, as they stood at the confirmation. A past day's figure
does not move when one of them tests positive later, and still matches a hand count."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from phaodai.cases import kpis, services
from phaodai.cases.models import IsolationOrder, IsolationRule
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db
DAY = date(2021, 9, 10)


def order(person: Any, starts_at: datetime, by: Any) -> None:
    rule = IsolationRule.objects.get(code="F1-2021-09")
    IsolationOrder.objects.create(
        person=person, subject="F1", setting="home", rule=rule, starts_at=starts_at,
        isolation_ends_at=starts_at + timedelta(days=14), monitoring_ends_at=starts_at + timedelta(days=21),
        area=person.residence_area, path=person.unit_path, ordered_by=by,
    )  # fmt: skip


def case(by: Any, person: Any, confirmed_at: datetime, ref: str) -> Any:
    return services.record_case(
        by=by, person=person, confirmed_at=confirmed_at, detected_in="community", source_known=True,
        test_ref=ref, clock=at(confirmed_at),
    )[0]  # fmt: skip


def contacts(by: Any, source: Any, people: list[Any], when: datetime, exposed_on: date) -> None:
    links = [services.ContactInput(exposed_on=exposed_on, setting="household", person=p) for p in people]
    services.add_contacts(by=by, source=source, clock=at(when), contacts=links)


def timeliness(ward: Any, seen_at: datetime) -> kpis.Timeliness:
    return kpis.daily([ward], DAY, clock=at(seen_at))[0].timeliness


def test_a_past_days_figure_stays_put_when_an_f1_tests_positive_later(
    resident: Any, health_worker_bo_de: Any, unit: Any
) -> None:
    hw, ward = health_worker_bo_de, unit("00139")
    f0, b, c, d = resident(0), resident(1), resident(2), resident(3)
    case(hw, f0, SEPT_10_MORNING, "A")
    contacts(hw, f0, [b, c, d], hanoi(2021, 9, 10, 9, 30), date(2021, 9, 9))
    order(b, hanoi(2021, 9, 10, 12), hw)  # 3 h
    order(d, hanoi(2021, 9, 11, 15), hw)  # 30 h: late; C never isolated: late
    before = timeliness(ward, hanoi(2021, 9, 11, 20))
    # By hand: 3 F1; within 24 h only B; the median of the two isolated (3, 30) is 16.5.
    assert (before.f1, before.on_time, before.not_isolated, before.median_hours) == (3, 1, 1, 16.5)
    # C tests positive on 12/9 and D on 13/9 (D's F0 order is no isolation within 24 h of 10/9 either)
    case(hw, c, hanoi(2021, 9, 12, 8), "C")
    case(hw, d, hanoi(2021, 9, 13, 8), "D")
    after = timeliness(ward, hanoi(2021, 9, 14, 20))
    assert after == before


def test_the_source_of_the_days_f0_is_no_f1_of_it(resident: Any, health_worker_bo_de: Any, unit: Any) -> None:
    hw, ward = health_worker_bo_de, unit("00139")
    source, f0, other = resident(0), resident(1), resident(2)
    case(hw, source, hanoi(2021, 9, 8, 9), "S")  # the household's first case, 8/9
    contacts(hw, source, [f0, other], hanoi(2021, 9, 8, 10), date(2021, 9, 7))
    case(hw, f0, SEPT_10_MORNING, "F")  # her F1 turns positive on 10/9
    contacts(hw, f0, [source, other], hanoi(2021, 9, 10, 10), date(2021, 9, 9))
    order(other, hanoi(2021, 9, 8, 12), hw)  # isolated since 8/9: 0 h for the F0 of 10/9
    seen = timeliness(ward, hanoi(2021, 9, 12, 9))
    # The F1 of 10/9's F0: only `other` (0 h); the source was an F0 already, not a contact of hers.
    assert (seen.f1, seen.on_time, seen.median_hours) == (1, 1, 0.0)


def test_a_contact_found_later_joins_the_days_cohort_as_late(
    resident: Any, health_worker_bo_de: Any, unit: Any
) -> None:
    hw, ward = health_worker_bo_de, unit("00139")
    f0, b, late = resident(0), resident(1), resident(2)
    case(hw, f0, SEPT_10_MORNING, "A")
    contacts(hw, f0, [b], hanoi(2021, 9, 10, 9, 30), date(2021, 9, 9))
    order(b, hanoi(2021, 9, 10, 11), hw)
    assert (timeliness(ward, hanoi(2021, 9, 11, 9)).f1, timeliness(ward, hanoi(2021, 9, 11, 9)).on_time) == (
        1,
        1,
    )
    contacts(hw, f0, [late], hanoi(2021, 9, 12, 9), date(2021, 9, 8))  # traced two days on
    order(late, hanoi(2021, 9, 12, 10), hw)
    seen = timeliness(ward, hanoi(2021, 9, 13, 9))
    assert (seen.f1, seen.on_time, seen.median_hours) == (2, 1, (2 + 49) / 2)
