"""Shippers (S25): two-wheel delivery riders registered with their company, hours and zones.

A shipper's CCCD is kept as the project keeps CCCDs: AES-GCM ciphertext bound to this column, and the
people app's keyed blind index for "one registration per person" (never the plain number, never in
the audit log). Registration issues a `PD1:` shipper pass at once; `shipper_allowed` checks a shipper
or a decoded pass against the time of day in Hà Nội.
"""

from datetime import datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.clock import Clock, now, to_local
from phaodai.core.crypto import field_cipher
from phaodai.core.errors import InvalidInput
from phaodai.core.identity import parse_cccd
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType, mask_cccd
from phaodai.people.cccd import cccd_index
from phaodai.territory import selectors as territory
from phaodai.vehicles import common, rules
from phaodai.vehicles.errors import BadHours, ShipperAlreadyRegistered
from phaodai.vehicles.models import STANDING, Shipper, Status

OBJECT_TYPE = "vehicles.shipper"
CCCD_AAD = b"vehicles.shipper.cccd"
MAX_ZONES = 32
COMPARED = ("unit_id", "full_name", "company", "plate", "hours_start", "hours_end", "zones", "valid_to")


def state(shipper: Shipper) -> dict[str, Any]:
    """No personal values: the company, hours, zones and state (not the name, CCCD or plate)."""
    return {
        "company": shipper.company,
        "hours": [rules.hour_text(shipper.hours_start), rules.hour_text(shipper.hours_end)],
        "zones": shipper.zones,
        "valid_from": shipper.valid_from,
        "valid_to": shipper.valid_to,
        "status": shipper.status,
        "unit": shipper.unit_path,
    }


def _hour(value: Any, field: str) -> time:
    if isinstance(value, time):
        if value.second or value.microsecond:
            raise BadHours(field=field)
        return value.replace(tzinfo=None)
    read = rules.read_hour(str(value or ""))
    if read is None:
        raise BadHours(field=field)
    return read


def hours(start: Any, end: Any) -> tuple[time, time]:
    first, last = _hour(start, "hours_start"), _hour(end, "hours_end")
    if last <= first:
        raise BadHours(_("The hours must end after they start, on the same day."), field="hours_end")
    return first, last


def clean_zones(codes: Any) -> list[str]:
    """Unit codes (districts or wards of the city), each checked to exist, in order, without repeats."""
    if isinstance(codes, str):
        codes = [code for code in codes.replace(";", ",").replace(" ", ",").split(",") if code]
    if not isinstance(codes, (list, tuple)):
        raise InvalidInput(_("Give the zones as unit codes separated by commas."), field="zones")
    found: list[str] = []
    for code in codes:
        code = str(code).strip()
        unit = territory.unit_by_code(code)
        if unit is None or unit.level not in ("district", "ward"):
            raise InvalidInput(
                _("“%(code)s” is not the code of a district or ward.") % {"code": code[:10]}, field="zones"
            )
        if code not in found:
            found.append(code)
    if not found:
        raise InvalidInput(_("Name at least one zone (a district or ward code)."), field="zones")
    if len(found) > MAX_ZONES:
        raise InvalidInput(_("At most %(limit)s zones.") % {"limit": MAX_ZONES}, field="zones")
    return found


def shipper_pass(shipper: Shipper, cccd: str) -> PassPayload:
    return PassPayload(
        type=PassType.SHIPPER,
        pass_id=shipper.reference,
        valid_from=shipper.valid_from,
        valid_to=shipper.valid_to,
        holder=shipper.full_name,
        birth_year=shipper.birth_year,
        cccd_masked=mask_cccd(cccd),
        plate=rules.shown_plate(shipper.plate),
        organisation=shipper.company,
        hours=(rules.hour_text(shipper.hours_start), rules.hour_text(shipper.hours_end)),
        zones=tuple(shipper.zones),
    )


def _existing(fields: dict[str, Any]) -> Shipper | None:
    same = Shipper.objects.filter(cccd_index=fields["cccd_index"], status__in=STANDING).first()
    if same is None:
        return None
    if (
        all(getattr(same, name) == fields[name] for name in COMPARED)
        and same.valid_from == fields["valid_from"]
    ):
        return same
    raise ShipperAlreadyRegistered(field="cccd")


