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

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connection

_done: "WeakKeyDictionary[Any, set[str]]" = WeakKeyDictionary()  # names prepared, per connection


def execute(cursor: Any, name: str, sql: str, types: Sequence[str], params: Sequence[Any]) -> None:
    """Run `sql` (placeholders $1…, parameters of these PostgreSQL `types`) as the prepared statement
    `name` (cases_…), preparing it first on this connection if needed."""
    raw = connection.connection
    done = _done.setdefault(raw, set())
    if name not in done:
        cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {sql}")
        done.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", list(params))
