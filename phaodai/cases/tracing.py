"""Deriving F-levels from cases and exposures, set-wise, and keeping them current.

`derive_all` rebuilds every person's level from scratch in a few INSERT … SELECT statements, one per
level (F0 from the cases still within the tracing horizon, F1 from exposures to an F0 inside the case's
window, F2 from exposures to an F1 after their own exposure and within the chain window…), into a
temporary table; clusters are grouped right after the F0s (they depend on the F0 rows alone), so every
later level is inserted already labelled with its root case's cluster; then only the rows that differ
from the stored derivation are deleted, updated or inserted. `derive_around` re-derives, the same way,
only the persons a change can reach (a new case, new links: everyone within `depth` links of them), so a
new F0 with 50 contacts touches a few hundred rows, not the whole graph; the full rebuild (nightly:
`phaodai cases_rederive`, since time alone moves cases out of the horizon) is the reference, and both
give every person the same row.

Plain SQL over plain columns (dates, ids), no date arithmetic and only window functions that SQLite and
PostgreSQL both have, so one code path serves both.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Field

from phaodai.cases.errors import NoRuleInForce
from phaodai.cases.models import Case, Cluster, Exposure, TraceLevel, TracingRule


@dataclass(frozen=True)
class Derivation:
    """How many persons are at each level after a derivation (index 0 = F0)."""

    levels: tuple[int, ...]
    clusters: int = 0


def _tables() -> dict[str, str]:
    return {
        "trace": TraceLevel._meta.db_table,
        "exposure": Exposure._meta.db_table,
        "case": Case._meta.db_table,
        "cluster": Cluster._meta.db_table,
        "person": apps.get_model("people", "Person")._meta.db_table,
        "area": apps.get_model("territory", "Area")._meta.db_table,
    }


def rule_at(day: date) -> TracingRule:
    """The tracing rule in force on `day` (the latest that has started, if several overlap)."""
    rule = (
        TracingRule.objects.filter(valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-valid_from", "-pk")
        .first()
    )
    if rule is None:
        raise NoRuleInForce(day)
    return rule


def _counts(cursor: Any, trace: str) -> tuple[int, ...]:
    cursor.execute(f"SELECT level, COUNT(*) FROM {trace} GROUP BY level ORDER BY level")  # noqa: S608
    found = dict(cursor.fetchall())
    top = max(found, default=-1)
    return tuple(found.get(level, 0) for level in range(top + 1))


# The full rebuild ---------------------------------------------------------------------------------


# The full rebuild computes the new derivation apart, in a temporary table, then writes only the rows
# that differ: an unchanged graph costs reads, not index maintenance and every row's foreign-key checks.
NEW = "cases_trace_new"
MISSING = "cases_trace_missing"  # persons of NEW without a row yet
COLUMNS = (
    *("person_id", "level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until", "path"),
    "cluster_id",
)
NULLABLE = ("via_id", "cluster_id")
STALE_AFTER = 1000  # rows written to a table, after which the rebuild has PostgreSQL look at it again


def derive_all(as_of: date) -> Derivation:
    """Rebuild every person's F-level and every cluster as of the local date `as_of`."""
    from phaodai.cases import clusters

    rule = rule_at(as_of)
    t = _tables()
    horizon = as_of - timedelta(days=rule.horizon_days)
    with transaction.atomic(), connection.cursor() as cursor:
        serialize()
        _create_new(cursor)
        # F0: each person's latest case still within the horizon.
        cursor.execute(
            f"""
            INSERT INTO {NEW} ({", ".join(COLUMNS)}, chain_end)
            SELECT person_id, 0, NULL, id, confirmed_on, window_start, window_end, path, cluster_id,
                   chain_window_end
            FROM (
                SELECT c.*, ROW_NUMBER() OVER (
                           PARTITION BY c.person_id ORDER BY c.confirmed_on DESC, c.id DESC
                       ) AS rn
                FROM {t["case"]} c
                WHERE c.confirmed_on >= %s AND c.confirmed_on <= %s
            ) latest
            WHERE rn = 1
            """,  # noqa: S608
            [horizon, as_of],
        )
        # PostgreSQL plans what follows with NEW's real size and contents (the next levels' own sizes it
        # reads from the table's pages when planning them)
        cursor.execute(f"ANALYZE {NEW}")
        # Clusters depend on the F0s alone: grouped first, so every later level is inserted labelled.
        clusters.persist_all(cursor, trace=NEW)
        cursor.execute(
            f"""
            UPDATE {NEW} SET cluster_id = c.cluster_id FROM {t["case"]} c
            WHERE c.id = {NEW}.root_case_id AND ({NEW}.cluster_id IS NULL OR {NEW}.cluster_id <> c.cluster_id)
            """  # noqa: S608
        )
        for level in range(1, rule.depth + 1):
            _insert_level(cursor, t, level, as_of)
        _apply_new(cursor, t["trace"])
        active = clusters.refresh_all(cursor, as_of)
        levels = _counts(cursor, t["trace"])
    return Derivation(levels, active)


