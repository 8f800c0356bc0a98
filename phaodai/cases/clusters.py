"""Clusters (ổ dịch): cases linked into one outbreak, with their contacts.

Two cases are linked when one was traced from the other (the person was its F1 or F2 before testing
positive) or when the two persons were exposed to each other inside either case's window. A cluster is a
connected group of linked cases; each keeps its code and name across rebuilds: a group with no cluster
gets a new one, a group spanning several clusters keeps the oldest and the others are marked merged.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from phaodai.cases.models import Case, Cluster, Exposure, TraceLevel
from phaodai.cases.tracing import _tables, links_touching, rule_at


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[item] = parent
        return parent

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = {}
        for item in self.parent:
            found.setdefault(self.find(item), []).append(item)
        return list(found.values())


@dataclass(frozen=True)
class _CaseInfo:
    pk: int
    confirmed_at: datetime
    cluster_id: int | None
    path: str
    unit_id: int
    area_name: str


def _links(root_ids: set[int]) -> list[tuple[int, int]]:
    """Pairs of linked cases among `root_ids` (the roots of the F0 rows)."""
    linked = Case.objects.filter(pk__in=root_ids, traced_from__in=root_ids).values_list("pk", "traced_from")
    pairs: list[tuple[int, int]] = [(a, b) for a, b in linked if b is not None]
    t = _tables()
    with connection.cursor() as cursor:
        # Exposures between two F0s inside either one's window, probed from the F0s' side.
        cursor.execute(
            f"""
            SELECT a.root_case_id, b.root_case_id
            FROM {t["trace"]} a
            JOIN {t["exposure"]} e ON e.low_id = a.person_id
            JOIN {t["trace"]} b ON b.person_id = e.high_id AND b.level = 0
            WHERE a.level = 0
              AND ((e.exposed_on >= a.next_from AND e.exposed_on <= a.next_until)
                   OR (e.exposed_on >= b.next_from AND e.exposed_on <= b.next_until))
            """  # noqa: S608
        )
        pairs.extend((a, b) for a, b in cursor.fetchall() if a in root_ids and b in root_ids)
    return pairs


def assign_all_clusters(as_of: date) -> int:
    """Group every F0 of the current derivation into clusters; return how many active clusters."""
    roots = set(TraceLevel.objects.filter(level=0).values_list("root_case_id", flat=True))
    found = UnionFind()
    for pk in roots:
        found.find(pk)
    for a, b in _links(roots):
        found.union(a, b)
    with transaction.atomic():
        _persist(found.groups())
        horizon = as_of - timedelta(days=rule_at(as_of).horizon_days)
        Cluster.objects.filter(status=Cluster.Status.ACTIVE, last_case_at__date__lt=horizon).update(
            status=Cluster.Status.CLOSED
        )
    return Cluster.objects.filter(status=Cluster.Status.ACTIVE).count()


def assign_clusters_for(case_ids: Iterable[int]) -> None:
    """Re-group the connected groups containing these cases (after a new case or new contacts)."""
    component = _component(set(case_ids))
    if component:
        with transaction.atomic():
            _persist([sorted(component)], label_all=False)


def _component(seeds: set[int]) -> set[int]:
    """The current F0s linked, directly or through others, to the seed cases (a walk, not a scan)."""
    roots = set(
        TraceLevel.objects.filter(level=0, root_case_id__in=seeds).values_list("root_case_id", flat=True)
    )
    seen, frontier = set(roots), set(roots)
    while frontier:
        near: set[int] = {
            pk
            for pk in Case.objects.filter(pk__in=frontier).values_list("traced_from", flat=True)
            if pk is not None
        }
        near |= set(Case.objects.filter(traced_from__in=frontier).values_list("pk", flat=True))
        near |= _exposed_roots(frontier)
        near = set(
            TraceLevel.objects.filter(level=0, root_case_id__in=near - seen).values_list(
                "root_case_id", flat=True
            )
        )
        frontier = near - seen
        seen |= frontier
    return seen


def _exposed_roots(case_ids: set[int]) -> set[int]:
    """The F0s exposed to these cases' persons inside either one's window."""
    mine = {
        row.person_id: row
        for row in TraceLevel.objects.filter(level=0, root_case_id__in=case_ids).only(
            "person_id", "root_case_id", "next_from", "next_until"
        )
    }
    links = links_touching(list(mine))
    by_other: dict[Any, list[tuple[Any, date]]] = {}
    for one, other, on in links:
        by_other.setdefault(other, []).append((one, on))
    found = set()
    for row in TraceLevel.objects.filter(level=0, person_id__in=list(by_other)).only(
        "person_id", "root_case_id", "next_from", "next_until"
    ):
        for one, on in by_other[row.person_id]:
            source = mine[one]
            if source.next_from <= on <= source.next_until or row.next_from <= on <= row.next_until:
                found.add(row.root_case_id)
    return found


def _infos(case_ids: list[int]) -> dict[int, _CaseInfo]:
    rows = Case.objects.filter(pk__in=case_ids).values_list(
        "pk", "confirmed_at", "cluster_id", "path", "residence_unit_id", "residence_area__name"
    )
    return {row[0]: _CaseInfo(*row) for row in rows}


def _surviving(cluster_ids: set[int]) -> dict[int, Cluster]:
    """The clusters named, with merged ones followed to the cluster they were merged into."""
    clusters = {c.pk: c for c in Cluster.objects.filter(pk__in=cluster_ids)}
    result = {}
    for pk, cluster in clusters.items():
        seen = 0
        while cluster.merged_into_id is not None and seen < 100:
            cluster = Cluster.objects.get(pk=cluster.merged_into_id)
            seen += 1
        result[pk] = cluster
    return result


def _persist(groups: list[list[int]], *, label_all: bool = True) -> None:
    """Give each group its cluster (kept, merged or new), set-wise: a handful of statements whatever the
    number of groups."""
    infos = _infos([pk for group in groups for pk in group])
    existing = _surviving({i.cluster_id for i in infos.values() if i.cluster_id is not None})
    plans: list[tuple[list[_CaseInfo], Cluster | None]] = []
    merged: dict[int, int] = {}
    fresh: list[Cluster] = []
    for group in groups:
        members = [infos[pk] for pk in group if pk in infos]
        if not members:
            continue
        owners = sorted(
            {
                existing[i.cluster_id].pk: existing[i.cluster_id] for i in members if i.cluster_id in existing
            }.values(),
            key=lambda c: (c.first_case_at, c.pk),
        )
        if owners:
            merged.update({other.pk: owners[0].pk for other in owners[1:]})
            plans.append((members, owners[0]))
        else:
            first = min(members, key=lambda i: (i.confirmed_at, i.pk))
            cluster = Cluster(
                code=f"OD-{first.confirmed_at:%Y%m%d}-{first.pk}",
                name=f"Ổ dịch {first.area_name}",
                unit_id=first.unit_id,
                path=first.path,
                first_case_at=first.confirmed_at,
                last_case_at=max(i.confirmed_at for i in members),
            )
            fresh.append(cluster)
            plans.append((members, cluster))
    Cluster.objects.bulk_create(fresh, batch_size=2000)
    for old, survivor in merged.items():
        Cluster.objects.filter(pk=old).update(status=Cluster.Status.MERGED, merged_into_id=survivor)
    moved = [
        Case(pk=i.pk, cluster_id=cluster.pk)
        for members, cluster in plans
        if cluster is not None
        for i in members
        if i.cluster_id != cluster.pk
    ]
    Case.objects.bulk_update(moved, ["cluster"], batch_size=2000)
    _refresh_counts(
        None if label_all else {cluster.pk for _m, cluster in plans if cluster is not None} - set(merged)
    )
    if label_all:
        _label_trace_rows()
    else:
        cluster_of_root = Case.objects.filter(pk=OuterRef("root_case_id")).values("cluster_id")[:1]
        for group in groups:
            TraceLevel.objects.filter(root_case_id__in=group).update(cluster_id=Subquery(cluster_of_root))


def _refresh_counts(cluster_ids: set[int] | None) -> None:
    """Each cluster's dates and counts from its cases and their traced contacts, in one UPDATE
    (all clusters not merged away when `cluster_ids` is None)."""
    cases = Case.objects.filter(cluster_id=OuterRef("pk")).order_by().values("cluster_id")
    contacts = (
        TraceLevel.objects.filter(level__gt=0, root_case__cluster_id=OuterRef("pk"))
        .order_by()
        .values("root_case__cluster_id")
    )
    targets = Cluster.objects.exclude(status=Cluster.Status.MERGED)
    if cluster_ids is not None:
        targets = targets.filter(pk__in=list(cluster_ids))
    targets.filter(Exists(cases)).update(
        cases_count=Subquery(cases.annotate(n=Count("pk")).values("n")),
        first_case_at=Subquery(cases.annotate(first=Min("confirmed_at")).values("first")),
        last_case_at=Subquery(cases.annotate(last=Max("confirmed_at")).values("last")),
        contacts_count=Coalesce(Subquery(contacts.annotate(n=Count("person_id")).values("n")), 0),
        status=Cluster.Status.ACTIVE,
    )


def _label_trace_rows() -> None:
    """Every traced person carries the cluster of the case they derive from."""
    t = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {t["trace"]} SET cluster_id = (
                SELECT c.cluster_id FROM {t["case"]} c WHERE c.id = {t["trace"]}.root_case_id
            )
            """  # noqa: S608
        )


def graph(cluster: Cluster) -> dict[str, Any]:
    """The cluster's transmission graph: its cases and traced persons, and the links between them."""
    rows = list(
        TraceLevel.objects.filter(cluster=cluster).values_list("person_id", "level", "via_id", "exposed_on")
    )
    ids = [r[0] for r in rows]
    return {
        "nodes": [{"id": str(pid), "level": level} for pid, level, _via, _on in rows],
        "edges": [
            {"from": str(via), "to": str(pid), "exposed_on": on.isoformat()}
            for pid, _level, via, on in rows
            if via is not None
        ],
        "exposures": Exposure.objects.filter(low_id__in=ids, high_id__in=ids).count(),
    }
