"""Reading and writing the rows the incremental derivation (tracing.derive_around) works on.

Each read or write is one statement on PostgreSQL: the persons go as one array parameter (`= ANY`), so
neither Django nor the driver composes a statement with hundreds of placeholders, and the stored rows come
joined with their root cases. There persons are keyed by their id as text (`key`): arrays go as one text
literal each and come back as text, not as hundreds of UUID objects dumped and parsed one by one — which
cost about as much as the statements. SQLite has no arrays: there the same reads go through the ORM in
chunks under its parameter limit. Both give the same rows; the derivation's tests run on both databases.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection

from phaodai.cases import prepared
from phaodai.cases.models import Case, Exposure, TraceLevel


@dataclass(slots=True)
class Row:
    """A person's derived row, as the derivation compares it (path aside: it is read only when written).

    Never changed once built (dataclasses.replace makes another), but not frozen: a frozen dataclass
    sets each field through object.__setattr__, which made building the few hundred rows a derivation
    reads seven times as slow."""

    level: int
    via: Any
    root_case: int
    exposed_on: date
    next_from: date
    next_until: date
    path: str = field(compare=False)  # the person's residence, or the case's for an F0 row
    cluster: int | None
    chain_end: date  # the root case's chain window end: where the next level's window closes


@cache  # the database a process talks to does not change (asked a hundred times a derivation)
def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _chunked(items: Iterable[Any]) -> Iterator[list[Any]]:
    listed = sorted(items, key=str)
    for start in range(0, len(listed), 5000):  # SQLite limits the parameters of one statement
        yield listed[start : start + 5000]


def keys(persons: Iterable[Any]) -> set[Any]:
    """How the derivation keys persons: their ids as text on PostgreSQL (as its reads return them), as
    they are on SQLite. str() of a UUID and PostgreSQL's uuid::text are the same canonical form."""
    return {str(person) for person in persons} if _postgres() else set(persons)


def key(person: Any) -> Any:
    """One person keyed as keys() keys them."""
    return str(person) if _postgres() else person


