"""Writes about quarantine facilities: registration, details and beds, readiness.

Every write checks the actor before its transaction (so a refused attempt stays logged), then runs in
one transaction with its audit entry. Admissions, discharges and transfers live in admissions.py and
are re-exported here: other apps (cases) call `services.admit` and `services.discharge`.
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import log_out_of_scope, paths_of, require_within
from phaodai.core.text import nfc, search_key
from phaodai.quarantine import rules
from phaodai.quarantine.admissions import (  # noqa: F401  (admit, discharge, require_reach, transfer: re-exported)
    admit,
    discharge,
    kind_label,
    require_reach,
    transfer,
)
from phaodai.quarantine.errors import (
    BedsBelowOccupancy,
    FacilityChanged,
    FacilityExists,
    FacilityNotEmpty,
    NoBeds,
    NotAManagingUnit,
    NotManagingHere,
    ReadinessFollowsOccupancy,
    ReturnDateNeedsSchool,
)
from phaodai.quarantine.models import Facility, Readiness
from phaodai.quarantine.selectors import FACILITY_TYPE, may_manage, reaches

MAX_BEDS = 100_000


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = nfc(value or "")
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return cleaned


def _beds(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BEDS:
        raise InvalidInput(_("Beds are a whole number from 0 to 100,000."), field=field)
    return value


def _details(
    *,
    name: str,
    address: str,
    kind: str,
    beds_male: int,
    beds_female: int,
    beds_family: int,
    is_school: bool,
    return_due: date | None,
    name_en: str,
    notes: str,
) -> dict[str, Any]:
    """The cleaned fields of a facility, or InvalidInput naming the first bad one."""
    if kind not in Facility.Kind.values:
        raise InvalidInput(_("Choose one of the kinds of facility."), field="kind")
    if return_due is not None and not is_school:
        raise ReturnDateNeedsSchool(field="return_due")
    name = _text(name, "name", 200)
    return {
        "name": name,
        "name_key": search_key(name),
        "name_en": _text(name_en, "name_en", 200, required=False),
        "address": _text(address, "address", 300),
        "kind": kind,
        "beds_male": _beds(beds_male, "beds_male"),
        "beds_female": _beds(beds_female, "beds_female"),
        "beds_family": _beds(beds_family, "beds_family"),
        "is_school": bool(is_school),
        "return_due": return_due,
        "notes": _text(notes, "notes", 5000, required=False),
    }


def _state(facility: Facility) -> dict[str, Any]:
    """What the audit log digests of a facility (no personal data lives here)."""
    fields = ("name", "address", "kind", "state", "beds_male", "beds_female", "beds_family", "is_school")
    return {**{name: getattr(facility, name) for name in fields}, "return_due": str(facility.return_due)}


def require_manager(by: Any, facility: Facility) -> None:
    """403 for a role that manages no facility, or one that reaches this facility only to admit to it;
    404 (logged) for a facility outside the manager's units that they do not reach at all."""
    if not paths_of(by, Perm.MANAGE_FACILITIES):
        raise NotPermitted()
    if may_manage(by, facility):
        return
    if reaches(by, facility):
        raise NotManagingHere()
    log_out_of_scope(by, FACILITY_TYPE, facility.pk, facility.path)
    raise OutOfScope()


def register_facility(
    *,
    by: Any,
    unit: Any,
    name: str,
    address: str,
    kind: str,
    beds_male: int = 0,
    beds_female: int = 0,
    beds_family: int = 0,
    is_school: bool = False,
    return_due: date | None = None,
    name_en: str = "",
    notes: str = "",
    clock: Clock = now,
) -> Facility:
    """Register a facility managed by a district or the city of the manager's jurisdiction; it starts
    as preparing."""
    require_within(
        by, Perm.MANAGE_FACILITIES, path=unit.path, object_type="territory.unit", object_id=unit.code
    )
    if unit.level not in ("district", "city"):
        raise NotAManagingUnit(field="unit")
    details = _details(
        name=name,
        address=address,
        kind=kind,
        beds_male=beds_male,
        beds_female=beds_female,
        beds_family=beds_family,
        is_school=is_school,
        return_due=return_due,
        name_en=name_en,
        notes=notes,
    )
    _refuse_duplicate(unit, details["name_key"])
    try:
        with transaction.atomic():
            facility = Facility.objects.create(unit=unit, path=unit.path, **details)
            audit.record(
                actor=by,
                action="quarantine.register_facility",
                object_type=FACILITY_TYPE,
                object_id=facility.pk,
                unit_path=unit.path,
                after=_state(facility),
                clock=clock,
            )
    except IntegrityError:
        _refuse_duplicate(unit, details["name_key"])  # a concurrent registration of the same name won
        raise
    return facility


