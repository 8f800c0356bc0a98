"""Clusters (ổ dịch): cases linked into one outbreak, with their contacts.

Two current cases (F0 rows of the derivation) are linked when one was traced from the other (the person
was its F1 or F2 before testing positive) or when the two persons were exposed to each other inside
either case's window. A cluster is a connected group of linked cases. Clusters only ever merge, never
split: cases already in one cluster stay together, a group with no cluster gets a new one (code
"OD-<first case id>", named after its first case's area), and a group spanning several clusters keeps
the oldest (by first case, then id) while the others are marked merged into it, their cases and
contacts moving with them. Codes and names therefore stay the same across rebuilds.

The grouping is computed in Python, a union-find over two reads (the current cases, and the exposures
between them, probed from their side): a few rows per case. Persisting it is set-wise SQL that SQLite
and PostgreSQL both run: the groups that are not settled yet (all their cases in one cluster) go into a
temporary work table, and a handful of statements keep, merge or create each group's cluster and
relabel its cases, traced persons and counts, whatever the number of groups. After a new case or new
contacts, only the groups met by a walk outward from them are regrouped.
"""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from phaodai.cases import prepared, rules
from phaodai.cases.models import Cluster, Exposure, TraceLevel
from phaodai.cases.tracing import _tables, rule_at
from phaodai.core.clock import at_local

NAME_PREFIX = "Ổ dịch "  # an official term: stays Vietnamese in every language
CODE_PREFIX = "OD-"
FEW = 10  # groups joining a cluster labelled one statement each rather than through the work table
MANY = 1000  # more rows than this written to a table: PostgreSQL should look at it again before joining

# The work table of one persisting (temporary, per connection): rows (step, a, b) where step is
WORK = "cases_cluster_work"
MAP = "'map'"  # a case → b its group
PICK = "'pick'"  # a group → b the cluster it keeps
MERGE = "'merge'"  # a cluster merged away → b the cluster it joins
FIRST = "'first'"  # a group without a cluster → b its first case


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


