"""Writes and checks of vehicles, one place for pages, API and other apps (checkpoint verification).

Green lane (green_lane.py, fleet.py), transit trips (transit.py), shippers (shippers.py) and the
vehicle check (checks.py) live in their own modules; this is their public face.
"""

from phaodai.vehicles.checks import check_vehicle
from phaodai.vehicles.fleet import MAX_BYTES as FLEET_MAX_BYTES
from phaodai.vehicles.fleet import FleetResult, RowError, import_fleet
from phaodai.vehicles.green_lane import (
    approve_green_lane,
    register_green_lane,
    reject_green_lane,
    revoke_green_lane,
)
from phaodai.vehicles.messages import reason_text, reasons
from phaodai.vehicles.rules import Verdict
from phaodai.vehicles.shippers import register_shipper, revoke_shipper, shipper_allowed
from phaodai.vehicles.transit import register_transit, revoke_transit

__all__ = [
    "FLEET_MAX_BYTES",
    "FleetResult",
    "RowError",
    "Verdict",
    "approve_green_lane",
    "check_vehicle",
    "import_fleet",
    "reason_text",
    "reasons",
    "register_green_lane",
    "register_shipper",
    "register_transit",
    "reject_green_lane",
    "revoke_green_lane",
    "revoke_shipper",
    "revoke_transit",
    "shipper_allowed",
]
