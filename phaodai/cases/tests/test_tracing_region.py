"""Re-deriving around a change gives every person the row the full rebuild gives them, whatever happened
before: random sequences of cases and contacts, each followed by a rebuild that must change nothing (no
row, no case's cluster, no cluster's counts)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phaodai.cases import services
from phaodai.cases.models import Case, Cluster, TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi
from phaodai.core.errors import DomainError

pytestmark = pytest.mark.django_db
PEOPLE = 7


def derivation() -> dict[Any, tuple[Any, ...]]:
    fields = (
        "level",
        "via_id",
        "root_case_id",
        "exposed_on",
        "next_from",
        "next_until",
        "path",
        "cluster_id",
    )
    return {pid: tuple(rest) for pid, *rest in TraceLevel.objects.values_list("person_id", *fields)}


def grouping() -> tuple[dict[Any, Any], dict[Any, tuple[Any, ...]]]:
    """Each case's cluster, and each cluster's merge and counts (not its status: the rebuild also closes
    clusters whose last case has left the horizon, which a new case or contact never does)."""
    fields = ("merged_into_id", "cases_count", "contacts_count", "first_case_at", "last_case_at")
    return (
        dict(Case.objects.values_list("pk", "cluster_id")),
        {pk: tuple(rest) for pk, *rest in Cluster.objects.values_list("pk", *fields)},
    )


def levels() -> dict[Any, int]:
    return dict(TraceLevel.objects.values_list("person_id", "level"))


def case(by: Any, person: Any, confirmed: Any, today: Any) -> None:
    services.record_case(by=by, person=person, confirmed_at=confirmed, detected_in="community",
                         source_known=False, test_ref=f"T-{person.pk.hex[:6]}", clock=at(today))  # fmt: skip


def contact(by: Any, source: Any, person: Any, day: date, today: Any) -> None:
    met = services.ContactInput(exposed_on=day, setting="household", person=person)
    services.add_contacts(by=by, source=source, contacts=[met], clock=at(today))


def test_an_f1_who_turns_positive_takes_everyone_downstream_up_with_them_as_the_rebuild_does(
    resident: Any, health_worker_bo_de: Any
) -> None:
    f0, f1, f2, not_met = resident(0), resident(1), resident(2), resident(3)
    by = health_worker_bo_de
    case(by, f0, SEPT_10_MORNING, SEPT_10_MORNING)
    contact(by, f0, f1, date(2021, 9, 9), hanoi(2021, 9, 10, 11))
    contact(by, f1, f2, date(2021, 9, 10), hanoi(2021, 9, 10, 12))
    contact(by, not_met, f1, date(2021, 9, 8), hanoi(2021, 9, 10, 13))  # before the F1 was exposed
    assert levels() == {f0.pk: 0, f1.pk: 1, f2.pk: 2}
    # The F1 tests positive on 14/9. Their household contact of 10/9 is before the usual window (12–14/9)
    # but after their own exposure (9/9), when they may already have passed it on: F2 becomes F1.
    case(by, f1, hanoi(2021, 9, 14, 8), hanoi(2021, 9, 14, 9))
    new_case = TraceLevel.objects.get(person=f1).root_case
    assert new_case.traced_from is not None
    assert (new_case.window_start, new_case.traced_from.person_id) == (date(2021, 9, 9), f0.pk)
    assert levels() == {f0.pk: 0, f1.pk: 0, f2.pk: 1}
    assert TraceLevel.objects.get(person=f2).via_id == f1.pk
    incremental = derivation()
    services.rederive(as_of=date(2021, 9, 14))
    assert derivation() == incremental


def test_a_second_f0_met_earlier_takes_over_the_contact_and_their_window(
    resident: Any, health_worker_bo_de: Any
) -> None:
    a, b, contact_person, household = resident(0), resident(1), resident(2), resident(3)
    by = health_worker_bo_de
    case(by, a, SEPT_10_MORNING, SEPT_10_MORNING)
    contact(by, a, contact_person, date(2021, 9, 10), hanoi(2021, 9, 10, 10))
    # B, confirmed the next day, met the same person a day earlier: the earlier exposure wins, which
    # opens the contact's own window a day earlier — their household met on 9/9 becomes F2.
    # (recorded from the household's side: the contact's own window does not reach back to the 9th yet)
    contact(by, household, contact_person, date(2021, 9, 9), hanoi(2021, 9, 10, 11))
    assert household.pk not in levels()
    case(by, b, hanoi(2021, 9, 11, 8), hanoi(2021, 9, 11, 9))
    contact(by, b, contact_person, date(2021, 9, 9), hanoi(2021, 9, 11, 10))
    row = TraceLevel.objects.get(person=contact_person)
    assert (row.level, row.via_id, row.exposed_on) == (1, b.pk, date(2021, 9, 9))
    assert levels()[household.pk] == 2
    incremental = derivation()
    services.rederive(as_of=date(2021, 9, 11))
    assert derivation() == incremental


def test_a_case_entered_days_late_reaches_the_contacts_of_contacts_recorded_since(
    resident: Any, health_worker_bo_de: Any
) -> None:
    f0, f1, f2 = resident(0), resident(1), resident(2)
    by = health_worker_bo_de
    contact(by, f0, f1, date(2021, 9, 9), hanoi(2021, 9, 12, 9))
    contact(by, f1, f2, date(2021, 9, 12), hanoi(2021, 9, 12, 10))
    # Confirmed on the 10th, entered on the 13th: derived as of the 13th, the F2 of the 12th counts.
    case(by, f0, SEPT_10_MORNING, hanoi(2021, 9, 13, 9))
    assert levels() == {f0.pk: 0, f1.pk: 1, f2.pk: 2}


def test_a_case_older_than_the_tracing_horizon_traces_nobody(resident: Any, health_worker_bo_de: Any) -> None:
    f0, f1 = resident(0), resident(1)
    contact(health_worker_bo_de, f0, f1, date(2021, 8, 10), hanoi(2021, 8, 12, 9))
    case(health_worker_bo_de, f0, hanoi(2021, 8, 10, 8), hanoi(2021, 9, 20, 9))  # horizon: 28 days
    assert levels() == {}


def test_a_case_confirmed_just_after_midnight_joins_its_source_cluster_when_its_contacts_come_next(
    resident: Any, health_worker_bo_de: Any
) -> None:
    by = health_worker_bo_de
    source, traced, household = resident(0), resident(1), resident(2)
    case(by, source, SEPT_10_MORNING, SEPT_10_MORNING)
    contact(by, source, traced, date(2021, 9, 9), hanoi(2021, 9, 10, 10))
    # Entered at 23:58 with the laboratory's 00:02 (a clock a few minutes ahead is accepted): derived as
    # of the 10th, the case is not current yet, so it has no F0 row and no cluster.
    case(by, traced, hanoi(2021, 9, 11, 0, 2), hanoi(2021, 9, 10, 23, 58))
    late = Case.objects.get(person=traced)
    assert (late.cluster_id, levels()[traced.pk]) == (None, 1)
    # Its contact, after midnight: the derivation makes the case current, so it is grouped then, as the
    # rebuild groups it (traced from the source: the source's cluster), not only recounted.
    contact(by, traced, household, date(2021, 9, 11), hanoi(2021, 9, 11, 0, 10))
    late.refresh_from_db()
    source_cluster = Case.objects.get(person=source).cluster_id
    assert late.cluster_id == source_cluster is not None
    assert levels() == {source.pk: 0, traced.pk: 0, household.pk: 1}
    incremental, grouped = derivation(), grouping()
    services.rederive(as_of=date(2021, 9, 11))
    assert (derivation(), grouping()) == (incremental, grouped)


step = st.one_of(
    st.tuples(st.just("case"), st.integers(0, PEOPLE - 1), st.integers(0, 3), st.integers(0, 2)),
    st.tuples(st.just("link"), st.integers(0, PEOPLE - 1), st.integers(0, PEOPLE - 1), st.integers(0, 5)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=9))
def test_after_any_sequence_of_cases_and_contacts_a_rebuild_changes_no_row(
    steps: list[tuple[str, int, int, int]], resident: Any, health_worker_bo_de: Any
) -> None:
    persons = [resident(n) for n in range(PEOPLE)]  # registered once: the same rows every example
    with transaction.atomic():
        today = hanoi(2021, 9, 5, 9)
        for kind, one, two, three in steps:
            try:
                if kind == "case":  # confirmed `two` days ago; a day or two passes
                    today += timedelta(days=three)
                    case(health_worker_bo_de, persons[one], today - timedelta(days=two, hours=1), today)
                elif one != two:  # met `three` days ago, recorded from whichever side may date it so
                    met = today.date() - timedelta(days=three)
                    try:
                        contact(health_worker_bo_de, persons[one], persons[two], met, today)
                    except DomainError:
                        contact(health_worker_bo_de, persons[two], persons[one], met, today)
            except DomainError:
                continue  # refused (a second case in the same episode…): nothing changed
            incremental, grouped = derivation(), grouping()
            services.rederive(as_of=today.date())
            assert derivation() == incremental, (kind, one, two, three)
            assert grouping() == grouped, (kind, one, two, three)
        transaction.set_rollback(True)
