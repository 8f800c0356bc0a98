"""Transit trips (S23): a vehicle crossing the city without stopping, matched entry to exit at gateways.

A trip is registered with the window in which it is expected to enter, where it should enter and the
hours it may take to leave again (configuration: PHAODAI_TRANSIT_HOURS, 6 unless set). It is issued at
once with a `PD1:` transit pass. The crossing log then tells, in one query for all open trips, which
entered and left (with the duration) and which entered and were not seen leaving in time (overdue).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phaodai.checkpoints import selectors as checkpoint_reads
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import InvalidInput
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType
from phaodai.vehicles import common, rules
from phaodai.vehicles.errors import AlreadyRegistered, NotAGateway
from phaodai.vehicles.models import STANDING, Status, TransitTrip

OBJECT_TYPE = "vehicles.transittrip"
# How long a trip's entry window may be: a trip is one crossing, not a season ticket.
MAX_WINDOW = timedelta(days=7)
COMPARED = ("unit_id", "from_province", "to_province", "entry_checkpoint_id", "valid_to", "expected_hours")


def default_hours() -> int:
    hours = getattr(settings, "PHAODAI_TRANSIT_HOURS", rules.DEFAULT_TRANSIT_HOURS)
    return int(hours) if 1 <= int(hours) <= rules.MAX_TRANSIT_HOURS else rules.DEFAULT_TRANSIT_HOURS


def state(trip: TransitTrip) -> dict[str, Any]:
    return {
        "plate": trip.plate,
        "from": trip.from_province,
        "to": trip.to_province,
        "entry_checkpoint": trip.entry_checkpoint_id,
        "valid_from": trip.valid_from,
        "valid_to": trip.valid_to,
        "expected_hours": trip.expected_hours,
        "status": trip.status,
        "unit": trip.unit_path,
    }


def _hours(value: Any) -> int:
    if value in (None, ""):
        return default_hours()
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = 0
    if isinstance(value, bool) or not 1 <= hours <= rules.MAX_TRANSIT_HOURS:
        raise InvalidInput(
            _("The expected crossing time is 1 to %(limit)s hours.") % {"limit": rules.MAX_TRANSIT_HOURS},
            field="expected_hours",
        )
    return hours


def transit_pass(trip: TransitTrip) -> PassPayload:
    """The trip's pass: valid through its window and the hours it may take to cross."""
    return PassPayload(
        type=PassType.TRANSIT,
        pass_id=trip.reference,
        valid_from=trip.valid_from,
        valid_to=trip.valid_to + timedelta(hours=trip.expected_hours),
        plate=rules.shown_plate(trip.plate),
        route=f"{trip.from_province} → {trip.to_province}"[:120],
        organisation=trip.operator or None,
        cargo=trip.cargo or None,
    )


def _existing(by: Any, fields: dict[str, Any], idempotency_key: str) -> TransitTrip | None:
    if idempotency_key:
        found = TransitTrip.objects.filter(created_by=by, idempotency_key=idempotency_key).first()
        if found is not None:
            return found
    # One read for both questions, so a trip committed meanwhile is seen the same way by both.
    standing = list(
        TransitTrip.objects.filter(
            plate=fields["plate"],
            status__in=STANDING,
            valid_from__lt=fields["valid_to"],
            valid_to__gt=fields["valid_from"],
        ).order_by("pk")
    )
    same = next((row for row in standing if row.valid_from == fields["valid_from"]), None)
    if same is not None:
        if all(getattr(same, name) == fields[name] for name in COMPARED):
            return same
        raise AlreadyRegistered(field="plate")
    if standing:
        raise AlreadyRegistered(
            _("This vehicle already has a transit trip (%(ref)s) expected in this window.")
            % {"ref": standing[0].reference},
            field="plate",
        )
    return None