def _column_type(column: str) -> str:
    """The trace table's type for a column, as this database spells it (uuid or char(32)…)."""
    field = TraceLevel._meta.get_field(column.removesuffix("_id"))
    assert isinstance(field, Field)
    return str(field.db_type(connection))


def _create_new(cursor: Any) -> None:
    """NEW has the trace table's columns plus `chain_end`, the root case's chain window end (the next
    levels' window closes then), so that no level has to join the cases again."""
    columns = ", ".join(f"{name} {_column_type(name)}" for name in COLUMNS)
    for name in (NEW, MISSING):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {NEW} ({columns}, chain_end {_column_type('next_until')})")
    cursor.execute(f"CREATE UNIQUE INDEX {NEW}_person ON {NEW} (person_id)")
    cursor.execute(f"CREATE TEMPORARY TABLE {MISSING} (person_id {_column_type('person_id')} PRIMARY KEY)")


def _apply_new(cursor: Any, trace: str) -> None:
    """Make the trace table equal to NEW, writing only the rows that differ; then drop NEW."""
    # First which persons are new, so that inserting them never probes the table it grows.
    cursor.execute(
        f"""
        INSERT INTO {MISSING} (person_id)
        SELECT n.person_id FROM {NEW} n
        WHERE NOT EXISTS (SELECT 1 FROM {trace} t WHERE t.person_id = n.person_id)
        """  # noqa: S608
    )
    written = cursor.rowcount
    cursor.execute(
        f"DELETE FROM {trace} WHERE NOT EXISTS (SELECT 1 FROM {NEW} n WHERE n.person_id = {trace}.person_id)"  # noqa: S608
    )
    written += cursor.rowcount
    changed = " OR ".join(
        f"{trace}.{c} <> n.{c}" + (f" OR ({trace}.{c} IS NULL) <> (n.{c} IS NULL)" if c in NULLABLE else "")
        for c in COLUMNS[1:]
    )
    cursor.execute(
        f"""
        UPDATE {trace} SET {", ".join(f"{c} = n.{c}" for c in COLUMNS[1:])}
        FROM {NEW} n WHERE n.person_id = {trace}.person_id AND ({changed})
        """  # noqa: S608
    )
    written += cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO {trace} ({", ".join(COLUMNS)})
        SELECT {", ".join(f"n.{c}" for c in COLUMNS)}
        FROM {MISSING} m JOIN {NEW} n ON n.person_id = m.person_id
        """  # noqa: S608
    )
    for name in (NEW, MISSING):
        cursor.execute(f"DROP TABLE {name}")
    if written > STALE_AFTER:
        # PostgreSQL's statistics of the table are stale until autovacuum comes by: counting the
        # clusters' contacts (a join with it) would be planned as if it were still empty.
        cursor.execute(f"ANALYZE {trace}")


def _insert_level(cursor: Any, t: dict[str, str], level: int, as_of: date) -> None:
    """Everyone exposed to someone at `level - 1` inside that person's window and not yet traced.

    Of several such exposures the earliest wins (then the lowest via id), so a rebuild is deterministic.
    Each end of a link is joined on its own index (person, day), starting from the (small) previous
    level, so the links table is probed, not scanned; the root case's cluster and chain window come
    along from the previous level's row.
    """
    branch = """
        SELECT e.{other}_id AS other, tr.person_id AS via, tr.root_case_id AS root_case_id,
               e.exposed_on AS exposed_on, tr.chain_end AS chain_end, tr.cluster_id AS cluster_id
        FROM {trace} tr
        JOIN {exposure} e ON e.{one}_id = tr.person_id
                         AND e.exposed_on >= tr.next_from AND e.exposed_on <= tr.next_until
        WHERE tr.level = %s AND e.exposed_on <= %s
    """
    from_low = branch.format(other="high", one="low", trace=NEW, exposure=t["exposure"])
    from_high = branch.format(other="low", one="high", trace=NEW, exposure=t["exposure"])
    cursor.execute(
        f"""
        INSERT INTO {NEW} ({", ".join(COLUMNS)}, chain_end)
        SELECT other, %s, via, root_case_id, exposed_on, exposed_on, chain_end, p.unit_path, cluster_id,
               chain_end
        FROM (
            SELECT link.*,
                   ROW_NUMBER() OVER (PARTITION BY link.other ORDER BY link.exposed_on, link.via) AS rn
            FROM ({from_low} UNION ALL {from_high}) link
            WHERE NOT EXISTS (SELECT 1 FROM {NEW} seen WHERE seen.person_id = link.other)
        ) candidates
        JOIN {t["person"]} p ON p.id = candidates.other
        WHERE rn = 1
        """,  # noqa: S608
        [level, level - 1, as_of, level - 1, as_of],
    )


# Incremental ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    level: int
    via: Any
    root_case: int
    exposed_on: date
    next_from: date
    next_until: date
    path: str
    cluster: int | None
    chain_end: date  # the root case's chain window end: where the next level's window closes

    def stored(self) -> tuple[Any, ...]:
        return (self.level, self.via, self.root_case, self.exposed_on, self.next_from, self.next_until,
                self.path, self.cluster)  # fmt: skip


def derive_around(seeds: Iterable[Any], as_of: date) -> set[int]:
    """Re-derive, as the full rebuild would as of `as_of`, every level a change at `seeds` (persons
    with a new case, or new links) can reach; return the root cases of the rows met, before and after.

    A person's row depends only on the rows one level up among their neighbours, so a change at a
    person moves rows at most `depth` links away. That region (seeds and everyone within `depth`
    links) is recomputed level by level from the links touching it and its neighbours' stored rows,
    exactly like the rebuild (earliest exposure, then lowest via id); only the rows that differ are
    written. Unlike relaxing outward, this also lowers levels: an F1 who turns positive loses the F2s
    exposed before their own window. About ten statements, whatever the graph's size.
    """
    rule = rule_at(as_of)
    serialize()
    region, adjacency = _region(set(seeds), rule.depth)
    if not region:
        return set()
    neighbours = {other for links in adjacency.values() for other, _day in links} - region
    stored = _stored_rows(region | neighbours)
    new = _first_cases(region, as_of - timedelta(days=rule.horizon_days), as_of)
    paths = _paths(region - new.keys())
    for level in range(1, rule.depth + 1):
        found = {}
        for person in region - new.keys():
            best: tuple[date, Any] | None = None
            for other, day in adjacency.get(person, ()):
                source = new.get(other) if other in region else stored.get(other)
                if source is None or source.level != level - 1 or day > as_of:
                    continue
                if source.next_from <= day <= source.next_until and (best is None or (day, other) < best):
                    best = (day, other)
            if best is not None:
                day, via = best
                source = new[via] if via in region else stored[via]
                found[person] = _Row(level, via, source.root_case, day, day, source.chain_end, paths[person],
                                     source.cluster, source.chain_end)  # fmt: skip
        new.update(found)
    _write_region(region, stored, new)
    return {row.root_case for person in region for row in (stored.get(person), new.get(person)) if row}


def serialize() -> None:
    """One derivation at a time (PostgreSQL: a transaction-scoped advisory lock; SQLite serializes
    writers itself): two officers adding contacts at once would otherwise each derive from a graph
    missing the other's links, and write over each other's rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DERIVATION_LOCK])


