"""Green-lane registrations (luồng xanh): register, approve (a signed vehicle pass), reject, revoke.

A district (or the city) registers a transport company's vehicle; an officer who manages checkpoints
in that unit approves it, which signs its `PD1:` vehicle pass (the QR of the green card). A
registration is submitted once: the same plate from the same start with the same details answers with
the registration already there, with other details it is refused.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType
from phaodai.vehicles import common, rules
from phaodai.vehicles.errors import AlreadyRegistered, NotAwaitingDecision, StartsTooFarAhead
from phaodai.vehicles.models import STANDING, GreenLane, Status

OBJECT_TYPE = "vehicles.greenlane"
COMPARED = ("unit_id", "operator", "cargo", "route", "valid_to")


def state(registration: GreenLane) -> dict[str, Any]:
    """What the audit digests: no personal data (a company vehicle's plate is not a person's)."""
    return {
        "plate": registration.plate,
        "operator": registration.operator,
        "cargo": registration.cargo,
        "route": registration.route,
        "valid_from": registration.valid_from,
        "valid_to": registration.valid_to,
        "status": registration.status,
        "unit": registration.unit_path,
    }


@dataclass(frozen=True)
class GreenLaneDetails:
    plate: str
    operator: str
    cargo: str
    route: str
    valid_from: datetime
    valid_to: datetime


def clean(
    *, plate: Any, operator: Any, cargo: Any, route: Any, valid_from: Any, valid_to: Any, at: datetime
) -> GreenLaneDetails:
    """The cleaned details, or InvalidInput naming the first bad field."""
    key = common.plate(plate)
    details = GreenLaneDetails(
        plate=key,
        operator=common.text(operator, "operator"),
        cargo=common.text(cargo, "cargo"),
        route=common.text(route, "route"),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    common.period(valid_from, valid_to, at)
    _signable(valid_from, at)
    return details


def _signable(valid_from: datetime, at: datetime) -> None:
    # A pass signed at `at` ends by at + 90 days: one starting later would end before it starts.
    if valid_from >= at + common.MAX_VALIDITY:
        raise StartsTooFarAhead(field="valid_from")


def _existing(by: Any, details: GreenLaneDetails, unit: Any, idempotency_key: str) -> GreenLane | None:
    """The registration a retry means, or None; AlreadyRegistered when it clashes with another."""
    if idempotency_key:
        found = GreenLane.objects.filter(created_by=by, idempotency_key=idempotency_key).first()
        if found is not None:
            return found
    # One read for both questions, so a registration committed meanwhile is seen the same way by both.
    standing = list(
        GreenLane.objects.filter(
            plate=details.plate,
            status__in=STANDING,
            valid_from__lt=details.valid_to,
            valid_to__gt=details.valid_from,
        ).order_by("pk")
    )
    same_start = next((row for row in standing if row.valid_from == details.valid_from), None)
    if same_start is not None:
        wanted = {"unit_id": unit.pk, **details.__dict__}
        if all(getattr(same_start, name) == wanted[name] for name in COMPARED):
            return same_start
        raise AlreadyRegistered(field="plate")
    if standing:
        raise AlreadyRegistered(
            _("This vehicle already has a green-lane registration (%(ref)s) for part of this period.")
            % {"ref": standing[0].reference},
            field="plate",
        )
    return None


def register_green_lane(
    *,
    by: Any,
    unit: Any,
    plate: Any,
    operator: Any,
    cargo: Any,
    route: Any,
    valid_from: Any,
    valid_to: Any,
    idempotency_key: str = "",
    batch: str = "",
    clock: Clock = now,
) -> tuple[GreenLane, bool]:
    """Submit a vehicle for the green lane; (registration, False) when it was already submitted."""
    common.require_registrar(by, unit)
    details = clean(
        plate=plate, operator=operator, cargo=cargo, route=route, valid_from=valid_from, valid_to=valid_to,
        at=clock(),
    )  # fmt: skip
    found = _existing(by, details, unit, idempotency_key)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            registration = GreenLane.objects.create(
                unit=unit,
                unit_path=unit.path,
                created_by=by,
                idempotency_key=idempotency_key,
                batch=batch,
                **details.__dict__,
            )
            audit.record(
                actor=by,
                action="vehicles.green_lane_registered",
                object_type=OBJECT_TYPE,
                object_id=registration.pk,
                unit_path=unit.path,
                after=state(registration),
                clock=clock,
            )
    except IntegrityError:
        # A concurrent submission of the same plate and start won: answer as a retry would.
        found = _existing(by, details, unit, idempotency_key)
        if found is None:
            raise
        return found, False
    return registration, True


def pass_valid_to(registration: GreenLane, signed_at: datetime) -> datetime:
    """When the pass signed at `signed_at` ends: the registration's end, or 90 days on if sooner."""
    return min(registration.valid_to, signed_at + common.MAX_VALIDITY)


def vehicle_pass(registration: GreenLane, at: datetime) -> PassPayload:
    """The green card's pass: plate, operator, cargo, route, validity (at most 90 days from signing)."""
    return PassPayload(
        type=PassType.VEHICLE,
        pass_id=registration.reference,
        valid_from=registration.valid_from,
        valid_to=pass_valid_to(registration, at),
        plate=rules.shown_plate(registration.plate),
        organisation=registration.operator,
        cargo=registration.cargo,
        route=registration.route,
    )


def approve_green_lane(
    *, by: Any, registration: GreenLane, version: Any = None, clock: Clock = now
) -> GreenLane:
    """Approve a submitted registration and sign its vehicle pass (once: a second approval gets 409)."""
    common.require_manager_of(by, registration)
    if registration.status != Status.SUBMITTED:
        raise NotAwaitingDecision()
    at = clock()
    _signable(registration.valid_from, at)  # one stored before registration refused such starts
    # One instant for signing and decided_at: the green card reads the pass's end from decided_at.
    code = passes.sign_pass(payload=vehicle_pass(registration, at), clock=lambda: at)
    return common.transition(
        by=by, registration=registration, version=version, allowed_from=(Status.SUBMITTED,),
        to=Status.APPROVED, action="vehicles.green_lane_approved", state=state,
        changes={"pass_code": code}, clock=lambda: at,
    )  # fmt: skip


def reject_green_lane(
    *, by: Any, registration: GreenLane, version: Any = None, note: Any = "", clock: Clock = now
) -> GreenLane:
    common.require_manager_of(by, registration)
    return common.transition(
        by=by, registration=registration, version=version, allowed_from=(Status.SUBMITTED,),
        to=Status.REJECTED, action="vehicles.green_lane_rejected", state=state, clock=clock,
        note_text=common.note(note),
    )  # fmt: skip


def revoke_green_lane(
    *, by: Any, registration: GreenLane, version: Any = None, note: Any = "", clock: Clock = now
) -> GreenLane:
    """Withdraw a registration (submitted or approved): checks refuse the vehicle from now on."""
    common.require_manager_of(by, registration)
    with transaction.atomic():
        revoked = common.transition(
            by=by, registration=registration, version=version, allowed_from=STANDING,
            to=Status.REVOKED, action="vehicles.green_lane_revoked", state=state, clock=clock,
            note_text=common.note(note),
        )  # fmt: skip
        if revoked.pass_code:  # its signed pass joins the checkpoint bundle's revocation list
            passes.revoke_pass(
                by=by, pass_id=revoked.reference, pass_type=PassType.VEHICLE,
                expires_at=revoked.valid_to, clock=clock,
            )  # fmt: skip
    return revoked
