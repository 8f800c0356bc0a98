"""Reads of vehicle registrations, always scoped to the acting user.

Readers: whoever manages checkpoints (district officers, the city) or verifies passes (checkpoint
officers), within the issuing unit of a registration. Outside: 404, and the attempt is logged.
Lists are bounded and keyset-paginated on the id (newest first), never counted.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.checkpoints import selectors as checkpoints
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q
from phaodai.territory import selectors as territory
from phaodai.vehicles import rules
from phaodai.vehicles.models import GreenLane, Shipper, Status, TransitTrip
from phaodai.vehicles.transit import MAX_WINDOW, TripState, match

READER_PERMS = (Perm.MANAGE_CHECKPOINTS, Perm.VERIFY_PASSES)
PAGE_SIZE = 50
# Open trips looked at for the overdue list: those whose window started within this much.
OVERDUE_LOOKBACK = MAX_WINDOW + timedelta(hours=rules.MAX_TRANSIT_HOURS)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_before: int | None  # pass as `before` for the next page; None on the last


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def is_registrar(user: Any) -> bool:
    return bool(paths_of(user, Perm.MANAGE_CHECKPOINTS))


def _reach_q(user: Any) -> Q:
    condition = Q(pk__in=[])
    for perm in READER_PERMS:
        condition |= scope_q(user, "unit_path", perm)
    return condition


def _trip_reach_q(user: Any) -> Q:
    """A transit trip is also read where it enters: the gateway's unit watches for it leaving."""
    gateways = checkpoints.checkpoints_visible_to(user).values("pk")
    return _reach_q(user) | Q(entry_checkpoint__in=gateways)


# Who reads a registration: its unit's readers; some kinds reach further (the reach of each by model).
_REACH: dict[type[Any], Callable[[Any], Q]] = {TransitTrip: _trip_reach_q}


def visible(model: type[M], user: Any) -> QuerySet[M]:
    reach = _REACH.get(model, _reach_q)
    return model._default_manager.filter(reach(user)).select_related("unit")


def one_for(model: type[M], user: Any, pk: Any) -> M:
    """One registration the user reads; any other answers 404 (and the attempt is logged)."""
    found = visible(model, user).filter(pk=pk).first()
    if found is None:
        path = model._default_manager.filter(pk=pk).values_list("unit_path", flat=True).first()
        if path is not None:
            log_out_of_scope(user, model._meta.label_lower, pk, path)
        raise Http404
    return found


def green_lane_for(user: Any, pk: Any) -> GreenLane:
    return one_for(GreenLane, user, pk)


def transit_for(user: Any, pk: Any) -> TransitTrip:
    return one_for(TransitTrip, user, pk)


def shipper_for(user: Any, pk: Any) -> Shipper:
    return one_for(Shipper, user, pk)


def _page(rows: QuerySet[M], before: int | None, limit: int) -> Page[M]:
    if before:
        rows = rows.filter(pk__lt=before)
    found = list(rows.order_by("-pk")[: limit + 1])
    more = len(found) > limit
    return Page(found[:limit], found[limit - 1].pk if more else None)


def search_green_lanes(
    user: Any, *, query: str = "", status: str = "", before: int | None = None, limit: int = PAGE_SIZE
) -> Page[GreenLane]:
    """By plate (any separators) or operator (diacritics optional), and state."""
    rows = visible(GreenLane, user)
    query = (query or "").strip()[:100]
    if query:
        plate = rules.normal_plate(query)
        rows = rows.filter(plate=plate) if plate else rows.filter(operator__icontains=query)
    if status in Status.values:
        rows = rows.filter(status=status)
    return _page(rows, before, limit)


def search_shippers(
    user: Any, *, query: str = "", before: int | None = None, limit: int = PAGE_SIZE
) -> Page[Shipper]:
    rows = visible(Shipper, user)
    query = (query or "").strip()[:100]
    if query:
        plate = rules.normal_plate(query)
        rows = rows.filter(plate=plate) if plate else rows.filter(company__icontains=query)
    return _page(rows, before, limit)


def transit_page(
    user: Any, at: datetime, *, query: str = "", before: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[TripState], int | None]:
    """Trips newest first with their entry/exit state (one query for the page, one for the log)."""
    rows = visible(TransitTrip, user).select_related("entry_checkpoint")
    plate = rules.normal_plate((query or "").strip()[:40])
    if query and plate:
        rows = rows.filter(plate=plate)
    page = _page(rows, before, limit)
    return match(page.items, at), page.next_before


def transit_states(trips: list[TransitTrip], at: datetime) -> list[TripState]:
    """The given trips with what the crossing log says (one query for all of them)."""
    return match(trips, at)


def overdue_transits(user: Any, at: datetime, *, district: Any = None) -> list[TripState]:
    """Trips that entered and were not seen leaving within their expected hours, longest overdue first.

    Over every approved trip of the user's units whose window opened within the look-back; the
    crossing log is read once for all of them.
    """
    rows = visible(TransitTrip, user).filter(
        status=Status.APPROVED, valid_from__gte=at - OVERDUE_LOOKBACK, valid_from__lte=at + rules.ENTRY_GRACE
    )
    if district is not None:
        rows = rows.filter(unit_path__startswith=district.path)
    states = match(rows.select_related("entry_checkpoint"), at)
    late = [state for state in states if state.match.state == "overdue"]
    return sorted(late, key=lambda state: state.match.due_by or at)


def issuing_units(user: Any) -> list[Any]:
    """Units where the user registers vehicles: their own, and for the city each of its districts."""
    found: dict[str, Any] = {}
    for path in paths_of(user, Perm.MANAGE_CHECKPOINTS):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        found[unit.code] = unit
        if unit.level == "city":
            found.update((child.code, child) for child in territory.children_of(unit))
    return sorted(found.values(), key=lambda unit: unit.path)


def manages(user: Any, registration: Any) -> bool:
    return covers(user, registration.unit_path, Perm.MANAGE_CHECKPOINTS)


def revoked_passes(at: datetime) -> list[str]:
    """Pass ids (references) of revoked registrations whose passes could still verify at `at`.

    Unscoped and impersonal, for the checkpoint bundle: an offline device cannot know otherwise that
    a signed pass was withdrawn.
    """
    found: list[str] = []
    for model in (GreenLane, TransitTrip, Shipper):
        rows = model._default_manager.filter(status=Status.REVOKED, valid_to__gt=at - OVERDUE_LOOKBACK)
        found.extend(row.reference for row in rows.exclude(pass_code="").only("pk").order_by("pk"))
    return found


def entry_gateway(code: str) -> Any:
    """The checkpoint named by its code, any district's (a trip may enter where another district manages)."""
    if not code.strip():
        return None
    found = checkpoints.checkpoint_by_code(code)
    if found is None:
        raise InvalidInput(_("No checkpoint has this code."), field="entry_checkpoint")
    return found