DERIVATION_LOCK = 20210723  # any constant shared by every derivation (the date of Directive 17/CT-UBND)


def _region(seeds: set[Any], depth: int) -> tuple[set[Any], dict[Any, list[tuple[Any, date]]]]:
    """Seeds and everyone within `depth` links of them, with every link touching them (person →
    [(other, day)]): depth + 1 reads of the links, each probing both ends' indexes."""
    region, frontier = set(seeds), set(seeds)
    adjacency: dict[Any, list[tuple[Any, date]]] = {}
    for hop in range(depth + 1):
        links = links_touching(sorted(frontier, key=str))
        for one, other, day in links:
            adjacency.setdefault(one, []).append((other, day))
        if hop == depth:
            break
        frontier = {other for _one, other, _day in links} - region
        if not frontier:
            break
        region |= frontier
    return region, adjacency


def _chunked(items: Iterable[Any]) -> Iterator[list[Any]]:
    listed = sorted(items, key=str)
    for start in range(0, len(listed), 5000):  # SQLite limits the parameters of one statement
        yield listed[start : start + 5000]


def _stored_rows(persons: set[Any]) -> dict[Any, _Row]:
    rows: dict[Any, _Row] = {}
    for chunk in _chunked(persons):
        found = TraceLevel.objects.filter(person_id__in=chunk).values_list(
            *("person_id", "level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until"),
            *("path", "cluster_id", "root_case__chain_window_end"),
        )
        rows.update({pid: _Row(*facts) for pid, *facts in found})
    return rows