def _chunks(items: Iterable[Any], uses: int = 1) -> Iterator[list[Any]]:
    """Batches of items for statements that bind each item `uses` times, within the database's limit
    on parameters (SQLite's may be 999)."""
    size = min(connection.features.max_query_params or 10_000, 10_000) // uses
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def _now() -> Any:
    """Now, as this database takes a datetime parameter (the clusters' created_at, updated_at)."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def closing_boundary(as_of: date) -> datetime:
    """Clusters whose last case is older than this instant are closed (the tracing horizon)."""
    return at_local(rules.horizon_start(as_of, rule_at(as_of).horizon_days), time(0, 0))


# Reading the links -----------------------------------------------------------------------------------


class _Root(NamedTuple):
    traced_from: int | None
    cluster: int | None  # the case's cluster followed to the one it was merged into
    stale: bool  # the case still points at a cluster merged away


def _roots(
    cursor: Any, case_ids: Iterable[int] | None = None, *, trace: str | None = None
) -> dict[int, _Root]:
    """The current cases (roots of F0 rows, in `trace`): all of them, or those among `case_ids`."""
    t = _tables()
    query = f"""
        SELECT t.root_case_id, c.traced_from_id, k.id, k.merged_into_id
        FROM {trace or t["trace"]} t
        JOIN {t["case"]} c ON c.id = t.root_case_id
        LEFT JOIN {t["cluster"]} k ON k.id = c.cluster_id
        WHERE t.level = 0
    """  # noqa: S608
    rows: list[tuple[Any, ...]] = []
    if case_ids is None:
        cursor.execute(query)
        rows = cursor.fetchall()
    else:
        for chunk in _chunks(case_ids):
            cursor.execute(f"{query} AND t.root_case_id IN ({_marks(len(chunk))})", chunk)
            rows.extend(cursor.fetchall())
    return {
        pk: _Root(traced_from, merged_into or cluster, merged_into is not None)
        for pk, traced_from, cluster, merged_into in rows
    }


def _exposure_pairs(cursor: Any, trace: str) -> list[tuple[int, int]]:
    """Every pair of current cases whose persons were exposed to each other inside either case's window,
    once (read from the link's low end). Every link is read from the current cases' side through the
    index on its end, so the links table is probed, never scanned."""
    t = _tables()
    cursor.execute(
        f"""
        SELECT a.root_case_id, b.root_case_id
        FROM {trace} a
        JOIN {t["exposure"]} e ON e.low_id = a.person_id
        JOIN {trace} b ON b.person_id = e.high_id AND b.level = 0
        WHERE a.level = 0
          AND ((e.exposed_on >= a.next_from AND e.exposed_on <= a.next_until)
               OR (e.exposed_on >= b.next_from AND e.exposed_on <= b.next_until))
        """  # noqa: S608
    )
    return list(cursor.fetchall())


def _walk_step_sql(among: str) -> str:
    """The walk's statement: the pairs of cases linked to the cases `among` selects (an IN list on
    SQLite, an array on PostgreSQL), then the roots of these cases and of every case the pairs reach."""
    t = _tables()
    exposed = """
        SELECT a.root_case_id AS one_case, b.root_case_id AS other_case
        FROM {trace} a
        JOIN {exposure} e ON e.{one}_id = a.person_id
        JOIN {trace} b ON b.person_id = e.{other}_id AND b.level = 0
        WHERE a.level = 0 AND a.root_case_id {among}
          AND ((e.exposed_on >= a.next_from AND e.exposed_on <= a.next_until)
               OR (e.exposed_on >= b.next_from AND e.exposed_on <= b.next_until))
    """
    ends = [
        exposed.format(trace=t["trace"], exposure=t["exposure"], one=one, other=other, among=among)
        for one, other in (("low", "high"), ("high", "low"))
    ]
    traced = f"""
        SELECT id, traced_from_id FROM {t["case"]}
        WHERE traced_from_id IS NOT NULL AND (id {among} OR traced_from_id {among})
    """  # noqa: S608
    # the cases met: these, and both ends of every pair (a semi-join probing the F0 rows by case)
    return f"""
        WITH pairs AS ({" UNION ALL ".join([*ends, traced])})
        SELECT 1, one_case, other_case, NULL, NULL FROM pairs
        UNION ALL
        SELECT 0, t.root_case_id, c.traced_from_id, k.id, k.merged_into_id
        FROM {t["trace"]} t
        JOIN {t["case"]} c ON c.id = t.root_case_id
        LEFT JOIN {t["cluster"]} k ON k.id = c.cluster_id
        WHERE t.level = 0 AND t.root_case_id IN (
            SELECT one_case FROM pairs UNION SELECT other_case FROM pairs
            UNION SELECT id FROM {t["case"]} WHERE id {among}
        )
    """  # noqa: S608


def _pairs_around(cursor: Any, case_ids: Sequence[int]) -> tuple[list[tuple[int, int]], dict[int, _Root]]:
    """Pairs of cases linked to these: by an exposure inside either's window (both current cases, read
    from both ends of the links) or by tracing (one traced from the other; the walk keeps the pairs whose
    other end is a current case); with the roots (as _roots) of these cases and of every case the pairs
    reach. One statement (per chunk of cases on SQLite; prepared on PostgreSQL)."""
    found: list[tuple[Any, ...]] = []
    if connection.vendor == "postgresql":
        sql = _walk_step_sql("= ANY($1::bigint[])")
        prepared.execute(cursor, "cases_walk_step", sql, ("text",), [prepared.array(case_ids)])
        found = cursor.fetchall()
    else:
        for chunk in _chunks(case_ids, uses=5):
            cursor.execute(_walk_step_sql(f"IN ({_marks(len(chunk))})"), chunk * 5)
            found.extend(cursor.fetchall())
    pairs: list[tuple[int, int]] = []
    roots: dict[int, _Root] = {}
    for is_pair, pk, other, cluster, merged_into in found:
        if is_pair:
            pairs.append((pk, other))
        else:
            roots[pk] = _Root(other, merged_into or cluster, merged_into is not None)
    return pairs, roots


def _grouping(roots: dict[int, _Root], pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    """case → group, over `roots` joined by `pairs` and by the cluster each already belongs to."""
    found = UnionFind()
    for pk, root in roots.items():
        found.find(pk)
        if root.traced_from in roots:
            found.union(pk, root.traced_from)
        if root.cluster is not None:
            found.union(pk, -root.cluster)  # clusters are nodes too (negative), so they never split
    for a, b in pairs:
        if a in roots and b in roots:
            found.union(a, b)
    return {pk: found.find(pk) for pk in roots}


def _unsettled(roots: dict[int, _Root], groups: dict[int, int]) -> dict[int, int]:
    """The grouping less the groups already settled: all their cases in one cluster, which stays."""
    clusters_of: dict[int, set[int | None]] = {}
    for pk, group in groups.items():
        clusters_of.setdefault(group, set()).add(None if roots[pk].stale else roots[pk].cluster)
    settled = {group for group, found in clusters_of.items() if len(found) == 1 and None not in found}
    return {pk: group for pk, group in groups.items() if group not in settled}


def _walk(cursor: Any, seeds: set[int]) -> tuple[dict[int, _Root], dict[int, int]]:
    """The current cases linked, directly or through others, to the seed cases, and their groups: a
    walk outward from the seeds (a few index probes per case met, one statement per step), not a scan.

    Each step reads the pairs around the frontier with the roots of every case they reach; a pair
    counts only from a frontier case that is current (a seed may not be), as the walk started from
    the seeds' roots."""
    roots: dict[int, _Root] = {}
    pairs: list[tuple[int, int]] = []
    frontier = set(seeds)
    while frontier:
        step, found = _pairs_around(cursor, sorted(frontier))
        if not roots:  # the first step: the seeds that are current cases
            roots.update({pk: root for pk, root in found.items() if pk in frontier})
        kept = [(a, b) for a, b in step if (a in frontier and a in roots) or (b in frontier and b in roots)]
        pairs.extend(kept)
        unseen = {pk for pair in kept for pk in pair} - roots.keys()
        met = {pk: found[pk] for pk in unseen if pk in found}
        roots.update(met)
        frontier = set(met)
    return roots, _grouping(roots, pairs)


