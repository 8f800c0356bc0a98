"""Helpers for audit tests: a ticking clock, tampering behind the application's back, the chain's breaks."""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from phaodai.core import audit
from phaodai.core.clock import hanoi


def ticking_clock(start: datetime | None = None) -> Callable[[], datetime]:
    """A clock that advances one minute per call from 06:00 on 9 September 2021, Hà Nội time."""
    moments = iter(range(10_000))
    first = start or hanoi(2021, 9, 9, 6, 0)
    return lambda: first + timedelta(minutes=next(moments))


def run_sql(statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Tamper with the log behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On PostgreSQL only the DBA maintenance switch lets this through (the triggers, see test_audit).
            cursor.execute("SET LOCAL phaodai.audit_purge = 'on'")
        for sql, params in statements:
            cursor.execute(sql, params)


def breaks() -> list[tuple[int, str]]:
    """The chain's breaks as (entry id, reason) pairs."""
    return [(b.entry_id, str(b.reason)) for b in audit.verify_chain()]
