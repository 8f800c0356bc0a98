"""The incremental derivation's reads and writes: persons keyed as the reads return them, array literals
that PostgreSQL reads back unchanged, and prepared statements that outlive a rolled-back derivation."""

from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction

from phaodai.cases import services, trace_rows, tracing
from phaodai.cases.models import TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.core.clock import hanoi

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL arrays")


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


def a_case_met_by(contact: Any, f0: Any, by: Any, test_ref: str) -> None:
    """f0 confirmed on 10/9, then `contact` added as met on 9/9 (an F1)."""
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref=test_ref, clock=at(SEPT_10_MORNING))  # fmt: skip
    services.add_contacts(
        by=by,
        source=f0,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=contact)],
        clock=at(hanoi(2021, 9, 10, 11)),
    )


@on_postgresql
def test_array_literals_come_back_unchanged() -> None:
    texts = ['a"b', "c\\d", None, "e,f", "{g}", "", "NULL", "Đông Anh"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::varchar[], %s::date[], %s::bigint[]", [
            trace_rows._text_array(texts),
            trace_rows._array([date(2021, 9, 1), None]),
            trace_rows._array([1, None, 2**40]),
        ])  # fmt: skip
        assert cursor.fetchone() == (texts, [date(2021, 9, 1), None], [1, None, 2**40])


def test_the_persons_read_around_a_change_are_keyed_as_the_seeds_are(
    resident: Any, health_worker_bo_de: Any
) -> None:
    f0, f1 = resident(0), resident(1)
    by = health_worker_bo_de
    a_case_met_by(f1, f0, by, "K-1")
    seeds = trace_rows.keys([f0.pk])
    around = trace_rows.read_around(seeds, seeds, (date(2021, 8, 13), date(2021, 9, 10)))
    (one, other, day), *rest = around.links
    assert not rest and {one} == seeds and {other} == trace_rows.keys([f1.pk]) and day == date(2021, 9, 9)
    source, contact = around.rows[one], around.rows[other]
    assert source is not None and source.level == 0 and around.firsts[one] == source
    assert contact is not None and (contact.level, contact.via) == (1, one)


def test_a_rolled_back_derivation_leaves_the_next_one_exact(resident: Any, health_worker_bo_de: Any) -> None:
    """PostgreSQL keeps a statement prepared in a transaction that rolls back: the next derivation on the
    connection runs it again, and must still agree with the rebuild."""
    f0, f1, f2 = resident(0), resident(1), resident(2)
    by = health_worker_bo_de
    services.add_contacts(
        by=by,
        source=f0,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=f1)],
        clock=at(hanoi(2021, 9, 10, 8)),
    )
    services.add_contacts(
        by=by,
        source=f1,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 10), setting="market", person=f2)],
        clock=at(hanoi(2021, 9, 10, 8)),
    )
    with transaction.atomic():
        services.record_case(by=by, person=f1, confirmed_at=SEPT_10_MORNING, detected_in="community",
                             source_known=False, test_ref="R-1", clock=at(SEPT_10_MORNING))  # fmt: skip
        assert dict(TraceLevel.objects.values_list("person_id", "level")) == {f0.pk: 1, f1.pk: 0, f2.pk: 1}
        transaction.set_rollback(True)
    assert not TraceLevel.objects.exists()
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="R-2", clock=at(SEPT_10_MORNING))  # fmt: skip
    assert dict(TraceLevel.objects.values_list("person_id", "level")) == {f0.pk: 0, f1.pk: 1, f2.pk: 2}
    incremental = derivation()
    tracing.derive_all(date(2021, 9, 10))
    assert derivation() == incremental