# Persisting -----------------------------------------------------------------------------------------


def _flatten_merges(cursor: Any) -> None:
    """Point every merged cluster straight at the cluster that survives (older rows may chain)."""
    k = _tables()["cluster"]
    for _ in range(20):
        cursor.execute(
            f"""
            UPDATE {k}
            SET merged_into_id = (SELECT p.merged_into_id FROM {k} p WHERE p.id = {k}.merged_into_id)
            WHERE merged_into_id IN (SELECT id FROM {k} WHERE merged_into_id IS NOT NULL)
            """  # noqa: S608
        )
        if cursor.rowcount == 0:
            return


def _stage(cursor: Any, groups: dict[int, int]) -> None:
    """The work table (kept for the connection's life), emptied, with the grouping written into it."""
    cursor.execute(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {WORK} "
        "(step VARCHAR(5) NOT NULL, a BIGINT NOT NULL, b BIGINT NOT NULL, PRIMARY KEY (step, a))"
    )
    postgres = connection.vendor == "postgresql"
    cursor.execute(f"TRUNCATE {WORK}" if postgres else f"DELETE FROM {WORK}")  # noqa: S608
    for chunk in _chunks(groups.items(), uses=2):
        cursor.execute(
            f"INSERT INTO {WORK} (step, a, b) VALUES {', '.join([f'({MAP}, %s, %s)'] * len(chunk))}",  # noqa: S608
            [value for row in chunk for value in row],
        )
    if postgres or len(groups) > MANY:
        # The joins below are planned with the table's real size: a temporary table has no statistics
        # until analysed, or keeps those of a rebuild's 20,000 groups when a new case brings one.
        cursor.execute(f"ANALYZE {WORK}")


