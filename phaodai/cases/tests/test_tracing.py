"""F-levels derived from cases and exposures: the acceptance's scripted outbreak, incremental and full."""

from datetime import date
from typing import Any

import pytest

from phaodai.cases import services, tracing
from phaodai.cases.models import Case, Cluster, TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db


def levels() -> dict[Any, int]:
    return dict(TraceLevel.objects.values_list("person_id", "level"))


def contact(person: Any, day: date, setting: str = "household") -> services.ContactInput:
    return services.ContactInput(exposed_on=day, setting=setting, person=person)


@pytest.fixture
def outbreak(resident: Any, health_worker_bo_de: Any) -> dict[str, Any]:
    """F0 (confirmed 10/9) → 6 F1 (exposed 8–10/9) → 20 F2 (each F1's contacts after their exposure)."""
    f0 = resident(0)
    f1s = [resident(1 + i) for i in range(6)]
    f2s = [resident(10 + i) for i in range(20)]
    case, created = services.record_case(
        by=health_worker_bo_de,
        person=f0,
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=False,
        test_ref="LB-0910-0001",
        clock=at(SEPT_10_MORNING),
    )
    assert created
    services.add_contacts(
        by=health_worker_bo_de,
        source=f0,
        contacts=[contact(p, date(2021, 9, 8 + i % 3)) for i, p in enumerate(f1s)],
        clock=at(hanoi(2021, 9, 10, 11)),
    )
    # F1 number i has the F2s 4i … 4i+3 (the last two F1s share some), exposed a day after their F1's.
    for i, f1 in enumerate(f1s):
        mine = f2s[min(4 * i, 16) : min(4 * i, 16) + 4]
        services.add_contacts(
            by=health_worker_bo_de,
            source=f1,
            contacts=[contact(p, date(2021, 9, 9 + i % 3 if i % 3 < 2 else 10)) for p in mine],
            clock=at(hanoi(2021, 9, 10, 15)),
        )
    return {"f0": f0, "f1s": f1s, "f2s": f2s, "case": case}


def test_the_scripted_outbreak_gives_every_person_the_right_level(outbreak: dict[str, Any]) -> None:
    found = levels()
    assert found[outbreak["f0"].pk] == 0
    assert [found[p.pk] for p in outbreak["f1s"]] == [1] * 6
    assert [found[p.pk] for p in outbreak["f2s"]] == [2] * 20
    assert len(found) == 27


def test_when_an_f1_tests_positive_everyone_downstream_moves_up(
    outbreak: dict[str, Any], health_worker_bo_de: Any
) -> None:
    turned = outbreak["f1s"][0]
    second, _ = services.record_case(
        by=health_worker_bo_de,
        person=turned,
        confirmed_at=hanoi(2021, 9, 11, 8),
        detected_in="quarantine",
        source_known=True,
        test_ref="LB-0911-0002",
        clock=at(hanoi(2021, 9, 11, 9)),
    )
    found = levels()
    assert found[turned.pk] == 0
    # their four contacts were F2 and are now F1 of the new F0
    assert [found[p.pk] for p in outbreak["f2s"][:4]] == [1, 1, 1, 1]
    assert [found[p.pk] for p in outbreak["f2s"][4:]] == [2] * 16
    # the new case is linked to the first: one cluster, traced from it as an F1
    assert (second.traced_from_id, second.traced_level) == (outbreak["case"].pk, 1)
    assert second.cluster_id == Case.objects.get(pk=outbreak["case"].pk).cluster_id
    assert Cluster.objects.filter(status="active").count() == 1


def test_the_full_rebuild_agrees_with_the_incremental_levels(
    outbreak: dict[str, Any], health_worker_bo_de: Any
) -> None:
    services.record_case(
        by=health_worker_bo_de,
        person=outbreak["f1s"][0],
        confirmed_at=hanoi(2021, 9, 11, 8),
        detected_in="quarantine",
        source_known=True,
        test_ref="LB-0911-0002",
        clock=at(hanoi(2021, 9, 11, 9)),
    )
    incremental = levels()
    derivation = services.rederive(as_of=date(2021, 9, 11))
    assert levels() == incremental
    assert derivation.levels == (2, 9, 16)
    assert derivation.clusters == 1


def test_exposures_outside_the_window_make_nobody_a_contact(resident: Any, health_worker_bo_de: Any) -> None:
    f0, early, late = resident(0), resident(1), resident(2)
    services.record_case(
        by=health_worker_bo_de,
        person=f0,
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=True,
        test_ref="X1",
        clock=at(SEPT_10_MORNING),
    )
    # the window runs from 2 days before confirmation (8/9) to the confirmation day
    with pytest.raises(services.InvalidContacts) as refused:
        services.add_contacts(
            by=health_worker_bo_de,
            source=f0,
            contacts=[contact(early, date(2021, 9, 7))],
            clock=at(SEPT_10_MORNING),
        )
    assert refused.value.problems[0].field == "exposed_on"
    assert "08/09/2021" in refused.value.problems[0].message
    with pytest.raises(services.InvalidContacts):
        services.add_contacts(
            by=health_worker_bo_de,
            source=f0,
            contacts=[contact(late, date(2021, 9, 11))],
            clock=at(SEPT_10_MORNING),
        )
    assert set(levels()) == {f0.pk}


def test_the_rule_in_force_sets_the_window(resident: Any) -> None:
    rule = tracing.rule_at(date(2021, 9, 10))
    assert (rule.days_before, rule.depth) == (2, 2)
