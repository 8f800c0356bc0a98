"""Transaction-scoped advisory locks: a short critical section that no row lock covers (a check over
rows that do not exist yet: "no other shift overlaps", "no other support is filed").

    with transaction.atomic():
        serialise(LOCK_KEY, unit.pk)
        ...check, then write...

PostgreSQL only: SQLite's transactions here begin IMMEDIATE, one writer at a time, so they are already
serialised. The lock is released when the transaction ends.
"""

import uuid
from typing import Any

from django.db import connection


def serialise(*keys: int) -> None:
    """Hold the advisory lock of `keys` (one 64-bit key, or two 32-bit ones) until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    assert len(keys) in (1, 2), keys
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({marks})", list(keys))


def key_of(value: Any) -> int:
    """A 32-bit lock key for a UUID or an integer id (ids beyond 2³¹ share keys: more waiting, never less)."""
    number = value if isinstance(value, int) else uuid.UUID(str(value)).int
    return number % 2**31
