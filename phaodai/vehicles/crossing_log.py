"""Gateway crossings of many plates at once, read from the checkpoints' crossing log.

`checkpoints.selectors.vehicle_crossings` answers one plate at a time; matching every open transit
trip needs one query for all of them. This read belongs in checkpoints.selectors (as
`gateway_crossings(plates, since, until)`); until it moves there it reaches the model through the
app registry rather than importing checkpoints.models, and returns plain values only.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.apps import apps

from phaodai.vehicles.rules import ALLOWED, GATEWAY_KINDS, GatewayCrossing

# SQLite binds at most 999 parameters per statement (older builds); stay well under it.
PLATES_PER_QUERY = 500


def _chunks(plates: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(plates), PLATES_PER_QUERY):
        yield plates[start : start + PLATES_PER_QUERY]


def gateway_crossings(plates: Iterable[str], since: datetime, until: datetime) -> list[GatewayCrossing]:
    """Allowed crossings of the plates at city gateways and province borders in [since, until)."""
    crossing = apps.get_model("checkpoints", "Crossing")
    wanted = sorted({plate for plate in plates if plate})
    found: list[GatewayCrossing] = []
    for chunk in _chunks(wanted):
        rows = (
            crossing.objects.filter(
                plate__in=chunk,
                at__gte=since,
                at__lt=until,
                decision=ALLOWED,
                checkpoint__kind__in=GATEWAY_KINDS,
            )
            .order_by("at", "pk")
            .values_list(
                "pk", "plate", "at", "direction", "checkpoint_id", "checkpoint__code", "checkpoint__name"
            )
        )
        found.extend(GatewayCrossing(*row) for row in rows.iterator(chunk_size=2000))
    return found
