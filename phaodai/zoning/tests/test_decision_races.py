"""A superseding directive and a district's decision recorded at the same moment, on PostgreSQL: whichever
commits first, the other sees it, so the decision's assignments end when the directive takes effect (S5:
the city's 22/CT-UBND over every ward's own level)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from phaodai.core.clock import hanoi
from phaodai.zoning import selectors, services
from phaodai.zoning.tests.test_selectors import ct22_over_the_city
from phaodai.zoning.tests.test_services import build_scene

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

CT22 = hanoi(2021, 9, 10, 6, 0)  # after the decision takes effect (06:00 08/9)
HOLD = (
    1.5  # seconds the first writer holds its transaction open, waiting to see whether the other gets through
)


def hold_inside(
    first: Callable[[], Any], then: Callable[[], Any], monkeypatch: Any
) -> tuple[list[Any], bool]:
    """Run `first` until it reads what supersedes (services._superseded_at, inside its transaction) and
    hold it open there while `then` starts in another thread; return both outcomes and whether `then`
    finished while `first` was still open."""
    inside, finished = threading.Event(), threading.Event()
    holder = threading.local()
    seen: list[bool] = []
    superseded_at = services._superseded_at

    def read_then_hold(*args: Any, **kwargs: Any) -> Any:
        found = superseded_at(*args, **kwargs)
        if getattr(holder, "first", False) and not inside.is_set():
            inside.set()
            seen.append(finished.wait(HOLD))
        return found

    monkeypatch.setattr(services, "_superseded_at", read_then_hold)
    outcomes: list[Any] = []

    def run_first() -> None:
        holder.first = True
        try:
            outcomes.append(first())
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    def run_then() -> None:
        try:
            assert inside.wait(10)
            outcomes.append(then())
            finished.set()
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_then)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, seen == [True]


def decided_assignments_end(scene: Any) -> set[Any]:
    decision = selectors.decision_of(scene.refresh())
    assert decision is not None
    return {a.effective_until for a in selectors.assignments_of(decision)}


@pytest.mark.parametrize("first", ["directive", "decision"])
def test_a_directive_and_a_decision_recorded_at_once_end_the_decision_at_the_directive(
    first, unit, ward_officer_bo_de, district_officer_long_bien, city_commander, monkeypatch
):
    scene = build_scene(unit, ward_officer_bo_de, district_officer_long_bien)
    scene.classify()
    scene.submit()
    steps: list[Callable[[], Any]] = [lambda: ct22_over_the_city(unit, city_commander, CT22), scene.decide]
    if first == "decision":
        steps.reverse()
    outcomes, overlapped = hold_inside(steps[0], steps[1], monkeypatch)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert not overlapped, "the second was recorded while the first was still open"
    assert decided_assignments_end(scene) == {CT22}
    area = scene.areas["TDP01"]
    placement = selectors.placement_of_area(area, CT22)
    assert placement is not None and placement.regime.code == "CT22-HN"
