"""Clusters: merged when a case links them (the older keeps its code), stable across rebuilds, closed after
the tracing horizon, and the incremental grouping always equals the full rebuild's."""

from datetime import date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phaodai.cases import clusters, services
from phaodai.cases.models import Case, Cluster, TraceLevel
from phaodai.cases.tests.conftest import at
from phaodai.core.clock import hanoi
from phaodai.people.tests.conftest import make_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(health_worker_bo_de: Any) -> Any:
    def make(person: Any, confirmed_at: datetime, test_ref: str) -> Case:
        case, created = services.record_case(
            by=health_worker_bo_de,
            person=person,
            confirmed_at=confirmed_at,
            detected_in="community",
            source_known=False,
            test_ref=test_ref,
            clock=at(confirmed_at),
        )
        assert created
        return case

    return make


@pytest.fixture
def link(health_worker_bo_de: Any) -> Any:
    def make(source: Any, contacts: list[tuple[Any, date]], when: datetime) -> None:
        services.add_contacts(
            by=health_worker_bo_de,
            source=source,
            contacts=[
                services.ContactInput(exposed_on=day, setting="workplace", person=p) for p, day in contacts
            ],
            clock=at(when),
        )

    return make


def cluster_of(case: Case) -> Cluster:
    found = Case.objects.get(pk=case.pk).cluster
    assert found is not None
    return found


def snapshot() -> dict[str, Any]:
    """Everything the grouping decides: each case's and traced person's cluster, and each cluster's row."""
    return {
        "cases": dict(Case.objects.values_list("pk", "cluster__code")),
        "traced": dict(TraceLevel.objects.values_list("person_id", "cluster__code")),
        "clusters": {
            c.code: (
                c.pk,
                c.name,
                c.status,
                c.merged_into_id,
                c.cases_count,
                c.contacts_count,
                c.first_case_at,
                c.last_case_at,
            )
            for c in Cluster.objects.all()
        },
    }


@pytest.fixture
def two_clusters(resident: Any, record: Any, link: Any) -> dict[str, Any]:
    """Two unlinked F0s in different areas (10/9 and 11/9), each with two F1s: two clusters."""
    other_area = make_area("00139", "TDP09", "Tổ dân phố 9")
    older, newer = resident(0), resident(1, area=other_area)
    f1s_older, f1s_newer = [resident(10), resident(11)], [resident(20), resident(21)]
    case_older = record(older, hanoi(2021, 9, 10, 9), "A-1")
    link(older, [(p, date(2021, 9, 9)) for p in f1s_older], hanoi(2021, 9, 10, 10))
    case_newer = record(newer, hanoi(2021, 9, 11, 9), "B-1")
    link(newer, [(p, date(2021, 9, 10)) for p in f1s_newer], hanoi(2021, 9, 11, 10))
    return {
        "older": older,
        "newer": newer,
        "case_older": case_older,
        "case_newer": case_newer,
        "f1s_older": f1s_older,
        "f1s_newer": f1s_newer,
    }


def test_each_unlinked_case_gets_its_own_cluster_named_after_its_area(two_clusters: dict[str, Any]) -> None:
    first, second = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    assert first.pk != second.pk
    assert (first.code, first.name) == (f"OD-{two_clusters['case_older'].pk}", "Ổ dịch Tổ dân phố 5")
    assert (second.code, second.name) == (f"OD-{two_clusters['case_newer'].pk}", "Ổ dịch Tổ dân phố 9")
    assert (first.cases_count, first.contacts_count, first.status) == (1, 2, "active")
    assert first.unit.code == "00139"


