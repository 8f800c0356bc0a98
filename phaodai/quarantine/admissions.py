"""Admissions, discharges and transfers: capacity is never exceeded, a retry never admits twice.

Capacity holds three ways: the facility's row is locked (select_for_update) and the open stays of the
room kind are counted before admitting; the facility's counter of beds taken is raised only while it is
below the beds (compare-and-set); and a database check refuses a counter above the beds, on SQLite and
PostgreSQL alike. Locks are taken facilities first (in id order), then stays, so that two transfers
crossing each other cannot deadlock.
"""

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import log_out_of_scope, paths_of
from phaodai.core.text import mask_name, nfc
from phaodai.quarantine import rules, selectors
from phaodai.quarantine.errors import (
    AlreadyAdmitted,
    AlreadyDischarged,
    DischargeBeforeAdmission,
    FacilityClosed,
    FacilityFull,
    FacilityNotReady,
    IdempotencyKeyReused,
    MomentInFuture,
    NoRoomsOfKind,
    OverlapsPreviousStay,
    ReleaseBeforeAdmission,
    RoomKindMismatch,
    SexUnknown,
    TransferToSamePlace,
)
from phaodai.quarantine.models import Admission, Facility

ADMISSION_TYPE = selectors.ADMISSION_TYPE
KEY_MAX = 80
ALTERNATIVES_SHOWN = 3


def kind_label(kind: str) -> str:
    """The room kind as an adjective in a sentence ("male" rooms), in the active language."""
    labels = {rules.MALE: _("male"), rules.FEMALE: _("female"), rules.FAMILY: _("family")}
    return labels[kind]


def require_reach(by: Any, facility: Facility) -> None:
    """403 without `quarantine.admit`; 404 (logged) for a facility the admitter does not reach."""
    if not paths_of(by, Perm.ADMIT):
        raise NotPermitted()
    if not selectors.reaches(by, facility):
        log_out_of_scope(by, selectors.FACILITY_TYPE, facility.pk, facility.path)
        raise OutOfScope()


def _moment(value: datetime | None, field: str, clock: Clock) -> datetime:
    current = clock()
    moment = value or current
    if not plausible(moment):
        raise InvalidInput(_("This date is not plausible; check the year."), field=field)
    if rules.moment_problem(moment, now=current) == "in_future":
        raise MomentInFuture(
            _("%(at)s is still in the future.") % {"at": f"{to_local(moment):%H:%M %d/%m/%Y}"}, field=field
        )
    return moment


def _room_kind(person: Any, requested: str | None) -> str:
    kind, problem = rules.room_kind_for(person.sex, requested or None)
    if problem == "sex_unknown":
        raise SexUnknown(field="room_kind")
    if problem == "unknown_kind":
        raise InvalidInput(_("Choose male, female or family rooms."), field="room_kind")
    if problem == "mismatch":
        raise RoomKindMismatch(
            _("%(name)s goes to %(own)s rooms or to a family room, not to %(asked)s rooms.")
            % {
                "name": mask_name(person.full_name),
                "own": kind_label(rules.KIND_OF_SEX[person.sex]),
                "asked": kind_label(str(requested)),
            },
            field="room_kind",
        )
    assert kind is not None
    return kind


def _reference(value: str, field: str, limit: int) -> str:
    cleaned = nfc(value or "")
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return cleaned


def _full(by: Any, facility: Facility, kind: str) -> FacilityFull:
    """The refusal for a full room kind, naming where beds of that kind are free in the same district."""
    elsewhere = [
        row
        for row in selectors.free_beds(facility.unit, kind, exclude=facility)
        if selectors.reaches(by, row.facility)
    ]
    total = sum(row.free for row in elsewhere)
    shown = elsewhere[:ALTERNATIVES_SHOWN]
    names = ", ".join(f"{row.facility.name} ({row.free})" for row in shown)
    values = {
        "name": facility.name,
        "kind": kind_label(kind),
        "count": total,
        "unit": facility.unit.full_name,
    }
    if total:
        message = ngettext(
            "%(name)s has no free bed in %(kind)s rooms. %(count)s %(kind)s bed is free elsewhere "
            "in %(unit)s: %(names)s.",
            "%(name)s has no free bed in %(kind)s rooms. %(count)s %(kind)s beds are free elsewhere "
            "in %(unit)s: %(names)s.",
            total,
        ) % {**values, "names": names}
    else:
        message = (
            _("%(name)s has no free bed in %(kind)s rooms, nor has any other facility of %(unit)s.") % values
        )
    return FacilityFull(
        message,
        field="room_kind",
        room_kind=kind,
        free_elsewhere=total,
        alternatives=[{"id": row.facility.pk, "name": row.facility.name, "free": row.free} for row in shown],
    )


