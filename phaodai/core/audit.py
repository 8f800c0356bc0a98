"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any row breaks the chain from that row on; `phaodai audit verify` walks it.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from phaodai.core.clock import Clock, now
from phaodai.core.models import AuditEntry

GENESIS = "0" * 64
# Serialises appends on PostgreSQL so two transactions never chain onto the same predecessor.
_ADVISORY_LOCK_KEY = 0x70686164  # "phad"


def digest(state: Mapping[str, Any] | None) -> str:
    """A stable SHA-256 of a record's state; only the digest is logged, never personal values."""
    if state is None:
        return ""
    canonical = json.dumps(state, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _entry_hash(entry: AuditEntry) -> str:
    fields = [
        entry.prev_hash,
        entry.at.isoformat(),
        str(entry.actor_id or ""),
        entry.actor_username,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.unit_path,
        entry.before_digest,
        entry.after_digest,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any = "",
    unit_path: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    clock: Clock = now,
) -> AuditEntry:
    """Append one entry in the caller's transaction (so it is rolled back with the write it records)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            at=clock(),
            actor_id=getattr(actor, "pk", None),
            actor_username=getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            unit_path=unit_path,
            before_digest=digest(before),
            after_digest=digest(after),
            prev_hash=last or GENESIS,
        )
        entry.entry_hash = _entry_hash(entry)
        entry.save(force_insert=True)
        return entry


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Yield every place where the stored chain disagrees with a recomputation."""
    expected_prev = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch_size):
        if entry.prev_hash != expected_prev:
            yield ChainBreak(entry.pk, "previous hash does not match the entry before it")
        if _entry_hash(entry) != entry.entry_hash:
            yield ChainBreak(entry.pk, "entry content does not match its hash")
        expected_prev = entry.entry_hash