def test_a_new_case_linking_two_clusters_merges_them_into_the_older(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any
) -> None:
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    bridge = resident(30)
    bridge_case = record(bridge, hanoi(2021, 9, 12, 9), "C-1")
    # a case of its own until its contacts are known
    assert cluster_of(bridge_case).code == f"OD-{bridge_case.pk}"
    link(bridge, [(two_clusters["older"], date(2021, 9, 10)), (two_clusters["newer"], date(2021, 9, 11))],
         hanoi(2021, 9, 12, 10))  # fmt: skip
    for case in (two_clusters["case_older"], two_clusters["case_newer"], bridge_case):
        assert cluster_of(case).pk == older.pk
    kept = Cluster.objects.get(pk=older.pk)
    assert (kept.code, kept.name, kept.status) == (older.code, older.name, "active")
    assert (kept.cases_count, kept.contacts_count) == (3, 4)
    assert kept.last_case_at == hanoi(2021, 9, 12, 9)
    gone = Cluster.objects.get(pk=newer.pk)
    assert (gone.status, gone.merged_into_id) == ("merged", older.pk)
    # the bridge's own cluster of a moment ago is merged too
    assert Cluster.objects.get(code=f"OD-{bridge_case.pk}").merged_into_id == older.pk
    # everyone traced from the newer case now belongs to the older cluster
    traced = TraceLevel.objects.filter(person_id__in=[p.pk for p in two_clusters["f1s_newer"]])
    assert set(traced.values_list("cluster_id", flat=True)) == {older.pk}
    assert Cluster.objects.filter(status="active").count() == 1


def test_contacts_between_two_clusters_contacts_do_not_merge_them(
    two_clusters: dict[str, Any], link: Any
) -> None:
    """Clusters group linked cases: an F1 of one meeting an F1 of the other links no case."""
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    link(
        two_clusters["f1s_older"][0],
        [(two_clusters["f1s_newer"][0], date(2021, 9, 11))],
        hanoi(2021, 9, 11, 12),
    )
    assert cluster_of(two_clusters["case_older"]).pk == older.pk
    assert cluster_of(two_clusters["case_newer"]).pk == newer.pk
    assert Cluster.objects.filter(status="active").count() == 2


def test_the_incremental_grouping_equals_the_full_rebuild(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any
) -> None:
    bridge = resident(30)
    record(bridge, hanoi(2021, 9, 12, 9), "C-1")
    link(bridge, [(two_clusters["older"], date(2021, 9, 10)), (two_clusters["newer"], date(2021, 9, 11))],
         hanoi(2021, 9, 12, 10))  # fmt: skip
    # an F1 of the merged cluster tests positive: traced from it, so it joins that cluster
    turned = record(two_clusters["f1s_newer"][0], hanoi(2021, 9, 12, 15), "D-1")
    loner = record(resident(40), hanoi(2021, 9, 12, 16), "E-1")
    incremental = snapshot()
    assert incremental["cases"][turned.pk] == incremental["cases"][two_clusters["case_older"].pk]
    assert incremental["cases"][loner.pk] == f"OD-{loner.pk}"
    services.rederive(as_of=date(2021, 9, 12))
    full = snapshot()
    assert full == incremental


def test_codes_and_names_are_stable_across_full_rebuilds(two_clusters: dict[str, Any]) -> None:
    before = snapshot()
    services.rederive(as_of=date(2021, 9, 12))
    assert snapshot() == before
    services.rederive(as_of=date(2021, 9, 12))
    assert snapshot() == before


def test_a_rebuild_from_nothing_gives_the_same_codes_and_names(two_clusters: dict[str, Any]) -> None:
    before = {code: row[1:] for code, row in snapshot()["clusters"].items()}
    Case.objects.update(cluster=None)
    Cluster.objects.all().delete()
    derivation = services.rederive(as_of=date(2021, 9, 12))
    after = {code: row[1:] for code, row in snapshot()["clusters"].items()}
    assert after == before
    assert derivation.clusters == 2


def test_clusters_close_once_their_last_case_is_past_the_horizon(two_clusters: dict[str, Any]) -> None:
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    # the horizon is 28 days: the older case (10/9) still counts on 8/10, not on 9/10
    assert services.rederive(as_of=date(2021, 10, 8)).clusters == 2
    derivation = services.rederive(as_of=date(2021, 10, 9))
    assert derivation.clusters == 1
    closed = Cluster.objects.get(pk=older.pk)
    assert (closed.status, closed.cases_count, closed.contacts_count) == ("closed", 1, 0)
    assert closed.closed_at is not None
    # the older case and its contacts are no longer traced; the newer's still are
    traced = set(TraceLevel.objects.values_list("person_id", flat=True))
    assert traced == {two_clusters["newer"].pk, *(p.pk for p in two_clusters["f1s_newer"])}
    assert Cluster.objects.get(pk=newer.pk).status == "active"
    assert services.rederive(as_of=date(2021, 10, 10)).clusters == 0
    # closing keeps the code, the name and the moment it closed
    again = Cluster.objects.get(pk=older.pk)
    assert (again.code, again.name, again.closed_at) == (closed.code, closed.name, closed.closed_at)


