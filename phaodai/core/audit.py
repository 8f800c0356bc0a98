"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so changing, removing or
reordering any row breaks the chain from that row on; `phaodai audit verify` walks it. Removing the
newest rows, or rewriting the whole chain, is only visible against a head recorded elsewhere
(an anchor), which is why `verify` prints the head.
"""

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import Clock, now
from phaodai.core.crypto import blind_index
from phaodai.core.locks import serialise
from phaodai.core.models import AuditEntry

GENESIS = "0" * 64
# Serialises appends on PostgreSQL so two transactions never chain onto the same predecessor; it is
# held until the caller's transaction ends, so audited transactions should stay short.
_ADVISORY_LOCK_KEY = 0x70686164  # "phad"
_TEXT_FIELDS = ("actor_username", "action", "object_type", "object_id", "unit_path")
# A phone number or CCCD (both start with 0 or +84); primary keys never have a leading zero.
_PERSONAL_ID = re.compile(r"(?:\+84|0)\d{8,11}")

PREV_MISMATCH = _(
    "its previous hash does not match the entry before it "
    "(an entry before it was changed, removed, inserted or reordered)"
)
CONTENT_MISMATCH = _("its content does not match its hash (the entry was changed)")
ANCHOR_MISSING = _("the anchored entry is missing (entries were removed)")
ANCHOR_MISMATCH = _("the anchored entry's hash differs from the anchor (the chain was rewritten)")


def digest(state: Mapping[str, Any] | None) -> str:
    """A keyed digest of a record's state; only the digest is logged, never personal values."""
    if state is None:
        return ""
    canonical = json.dumps(state, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    # Keyed (HMAC), because a plain hash of a phone number or CCCD is reversed by trying them all.
    return blind_index()(canonical, "audit")


def _entry_hash(entry: AuditEntry) -> str:
    # UTC with a fixed format: the stored and reloaded timestamp must hash the same on every database.
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [
        entry.prev_hash,
        at,
        entry.actor_id,
        entry.actor_username,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.unit_path,
        entry.before_digest,
        entry.after_digest,
    ]
    # A JSON array cannot be confused by a separator inside a field, unlike joined strings.
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check(entry: AuditEntry) -> None:
    """Refuse an entry the database would store differently (or not at all) or that names a person."""
    if not entry.action or not entry.object_type:
        raise ValueError("an audit entry needs an action and an object type")
    for name in _TEXT_FIELDS:
        limit = getattr(AuditEntry._meta.get_field(name), "max_length", None)
        if limit is not None and len(getattr(entry, name)) > limit:
            raise ValueError(f"audit {name} is longer than {limit} characters")
    if _PERSONAL_ID.fullmatch(entry.object_id):
        raise ValueError("audit object_id looks like a phone number or CCCD; log the primary key instead")


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
    entry = AuditEntry(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit_path=unit_path,
        before_digest=digest(before),
        after_digest=digest(after),
    )
    _check(entry)
    with transaction.atomic():
        serialise(_ADVISORY_LOCK_KEY)
        # Read the time under the lock, so the order of the chain and the order of its times agree.
        moment = clock()
        if timezone.is_naive(moment):
            raise ValueError("the audit clock must return aware datetimes")
        entry.at = moment.astimezone(UTC)
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry.prev_hash = last or GENESIS
        entry.entry_hash = _entry_hash(entry)
        entry.save(force_insert=True)
    return entry


@dataclass(frozen=True)
class ChainBreak:
    """One place where the stored log disagrees with itself or with an anchor."""

    entry_id: int
    reason: str | Promise


@dataclass
class ChainWalk:
    """A walk over the log in id order; after `breaks()` is exhausted, `checked` and `head` are set."""

    start: str = GENESIS
    batch_size: int = 5000
    checked: int = 0
    head: tuple[int, str] | None = None

    def breaks(self) -> Iterator[ChainBreak]:
        """Yield every place where the stored chain disagrees with a recomputation."""
        expected_prev = self.start
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=self.batch_size):
            if entry.prev_hash != expected_prev:
                yield ChainBreak(entry.pk, PREV_MISMATCH)
            if _entry_hash(entry) != entry.entry_hash:
                yield ChainBreak(entry.pk, CONTENT_MISMATCH)
            # Continue from the stored hash, so one tampered row is reported once, not for every later row.
            expected_prev = entry.entry_hash
            self.checked += 1
            self.head = (entry.pk, entry.entry_hash)


def verify_chain(batch_size: int = 5000, *, start: str = GENESIS) -> Iterator[ChainBreak]:
    """Yield every place where the stored chain disagrees with a recomputation."""
    # `start` is the oldest entry's previous hash: GENESIS, or after a retention purge the hash of the
    # last purged entry, which the DBA records when purging.
    return ChainWalk(start=start, batch_size=batch_size).breaks()


def check_anchor(entry_id: int, entry_hash: str) -> ChainBreak | None:
    """Compare the log with a head recorded earlier outside the database (detects truncation, rewrites)."""
    stored = AuditEntry.objects.filter(pk=entry_id).values_list("entry_hash", flat=True).first()
    if stored is None:
        return ChainBreak(entry_id, ANCHOR_MISSING)
    if stored != entry_hash:
        return ChainBreak(entry_id, ANCHOR_MISMATCH)
    return None
