"""Reading and writing the rows the incremental derivation (tracing.derive_around) works on.

Each read or write is one statement on PostgreSQL: the persons go as one array parameter (`= ANY`), so
neither Django nor the driver composes a statement with hundreds of placeholders, and the stored rows come
joined with their root cases. SQLite has no arrays: there the same reads go through the ORM in chunks
under its parameter limit. Both give the same rows; the derivation's tests run on both databases.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db import connection

from phaodai.cases.models import Case, Exposure, TraceLevel


@dataclass(frozen=True)
class Row:
    """A person's derived row, as the derivation compares it (path aside: it is read only when written)."""

    level: int
    via: Any
    root_case: int
    exposed_on: date
    next_from: date
    next_until: date
    path: str = field(compare=False)  # the person's residence, or the case's for an F0 row
    cluster: int | None
    chain_end: date  # the root case's chain window end: where the next level's window closes


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _chunked(items: Iterable[Any]) -> Iterator[list[Any]]:
    listed = sorted(items, key=str)
    for start in range(0, len(listed), 5000):  # SQLite limits the parameters of one statement
        yield listed[start : start + 5000]


def links_touching(person_ids: Iterable[Any]) -> list[tuple[Any, Any, date]]:
    """Every exposure of these persons as (the person, the other, the day), read from either end."""
    ids = list(person_ids)
    if not ids:
        return []
    if _postgres():
        table = Exposure._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT low_id, high_id, exposed_on FROM {table} WHERE low_id = ANY(%s) "  # noqa: S608
                f"UNION ALL SELECT high_id, low_id, exposed_on FROM {table} WHERE high_id = ANY(%s)",
                [ids, ids],
            )
            return cursor.fetchall()
    found: list[tuple[Any, Any, date]] = []
    for chunk in _chunked(ids):
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
        found.extend(from_low.order_by().union(from_high.order_by(), all=True))
    return found


