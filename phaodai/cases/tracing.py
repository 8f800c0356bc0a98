"""Deriving F-levels from cases and exposures, set-wise, and keeping them current.

`derive_all` rebuilds every person's level from scratch in a few INSERT … SELECT statements, one per
level (F0 from the cases still within the tracing horizon, F1 from exposures to an F0 inside the case's
window, F2 from exposures to an F1 after their own exposure and within the chain window…), into a
temporary table; clusters are grouped right after the F0s (they depend on the F0 rows alone), so every
later level is inserted already labelled with its root case's cluster; then only the rows that differ
from the stored derivation are deleted, updated or inserted. `derive_from` relaxes levels outward from
a few persons (a new case, new contacts): levels only ever move up (towards F0) there, so a new F0 with
50 contacts touches a few hundred rows, not the whole graph. The full rebuild (nightly, or after a
correction that lowers a level) is the reference; both give every person the same level.

Plain SQL over plain columns (dates, ids), no date arithmetic and only window functions that SQLite and
PostgreSQL both have, so one code path serves both.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Field, OuterRef, Subquery

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
        raise LookupError(f"no tracing rule in force on {day}")
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


@dataclass
class _Row:
    level: int
    via: Any
    root_case: int
    exposed_on: date
    next_from: date
    next_until: date


def place_case(case: Case) -> None:
    """Make the case's person F0 (replacing whatever level they had), rooted at this case: one upsert."""
    _upsert(
        [
            TraceLevel(
                person_id=case.person_id,
                level=0,
                via=None,
                root_case=case,
                exposed_on=case.confirmed_on,
                next_from=case.window_start,
                next_until=case.window_end,
                path=case.path,  # as the full rebuild's F0 rows: the residence path the case recorded
                cluster_id=case.cluster_id,
            )
        ]
    )


def _upsert(rows: list[TraceLevel]) -> None:
    TraceLevel.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=[f.name for f in TraceLevel._meta.concrete_fields if not f.primary_key],
    )


def derive_from(seeds: Iterable[Any], as_of: date) -> int:
    """Relax levels outward from the traced persons among `seeds` (person ids); return rows changed.

    Three statements per level reached: the links of the frontier, the levels and residence paths of
    the persons they reach, and one upsert of the rows that move up.
    """
    rule = rule_at(as_of)
    frontier: dict[Any, _Row] = {}
    # Each root case's chain window end (the window of the levels below it) and cluster.
    roots: dict[int, tuple[date, int | None]] = {}
    found = TraceLevel.objects.filter(person_id__in=list(seeds), level__lt=rule.depth).values_list(
        *("person_id", "level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until"),
        *("root_case__chain_window_end", "root_case__cluster_id"),
    )
    for pid, *facts, chain_end, cluster in found:
        frontier[pid] = _Row(*facts)
        roots[frontier[pid].root_case] = (chain_end, cluster)
    changed = 0
    while frontier:
        candidates = _candidates(frontier, as_of, {pk: end for pk, (end, _c) in roots.items()})
        if not candidates:
            break
        current_level = Subquery(TraceLevel.objects.filter(person_id=OuterRef("pk")).values("level")[:1])
        reached = {
            pk: (path, current)
            for pk, path, current in apps.get_model("people", "Person")
            .objects.filter(pk__in=list(candidates))
            .annotate(current=current_level)
            .values_list("pk", "unit_path", "current")
        }
        better = {
            pid: row
            for pid, row in candidates.items()
            if reached[pid][1] is None or reached[pid][1] > row.level
        }
        _write(better, {pid: reached[pid][0] for pid in better}, roots)
        changed += len(better)
        frontier = {pid: row for pid, row in better.items() if row.level < rule.depth}
    return changed


def _candidates(frontier: dict[Any, _Row], as_of: date, chain_ends: dict[int, date]) -> dict[Any, _Row]:
    """The best new row for each person exposed to the frontier inside the frontier person's window."""
    links = links_touching(list(frontier))
    best: dict[Any, _Row] = {}
    for one, other, exposed_on in links:
        source = frontier[one]
        if not (source.next_from <= exposed_on <= source.next_until) or exposed_on > as_of:
            continue
        row = _Row(
            source.level + 1, one, source.root_case, exposed_on, exposed_on, chain_ends[source.root_case]
        )
        current = best.get(other)
        if current is None or (row.level, row.exposed_on, str(row.via)) < (
            current.level,
            current.exposed_on,
            str(current.via),
        ):
            best[other] = row
    return best


def _write(rows: dict[Any, _Row], paths: dict[Any, str], roots: dict[int, tuple[date, int | None]]) -> None:
    """The rows that move up, labelled with their root case's cluster (re-grouping relabels them if
    that cluster changes)."""
    if rows:
        _upsert(
            [
                TraceLevel(
                    person_id=pid,
                    level=row.level,
                    via_id=row.via,
                    root_case_id=row.root_case,
                    exposed_on=row.exposed_on,
                    next_from=row.next_from,
                    next_until=row.next_until,
                    path=paths[pid],
                    cluster_id=roots[row.root_case][1],
                )
                for pid, row in rows.items()
            ]
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
