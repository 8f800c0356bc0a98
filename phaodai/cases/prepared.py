"""The incremental derivation's statements, prepared once per PostgreSQL connection.

A new case or a batch of contacts re-derives through about a dozen statements that each read or write
a few hundred rows by index; planning them cost about as much as running them (the walk over the
clusters' links, for one: 1.3 ms of planning for 0.3 ms of work). Prepared once per connection
(`PREPARE`, which outlives the transaction it was issued in) and run with a generic plan
(`plan_cache_mode`, set for the deriving transaction only: serialize), they are parsed and planned
once per connection; connections are kept between requests (CONN_MAX_AGE), so a connection's first
derivation pays the preparing and the next ones do not. Parameters are text (arrays as one literal,
cast in the statement) or dates, so one statement serves any number of persons.

SQLite has no PREPARE: callers keep their plain statements there.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.checks import Error
from django.db import DatabaseError, connection

_done: "WeakKeyDictionary[Any, set[str]]" = WeakKeyDictionary()  # names prepared, per connection
# The statement is gone (DEALLOCATE, DISCARD ALL) or its plan no longer fits a table a migration changed
# ("cached plan must not change result type").
STALE = {"26000", "0A000"}


def execute(cursor: Any, name: str, sql: str, types: Sequence[str], params: Sequence[Any]) -> None:
    """Run `sql` (placeholders $1…, parameters of these PostgreSQL `types`) as the prepared statement
    `name` (cases_…), preparing it first on this connection if needed. A statement found stale fails
    its transaction once and is prepared afresh by the next derivation on the connection."""
    execute_many(cursor, [(name, sql, types, params)])


Statement = tuple[str, str, Sequence[str], Sequence[Any]]  # name, sql, types, params (as execute)


def array(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of ids, numbers or dates none of which is None, bound as one text
    parameter (cast in the statement)."""
    return "{" + ",".join(map(str, values)) + "}"


def execute_many(cursor: Any, statements: Sequence[Statement]) -> None:
    """Run these prepared statements in order, in one round trip: one query string of EXECUTEs, which
    PostgreSQL runs one after the other as if sent apart (each sees what the previous ones wrote and,
    in READ COMMITTED, takes its own snapshot when it starts: a read after the derivation's lock sees
    what the previous holder committed). The cursor is left on the first result (cursor.nextset()
    moves to the next). Under load each round trip waits for a CPU at both ends, so the fewer the
    better; Django's psycopg cursor binds parameters on the client (simple query protocol), which
    allows several statements in one query."""
    raw = connection.connection
    done = _done.setdefault(raw, set())
    for name, sql, types, _params in statements:
        if name not in done:
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
            if cursor.fetchone() is not None:  # a stale one left on the connection
                cursor.execute(f"DEALLOCATE {name}")
            cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {sql}")
            done.add(name)
    query = "; ".join(
        f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" for name, _, _, params in statements
    )
    try:
        cursor.execute(query, [value for *_rest, params in statements for value in params])
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) in STALE:
            done.clear()  # whatever made this one stale (DISCARD ALL, a migration) may have hit the others
        raise


def check_client_side_binding(**kwargs: Any) -> list[Error]:
    """System check: execute_many sends several EXECUTEs in one query string, which only the simple
    query protocol (psycopg's client-side binding, Django's default) accepts; with server-side
    binding every derivation would fail ("cannot insert multiple commands into a prepared statement")."""
    return binding_errors(settings.DATABASES)


def binding_errors(databases: Mapping[str, Any]) -> list[Error]:
    return [
        Error(
            f"DATABASES[{alias!r}] sets server_side_binding: tracing's derivation needs client-side binding.",
            hint="Remove OPTIONS['server_side_binding'] (decision record 0020).",
            id="cases.E001",
        )
        for alias, database in databases.items()
        if database.get("ENGINE", "").endswith("postgresql")
        and database.get("OPTIONS", {}).get("server_side_binding")
    ]