def _same_request(
    stay: Admission,
    *,
    facility: Facility,
    kind: str,
    order_ref: str,
    admitted_at: datetime | None,
    planned_release: date | None,
) -> bool:
    """Whether an open stay is what this request asks for (a retry without a key)."""
    return (
        stay.facility_id == facility.pk
        and stay.room_kind == kind
        and stay.order_ref == order_ref
        and (admitted_at is None or stay.admitted_at == admitted_at)
        and (planned_release is None or stay.planned_release == planned_release)
    )


def _already_admitted(stay: Admission) -> AlreadyAdmitted:
    return AlreadyAdmitted(
        _("This person has been in %(facility)s since %(at)s; discharge or transfer them first.")
        % {"facility": stay.facility.name, "at": f"{to_local(stay.admitted_at):%H:%M %d/%m/%Y}"},
        field="cccd",
    )


def _by_key(by: Any, key: str, person: Any, facility: Facility) -> Admission | None:
    if not key:
        return None
    first = Admission.objects.filter(admitted_by=by.pk, idempotency_key=key).first()
    if first is not None and (first.person_id != person.pk or first.facility_id != facility.pk):
        raise IdempotencyKeyReused()
    return first


def admit(
    *,
    by: Any,
    facility: Facility,
    person: Any,
    room_kind: str | None = None,
    admitted_at: datetime | None = None,
    planned_release: date | None = None,
    order_ref: str = "",
    source: str = "",
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> tuple[Admission, bool]:
    """Admit a person to a free bed of their room kind; returns the stay and whether it is new.

    A retry returns the first stay: the same idempotency key (per admitting user), or, without a key,
    an open stay of the person in the same facility, room kind and order. `person` comes from the
    caller's own scoped look-up; the facility must be one the admitter reaches.
    """
    require_reach(by, facility)
    key = (idempotency_key or "").strip()
    if len(key) > KEY_MAX or not key.isprintable():
        # Cut short, two different keys could become one: refuse rather than truncate.
        raise InvalidInput(
            _("The Idempotency-Key must be at most %(limit)s printable characters.") % {"limit": KEY_MAX},
            field="Idempotency-Key",
        )
    first = _by_key(by, key, person, facility)
    if first is not None:
        return first, False
    kind = _room_kind(person, room_kind)
    moment = _moment(admitted_at, "admitted_at", clock)
    if planned_release is not None and planned_release < local_date(moment):
        raise ReleaseBeforeAdmission(field="planned_release")
    order_ref = _reference(order_ref, "order_ref", 64)
    source = _reference(source, "source", 40)

    def retried(stay: Admission) -> bool:
        return _same_request(
            stay,
            facility=facility,
            kind=kind,
            order_ref=order_ref,
            admitted_at=admitted_at,
            planned_release=planned_release,
        )

    stay = selectors.current_admission(person)
    if stay is not None:
        if retried(stay):
            return stay, False
        raise _already_admitted(stay)
    last = selectors.last_discharge(person)
    if last is not None and moment < last:
        raise OverlapsPreviousStay(field="admitted_at")
    try:
        with transaction.atomic():
            locked = _lock(facility.pk)
            admission = _admit_locked(
                by,
                locked,
                person,
                kind,
                moment=moment,
                planned_release=planned_release,
                order_ref=order_ref,
                source=source,
                key=key,
                clock=clock,
            )
    except IntegrityError:
        # A concurrent request won the person's one open stay, or the facility's last bed.
        first = _by_key(by, key, person, facility)
        if first is not None:
            return first, False
        stay = selectors.current_admission(person)
        if stay is not None:
            if retried(stay):
                return stay, False
            raise _already_admitted(stay) from None
        current = Facility.objects.select_related("unit").get(pk=facility.pk)
        if current.free.of(kind) > 0:
            raise  # not a race for the last bed: let the real fault show
        raise _full(by, current, kind) from None
    return admission, True


def _lock(pk: int) -> Facility:
    # of=("self",): on PostgreSQL lock the facility's row only, not its managing unit's as well.
    return Facility.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)


def _admit_locked(
    by: Any,
    locked: Facility,
    person: Any,
    kind: str,
    *,
    moment: datetime,
    planned_release: date | None,
    order_ref: str,
    source: str,
    key: str = "",
    transferred_from: Admission | None = None,
    clock: Clock = now,
) -> Admission:
    """Admit into a facility whose row this transaction holds locked."""
    taken = Admission.objects.filter(
        facility_id=locked.pk, room_kind=kind, discharged_at__isnull=True
    ).count()
    used = replace(locked.used, **{kind: max(taken, locked.used.of(kind))})
    problem = rules.admission_problem(locked.state, locked.capacity, used, kind)
    if problem == "not_ready":
        raise FacilityNotReady()
    if problem == "closed":
        raise FacilityClosed()
    if problem == "no_rooms_of_kind":
        raise NoRoomsOfKind(
            _("%(name)s has no %(kind)s rooms.") % {"name": locked.name, "kind": kind_label(kind)},
            field="room_kind",
        )
    if problem == "full":
        raise _full(by, locked, kind)
    admission = Admission.objects.create(
        person=person,
        person_path=person.unit_path,
        facility=locked,
        room_kind=kind,
        admitted_at=moment,
        admitted_by=by,
        order_ref=order_ref,
        source=source,
        planned_release=planned_release,
        transferred_from=transferred_from,
        idempotency_key=key,
    )
    counter = f"used_{kind}"
    raised = Facility.objects.filter(pk=locked.pk, **{f"{counter}__lt": F(f"beds_{kind}")}).update(
        **{counter: F(counter) + 1}
    )
    if not raised:
        raise _full(by, locked, kind)
    audit.record(
        actor=by,
        action="quarantine.admit",
        object_type=ADMISSION_TYPE,
        object_id=admission.pk,
        unit_path=locked.path,
        after={"facility": locked.pk, "person": str(person.pk), "room_kind": kind, "order_ref": order_ref},
        clock=clock,
    )
    return admission