@on_postgresql
def test_a_statement_made_stale_is_prepared_again(resident: Any, health_worker_bo_de: Any) -> None:
    """After DEALLOCATE ALL (or a migration that changes a column a statement returns) the derivation on
    that connection fails once; the next one prepares its statements afresh and is exact."""
    from django.db import DatabaseError

    f0, f1 = resident(0), resident(1)
    by = health_worker_bo_de
    services.add_contacts(
        by=by,
        source=f0,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=f1)],
        clock=at(hanoi(2021, 9, 10, 8)),
    )
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError), transaction.atomic():
        services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                             source_known=False, test_ref="S-1", clock=at(SEPT_10_MORNING))  # fmt: skip
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="S-1", clock=at(SEPT_10_MORNING))  # fmt: skip
    assert dict(TraceLevel.objects.values_list("person_id", "level")) == {f0.pk: 0, f1.pk: 1}
    incremental = derivation()
    tracing.derive_all(date(2021, 9, 10))
    assert derivation() == incremental


def links_then_case(by: Any, links: Any, positive: Any) -> None:
    """Each (source, contact, day of September 2021) linked on the 10th at 08:00, then `positive`
    confirmed that morning."""
    for source, contact, day in links:
        services.add_contacts(
            by=by,
            source=source,
            contacts=[services.ContactInput(exposed_on=date(2021, 9, day), setting="market", person=contact)],
            clock=at(hanoi(2021, 9, 10, 8)),
        )
    services.record_case(by=by, person=positive, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="A-1", clock=at(SEPT_10_MORNING))  # fmt: skip


def test_the_next_hop_read_ahead_is_what_two_reads_give(resident: Any, health_worker_bo_de: Any) -> None:
    """A new case's first read takes its neighbours' links with its own (READ_AHEAD): the same links
    and rows as reading the neighbours' links after — on PostgreSQL those from the day each neighbour
    can spread on (the earliest of their row's window and of their links with the seed)."""
    f0, f1, f2, f3 = resident(0), resident(1), resident(2), resident(3)
    links_then_case(health_worker_bo_de, ((f0, f1, 9), (f1, f2, 10), (f1, f3, 10), (f0, f3, 8)), f2)
    seeds = trace_rows.keys([f0.pk])
    ahead = trace_rows.read_around(seeds, seeds, and_reached=True)
    first = trace_rows.read_around(seeds, seeds)
    neighbours = {other for _one, other, _day in first.links}
    second = trace_rows.read_around(neighbours, set())
    assert ahead.reached == neighbours == trace_rows.keys([f1.pk, f3.pk])
    if connection.vendor == "postgresql":
        rows = trace_rows.stored_rows(neighbours)
        assert ahead.read_from == {
            n: min(
                [day for _one, other, day in first.links if other == n]
                + ([rows[n].next_from] if n in rows else [])
            )
            for n in neighbours
        }
    else:
        assert ahead.read_from == {}
    spreading = [link for link in second.links if link[2] >= ahead.read_from.get(link[0], date.min)]
    assert sorted(ahead.links, key=str) == sorted(first.links + spreading, key=str)
    assert ahead.rows == first.rows | {other: second.rows[other] for _one, other, _day in spreading}


def test_a_neighbour_whose_row_came_through_the_seed_is_read_ahead_whole(
    resident: Any, health_worker_bo_de: Any
) -> None:
    """If the seed's row changes, a neighbour traced through it is recomputed from all its links: the
    read ahead takes them all (no day for it), including those before its window, so that no second
    read is needed; the other neighbours are read from their day."""
    case, f1, f2, met_before = resident(0), resident(1), resident(2), resident(3)
    links_then_case(health_worker_bo_de, ((f2, met_before, 3), (case, f1, 9), (f1, f2, 10)), case)
    assert TraceLevel.objects.get(person=f2).via_id == f1.pk
    seeds = trace_rows.keys([f1.pk])
    ahead = trace_rows.read_around(seeds, seeds, and_reached=True)
    whole = trace_rows.read_around(trace_rows.keys([f2.pk]), set())
    (through_seed,) = trace_rows.keys([f2.pk])
    assert sorted(link for link in ahead.links if link[0] == through_seed) == sorted(whole.links)
    assert (through_seed, str(met_before.pk) if connection.vendor == "postgresql" else met_before.pk,
            date(2021, 9, 3)) in whole.links  # fmt: skip
    assert through_seed not in ahead.read_from
    if connection.vendor == "postgresql":  # (SQLite reads the next hop whole, every time)
        assert ahead.read_from == {key: date(2021, 9, 8) for key in trace_rows.keys([case.pk])}