def test_a_closed_cluster_reopens_when_a_rebuild_finds_a_current_case_in_it(
    two_clusters: dict[str, Any],
) -> None:
    services.rederive(as_of=date(2021, 10, 9))
    assert Cluster.objects.get(pk=cluster_of(two_clusters["case_older"]).pk).status == "closed"
    services.rederive(as_of=date(2021, 9, 12))
    reopened = Cluster.objects.get(pk=cluster_of(two_clusters["case_older"]).pk)
    assert (reopened.status, reopened.closed_at) == ("active", None)


def test_regrouping_after_a_new_case_walks_from_it_whatever_the_number_of_clusters(
    resident: Any, record: Any
) -> None:
    def queries_for_a_new_case(n: int, day: int) -> int:
        case = record(resident(n), hanoi(2021, 9, day, 9), f"Q-{n}")
        with CaptureQueriesContext(connection) as seen:
            clusters.assign_clusters_for([case.pk])
        return len(seen.captured_queries)

    first = queries_for_a_new_case(100, 5)
    for n in range(101, 105):
        record(resident(n), hanoi(2021, 9, 6, 9), f"X-{n}")
    assert queries_for_a_new_case(110, 7) == first
    assert Cluster.objects.filter(status="active").count() == 6


def refuse_to_walk(case_ids: Any, **kwargs: Any) -> None:
    raise AssertionError("the derivation knew the new case's cluster: no walk")