def _persist(
    cursor: Any,
    roots: dict[int, _Root],
    groups: dict[int, int],
    *,
    label_trace: bool = True,
    pending: list[prepared.Statement] | None = None,
) -> set[int]:
    """Give each group its cluster (kept, merged or new) and label its cases and (unless the caller
    labels them itself) their traced persons; return the clusters kept or made. `pending` (PostgreSQL):
    labelling statements that need no answer are added to it, for the caller to send with its next.

    Which steps are needed is known beforehand from the clusters the groups' cases are in: merging only
    when a group spans several clusters, creating only when a group has none.
    """
    t = _tables()
    case, cluster, trace = t["case"], t["cluster"], t["trace"]
    moment = _now()
    clusters_of: dict[int, set[int]] = {group: set() for group in groups.values()}
    for pk, group in groups.items():
        found = roots[pk].cluster
        if found is not None:
            clusters_of[group].add(found)
    sizes = Counter(groups.values())
    joined = sum(1 for found in clusters_of.values() if found)
    if joined <= FEW and all(
        len(found) == 1 or (not found and sizes[g] == 1) for g, found in clusters_of.items()
    ):
        return _persist_without_merging(
            cursor, groups, clusters_of, moment, label_trace=label_trace, pending=pending
        )
    _stage(cursor, groups)
    # Each group keeps the oldest of the clusters its cases are in.
    clusters_in = f"""
        {WORK} m
        JOIN {case} c ON c.id = m.a
        JOIN {cluster} k0 ON k0.id = c.cluster_id
        JOIN {cluster} k ON k.id = COALESCE(k0.merged_into_id, k0.id)
    """
    if any(clusters_of.values()):
        cursor.execute(
            f"""
            INSERT INTO {WORK} (step, a, b)
            SELECT {PICK}, grp, id FROM (
                SELECT m.b AS grp, k.id,
                       ROW_NUMBER() OVER (PARTITION BY m.b ORDER BY k.first_case_at, k.id) AS rn
                FROM {clusters_in} WHERE m.step = {MAP}
            ) ranked WHERE rn = 1
            """  # noqa: S608
        )
    if any(len(found) > 1 for found in clusters_of.values()):
        cursor.execute(
            f"""
            INSERT INTO {WORK} (step, a, b)
            SELECT DISTINCT {MERGE}, k.id, p.b
            FROM {clusters_in} JOIN {WORK} p ON p.step = {PICK} AND p.a = m.b
            WHERE m.step = {MAP} AND k.id <> p.b
            """  # noqa: S608
        )
        # Merged clusters point at their survivor; their cases and contacts move to it.
        cursor.execute(
            f"""
            UPDATE {cluster} SET status = %s, merged_into_id = g.b, closed_at = NULL, updated_at = %s
            FROM {WORK} g WHERE g.step = {MERGE} AND {cluster}.id = g.a
            """,  # noqa: S608
            [Cluster.Status.MERGED, moment],
        )
        moved = [(cluster, "merged_into_id"), (case, "cluster_id")]
        if label_trace:
            moved.append((trace, "cluster_id"))
        for table, column in moved:
            cursor.execute(
                f"UPDATE {table} SET {column} = g.b FROM {WORK} g "  # noqa: S608
                f"WHERE g.step = {MERGE} AND {table}.{column} = g.a"
            )
    if not all(clusters_of.values()):
        _create_clusters(cursor, moment)
    # Every case of a group in its group's cluster, and every person traced from it too.
    join_pick = f"FROM {WORK} m JOIN {WORK} p ON p.step = {PICK} AND p.a = m.b WHERE m.step = {MAP}"
    cursor.execute(
        f"""
        UPDATE {case} SET cluster_id = p.b {join_pick}
          AND {case}.id = m.a AND ({case}.cluster_id IS NULL OR {case}.cluster_id <> p.b)
        """  # noqa: S608
    )
    if cursor.rowcount > MANY:
        cursor.execute(f"ANALYZE {case}")  # the counts join on the cases' clusters, now set
    if label_trace:
        cursor.execute(
            f"""
            UPDATE {trace} SET cluster_id = p.b {join_pick}
              AND {trace}.root_case_id = m.a AND ({trace}.cluster_id IS NULL OR {trace}.cluster_id <> p.b)
            """  # noqa: S608
        )
    cursor.execute(f"SELECT b FROM {WORK} WHERE step = {PICK}")  # noqa: S608
    return {row[0] for row in cursor.fetchall()}


def _new_clusters_from(t: dict[str, str]) -> str:
    """INSERT … SELECT of a new cluster per case `c` the caller's WHERE picks: coded and named after it."""
    return f"""
        INSERT INTO {t["cluster"]} (created_at, updated_at, code, name, unit_id, path, first_case_at,
               last_case_at, cases_count, contacts_count, status, merged_into_id, closed_at)
        SELECT %s, %s, %s || CAST(c.id AS VARCHAR(20)), %s || a.name, c.residence_unit_id, c.path,
               c.confirmed_at, c.confirmed_at, 0, 0, %s, NULL, NULL
        FROM {t["case"]} c JOIN {t["area"]} a ON a.id = c.residence_area_id
    """  # noqa: S608


def _new_cluster_values(moment: Any) -> list[Any]:
    return [moment, moment, CODE_PREFIX, NAME_PREFIX, Cluster.Status.ACTIVE]