def test_adding_one_contact_to_a_case_reads_no_links_of_its_other_contacts(
    resident: Any, health_worker_bo_de: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a new case reads its next hop ahead: a contact added to an F0 with many contacts must not
    read all their links (under the derivation lock) when only the new contact's row changes."""
    f0, *contacts = [resident(n) for n in range(6)]
    by = health_worker_bo_de
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="A-1", clock=at(SEPT_10_MORNING))  # fmt: skip
    added = [
        services.ContactInput(exposed_on=date(2021, 9, 9), setting="market", person=p) for p in contacts[:4]
    ]
    services.add_contacts(by=by, source=f0, contacts=added, clock=at(hanoi(2021, 9, 10, 9)))
    reads: list[tuple[set[Any], bool]] = []
    read_around = trace_rows.read_around

    def recording(links_of: Any, *args: Any, **kwargs: Any) -> Any:
        reads.append((set(links_of), kwargs.get("and_reached", False)))
        return read_around(links_of, *args, **kwargs)

    monkeypatch.setattr(tracing, "read_around", recording)
    last = services.ContactInput(exposed_on=date(2021, 9, 9), setting="market", person=contacts[4])
    services.add_contacts(by=by, source=f0, contacts=[last], clock=at(hanoi(2021, 9, 10, 10)))
    assert reads and not any(ahead for _links_of, ahead in reads)
    earlier = trace_rows.keys([c.pk for c in contacts[:4]])
    assert not any(links_of & earlier for links_of, _ahead in reads)
    assert TraceLevel.objects.get(person=contacts[4]).level == 1


def test_links_added_read_a_seeds_links_only_from_the_first_day_that_can_spread(
    resident: Any, health_worker_bo_de: Any
) -> None:
    """Contacts added (read_around's `since`): a seed's links from the earliest of the day given, its
    row's window and its latest case's, up to the day; the rows of the persons asked for come once."""
    f0, f1, before, inside = resident(0), resident(1), resident(2), resident(3)
    by = health_worker_bo_de
    for contact, day in ((before, date(2021, 8, 25)), (inside, date(2021, 9, 10))):
        services.add_contacts(
            by=by,
            source=f1,
            contacts=[services.ContactInput(exposed_on=day, setting="market", person=contact)],
            clock=at(hanoi(2021, 9, 10, 8)),
        )
    a_case_met_by(f1, f0, by, "W-1")
    seeds = trace_rows.keys([f1.pk])
    within = (date(2021, 8, 13), date(2021, 9, 10))
    windowed = trace_rows.read_around(seeds, seeds, within, since={next(iter(seeds)): date(2021, 9, 9)})
    whole = trace_rows.read_around(seeds, seeds, within)
    others = {other for _one, other, _day in windowed.links}
    assert others == trace_rows.keys([f0.pk, inside.pk])
    assert {other for _one, other, _day in whole.links} == others | trace_rows.keys([before.pk])
    assert windowed.read_from == {next(iter(seeds)): date(2021, 9, 9)} and not whole.read_from
    # the row of f1 (an F1 from 9/9: its window starts then) came as asked; an earlier day reads more
    assert windowed.rows == {p: r for p, r in whole.rows.items() if p in others | seeds}
    earlier = trace_rows.read_around(seeds, seeds, within, since={next(iter(seeds)): date(2021, 8, 20)})
    assert sorted(earlier.links, key=str) == sorted(whole.links, key=str)


def test_server_side_binding_fails_the_system_check() -> None:
    from phaodai.cases.prepared import binding_errors, check_client_side_binding

    assert check_client_side_binding() == []  # the project's own settings
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"server_side_binding": True}}
    assert [error.id for error in binding_errors({"default": postgres})] == ["cases.E001"]
    assert binding_errors({"default": {**postgres, "OPTIONS": {}}}) == []