def assert_the_rebuild_agrees(as_of: date, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full rebuild (with the grouping's functions as shipped) changes no case's or person's cluster
    and no cluster's row."""
    grouped = snapshot()
    monkeypatch.undo()
    services.rederive(as_of=as_of)
    assert snapshot() == grouped


def test_an_f1_turning_positive_is_placed_in_their_source_cluster_without_a_walk(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows read around a new case tell its cluster when every current case it is linked to is in
    one: the case is put in it first and its contacts' rows are written labelled, as the walk and the
    rebuild would group them."""
    older = cluster_of(two_clusters["case_older"])
    f1, met = two_clusters["f1s_older"][0], resident(40)
    link(f1, [(met, date(2021, 9, 10))], hanoi(2021, 9, 11, 8))
    monkeypatch.setattr(clusters, "assign_clusters_for", refuse_to_walk)
    case = record(f1, hanoi(2021, 9, 11, 9), "A-2")
    assert cluster_of(case).pk == older.pk
    assert TraceLevel.objects.values_list("level", "root_case_id", "cluster_id").get(person=met) == (
        1,
        case.pk,
        older.pk,
    )
    kept = Cluster.objects.get(pk=older.pk)
    assert (kept.cases_count, kept.contacts_count, kept.last_case_at) == (2, 2, hanoi(2021, 9, 11, 9))
    assert_the_rebuild_agrees(date(2021, 9, 11), monkeypatch)


def test_a_contact_taken_over_by_another_clusters_case_moves_between_their_counts(
    two_clusters: dict[str, Any], resident: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contacts added with no link between two cases leave the groups as they are: the counts move by
    the rows written (one cluster loses the contact and its own contact, the other gains them), not
    counted again, and agree with the rebuild's."""
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    met, their_household = resident(60), resident(61)
    link(two_clusters["older"], [(met, date(2021, 9, 10))], hanoi(2021, 9, 11, 11))
    link(met, [(their_household, date(2021, 9, 10))], hanoi(2021, 9, 11, 12))
    counts = dict(Cluster.objects.values_list("pk", "contacts_count"))
    assert (counts[older.pk], counts[newer.pk]) == (4, 2)
    monkeypatch.setattr(clusters, "assign_clusters_for", refuse_to_walk)
    # The newer case met them a day earlier (inside its own window): the earlier exposure wins.
    link(two_clusters["newer"], [(met, date(2021, 9, 9))], hanoi(2021, 9, 11, 13))
    assert TraceLevel.objects.values_list("level", "via_id", "cluster_id").get(person=met) == (
        1,
        two_clusters["newer"].pk,
        newer.pk,
    )
    assert TraceLevel.objects.get(person=their_household).cluster_id == newer.pk
    counts = dict(Cluster.objects.values_list("pk", "contacts_count"))
    assert (counts[older.pk], counts[newer.pk]) == (2, 4)
    assert_the_rebuild_agrees(date(2021, 9, 11), monkeypatch)


def test_a_case_linked_to_no_current_case_starts_its_cluster_without_a_walk(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone, met = resident(50), resident(51)
    link(alone, [(met, date(2021, 9, 11))], hanoi(2021, 9, 12, 8))
    monkeypatch.setattr(clusters, "assign_clusters_for", refuse_to_walk)
    case = record(alone, hanoi(2021, 9, 12, 9), "D-1")
    started = cluster_of(case)
    assert (started.code, started.cases_count, started.contacts_count) == (f"OD-{case.pk}", 1, 1)
    assert TraceLevel.objects.get(person=met).cluster_id == started.pk
    assert_the_rebuild_agrees(date(2021, 9, 12), monkeypatch)


def test_a_new_case_met_by_two_clusters_is_left_to_the_walk_which_merges_them(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    bridge = resident(30)
    link(bridge, [(two_clusters["older"], date(2021, 9, 10)), (two_clusters["newer"], date(2021, 9, 11))],
         hanoi(2021, 9, 12, 8))  # fmt: skip
    walked: list[set[int]] = []
    walk = clusters.assign_clusters_for

    def watched(case_ids: Any, **kwargs: Any) -> None:
        walked.append(set(case_ids))
        walk(case_ids, **kwargs)

    monkeypatch.setattr(clusters, "assign_clusters_for", watched)
    bridge_case = record(bridge, hanoi(2021, 9, 12, 9), "C-1")
    assert walked and bridge_case.pk in walked[0]
    for case in (two_clusters["case_older"], two_clusters["case_newer"], bridge_case):
        assert cluster_of(case).pk == older.pk
    assert Cluster.objects.get(pk=newer.pk).merged_into_id == older.pk
    assert_the_rebuild_agrees(date(2021, 9, 12), monkeypatch)


def test_a_cluster_expected_before_the_lock_that_no_longer_holds_is_replaced_by_the_walk(
    two_clusters: dict[str, Any], resident: Any, record: Any, link: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """record_case gives a traced case its source's cluster before the derivation's lock: a rebuild
    committed in between can make that wrong. When the derivation cannot confirm it, the walk groups
    the case from scratch, never merging the cluster that was only expected."""
    older, newer = cluster_of(two_clusters["case_older"]), cluster_of(two_clusters["case_newer"])
    apart = record(resident(40), hanoi(2021, 9, 11, 11), "Z-1")
    elsewhere = cluster_of(apart)
    bridge = resident(30)
    link(bridge, [(two_clusters["older"], date(2021, 9, 10)), (two_clusters["newer"], date(2021, 9, 11))],
         hanoi(2021, 9, 12, 8))  # fmt: skip
    monkeypatch.setattr(services, "_expected_cluster", lambda *args: elsewhere.pk)
    bridge_case = record(bridge, hanoi(2021, 9, 12, 9), "C-1")
    for case in (two_clusters["case_older"], two_clusters["case_newer"], bridge_case):
        assert cluster_of(case).pk == older.pk
    assert Cluster.objects.get(pk=newer.pk).merged_into_id == older.pk
    kept = Cluster.objects.get(pk=elsewhere.pk)
    assert (kept.merged_into_id, kept.cases_count, cluster_of(apart).pk) == (None, 1, elsewhere.pk)
    assert_the_rebuild_agrees(date(2021, 9, 12), monkeypatch)