def _array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of ids, numbers or dates (None as NULL), bound as one text parameter."""
    return "{" + ",".join(["NULL" if value is None else str(value) for value in values]) + "}"


def _text_array(values: Iterable[str | None]) -> str:
    """A PostgreSQL array literal of arbitrary strings (quoted), None as NULL."""
    quoted = (
        "NULL" if value is None else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for value in values
    )
    return "{" + ",".join(quoted) + "}"


def links_touching(person_ids: Iterable[Any]) -> list[tuple[Any, Any, date]]:
    """Every exposure of these persons as (the person, the other, the day), read from either end
    (SQLite; PostgreSQL reads them with the rows they reach, in read_around)."""
    ids = list(person_ids)
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


@dataclass
class Around:
    """What one read_around returns: links (the person, the other, the day), the stored row (or None)
    of every person reached or asked for, and the F0 rows of the persons asked for with `first_cases`."""

    links: list[tuple[Any, Any, date]]
    rows: dict[Any, "Row | None"]
    firsts: dict[Any, "Row"]
    reached: set[Any] = field(default_factory=set)  # persons whose links were read too (and_reached)
    before: tuple[Any, ...] | None = None  # the first row of the statement run before (PostgreSQL)
    read_from: dict[Any, date] = field(default_factory=dict)  # persons whose links start on a day: that day


def read_around(
    links_of: set[Any],
    rows_of: set[Any],
    first_cases_within: tuple[date | None, date] | None = None,
    *,
    and_reached: bool = False,
    before: prepared.Statement | None = None,
    since: dict[Any, date] | None = None,
) -> Around:
    """The exposures of `links_of` with the stored row of every person they reach, the stored rows of
    `rows_of`, and (given a horizon and a day) the F0 rows of `rows_of`: one statement on PostgreSQL.
    `and_reached`: the exposures (and rows reached) of every person the links of `links_of` reach
    too, named in `reached` — the next hop, read ahead in the same statement; on PostgreSQL only
    from the day each can spread on (in `read_from`: see _read_around_sql).

    `since` (with a day; every person of `links_of` named in it, all of them in `rows_of`): only their
    exposures from a day on (in `read_from`): the earliest of the day `since` gives the person, the
    start of their stored row's window and that of their latest case's (see window_starts). Links of
    a person before that day can neither carry a row they give nor one they gave: only those of a
    person whose row changes by links added on these days, or by a case made current, are needed.

    On PostgreSQL only: `before`, a prepared statement run first in the same round trip (its first row
    in `before`); and a horizon of None, for a caller that learns it from that statement: then each
    person's latest case up to the day comes back, which is their F0 row if it is within the horizon
    (an earlier case cannot be) — the caller drops the others."""
    if not _postgres():
        assert before is None
        links = links_touching(links_of) if links_of else []
        starts: dict[Any, date] = {}
        asked = rows_of if since is not None else set()  # read first: the days start from them
        found = stored_rows(asked)
        if since is not None:
            assert first_cases_within is not None and not and_reached and links_of <= rows_of
            starts = window_starts({p: since[p] for p in links_of}, found, first_cases_within[1])
            links = [(one, other, day) for one, other, day in links if day >= starts[one]]
        reached = {other for _one, other, _day in links} - links_of if and_reached else set()
        links += links_touching(reached) if reached else []
        wanted = rows_of | {other for _one, other, _day in links}
        found |= stored_rows(wanted - asked)
        firsts: dict[Any, Row] = {}
        if first_cases_within:
            horizon, day = first_cases_within
            assert horizon is not None
            firsts = first_cases(rows_of, horizon, day)
        return Around(
            links,
            {person: found.get(person) for person in wanted},
            firsts,
            reached,
            read_from=starts,
        )
    if not links_of and not rows_of and before is None:
        return Around([], {}, {})
    horizon, as_of = first_cases_within or (None, None)
    read: prepared.Statement = (
        "cases_read_around", _READ_AROUND, ("text", "text", "date", "date", "boolean"),
        [_array(links_of), _array(rows_of), horizon, as_of, and_reached],
    )  # fmt: skip
    if since is not None:
        assert as_of is not None and not and_reached and links_of <= rows_of
        persons = sorted(links_of)
        read = (
            "cases_read_window", _READ_WINDOW, ("text", "text", "date", "date", "boolean", "text"),
            [_array(persons), _array(rows_of), horizon, as_of, False, _array(since[p] for p in persons)],
        )  # fmt: skip
    around = Around([], {}, {})
    with connection.cursor() as cursor:
        prepared.execute_many(cursor, [before, read] if before else [read])
        if before:
            around.before = cursor.fetchone()
            cursor.nextset()
        found = cursor.fetchall()
    for kind, one, other, day, *values in found:
        if kind == "l":
            around.links.append((one, other, day))
            if other not in rows_of:  # (theirs comes as an "r" row)
                around.rows[other] = Row(*values) if values[0] is not None else None
            if and_reached and one not in links_of:
                around.reached.add(one)
        elif kind == "r":
            around.rows[one] = Row(*values) if values[0] is not None else None
        elif kind == "w":
            around.read_from[one] = day
        else:
            around.firsts[one] = Row(*values)
    return around


def _read_around_sql(windowed: bool = False) -> str:
    """read_around's statement: links of $1 with the rows they reach, rows of $2, and (given the day
    $4: confirmed from $3, if not NULL, to $4) the first cases of $2; empty arrays, a false $5 and a
    NULL $4 read nothing. If $5, the links of every person they reach too (the next hop, "ahead"),
    from the day the person can spread on: the earliest of their stored row's next_from and of their
    links with $1 (a row $1 offers them opens then); that day for each ("w" rows) — all of them, and
    no day, for a person whose stored row came through one of $1 (recomputed if $1 changes).
    `windowed`: the links of each person of $1 only from a day on too (the earliest of $6's day for
    them, which runs alongside $1, of their stored row's next_from and of their latest case's window
    start), with that day ("w" rows) — read_around's `since`. Each end's range is read from
    its index."""
    exposure, trace, case = Exposure._meta.db_table, TraceLevel._meta.db_table, Case._meta.db_table
    columns = (
        "level, via_id, root_case_id, exposed_on, next_from, next_until, path, cluster_id, chain_window_end"
    )
    row = ", ".join(f"t.{column}" for column in columns.split(", "))
    # A person's stored row is probed by its key, in a subquery the planner may not flatten (OFFSET 0):
    # the generic plan of a join guessed a thousand links and hashed the whole trace table for them
    # (25 ms) where the hundred links found needed a hundred probes (0.5 ms), depending on how
    # ANALYZE's sample of the links happened to fall.
    probed = f"""LEFT JOIN LATERAL (
            SELECT t.level, t.via_id::text AS via_id, t.root_case_id, t.exposed_on, t.next_from,
                   t.next_until, t.path, t.cluster_id, c.chain_window_end
            FROM {trace} t LEFT JOIN {case} c ON c.id = t.root_case_id
            WHERE t.person_id = {{person}} OFFSET 0
        ) t ON true"""  # noqa: S608
    # The rows of links to persons of $2 are left out: theirs come as "r" rows. An array compared with
    # each row is built once, in a subquery: a parameter's cast is evaluated again for every row (51
    # persons' ids parsed for each of hundreds of links cost more than the probes).
    once = "ARRAY(SELECT unnest(${}::uuid[]))"
    linked = probed.format(person=f"l.other AND l.other <> ALL({once.format(2)})")
    asked = probed.format(person="p.id")
    links = """SELECT low_id AS one, high_id AS other, exposed_on FROM {exposure} WHERE low_id = ANY({among})
               UNION ALL
               SELECT high_id, low_id, exposed_on FROM {exposure} WHERE high_id = ANY({among})"""
    # the links of each person of `persons` (id, since) from their day on, or all of them if it is NULL
    # (later ones too, as a full read: a stored row may have come through a link dated after the day
    # of this derivation)
    ranged = f"""
        SELECT s.id AS one, e.high_id AS other, e.exposed_on FROM {{persons}} s
        JOIN {exposure} e ON e.low_id = s.id AND e.exposed_on >= COALESCE(s.since, '-infinity')
        UNION ALL
        SELECT s.id, e.low_id, e.exposed_on FROM {{persons}} s
        JOIN {exposure} e ON e.high_id = s.id AND e.exposed_on >= COALESCE(s.since, '-infinity')
    """  # noqa: S608
    # the rows of $2 and their latest cases up to $4 (read once: the seeds' days start from them)
    asked_and_latest = f"""
        asked AS (
            SELECT p.id, {row} FROM unnest($2::uuid[]) p(id) {asked}
        ),
        latest AS (
            SELECT DISTINCT ON (person_id) person_id, id, confirmed_on, window_start, window_end, path,
                   cluster_id, chain_window_end
            FROM {case} WHERE person_id = ANY($2::uuid[]) AND confirmed_on <= $4
            ORDER BY person_id, confirmed_on DESC, id DESC
        )"""  # noqa: S608
    near = f"near AS ({links.format(exposure=exposure, among='$1::uuid[]')})"
    if windowed:  # (every person of $1 is in $2)
        near = f"""
            seeds AS (
                SELECT s.id, LEAST(s.since, a.next_from, f.window_start) AS since
                FROM unnest($1::uuid[], $6::date[]) s(id, since)
                LEFT JOIN asked a ON a.id = s.id LEFT JOIN latest f ON f.person_id = s.id
            ),
            near AS ({ranged.format(persons="seeds")})"""  # noqa: S608
    # (a person whose row came through one of $1 is read whole, since NULL: if $1 changes, that row
    # is recomputed from all their links)
    ahead = f"""
        ahead AS (
            SELECT n.other AS id,
                   CASE WHEN bool_or(t.via_id = ANY({once.format(1)})) THEN NULL
                        ELSE LEAST(MIN(n.exposed_on), MIN(t.next_from)) END AS since
            FROM near n LEFT JOIN LATERAL (
                SELECT next_from, via_id FROM {trace} WHERE person_id = n.other OFFSET 0
            ) t ON true
            WHERE $5 AND n.other <> ALL({once.format(1)})
            GROUP BY n.other
        )"""  # noqa: S608
    nulls = ", ".join(["NULL"] * 9)
    days = f"SELECT 'w', id::text, NULL, since, {nulls} FROM ahead WHERE since IS NOT NULL"  # noqa: S608
    if windowed:
        days += f" UNION ALL SELECT 'w', id::text, NULL, since, {nulls} FROM seeds"  # noqa: S608
    # "f": each person's latest case up to $4 is their latest within [$3, $4] if it is on or after $3
    return f"""
        WITH {asked_and_latest}, {near}, {ahead}
        SELECT 'l', l.one::text, l.other::text, l.exposed_on, {row}
        FROM (SELECT * FROM near UNION ALL {ranged.format(persons="ahead")}) l
        {linked}
        UNION ALL
        SELECT 'r', id::text, NULL, NULL, {columns} FROM asked
        UNION ALL
        SELECT 'f', person_id::text, NULL, NULL, 0, NULL, id, confirmed_on, window_start, window_end, path,
               cluster_id, chain_window_end
        FROM latest WHERE $3 IS NULL OR confirmed_on >= $3
        UNION ALL
        {days}
    """  # noqa: S608


_READ_AROUND = _read_around_sql()
_READ_WINDOW = _read_around_sql(windowed=True)


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
        around = read_around(set(), set(persons))
        return {person: row for person, row in around.rows.items() if row is not None}
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


def window_starts(since: dict[Any, date], rows: dict[Any, Row], as_of: date) -> dict[Any, date]:
    """The day the links of each person of `since` are read from (read_around's `since`, on SQLite):
    the earliest of their day there, their stored row's next_from (`rows`: theirs, read) and their
    latest case's window start."""
    persons = set(since)
    starts = dict(since)
    latest: dict[Any, date] = {}
    for chunk in _chunked(persons):
        cases = (
            Case.objects.filter(person_id__in=chunk, confirmed_on__lte=as_of)
            .order_by("person_id", "-confirmed_on", "-pk")
            .values_list("person_id", "window_start")
        )
        for pid, start in cases:
            latest.setdefault(pid, start)
    for person in persons:
        found = [
            day for day in (rows[person].next_from if person in rows else None, latest.get(person)) if day
        ]
        starts[person] = min([starts[person], *found])
    return starts


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


def write_changes(
    before: dict[Any, "Row | None"],
    rows: dict[Any, "Row | None"],
    known_paths: dict[Any, str] | None = None,
    *,
    deferred: list[prepared.Statement] | None = None,
) -> dict[Any, "Row | None"]:
    """Delete the rows that went, upsert those that changed (with the residence path of the persons
    traced, read from the registry unless `known_paths` has it: an F0 row keeps the path its case
    recorded); return the changes written (each person's new row, None for a row deleted). On
    PostgreSQL, given `deferred`, the statements are added to it, for the caller to send ahead of its
    own next ones (prepared.execute_many) instead of in a round trip of their own."""
    final = {person: rows[person] for person in before if rows[person] != before[person]}
    gone = [person for person, row in final.items() if row is None]
    kept = {person: row for person, row in final.items() if row is not None}
    known = known_paths or {}
    if _postgres():
        statements = _statements_on_postgresql(gone, kept, known)
        if deferred is not None:
            deferred.extend(statements)
        elif statements:
            with connection.cursor() as cursor:
                prepared.execute_many(cursor, statements)
        return final
    for chunk in _chunked(gone):
        TraceLevel.objects.filter(person_id__in=chunk).delete()
    person = apps.get_model("people", "Person")
    paths: dict[Any, str] = {p: known[p] for p, row in kept.items() if row.level > 0 and p in known}
    for chunk in _chunked(p for p, row in kept.items() if row.level > 0 and p not in known):
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
    return final


_UPDATED = ("level", "via_id", "root_case_id", "exposed_on", "next_from", "next_until", "path", "cluster_id")


def _statements_on_postgresql(
    gone: list[Any], kept: dict[Any, Row], known: dict[Any, str]
) -> list[prepared.Statement]:
    """One DELETE and one upsert whose traced persons' paths not known are read from the registry."""
    statements: list[prepared.Statement] = []
    if gone:
        statements.append(("cases_trace_delete", _DELETE, ("text",), [_array(gone)]))
    if kept:
        rows = kept.values()
        columns = [
            prepared.array(kept),
            prepared.array(row.level for row in rows),
            _array(row.via for row in rows),
            prepared.array(row.root_case for row in rows),
            prepared.array(row.exposed_on for row in rows),
            prepared.array(row.next_from for row in rows),
            prepared.array(row.next_until for row in rows),
            _text_array(row.path if row.level == 0 else known.get(person) for person, row in kept.items()),
            _array(row.cluster for row in rows),
        ]
        statements.append(("cases_trace_upsert", _UPSERT, ["text"] * len(columns), columns))
    return statements


_DELETE = f"DELETE FROM {TraceLevel._meta.db_table} WHERE person_id = ANY($1::uuid[])"  # noqa: S608
_UPSERT = f"""
    INSERT INTO {TraceLevel._meta.db_table} (person_id, {", ".join(_UPDATED)})
    SELECT v.person_id, v.level, v.via_id, v.root_case_id, v.exposed_on, v.next_from, v.next_until,
           COALESCE(v.path, (SELECT p.unit_path FROM {apps.get_model("people", "Person")._meta.db_table} p
                             WHERE p.id = v.person_id)), v.cluster_id
    FROM unnest($1::uuid[], $2::smallint[], $3::uuid[], $4::bigint[], $5::date[], $6::date[], $7::date[],
                $8::varchar[], $9::bigint[]) AS v(person_id, {", ".join(_UPDATED)})
    ON CONFLICT (person_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATED)}
"""  # noqa: S608 - the traced persons' residence paths not given read from the registry
