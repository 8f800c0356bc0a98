"""Writes about checkpoints: registering one with its focal unit, changing it (compare-and-set).

Every write checks the actor before its transaction (so a refused attempt stays logged), then runs in
one transaction with its audit entry. Rosters (rosters.py) and the crossing log (crossings.py) are
re-exported here, so other apps call `checkpoints.services.record_crossing` and friends.
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.checkpoints import rules
from phaodai.checkpoints.access import require_manager
from phaodai.checkpoints.crossings import (  # noqa: F401  (re-exported)
    CrossingEntry,
    SyncResult,
    record_crossing,
    sync_crossings,
)
from phaodai.checkpoints.errors import (
    BoundaryHasFocalUnit,
    CheckpointChanged,
    CheckpointCodeTaken,
    OtherSideLevel,
    ProvinceNotForKind,
    ProvinceRequired,
    SidesMustDiffer,
    WrongManagingLevel,
)
from phaodai.checkpoints.models import Checkpoint
from phaodai.checkpoints.rosters import (  # noqa: F401  (re-exported)
    CopyResult,
    StaffRef,
    add_shift,
    add_to_shift,
    copy_previous_week,
    remove_shift,
)
from phaodai.checkpoints.selectors import CHECKPOINT_TYPE
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc, search_key

_CODE = re.compile(r"[A-Z0-9][A-Z0-9.-]{0,19}")
# How a refusal names unit levels ("run by a district, not by a ward").
LEVEL_LABELS = {
    "city": gettext_lazy("the city"),
    "district": gettext_lazy("district"),
    "ward": gettext_lazy("ward"),
}


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = nfc(str(value or ""))
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return cleaned


def _code(raw: Any) -> str:
    code = nfc(str(raw or "")).upper()
    if not _CODE.fullmatch(code):
        raise InvalidInput(
            _("A code is 1 to 20 letters, digits, dots or dashes, e.g. CN-05 or 268-01."), field="code"
        )
    return code


def _coordinate(raw: Any, field: str, bound: int) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Give the coordinate in decimal degrees, e.g. 20.9712."), field=field) from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise InvalidInput(
            _("A coordinate lies between -%(bound)s and %(bound)s degrees.") % {"bound": bound}, field=field
        )
    return value


def _moment(value: Any, field: str, *, required: bool) -> datetime | None:
    if value is None:
        if required:
            raise InvalidInput(_("This field is required."), field=field)
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value) or not plausible(value):
        raise InvalidInput(_("Give a date and time in Hà Nội time."), field=field)
    return value


def _details(
    *,
    unit: Any,
    code: Any,
    name: Any,
    kind: Any,
    location: Any,
    active_from: Any,
    name_en: Any = "",
    road: Any = "",
    other_side: Any = None,
    neighbouring_province: Any = "",
    latitude: Any = None,
    longitude: Any = None,
    active_until: Any = None,
    procedure: Any = "",
    status: Any = Checkpoint.Status.ACTIVE,
) -> dict[str, Any]:
    """The cleaned fields of a checkpoint, or InvalidInput naming the first bad one."""
    if kind not in rules.KINDS:
        raise InvalidInput(_("Choose one of the kinds of checkpoint."), field="kind")
    if not rules.managing_level_allowed(kind, unit.level):
        levels = sorted(rules.MANAGING_LEVELS[kind])
        raise WrongManagingLevel(
            _("A checkpoint of this kind (%(kind)s) is run by a %(levels)s; %(unit)s is not one.")
            % {
                "kind": str(Checkpoint.Kind(kind).label),
                "levels": _(" or ").join(str(LEVEL_LABELS[level]) for level in levels),
                "unit": unit.full_name,
            },
            field="unit",
        )
    if other_side is not None:
        if other_side.pk == unit.pk:
            raise SidesMustDiffer(field="other_side")
        if other_side.level != unit.level:
            raise OtherSideLevel(field="other_side")
    if status not in Checkpoint.Status.values:
        raise InvalidInput(_("Choose one of the statuses."), field="status")
    province = _text(neighbouring_province, "neighbouring_province", 60, required=False)
    if kind in rules.PROVINCE_REQUIRED and not province:
        raise ProvinceRequired(field="neighbouring_province")
    if province and kind not in rules.PROVINCE_KINDS:
        raise ProvinceNotForKind(field="neighbouring_province")
    lat = _coordinate(latitude, "latitude", 90)
    lon = _coordinate(longitude, "longitude", 180)
    if (lat is None) != (lon is None):
        raise InvalidInput(_("Give both latitude and longitude, or neither."), field="longitude")
    start = _moment(active_from, "active_from", required=True)
    end = _moment(active_until, "active_until", required=False)
    assert start is not None
    if end is not None and end <= start:
        raise InvalidInput(_("The checkpoint must close after it opens."), field="active_until")
    clean_name = _text(name, "name", 200)
    clean_road = _text(road, "road", 100, required=False)
    clean_location = _text(location, "location", 300)
    boundary = ""
    if other_side is not None:
        boundary = rules.boundary_key(unit.code, other_side.code, search_key(clean_road or clean_location))
    return {
        "code": _code(code),
        "name": clean_name,
        "name_key": search_key(clean_name),
        "name_en": _text(name_en, "name_en", 200, required=False),
        "kind": kind,
        "road": clean_road,
        "location": clean_location,
        "latitude": lat,
        "longitude": lon,
        "other_side": other_side,
        "other_side_path": other_side.path if other_side is not None else "",
        "boundary_key": boundary,
        "neighbouring_province": province,
        "active_from": start,
        "active_until": end,
        "procedure": _text(procedure, "procedure", 5000, required=False),
        "status": status,
    }


def _state(checkpoint: Checkpoint) -> dict[str, Any]:
    """What the audit log digests of a checkpoint (no personal data lives here)."""
    fields = ("code", "name", "kind", "road", "location", "unit_path", "other_side_path", "status")
    state = {name: getattr(checkpoint, name) for name in fields}
    state.update(active_from=str(checkpoint.active_from), active_until=str(checkpoint.active_until))
    return state


def _refuse_duplicates(details: dict[str, Any], *, other_than: int | None = None) -> None:
    same_code = Checkpoint.objects.filter(code=details["code"])
    if other_than is not None:
        same_code = same_code.exclude(pk=other_than)
    if same_code.exists():
        raise CheckpointCodeTaken(field="code")
    if details["boundary_key"] and details["status"] != Checkpoint.Status.CLOSED:
        taken = Checkpoint.objects.filter(boundary_key=details["boundary_key"]).exclude(
            status=Checkpoint.Status.CLOSED
        )
        if other_than is not None:
            taken = taken.exclude(pk=other_than)
        existing = taken.select_related("unit").first()
        if existing is not None:
            raise BoundaryHasFocalUnit(
                _("%(unit)s is already the focal unit of checkpoint %(code)s %(name)s at this place.")
                % {"unit": existing.unit.full_name, "code": existing.code, "name": existing.name},
                field="other_side",
            )


def register_checkpoint(*, by: Any, unit: Any, clock: Clock = now, **fields: Any) -> Checkpoint:
    """Register a checkpoint whose focal (managing) unit is `unit`; on a boundary `other_side` names
    the unit across it, which coordinates but does not manage (S22: one focal unit)."""
    require_within(
        by, Perm.MANAGE_CHECKPOINTS, path=unit.path, object_type="territory.unit", object_id=unit.code
    )
    details = _details(unit=unit, **fields)
    _refuse_duplicates(details)
    try:
        with transaction.atomic():
            checkpoint = Checkpoint.objects.create(
                unit=unit, unit_path=unit.path, status_since=clock(), **details
            )
            audit.record(
                actor=by,
                action="checkpoints.register",
                object_type=CHECKPOINT_TYPE,
                object_id=checkpoint.pk,
                unit_path=unit.path,
                after=_state(checkpoint),
                clock=clock,
            )
    except IntegrityError:
        _refuse_duplicates(details)  # a concurrent registration of the same code or place won
        raise
    return checkpoint


def update_checkpoint(
    *, by: Any, checkpoint: Checkpoint, version: int | None = None, clock: Clock = now, **fields: Any
) -> Checkpoint:
    """Change a checkpoint's details, period and status; `version` refuses a stale form (409)."""
    require_manager(by, checkpoint)
    details = _details(unit=checkpoint.unit, **fields)
    _refuse_duplicates(details, other_than=checkpoint.pk)
    try:
        with transaction.atomic():
            current = Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)
            if version is not None and current.version != version:
                raise CheckpointChanged()
            before = _state(current)
            if details["status"] != current.status:
                current.status_since = clock()  # a synced crossing after this moment is refused
            for name, value in details.items():
                setattr(current, name, value)
            current.version += 1
            current.save()
            audit.record(
                actor=by,
                action="checkpoints.update",
                object_type=CHECKPOINT_TYPE,
                object_id=current.pk,
                unit_path=current.unit_path,
                before=before,
                after=_state(current),
                clock=clock,
            )
    except IntegrityError:
        _refuse_duplicates(details, other_than=checkpoint.pk)
        raise
    return current