def _persist_without_merging(
    cursor: Any,
    groups: dict[int, int],
    clusters_of: dict[int, set[int]],
    moment: Any,
    *,
    label_trace: bool,
    pending: list[prepared.Statement] | None = None,
) -> set[int]:
    """_persist when no group spans two clusters and every group without one is a single case (a new
    case alone, or joining one cluster: the common case) — each group's cluster is known here, so the
    cases and traced persons are labelled straight, without the work table: 2-4 statements."""
    t = _tables()
    case, cluster, trace = t["case"], t["cluster"], t["trace"]
    alone = sorted(pk for pk, group in groups.items() if not clusters_of[group])
    joining: dict[int, list[int]] = {}
    for pk, group in groups.items():
        if clusters_of[group]:
            joining.setdefault(next(iter(clusters_of[group])), []).append(pk)
    kept = set(joining)
    if alone and connection.vendor == "postgresql":
        kept |= _start_clusters_on_postgresql(cursor, alone, moment, label_trace=label_trace)
        alone = []
    for chunk in _chunks(alone, uses=2):
        marks = _marks(len(chunk))
        cursor.execute(
            f"{_new_clusters_from(t)} WHERE c.id IN ({marks})", [*_new_cluster_values(moment), *chunk]
        )
        cursor.execute(
            f"""
            UPDATE {case} SET cluster_id = (
                SELECT k.id FROM {cluster} k WHERE k.code = %s || CAST({case}.id AS VARCHAR(20))
            ) WHERE id IN ({marks})
            """,  # noqa: S608
            [CODE_PREFIX, *chunk],
        )
        if label_trace:
            cursor.execute(
                f"""
                UPDATE {trace}
                SET cluster_id = (SELECT c.cluster_id FROM {case} c WHERE c.id = {trace}.root_case_id)
                WHERE root_case_id IN ({marks})
                """,  # noqa: S608
                chunk,
            )
        cursor.execute(f"SELECT cluster_id FROM {case} WHERE id IN ({marks})", chunk)  # noqa: S608
        kept.update(row[0] for row in cursor.fetchall())
    for cluster_id, case_ids in joining.items():
        if connection.vendor == "postgresql":
            label = _label_on_postgresql(cluster_id, case_ids, label_trace=label_trace)
            if pending is None:
                prepared.execute(cursor, *label)
            else:
                pending.append(label)
            continue
        tables = [(case, "id"), *([(trace, "root_case_id")] if label_trace else [])]
        for table, column in tables:
            for chunk in _chunks(case_ids):
                cursor.execute(
                    f"UPDATE {table} SET cluster_id = %s WHERE {column} IN ({_marks(len(chunk))}) "  # noqa: S608
                    "AND (cluster_id IS NULL OR cluster_id <> %s)",
                    [cluster_id, *chunk, cluster_id],
                )
    return kept


def _start_clusters_on_postgresql(
    cursor: Any, alone: list[int], moment: Any, *, label_trace: bool
) -> set[int]:
    """A new cluster for each of these cases, the case and (if `label_trace`) its traced persons put in
    it: one prepared statement (as the loop in _persist_without_merging does in four)."""
    t = _tables()
    created = _new_clusters_from(t).replace("%s", "{}").format("$2", "$2", "$3", "$4", "$5")
    sql = f"""
        WITH made AS ({created} WHERE c.id = ANY($1::bigint[]) RETURNING id, code),
        cased AS (
            UPDATE {t["case"]} SET cluster_id = made.id FROM made
            WHERE {t["case"]}.id = ANY($1::bigint[]) AND made.code = $3 || CAST({t["case"]}.id AS VARCHAR(20))
            RETURNING {t["case"]}.id AS case_id, made.id AS cluster_id
        ),
        traced AS (
            UPDATE {t["trace"]} SET cluster_id = cased.cluster_id FROM cased
            WHERE $6 AND {t["trace"]}.root_case_id = cased.case_id
        )
        SELECT cluster_id FROM cased
    """  # noqa: S608
    types = ("text", "timestamptz", "text", "text", "text", "boolean")
    values = [prepared.array(alone), *_new_cluster_values(moment)[1:], label_trace]
    prepared.execute(cursor, "cases_start_clusters", sql, types, values)
    return {row[0] for row in cursor.fetchall()}


def _label_on_postgresql(cluster_id: int, case_ids: list[int], *, label_trace: bool) -> prepared.Statement:
    """The statement that puts these cases and (if `label_trace`) their traced persons in the cluster,
    those not in it yet: one prepared statement (the cases' UPDATE as a data-modifying CTE beside the
    traced persons')."""
    t = _tables()
    differs = "AND (cluster_id IS NULL OR cluster_id <> $1)"
    sql = f"""
        WITH cases AS (UPDATE {t["case"]} SET cluster_id = $1 WHERE id = ANY($2::bigint[]) {differs})
        UPDATE {t["trace"]} SET cluster_id = $1 WHERE $3 AND root_case_id = ANY($2::bigint[]) {differs}
    """  # noqa: S608
    ids = prepared.array(case_ids)
    return "cases_label", sql, ("bigint", "text", "boolean"), [cluster_id, ids, label_trace]


