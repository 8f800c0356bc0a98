"""The crossing log (S22, S23): what a checkpoint device decided, appended once, never changed.

A device logs each check offline under its own id (`local_id`) and syncs later; (device, local id) is
unique, so syncing the same record again finds the row already there. The same id with different
content is refused rather than silently dropped. Crossings are not copied to the audit log: the log is
itself append-only (model guard; PostgreSQL triggers) and names the officer and device, and a global
audit lock per crossing would serialise every gateway's traffic.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.checkpoints import rules
from phaodai.checkpoints.errors import CheckpointNotOperating, DeviceClockAhead, LocalIdReused
from phaodai.checkpoints.models import Checkpoint, Crossing, CrossingFailure
from phaodai.checkpoints.selectors import CHECKPOINT_TYPE, may_record
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import DomainError, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import log_out_of_scope, paths_of

MAX_SYNC_ENTRIES = 500
MAX_BUNDLE_VERSION = 2**31 - 1
# What must agree for a re-sent record to be "the same record".
_IDENTITY = ("checkpoint_id", "at", "direction", "decision", "pass_id", "plate")


@dataclass(frozen=True)
class CrossingEntry:
    """One check as a device logged it."""

    checkpoint_id: Any
    at: Any
    direction: str
    decision: str
    local_id: str
    pass_id: str = ""
    pass_type: str = ""
    plate: str = ""
    failed_rules: Sequence[Any] = ()
    bundle_version: int | None = None


@dataclass(frozen=True)
class SyncResult:
    """The fate of one synced entry: "created", "duplicate" (already had) or "rejected" with why."""

    local_id: str
    status: str
    crossing_id: int | None = None
    code: str = ""
    message: str = ""


@dataclass
class _Cleaned:
    fields: dict[str, Any]
    failures: list[rules.FailedRule] = field(default_factory=list)


def _failed_rules(raw: Sequence[Any], decision: str) -> list[rules.FailedRule]:
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput(_("Failed rules are a list of {id, description}."), field="failed_rules")
    if len(raw) > rules.MAX_FAILED_RULES:
        raise InvalidInput(
            _("At most %(limit)s failed rules per crossing.") % {"limit": rules.MAX_FAILED_RULES},
            field="failed_rules",
        )
    found: dict[str, rules.FailedRule] = {}
    for item in raw:
        if isinstance(item, Mapping):
            rule_id, description = item.get("id"), item.get("description", "")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            rule_id, description = item
        else:
            raise InvalidInput(_("Failed rules are a list of {id, description}."), field="failed_rules")
        rule_id, description = str(rule_id or ""), str(description or "")
        problem = rules.failed_rule_problem(rule_id, description)
        if problem == "rule_id":
            raise InvalidInput(
                _("A rule id is 1 to 64 letters, digits, dots, underscores or dashes."), field="failed_rules"
            )
        if problem == "description":
            raise InvalidInput(
                _("A rule's description has at most %(limit)s characters.")
                % {"limit": rules.MAX_RULE_DESCRIPTION},
                field="failed_rules",
            )
        found.setdefault(rule_id, rules.FailedRule(rule_id, description))
    if found and decision == Crossing.Decision.ALLOWED:
        raise InvalidInput(_("An allowed crossing fails no rule."), field="failed_rules")
    return list(found.values())


def _clean(
    checkpoint: Checkpoint, device_id: str, entry: CrossingEntry, moment: datetime, *, live: bool
) -> _Cleaned:
    """The row to store for an entry, or a DomainError saying which field is wrong and why.

    A live scan needs the checkpoint operating now; a synced record that it operated at `entry.at`
    (`Checkpoint.operated_at`): it may have been suspended or closed between the check and the sync.
    """
    if not isinstance(device_id, str) or not rules.DEVICE_ID.fullmatch(device_id):
        raise InvalidInput(
            _("A device id is 1 to 64 letters, digits, dots, colons or dashes."), field="device_id"
        )
    if not isinstance(entry.local_id, str) or not rules.LOCAL_ID.fullmatch(entry.local_id):
        raise InvalidInput(
            _("A record id is 1 to 64 letters, digits, dots, colons or dashes."), field="local_id"
        )
    at = entry.at
    if not isinstance(at, datetime) or timezone.is_naive(at) or not plausible(at):
        raise InvalidInput(_("Give the time of the check with its UTC offset."), field="at")
    if at > moment + rules.CLOCK_AHEAD_TOLERANCE:
        raise DeviceClockAhead(field="at")
    if entry.direction not in rules.DIRECTIONS:
        raise InvalidInput(_("The direction is in or out."), field="direction")
    if entry.decision not in rules.DECISIONS:
        raise InvalidInput(_("The decision is allowed or denied."), field="decision")
    pass_id = str(entry.pass_id or "")
    if pass_id and not rules.PASS_ID.fullmatch(pass_id):
        raise InvalidInput(
            _("A pass id is 1 to 64 letters, digits, dots, slashes or dashes."), field="pass_id"
        )
    if pass_id and entry.pass_type not in rules.PASS_TYPES:
        raise InvalidInput(
            _("The pass type is one of: %(types)s.") % {"types": ", ".join(rules.PASS_TYPES)},
            field="pass_type",
        )
    if entry.pass_type and not pass_id:
        raise InvalidInput(_("A pass type goes with a pass id."), field="pass_id")
    plate = rules.plate_key(entry.plate) if entry.plate else ""
    if entry.plate and not plate:
        raise InvalidInput(_("The plate is not a Vietnamese plate such as 29C-123.45."), field="plate")
    if not pass_id and not plate:
        raise InvalidInput(_("A crossing names a pass id or a vehicle plate."), field="pass_id")
    version = entry.bundle_version
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_BUNDLE_VERSION
    ):
        raise InvalidInput(_("The bundle version is a positive whole number."), field="bundle_version")
    failures = _failed_rules(entry.failed_rules, entry.decision)
    if not (checkpoint.in_operation(at) if live else checkpoint.operated_at(at)):
        raise CheckpointNotOperating(field="at")
    return _Cleaned(
        {
            "checkpoint_id": checkpoint.pk,
            "unit_path": checkpoint.unit_path,
            "at": at,
            "pass_id": pass_id,
            "pass_type": entry.pass_type if pass_id else "",
            "plate": plate,
            "direction": entry.direction,
            "decision": entry.decision,
            "failed_rules": [{"id": f.rule_id, "description": f.description} for f in failures],
            "bundle_version": version,
            "device_id": device_id,
            "local_id": entry.local_id,
        },
        failures,
    )


def _same(existing: Crossing, fields: Mapping[str, Any]) -> bool:
    return all(getattr(existing, name) == fields[name] for name in _IDENTITY)


def _store(by: Any, cleaned: _Cleaned, moment: datetime) -> tuple[Crossing, bool]:
    fields = cleaned.fields
    try:
        with transaction.atomic():
            crossing = Crossing.objects.create(officer=by, recorded_at=moment, **fields)
            CrossingFailure.objects.bulk_create(
                [
                    CrossingFailure(
                        crossing=crossing,
                        checkpoint_id=fields["checkpoint_id"],
                        unit_path=fields["unit_path"],
                        at=fields["at"],
                        rule_id=failure.rule_id,
                        description=failure.description,
                    )
                    for failure in cleaned.failures
                ]
            )
    except IntegrityError:
        # The same record synced at the same moment by another request: theirs is the row.
        existing = Crossing.objects.filter(device_id=fields["device_id"], local_id=fields["local_id"]).first()
        if existing is None:
            raise
        if not _same(existing, fields):
            raise LocalIdReused(field="local_id") from None
        return existing, False
    return crossing, True


def _require_recorder(by: Any, checkpoint: Checkpoint) -> None:
    if not paths_of(by, Perm.VERIFY_PASSES):
        raise NotPermitted()
    if not may_record(by, checkpoint):
        log_out_of_scope(by, CHECKPOINT_TYPE, checkpoint.pk, checkpoint.unit_path)
        raise OutOfScope()


def record_crossing(
    *, by: Any, checkpoint: Checkpoint, device_id: str, entry: CrossingEntry, clock: Clock = now
) -> tuple[Crossing, bool]:
    """Append one crossing; (crossing, False) when the device had already sent this very record."""
    _require_recorder(by, checkpoint)
    moment = clock()
    cleaned = _clean(checkpoint, device_id, entry, moment, live=True)
    existing = Crossing.objects.filter(device_id=device_id, local_id=entry.local_id).first()
    if existing is not None:
        if not _same(existing, cleaned.fields):
            raise LocalIdReused(field="local_id")
        return existing, False
    return _store(by, cleaned, moment)


def sync_crossings(
    *, by: Any, device_id: str, entries: Sequence[CrossingEntry], clock: Clock = now
) -> list[SyncResult]:
    """Append a device's offline log; one result per entry, in order: created, duplicate or rejected.

    A bad entry is rejected with its reason and the others are kept; re-sending the batch is harmless.
    """
    if not paths_of(by, Perm.VERIFY_PASSES):
        raise NotPermitted()
    if len(entries) > MAX_SYNC_ENTRIES:
        raise InvalidInput(
            _("Send at most %(limit)s entries at a time.") % {"limit": MAX_SYNC_ENTRIES}, field="entries"
        )
    if not isinstance(device_id, str) or not rules.DEVICE_ID.fullmatch(device_id):
        raise InvalidInput(
            _("A device id is 1 to 64 letters, digits, dots, colons or dashes."), field="device_id"
        )
    moment = clock()
    wanted = {
        e.checkpoint_id
        for e in entries
        if isinstance(e.checkpoint_id, int) and not isinstance(e.checkpoint_id, bool)
    }
    checkpoints = {c.pk: c for c in Checkpoint.objects.filter(pk__in=wanted)}
    local_ids = [e.local_id for e in entries if isinstance(e.local_id, str)]
    existing = {c.local_id: c for c in Crossing.objects.filter(device_id=device_id, local_id__in=local_ids)}
    refused: set[int] = set()
    results = []
    for entry in entries:
        local_id = str(entry.local_id)[:64]
        checkpoint = checkpoints.get(entry.checkpoint_id)
        if checkpoint is None or not may_record(by, checkpoint):
            if checkpoint is not None and checkpoint.pk not in refused:
                refused.add(checkpoint.pk)
                log_out_of_scope(by, CHECKPOINT_TYPE, checkpoint.pk, checkpoint.unit_path)
            results.append(
                SyncResult(
                    local_id, "rejected", code="not_found", message=_("No checkpoint of yours has this id.")
                )
            )
            continue
        try:
            cleaned = _clean(checkpoint, device_id, entry, moment, live=False)
            had = existing.get(entry.local_id)
            if had is not None:
                if not _same(had, cleaned.fields):
                    raise LocalIdReused(field="local_id")
                results.append(SyncResult(local_id, "duplicate", had.pk))
                continue
            crossing, created = _store(by, cleaned, moment)
        except DomainError as refusal:
            results.append(
                SyncResult(local_id, "rejected", code=refusal.code, message=_field_message(refusal))
            )
            continue
        existing[entry.local_id] = crossing
        results.append(SyncResult(local_id, "created" if created else "duplicate", crossing.pk))
    return results


def _field_message(refusal: DomainError) -> str:
    return f"{refusal.field}: {refusal.detail}" if refusal.field else str(refusal.detail)