def _reason(reason: str) -> str:
    if reason not in Admission.DischargeReason.values:
        raise InvalidInput(_("Choose why the person leaves."), field="reason")
    return reason


def _close_stay(
    by: Any, stay: Admission, *, moment: datetime, reason: str, note: str, clock: Clock
) -> Admission:
    """End a stay whose facility row this transaction holds locked; one winner per stay."""
    current = Admission.objects.select_for_update().get(pk=stay.pk)
    if current.discharged_at is not None:
        raise AlreadyDischarged(
            _("This stay already ended at %(at)s (%(reason)s).")
            % {
                "at": f"{to_local(current.discharged_at):%H:%M %d/%m/%Y}",
                "reason": current.get_discharge_reason_display().lower(),
            }
        )
    if moment < current.admitted_at:
        raise DischargeBeforeAdmission(
            _("The person was admitted at %(at)s: the discharge cannot come before.")
            % {"at": f"{to_local(current.admitted_at):%H:%M %d/%m/%Y}"},
            field="discharged_at",
        )
    ended = Admission.objects.filter(pk=current.pk, discharged_at__isnull=True).update(
        discharged_at=moment, discharged_by=by, discharge_reason=reason, discharge_note=note
    )
    if not ended:
        raise AlreadyDischarged()
    counter = f"used_{current.room_kind}"
    Facility.objects.filter(pk=current.facility_id, **{f"{counter}__gt": 0}).update(
        **{counter: F(counter) - 1}
    )
    audit.record(
        actor=by,
        action="quarantine.discharge",
        object_type=ADMISSION_TYPE,
        object_id=current.pk,
        unit_path=stay.facility.path,
        before={"discharged_at": None},
        after={"discharged_at": moment.isoformat(), "reason": reason},
        clock=clock,
    )
    current.refresh_from_db()
    return current


def discharge(
    *,
    by: Any,
    admission: Admission,
    discharged_at: datetime | None = None,
    reason: str,
    note: str = "",
    clock: Clock = now,
) -> Admission:
    """End a stay (released, to hospital, tested positive…); a second discharge of it is a conflict."""
    require_reach(by, admission.facility)
    reason = _reason(reason)
    note = _reference(note, "note", 2000)
    moment = _moment(discharged_at, "discharged_at", clock)
    with transaction.atomic():
        _lock(admission.facility_id)
        return _close_stay(by, admission, moment=moment, reason=reason, note=note, clock=clock)


def transfer(
    *,
    by: Any,
    admission: Admission,
    to_facility: Facility,
    room_kind: str | None = None,
    at: datetime | None = None,
    note: str = "",
    clock: Clock = now,
) -> Admission:
    """Move a person to another facility (or room kind): the discharge and the new stay in one transaction.

    The new stay carries the same order and planned release; if the destination refuses (full,
    closed…), the person stays where they are.
    """
    require_reach(by, admission.facility)
    require_reach(by, to_facility)
    person = admission.person
    # Without a choice, a family stays in family rooms; anyone else goes to the rooms of their sex.
    kind = _room_kind(person, room_kind or (rules.FAMILY if admission.room_kind == rules.FAMILY else None))
    if to_facility.pk == admission.facility_id and kind == admission.room_kind:
        raise TransferToSamePlace(field="facility")
    note = _reference(note, "note", 2000)
    moment = _moment(at, "at", clock)
    with transaction.atomic():
        for pk in sorted({admission.facility_id, to_facility.pk}):
            _lock(pk)
        ended = _close_stay(
            by, admission, moment=moment, reason=Admission.DischargeReason.TRANSFERRED, note=note, clock=clock
        )
        return _admit_locked(
            by,
            _lock(to_facility.pk),  # read again: the discharge may have freed a bed in it
            person,
            kind,
            moment=moment,
            planned_release=ended.planned_release,
            order_ref=ended.order_ref,
            source=ended.source,
            transferred_from=ended,
            clock=clock,
        )