def _create_clusters(cursor: Any, moment: Any) -> None:
    """A new cluster for each group without one, coded and named after its first case."""
    t = _tables()
    case, cluster = t["case"], t["cluster"]
    cursor.execute(
        f"""
        INSERT INTO {WORK} (step, a, b)
        SELECT {FIRST}, grp, case_id FROM (
            SELECT m.b AS grp, m.a AS case_id,
                   ROW_NUMBER() OVER (PARTITION BY m.b ORDER BY c.confirmed_at, c.id) AS rn
            FROM {WORK} m JOIN {case} c ON c.id = m.a
            WHERE m.step = {MAP} AND NOT EXISTS (SELECT 1 FROM {WORK} p WHERE p.step = {PICK} AND p.a = m.b)
        ) ranked WHERE rn = 1
        """  # noqa: S608
    )
    cursor.execute(
        f"""
        {_new_clusters_from(t)}
        JOIN {WORK} f ON f.b = c.id
        WHERE f.step = {FIRST}
        """,
        _new_cluster_values(moment),
    )
    if cursor.rowcount > MANY:
        cursor.execute(f"ANALYZE {cluster}")  # so that the statements below see the table's new size
    cursor.execute(
        f"""
        INSERT INTO {WORK} (step, a, b)
        SELECT {PICK}, f.a, k.id FROM {WORK} f JOIN {cluster} k ON k.code = %s || CAST(f.b AS VARCHAR(20))
        WHERE f.step = {FIRST}
        """,  # noqa: S608
        [CODE_PREFIX],
    )


def _refresh_sql(t: dict[str, str], among: str, moment: str, active: str, merged: str) -> str:
    """_refresh's UPDATE of the clusters `among` selects, with no closing boundary: they are active."""
    cluster = t["cluster"]
    return f"""
        UPDATE {cluster} SET
            cases_count = agg.n, first_case_at = agg.first_at, last_case_at = agg.last_at,
            contacts_count = COALESCE(ct.n, 0), status = {active}, closed_at = NULL, updated_at = {moment}
        FROM (
            SELECT cluster_id, COUNT(*) AS n, MIN(confirmed_at) AS first_at, MAX(confirmed_at) AS last_at
            FROM {t["case"]} WHERE cluster_id {among} GROUP BY cluster_id
        ) agg
        LEFT JOIN (
            SELECT cluster_id, COUNT(*) AS n FROM {t["trace"]} WHERE level > 0 AND cluster_id {among}
            GROUP BY cluster_id
        ) ct ON ct.cluster_id = agg.cluster_id
        WHERE {cluster}.id = agg.cluster_id AND {cluster}.status <> {merged}
          AND ({cluster}.cases_count <> agg.n OR {cluster}.first_case_at <> agg.first_at
               OR {cluster}.last_case_at <> agg.last_at OR {cluster}.contacts_count <> COALESCE(ct.n, 0)
               OR {cluster}.status <> {active})
    """  # noqa: S608


_REFRESH_TYPES = ("text", "timestamptz", "text", "text")


def _refresh_values(ids: Iterable[int]) -> list[Any]:
    """The parameters of a prepared refresh: the ids its $1 names (an array), now, the two statuses."""
    moment = _now()
    return [prepared.array(sorted(ids)), moment, Cluster.Status.ACTIVE, Cluster.Status.MERGED]


def _refresh_on_postgresql(only: set[int]) -> prepared.Statement:
    """_refresh(only=…)'s statement on PostgreSQL (prepared)."""
    sql = _refresh_sql(_tables(), "= ANY($1::bigint[])", "$2", "$3", "$4")
    return "cases_refresh_clusters", sql, _REFRESH_TYPES, _refresh_values(only)


def _refresh(cursor: Any, *, closing_before: datetime | None = None, only: set[int] | None = None) -> None:
    """Clusters' counts, dates and status from their cases and traced persons, in one UPDATE that writes
    only the rows that change: every cluster not merged away (closed when its last case is older than
    `closing_before`), or `only` these (active)."""
    t = _tables()
    cluster = t["cluster"]
    boundary = connection.ops.adapt_datetimefield_value(closing_before) if closing_before else None
    moment = _now()
    if only is not None and closing_before is None and connection.vendor == "postgresql":
        prepared.execute(cursor, *_refresh_on_postgresql(only))
        return
    status = "CASE WHEN agg.last_at < %s THEN %s ELSE %s END"
    statuses = [boundary, Cluster.Status.CLOSED, Cluster.Status.ACTIVE]
    for chunk in [None] if only is None else _chunks(sorted(only), uses=2):
        among = "cluster_id IS NOT NULL" if chunk is None else f"cluster_id IN ({_marks(len(chunk))})"
        ids = chunk or []
        cursor.execute(
            f"""
            UPDATE {cluster} SET
                cases_count = agg.n, first_case_at = agg.first_at, last_case_at = agg.last_at,
                contacts_count = COALESCE(ct.n, 0), status = {status},
                closed_at = CASE WHEN agg.last_at < %s THEN COALESCE({cluster}.closed_at, %s) ELSE NULL END,
                updated_at = %s
            FROM (
                SELECT cluster_id, COUNT(*) AS n, MIN(confirmed_at) AS first_at, MAX(confirmed_at) AS last_at
                FROM {t["case"]} WHERE {among} GROUP BY cluster_id
            ) agg
            LEFT JOIN (
                SELECT cluster_id, COUNT(*) AS n FROM {t["trace"]} WHERE level > 0 AND {among}
                GROUP BY cluster_id
            ) ct ON ct.cluster_id = agg.cluster_id
            WHERE {cluster}.id = agg.cluster_id AND {cluster}.status <> %s
              AND ({cluster}.cases_count <> agg.n OR {cluster}.first_case_at <> agg.first_at
                   OR {cluster}.last_case_at <> agg.last_at OR {cluster}.contacts_count <> COALESCE(ct.n, 0)
                   OR {cluster}.status <> {status})
            """,  # noqa: S608
            [*statuses, boundary, moment, moment, *ids, *ids, Cluster.Status.MERGED, *statuses],
        )