def _first_cases(region: set[Any], horizon: date, as_of: date) -> dict[Any, _Row]:
    """F0 rows: each person's latest case confirmed within the horizon (as the rebuild's first step)."""
    rows: dict[Any, _Row] = {}
    for chunk in _chunked(region):
        cases = (
            Case.objects.filter(person_id__in=chunk, confirmed_on__gte=horizon, confirmed_on__lte=as_of)
            .order_by("person_id", "-confirmed_on", "-pk")
            .values_list(
                *("person_id", "pk", "confirmed_on", "window_start", "window_end", "path"),
                *("cluster_id", "chain_window_end"),
            )
        )
        for pid, pk, confirmed_on, start, end, path, cluster, chain_end in cases:
            if pid not in rows:
                rows[pid] = _Row(0, None, pk, confirmed_on, start, end, path, cluster, chain_end)
    return rows


def _paths(persons: set[Any]) -> dict[Any, str]:
    person = apps.get_model("people", "Person")
    paths: dict[Any, str] = {}
    for chunk in _chunked(persons):
        paths.update(person.objects.filter(pk__in=chunk).values_list("pk", "unit_path"))
    return paths


def _write_region(region: set[Any], stored: dict[Any, _Row], new: dict[Any, _Row]) -> None:
    gone = [person for person in region if person in stored and person not in new]
    for chunk in _chunked(gone):
        TraceLevel.objects.filter(person_id__in=chunk).delete()
    changed = [
        TraceLevel(
            person_id=person,
            level=row.level,
            via_id=row.via,
            root_case_id=row.root_case,
            exposed_on=row.exposed_on,
            next_from=row.next_from,
            next_until=row.next_until,
            path=row.path,
            cluster_id=row.cluster,
        )
        for person, row in new.items()
        if person not in stored or stored[person].stored() != row.stored()
    ]
    if changed:
        TraceLevel.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=[f.name for f in TraceLevel._meta.concrete_fields if not f.primary_key],
        )


def links_touching(person_ids: Sequence[Any]) -> list[tuple[Any, Any, date]]:
    """Every exposure of these persons as (the person, the other, the day), read from either end."""
    found: list[tuple[Any, Any, date]] = []
    for start in range(0, len(person_ids), 5000):  # SQLite limits the parameters of one statement
        chunk = list(person_ids[start : start + 5000])
        from_low = (
            Exposure.objects.filter(low_id__in=chunk)
            .order_by()
            .values_list("low_id", "high_id", "exposed_on")
        )
        from_high = (
            Exposure.objects.filter(high_id__in=chunk)
            .order_by()
            .values_list("high_id", "low_id", "exposed_on")
        )
        found.extend(from_low.union(from_high, all=True))
    return found


def levels_of(person_ids: Sequence[Any]) -> dict[Any, int]:
    return dict(TraceLevel.objects.filter(person_id__in=list(person_ids)).values_list("person_id", "level"))