def links_with_rows(person_ids: Iterable[Any]) -> tuple[list[tuple[Any, Any, date]], dict[Any, "Row | None"]]:
    """The exposures of these persons (as links_touching) and the stored row of every person they reach
    (None for those without one): one statement on PostgreSQL."""
    ids = list(person_ids)
    if not ids:
        return [], {}
    if not _postgres():
        links = links_touching(ids)
        reached = {other for _one, other, _day in links}
        found = stored_rows(reached)
        return links, {person: found.get(person) for person in reached}
    exposure, trace = Exposure._meta.db_table, TraceLevel._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT l.one, l.other, l.exposed_on, {", ".join(f"t.{column}" for column in _ROW_COLUMNS[1:])},
                   t.cluster_id, c.chain_window_end
            FROM (SELECT low_id AS one, high_id AS other, exposed_on FROM {exposure} WHERE low_id = ANY(%s)
                  UNION ALL
                  SELECT high_id, low_id, exposed_on FROM {exposure} WHERE high_id = ANY(%s)) l
            LEFT JOIN {trace} t ON t.person_id = l.other
            LEFT JOIN {Case._meta.db_table} c ON c.id = t.root_case_id
            """,  # noqa: S608
            [ids, ids],
        )
        found = cursor.fetchall()
    rows = {values[1]: Row(*values[3:]) if values[3] is not None else None for values in found}
    return [values[:3] for values in found], rows


_ROW_COLUMNS = (
    "person_id",
    "level",
    "via_id",
    "root_case_id",
    "exposed_on",
    "next_from",
    "next_until",
    "path",
)


def stored_rows(persons: set[Any]) -> dict[Any, Row]:
    """The stored rows of these persons, with their root cases' chain window ends."""
    if not persons:
        return {}
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT {", ".join(f"t.{column}" for column in _ROW_COLUMNS)}, t.cluster_id, c.chain_window_end
                FROM {TraceLevel._meta.db_table} t JOIN {Case._meta.db_table} c ON c.id = t.root_case_id
                WHERE t.person_id = ANY(%s)
                """,  # noqa: S608
                [list(persons)],
            )
            return {values[0]: Row(*values[1:]) for values in cursor.fetchall()}
    found: list[tuple[Any, ...]] = []
    for chunk in _chunked(persons):
        found.extend(TraceLevel.objects.filter(person_id__in=chunk).values_list(*_ROW_COLUMNS, "cluster_id"))
    roots = {values[3] for values in found}
    chain_ends = (
        dict(Case.objects.filter(pk__in=roots).values_list("pk", "chain_window_end")) if roots else {}
    )
    return {
        pid: Row(level, via, root, exposed_on, next_from, next_until, path, cluster, chain_ends[root])
        for pid, level, via, root, exposed_on, next_from, next_until, path, cluster in found
    }


def first_cases(region: set[Any], horizon: date, as_of: date) -> dict[Any, Row]:
    """F0 rows: each person's latest case confirmed within the horizon (as the rebuild's first step)."""
    rows: dict[Any, Row] = {}
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
                rows[pid] = Row(0, None, pk, confirmed_on, start, end, path, cluster, chain_end)
    return rows


def write_changes(before: dict[Any, "Row | None"], rows: dict[Any, "Row | None"]) -> None:
    """Delete the rows that went, upsert those that changed (with the residence path of the persons
    traced: an F0 row keeps the path its case recorded)."""
    final = {person: rows[person] for person in before if rows[person] != before[person]}
    gone = [person for person, row in final.items() if row is None]
    kept = {person: row for person, row in final.items() if row is not None}
    if _postgres():
        _write_on_postgresql(gone, kept)
        return
    for chunk in _chunked(gone):
        TraceLevel.objects.filter(person_id__in=chunk).delete()
    person = apps.get_model("people", "Person")
    paths: dict[Any, str] = {}
    for chunk in _chunked(person for person, row in kept.items() if row.level > 0):
        paths.update(person.objects.filter(pk__in=chunk).values_list("pk", "unit_path"))
    changed = [
        TraceLevel(
            person_id=person,
            level=row.level,
            via_id=row.via,
            root_case_id=row.root_case,
            exposed_on=row.exposed_on,
            next_from=row.next_from,
            next_until=row.next_until,
            path=row.path if row.level == 0 else paths[person],
            cluster_id=row.cluster,
        )
        for person, row in kept.items()
    ]
    if changed:
        TraceLevel.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["person"],
            update_fields=[f.name for f in TraceLevel._meta.concrete_fields if not f.primary_key],
        )


_UPDATED = ("level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until", "path", "cluster_id")


def _write_on_postgresql(gone: list[Any], kept: dict[Any, Row]) -> None:
    """One DELETE and one upsert whose traced persons' paths are joined from the registry."""
    trace = TraceLevel._meta.db_table
    with connection.cursor() as cursor:
        if gone:
            cursor.execute(f"DELETE FROM {trace} WHERE person_id = ANY(%s)", [gone])  # noqa: S608
        if not kept:
            return
        rows = list(kept.items())
        columns = [
            [person for person, _row in rows],
            [row.level for _person, row in rows],
            [row.via for _person, row in rows],
            [row.root_case for _person, row in rows],
            [row.exposed_on for _person, row in rows],
            [row.next_from for _person, row in rows],
            [row.next_until for _person, row in rows],
            [row.path if row.level == 0 else None for _person, row in rows],
            [row.cluster for _person, row in rows],
        ]
        cursor.execute(
            f"""
            INSERT INTO {trace} (person_id, {", ".join(_UPDATED)})
            SELECT v.person_id, v.level, v.via_id, v.root_case_id, v.exposed_on, v.next_from, v.next_until,
                   COALESCE(v.path, p.unit_path), v.cluster_id
            FROM unnest(%s::uuid[], %s::smallint[], %s::uuid[], %s::bigint[], %s::date[], %s::date[],
                        %s::date[], %s::varchar[], %s::bigint[])
                 AS v(person_id, {", ".join(_UPDATED)})
            JOIN {apps.get_model("people", "Person")._meta.db_table} p ON p.id = v.person_id
            ON CONFLICT (person_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATED)}
            """,  # noqa: S608
            columns,
        )