# Entry points ---------------------------------------------------------------------------------------


def persist_all(cursor: Any, *, trace: str | None = None) -> None:
    """Group every current case and persist the groups that are not settled yet, without the counts.

    The full rebuild passes the F0 rows it is building (`trace`, a table of the trace table's shape):
    the cases are labelled, and it labels its rows itself (the next levels carry their root case's
    cluster as they are inserted) before refreshing the counts. Otherwise the trace table's rows are
    read and labelled.
    """
    _flatten_merges(cursor)
    trace = trace or _tables()["trace"]
    roots = _roots(cursor, trace=trace)
    groups = _unsettled(roots, _grouping(roots, _exposure_pairs(cursor, trace)))
    if groups:
        _persist(cursor, roots, groups, label_trace=trace == _tables()["trace"])


def refresh_all(cursor: Any, as_of: date) -> int:
    """Every cluster's counts and status as of `as_of`; returns how many are active."""
    _refresh(cursor, closing_before=closing_boundary(as_of))
    return Cluster.objects.filter(status=Cluster.Status.ACTIVE).count()


def assign_all_clusters(as_of: date) -> int:
    """Group every F0 of the current derivation into clusters; return how many active clusters."""
    with transaction.atomic(), connection.cursor() as cursor:
        persist_all(cursor)
        return refresh_all(cursor, as_of)


def assign_clusters_for(case_ids: Iterable[int], *, pending: Sequence[prepared.Statement] = ()) -> None:
    """Re-group the connected groups containing these cases (after a new case or new contacts), then
    refresh their clusters' counts. `pending`: statements to run first (the derivation's writes, see
    tracing.derive_around). Callers hold a transaction (every service does)."""
    assert not pending or connection.vendor == "postgresql"  # (only there are writes deferred)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if pending:  # the walk reads the rows they write
            prepared.execute_many(cursor, pending)
        roots, groups = _walk(cursor, set(case_ids))
        unsettled = _unsettled(roots, groups)
        settled = groups.keys() - unsettled.keys()
        touched = {cluster for pk in settled if (cluster := roots[pk].cluster) is not None}
        if connection.vendor != "postgresql":
            if unsettled:
                touched |= _persist(cursor, roots, unsettled)
            if touched:
                _refresh(cursor, only=touched)
            return
        # the labels that need no answer go with the counts, in one round trip (prepared.execute_many)
        labels: list[prepared.Statement] = []
        if unsettled:
            touched |= _persist(cursor, roots, unsettled, pending=labels)
        if touched:
            labels.append(_refresh_on_postgresql(touched))
        if labels:
            prepared.execute_many(cursor, labels)


