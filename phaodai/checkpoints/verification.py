"""Server verification for devices that cannot verify offline (issue #7, 8b): decide and log one scan.

The decision is passes.selectors.check_pass (the same steps as the offline page and `passes verify`)
over the current "checkpoints" bundle, with the live trust list and revocation list, at the
server's clock. Then the crossing is logged through crossings.record_crossing, idempotent on the
device's (device_id, local_id): a retry gets the recorded decision back, not a second row nor a
new decision. A code whose signature does not hold is denied and not logged (nothing in it can be
trusted, not even its pass id); an authentic pass is logged with its failed rules (or the code's
refusal, e.g. "expired") as the failed rule ids.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.checkpoints import rules
from phaodai.checkpoints.crossings import CrossingEntry, record_crossing
from phaodai.checkpoints.errors import LocalIdReused
from phaodai.checkpoints.models import Checkpoint, Crossing
from phaodai.checkpoints.selectors import CHECKPOINT_TYPE, may_record
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import log_out_of_scope, paths_of
from phaodai.passes import selectors as passes
from phaodai.passes.messages import describe


class NoBundle(Conflict):
    code = "no_bundle"
    message = _("No checkpoint rule bundle is published: a city commander must publish one.")


@dataclass(frozen=True)
class Scan:
    """What the device sent: the codes as scanned and its own record id."""

    code: str
    declaration: str | None
    direction: str
    device_id: str
    local_id: str


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _message(code: str) -> str:
    return str(describe(code))


def _checkpoint(by: Any, pk: Any) -> Checkpoint:
    """403 without checkpoints.verify; 404 (logged) for a checkpoint the officer does not reach."""
    if not paths_of(by, Perm.VERIFY_PASSES):
        raise NotPermitted()
    checkpoint = Checkpoint.objects.filter(pk=pk).first()
    if checkpoint is None:
        raise OutOfScope()
    if not may_record(by, checkpoint):
        log_out_of_scope(by, CHECKPOINT_TYPE, checkpoint.pk, checkpoint.unit_path)
        raise OutOfScope()
    return checkpoint


def _check_scan(scan: Scan) -> None:
    if scan.direction not in rules.DIRECTIONS:
        raise InvalidInput(_("The direction is in or out."), field="direction")
    if not isinstance(scan.device_id, str) or not rules.DEVICE_ID.fullmatch(scan.device_id):
        raise InvalidInput(
            _("A device id is 1 to 64 letters, digits, dots, colons or dashes."), field="device_id"
        )
    if not isinstance(scan.local_id, str) or not rules.LOCAL_ID.fullmatch(scan.local_id):
        raise InvalidInput(
            _("A record id is 1 to 64 letters, digits, dots, colons or dashes."), field="local_id"
        )


def facts(checkpoint: Checkpoint) -> dict[str, Any]:
    """external.checkpoint for the rules: kind, code and the unit codes where it stands."""
    return passes.checkpoint_facts(
        checkpoint.kind, checkpoint.code, (checkpoint.unit_path, checkpoint.other_side_path)
    )


def verify_scan(*, by: Any, checkpoint_pk: Any, scan: Scan, clock: Clock = now) -> dict[str, Any]:
    """The decision on a scanned pass at a checkpoint, logged once; see the module's docstring."""
    checkpoint = _checkpoint(by, checkpoint_pk)
    _check_scan(scan)
    bundle = passes.current_bundle(passes.CHECKPOINTS)
    if bundle is None:
        raise NoBundle()
    recorded = Crossing.objects.filter(device_id=scan.device_id, local_id=scan.local_id).first()
    at = recorded.at if recorded is not None else clock()
    result = passes.check_pass(
        scan.code, scan.declaration, bundle=bundle, checkpoint=facts(checkpoint), at=at
    )
    language = _language()
    answer = result.as_json(language, _message)
    if recorded is not None:
        return _retried(recorded, checkpoint, scan, result, answer, bundle)
    crossing_id = None
    entry = _entry(checkpoint, scan, result, answer, at)
    if entry.pass_id or entry.plate:  # an unauthenticated code names nothing worth logging
        crossing, _created = record_crossing(
            by=by, checkpoint=checkpoint, device_id=scan.device_id, entry=entry, clock=clock
        )
        crossing_id = crossing.pk
    return {**answer, "crossing_id": crossing_id, "duplicate": False}


def _entry(checkpoint: Checkpoint, scan: Scan, result: Any, answer: dict[str, Any], at: Any) -> CrossingEntry:
    descriptions = {reason["rule"]: reason["description"] for reason in answer["reasons"]}
    plate = rules.plate_key(result.plate or "")
    pass_id = result.pass_id if rules.PASS_ID.fullmatch(result.pass_id or "") else ""
    pass_type = result.pass_type if pass_id and result.pass_type in rules.PASS_TYPES else ""
    return CrossingEntry(
        checkpoint_id=checkpoint.pk,
        at=at,
        direction=scan.direction,
        decision=result.decision,
        local_id=scan.local_id,
        pass_id=pass_id,
        pass_type=pass_type,
        plate=plate,
        failed_rules=[
            {"id": rule_id, "description": descriptions.get(rule_id, "")[: rules.MAX_RULE_DESCRIPTION]}
            for rule_id in result.failed_rule_ids()[: rules.MAX_FAILED_RULES]
        ],
        bundle_version=result.bundle_version,
    )


def _retried(
    recorded: Crossing, checkpoint: Checkpoint, scan: Scan, result: Any, answer: dict[str, Any], bundle: Any
) -> dict[str, Any]:
    """A retry of a logged scan: the logged decision (the bundle may have changed since), never a new row."""
    same = (
        recorded.checkpoint_id == checkpoint.pk
        and recorded.direction == scan.direction
        and recorded.pass_id == (result.pass_id or "")
    )
    if not same:
        raise LocalIdReused(field="local_id")
    reasons = {reason["rule"]: reason["description"] for reason in answer["reasons"]}
    logged = [
        {"rule": item["id"], "description": reasons.get(item["id"]) or item.get("description", "")}
        for item in recorded.failed_rules
    ]
    return {
        **answer,
        "decision": recorded.decision,
        "reasons": logged,
        "bundle_version": recorded.bundle_version,
        "crossing_id": recorded.pk,
        "duplicate": True,
    }