def register_shipper(
    *,
    by: Any,
    unit: Any,
    full_name: Any,
    company: Any,
    cccd: Any,
    plate: Any,
    hours_start: Any,
    hours_end: Any,
    zones: Any,
    valid_from: Any,
    valid_to: Any,
    clock: Clock = now,
) -> tuple[Shipper, bool]:
    """Register a shipper and sign their pass; (shipper, False) when the same was already registered."""
    common.require_registrar(by, unit)
    at = clock()
    facts = parse_cccd(cccd)
    start, end = hours(hours_start, hours_end)
    fields = {
        "unit_id": unit.pk,
        "full_name": common.text(full_name, "full_name"),
        "company": common.text(company, "company"),
        "plate": common.plate(plate),
        "hours_start": start,
        "hours_end": end,
        "zones": clean_zones(zones),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "cccd_index": cccd_index(facts.number),
    }
    common.period(valid_from, valid_to, at)
    found = _existing(fields)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            shipper = Shipper.objects.create(
                unit_path=unit.path, created_by=by, status=Status.APPROVED, decided_at=at, decided_by=by,
                cccd_ciphertext=field_cipher().encrypt(facts.number, associated=CCCD_AAD),
                cccd_last3=facts.number[-3:], birth_year=facts.birth_year, **fields,
            )  # fmt: skip
            shipper.pass_code = passes.sign_pass(payload=shipper_pass(shipper, facts.number), clock=clock)
            shipper.save(update_fields=["pass_code", "updated_at"])
            audit.record(
                actor=by, action="vehicles.shipper_registered", object_type=OBJECT_TYPE, object_id=shipper.pk,
                unit_path=unit.path, after=state(shipper), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        found = _existing(fields)
        if found is None:
            raise
        return found, False
    return shipper, True


def revoke_shipper(
    *, by: Any, shipper: Shipper, version: Any = None, note: Any = "", clock: Clock = now
) -> Shipper:
    common.require_manager_of(by, shipper)
    with transaction.atomic():
        revoked = common.transition(
            by=by, registration=shipper, version=version, allowed_from=STANDING, to=Status.REVOKED,
            action="vehicles.shipper_revoked", state=state, clock=clock, note_text=common.note(note),
        )  # fmt: skip
        if revoked.pass_code:  # its signed pass joins the checkpoint bundle's revocation list
            passes.revoke_pass(
                by=by, pass_id=revoked.reference, pass_type=PassType.SHIPPER,
                expires_at=revoked.valid_to, clock=clock,
            )  # fmt: skip
    return revoked


def shipper_allowed(shipper_or_pass: Shipper | PassPayload, at: datetime) -> rules.Verdict:
    """Whether the shipper may ride at `at` (Hà Nội time of day), with the reason either way.

    From the start hour (inclusive) to the end hour (exclusive): with 06:00–18:00, 06:00 and 17:59
    are allowed, 05:59 and 18:00 are not. A registration also answers for revocation; a decoded
    pass carries its validity and hours (revocation is the checkpoint's list to consult).
    """
    local = to_local(at)
    moment = local.time().replace(second=0, microsecond=0)
    if isinstance(shipper_or_pass, PassPayload):
        if shipper_or_pass.type != PassType.SHIPPER or shipper_or_pass.hours is None:
            return rules.Verdict(False, "shipper", (("not_a_shipper_pass", {}),))
        start, end = (rules.read_hour(text) or time(0) for text in shipper_or_pass.hours)
        facts = rules.ShipperFacts(True, shipper_or_pass.valid_from, shipper_or_pass.valid_to, start, end)
        subject: Any = shipper_or_pass.pass_id
    else:
        shipper = shipper_or_pass
        facts = rules.ShipperFacts(
            shipper.status == Status.APPROVED, shipper.valid_from, shipper.valid_to,
            shipper.hours_start, shipper.hours_end,
        )  # fmt: skip
        subject = shipper.pk
    verdict = rules.shipper_hours_verdict(facts, at, moment)
    return rules.Verdict(verdict.allowed, verdict.basis, verdict.reasons, verdict.conditions, subject)