def register_transit(
    *,
    by: Any,
    unit: Any,
    plate: Any,
    from_province: Any,
    to_province: Any,
    valid_from: Any,
    valid_to: Any,
    entry_checkpoint: Any = None,
    expected_hours: Any = None,
    operator: Any = "",
    cargo: Any = "",
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[TransitTrip, bool]:
    """Register a transit trip and sign its pass; (trip, False) when it was already registered."""
    common.require_registrar(by, unit)
    at = clock()
    key = common.plate(plate)
    if entry_checkpoint is not None and entry_checkpoint.kind not in rules.GATEWAY_KINDS:
        raise NotAGateway(field="entry_checkpoint")
    fields = {
        "plate": key,
        "from_province": common.text(from_province, "from_province", limit=60),
        "to_province": common.text(to_province, "to_province", limit=60),
        "operator": common.text(operator, "operator", required=False),
        "cargo": common.text(cargo, "cargo", required=False),
        "valid_from": valid_from,
        "valid_to": valid_to,
        "entry_checkpoint_id": entry_checkpoint.pk if entry_checkpoint is not None else None,
        "expected_hours": _hours(expected_hours),
        "unit_id": unit.pk,
    }
    common.period(valid_from, valid_to, at, longest=MAX_WINDOW)
    found = _existing(by, fields, idempotency_key)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            trip = TransitTrip.objects.create(
                unit_path=unit.path, created_by=by, idempotency_key=idempotency_key, status=Status.APPROVED,
                decided_at=at, decided_by=by, **fields,
            )  # fmt: skip
            trip.pass_code = passes.sign_pass(payload=transit_pass(trip), clock=clock)
            trip.save(update_fields=["pass_code", "updated_at"])
            audit.record(
                actor=by, action="vehicles.transit_registered", object_type=OBJECT_TYPE, object_id=trip.pk,
                unit_path=unit.path, after=state(trip), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        found = _existing(by, fields, idempotency_key)
        if found is None:
            raise
        return found, False
    return trip, True


def revoke_transit(
    *, by: Any, trip: TransitTrip, version: Any = None, note: Any = "", clock: Clock = now
) -> TransitTrip:
    common.require_manager_of(by, trip)
    with transaction.atomic():
        revoked = common.transition(
            by=by, registration=trip, version=version, allowed_from=STANDING, to=Status.REVOKED,
            action="vehicles.transit_revoked", state=state, clock=clock, note_text=common.note(note),
        )  # fmt: skip
        if revoked.pass_code:  # its signed pass joins the checkpoint bundle's revocation list
            passes.revoke_pass(
                by=by, pass_id=revoked.reference, pass_type=PassType.TRANSIT,
                expires_at=revoked.valid_to + timedelta(hours=revoked.expected_hours), clock=clock,
            )  # fmt: skip
    return revoked


# Matching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TripState:
    """A trip with what the crossing log says about it."""

    trip: TransitTrip
    match: rules.TripMatch


def window(trip: TransitTrip) -> rules.TripWindow:
    return rules.TripWindow(
        trip_id=trip.pk,
        plate=trip.plate,
        enter_from=trip.valid_from,
        enter_until=trip.valid_to,
        expected=timedelta(hours=trip.expected_hours),
    )


def match(trips: Iterable[TransitTrip], at: datetime) -> list[TripState]:
    """Each trip with its entry and exit: one query over the crossing log for all of them."""
    trips = list(trips)
    if not trips:
        return []
    since = min(trip.valid_from for trip in trips) - rules.ENTRY_GRACE
    # The log as it stood at `at` (a frozen or past moment sees no later crossing).
    until = at + timedelta(seconds=1)
    crossings = [
        rules.GatewayCrossing(*row)
        for row in checkpoint_reads.gateway_crossings((trip.plate for trip in trips), since, until)
    ]
    matches = rules.match_trips((window(trip) for trip in trips), crossings, at)
    return [TripState(trip, matches[trip.pk]) for trip in trips]