def recount(
    case_ids: Iterable[int],
    *,
    traced_moves: Mapping[int, int],
    placing: tuple[int, int] | None = None,
    pending: Sequence[prepared.Statement] = (),
) -> None:
    """Bring the counts of the clusters of these cases (the current ones) up to date, when the grouping
    cannot have changed: contacts added with no link between two current cases, or a new case whose
    cluster the derivation found (tracing._place_new_case: `placing`, the case and its cluster, the case
    put in it first). assign_clusters_for would walk out from them only to find every group settled in
    its cluster (as every service leaves them), and refresh the same clusters; this skips the walk (one
    round trip on PostgreSQL, with the statements `pending` first: the derivation's writes).

    On PostgreSQL the counts are moved, not counted again: `traced_moves` (tracing.Reach) says how many
    traced persons each cluster gains or loses by the rows written, and the case placed adds one case
    and its confirmation to its cluster's. A current cluster's counts are exact before (every service
    leaves them so: a regrouping or a rebuild counts them), so they are after, without reading every
    traced person of a cluster of thousands; the region test checks them against the rebuild's. SQLite
    counts them again."""
    assert not pending or connection.vendor == "postgresql"  # (only there are writes deferred)
    ids = sorted(set(case_ids))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        statements = list(pending)
        if not ids:
            if statements:
                prepared.execute_many(cursor, statements)
            return
        if placing is not None:
            case_id, cluster_id = placing
            groups, found = {case_id: case_id}, {case_id: {cluster_id}}
            _persist_without_merging(cursor, groups, found, _now(), label_trace=False, pending=statements)
        if connection.vendor != "postgresql":
            clusters = {root.cluster for root in _roots(cursor, ids).values() if root.cluster is not None}
            if clusters:
                _refresh(cursor, only=clusters)
            return
        values = [
            *_refresh_values(ids),
            prepared.array(traced_moves.keys()),
            prepared.array(traced_moves.values()),
            placing[0] if placing is not None else None,
        ]
        statements.append(("cases_move_counts", _move_counts_sql(), _MOVE_TYPES, values))
        prepared.execute_many(cursor, statements)


_MOVE_TYPES = (*_REFRESH_TYPES, "text", "text", "bigint")


def _move_counts_sql() -> str:
    """recount's UPDATE on PostgreSQL: the clusters of the current cases among $1 (as _roots finds them)
    reopened if need be, their traced persons moved by $5/$6 (clusters, changes), the case $7 (or
    none) counted in its cluster; only the clusters that change are written."""
    t = _tables()
    cluster = t["cluster"]
    return f"""
        WITH current AS MATERIALIZED (
            SELECT DISTINCT COALESCE(k.merged_into_id, k.id) AS id FROM {t["trace"]} tr
            JOIN {t["case"]} c ON c.id = tr.root_case_id
            JOIN {cluster} k ON k.id = c.cluster_id
            WHERE tr.level = 0 AND tr.root_case_id = ANY($1::bigint[])
        ),
        moved AS (SELECT * FROM unnest($5::bigint[], $6::integer[]) AS m(id, n)),
        joined AS (SELECT cluster_id, confirmed_at FROM {t["case"]} WHERE id = $7)
        UPDATE {cluster} SET
            cases_count = {cluster}.cases_count + (j.cluster_id IS NOT NULL)::integer,
            first_case_at = LEAST({cluster}.first_case_at, j.confirmed_at),
            last_case_at = GREATEST({cluster}.last_case_at, j.confirmed_at),
            contacts_count = {cluster}.contacts_count + COALESCE(m.n, 0),
            status = $3, closed_at = NULL, updated_at = $2
        FROM current cur
        LEFT JOIN moved m ON m.id = cur.id
        LEFT JOIN joined j ON j.cluster_id = cur.id
        WHERE {cluster}.id = cur.id AND {cluster}.status <> $4
          AND (COALESCE(m.n, 0) <> 0 OR j.cluster_id IS NOT NULL OR {cluster}.status <> $3)
    """  # noqa: S608


def start_cluster(case_id: int) -> int:
    """A new cluster for this case, alone in it, the case put in it (not its traced persons: the caller
    labels them as it writes them)."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        (made,) = _persist_without_merging(
            cursor, {case_id: case_id}, {case_id: set()}, _now(), label_trace=False
        )
    return made


GRAPH_LIMIT = 3000  # persons drawn at most: the cases first, then F1s, then F2s (a page stays usable)


def graph(cluster: Cluster) -> dict[str, Any]:
    """The cluster's transmission graph: its cases and traced persons (the nearest first, at most
    GRAPH_LIMIT), who was traced through whom, and how many links there are between its persons."""
    members = TraceLevel.objects.filter(cluster=cluster)
    rows = list(
        members.order_by("level", "exposed_on", "person_id").values_list(
            "person_id", "level", "via_id", "exposed_on", "path"
        )[:GRAPH_LIMIT]
    )
    shown = {pid for pid, *_rest in rows}
    persons = members.values("person_id")  # a subquery: no parameter per person
    return {
        "nodes": [{"id": str(pid), "level": level, "path": path} for pid, level, _via, _on, path in rows],
        "edges": [
            {"from": str(via), "to": str(pid), "exposed_on": on.isoformat()}
            for pid, _level, via, on, _path in rows
            if via is not None and via in shown
        ],
        "persons": members.count() if len(rows) == GRAPH_LIMIT else len(rows),
        "exposures": Exposure.objects.filter(low_id__in=persons, high_id__in=persons).count(),
    }