def _refuse_duplicate(unit: Any, name_key: str, *, other_than: int | None = None) -> None:
    others = Facility.objects.filter(unit=unit, name_key=name_key)
    existing = (others.exclude(pk=other_than) if other_than is not None else others).first()
    if existing is not None:
        raise FacilityExists(
            _("%(unit)s already has a facility named %(name)s.")
            % {"unit": unit.full_name, "name": existing.name},
            field="name",
        )


def _locked(facility: Facility, version: int | None) -> Facility:
    current = Facility.objects.select_for_update().get(pk=facility.pk)
    if version is not None and current.version != version:
        raise FacilityChanged()
    return current


def update_facility(
    *,
    by: Any,
    facility: Facility,
    name: str,
    address: str,
    kind: str,
    beds_male: int,
    beds_female: int,
    beds_family: int,
    is_school: bool = False,
    return_due: date | None = None,
    name_en: str = "",
    notes: str = "",
    version: int | None = None,
    clock: Clock = now,
) -> Facility:
    """Change a facility's details and beds; never fewer beds of a kind than people in those rooms."""
    require_manager(by, facility)
    details = _details(
        name=name,
        address=address,
        kind=kind,
        beds_male=beds_male,
        beds_female=beds_female,
        beds_family=beds_family,
        is_school=is_school,
        return_due=return_due,
        name_en=name_en,
        notes=notes,
    )
    capacity = rules.Beds(details["beds_male"], details["beds_female"], details["beds_family"])
    with transaction.atomic():
        current = _locked(facility, version)
        if current.state == Facility.State.READY and capacity.total <= 0:
            raise NoBeds(field="beds_male")
        problem = rules.capacity_problem(capacity, current.used)
        if problem is not None:
            kind_taken = problem.removeprefix("below_")
            raise BedsBelowOccupancy(
                ngettext(
                    "%(count)s person is in %(kind)s rooms now: keep at least %(count)s bed of that kind.",
                    "%(count)s people are in %(kind)s rooms now: keep at least %(count)s beds of that kind.",
                    current.used.of(kind_taken),
                )
                % {"count": current.used.of(kind_taken), "kind": kind_label(kind_taken)},
                field=f"beds_{kind_taken}",
            )
        _refuse_duplicate(current.unit, details["name_key"], other_than=current.pk)
        before = _state(current)
        for field, value in details.items():
            setattr(current, field, value)
        current.version = F("version") + 1
        current.save(update_fields=[*details, "version", "updated_at"])
        current.refresh_from_db()
        audit.record(
            actor=by,
            action="quarantine.update_facility",
            object_type=FACILITY_TYPE,
            object_id=current.pk,
            unit_path=current.path,
            before=before,
            after=_state(current),
            clock=clock,
        )
    return current


def set_readiness(
    *, by: Any, facility: Facility, readiness: str, version: int | None = None, clock: Clock = now
) -> Facility:
    """The managing unit says the facility is preparing, ready or closed; setting it again changes nothing.

    A facility is ready only with beds, and goes back to preparing or closes only once empty (a school
    handed back, S38). "Active" and "full" are not set: they follow occupancy.
    """
    require_manager(by, facility)
    with transaction.atomic():
        current = _locked(facility, version)
        problem = rules.readiness_change_problem(current.state, readiness, current.capacity, current.used)
        if problem in ("follows_occupancy", "unknown"):
            raise ReadinessFollowsOccupancy(field="readiness")
        if problem == "no_beds":
            raise NoBeds(field="readiness")
        if problem == "not_empty":
            raise FacilityNotEmpty(
                ngettext(
                    "%(count)s person is still admitted to %(name)s; discharge or transfer them before "
                    "it is %(state)s.",
                    "%(count)s people are still admitted to %(name)s; discharge or transfer them before "
                    "it is %(state)s.",
                    current.used.total,
                )
                % {
                    "count": current.used.total,
                    "name": current.name,
                    "state": str(Readiness(readiness).label).lower(),
                },
                field="readiness",
            )
        if current.state == readiness:
            return current
        before = current.state
        current.state = readiness
        current.version = F("version") + 1
        current.save(update_fields=["state", "version", "updated_at"])
        current.refresh_from_db()
        audit.record(
            actor=by,
            action="quarantine.set_readiness",
            object_type=FACILITY_TYPE,
            object_id=current.pk,
            unit_path=current.path,
            before={"state": before},
            after={"state": readiness},
            clock=clock,
        )
    return current
