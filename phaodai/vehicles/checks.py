"""The vehicle check a checkpoint asks of the server: green lane, transit (no stop), shipper, unknown.

Read-only and unscoped on purpose: a vehicle registered anywhere in the city reaches any checkpoint,
so the page and API ask for VERIFY_PASSES at the checkpoint and this answers for the whole register.
"""

from datetime import datetime, timedelta
from typing import Any

from phaodai.vehicles import rules
from phaodai.vehicles.models import GreenLane, Shipper, Status, TransitTrip
from phaodai.vehicles.shippers import shipper_allowed


def _green_lane(plate: str, at: datetime) -> tuple[Any, str]:
    """(the approved registration in force, "") or (None, why the latest one does not hold)."""
    rows = list(GreenLane.objects.filter(plate=plate).order_by("-valid_to", "-pk")[:10])
    for row in rows:
        if row.status == Status.APPROVED and row.valid_from <= at < row.valid_to:
            return row, ""
    covering = [row for row in rows if row.valid_from <= at < row.valid_to]
    latest = covering[0] if covering else (rows[0] if rows else None)
    if latest is None:
        return None, ""
    if latest.status == Status.REVOKED:
        return None, "green_lane_revoked"
    if latest.status == Status.SUBMITTED:
        return None, "green_lane_not_approved"
    if latest.status == Status.APPROVED:
        return None, "green_lane_expired" if at >= latest.valid_to else "green_lane_not_yet_valid"
    return None, ""


def _transit(plate: str, at: datetime) -> Any:
    """An approved trip whose window (with grace before and its crossing time after) holds `at`."""
    rows = TransitTrip.objects.filter(
        plate=plate,
        status=Status.APPROVED,
        valid_from__lte=at + rules.ENTRY_GRACE,
        valid_to__gt=at - timedelta(hours=rules.MAX_TRANSIT_HOURS),
    ).order_by("valid_from", "pk")[:10]
    for trip in rows:
        if trip.valid_from - rules.ENTRY_GRACE <= at < trip.valid_to + timedelta(hours=trip.expected_hours):
            return trip
    return None


def _in_zones(zones: list[str], checkpoint: Any) -> bool:
    """Whether the checkpoint stands in one of the zones (a zone's code on its unit's path)."""
    codes = set(str(getattr(checkpoint, "unit_path", "")).strip("/").split("/"))
    return bool(codes & set(zones))


def _shipper(plate: str, checkpoint: Any, at: datetime) -> rules.Verdict | None:
    rows = list(
        Shipper.objects.filter(plate=plate).exclude(status=Status.REJECTED).order_by("-valid_to", "-pk")[:10]
    )
    verdicts = []
    for row in rows:
        verdict = shipper_allowed(row, at)
        if verdict.allowed and not _in_zones(row.zones, checkpoint):
            verdict = rules.Verdict(False, "shipper", (("outside_zones", {"zones": ", ".join(row.zones)}),))
        verdicts.append(verdict)
    allowed = next((verdict for verdict in verdicts if verdict.allowed), None)
    return allowed or (verdicts[0] if verdicts else None)


def check_vehicle(plate: str, checkpoint: Any, at: datetime) -> rules.Verdict:
    """Allowed or denied at `checkpoint` at `at`, with reasons (see rules.vehicle_verdict)."""
    key = rules.normal_plate(plate if isinstance(plate, str) else "")
    if not key:
        return rules.vehicle_verdict("", checkpoint.kind, rules.Standing())
    green, problem = _green_lane(key, at)
    standing = rules.Standing(
        green_lane=green,
        green_lane_problem=problem,
        transit=None if green else _transit(key, at),
    )
    if standing.green_lane is None and standing.transit is None:
        standing = rules.Standing(green_lane_problem=problem, shipper=_shipper(key, checkpoint, at))
    return rules.vehicle_verdict(key, checkpoint.kind, standing)
