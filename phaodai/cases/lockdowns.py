"""Writes of lockdowns (phong tỏa): declared for the narrowest scope that works, extended, lifted once.

A lockdown covers an area, or a building or lane within it; its ward and district are told of each step.
Refusals are checked before anything is written; changes are compare-and-set on the version the officer
saw, so of two officers lifting at once one wins and the other is told. Zoning reads "lockdown in force"
through lockdown_selectors.in_force.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.cases.models import Lockdown
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible, to_local
from phaodai.core.errors import Conflict, InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.locks import key_of, serialise
from phaodai.core.text import nfc, search_key
from phaodai.notifications.services import notify

LOCKDOWN_TYPE = "cases.lockdown"
TEXT_MAX = 4000
PLACE_MAX = 200
DECISION_MAX = 60
CHECKPOINT_MAX = 200
MAX_CHECKPOINTS = 50
MAX_PEOPLE = 1_000_000
# A lifting time a little ahead of the server's clock is a clock skew, not a future time.
SKEW = timedelta(minutes=5)
# pg_advisory_xact_lock's first key: declarations of lockdowns (the second is the area).
_DECLARE_LOCK = 5_207_001


# Refusals ---------------------------------------------------------------------------------------------------


class LockdownEndsBeforeStart(InvalidInput):
    code = "lockdown_ends_before_start"
    message = gettext_lazy("A lockdown cannot end before it starts.")


class LockdownLifted(Conflict):
    code = "lockdown_lifted"
    message = gettext_lazy("This lockdown has already been lifted.")


class LockdownChanged(Conflict):
    code = "lockdown_changed"
    message = gettext_lazy("The lockdown was changed meanwhile; read it again before changing it.")


class LockdownInForce(Conflict):
    """The same place is already locked down: extend that lockdown rather than declaring a second."""

    code = "lockdown_in_force"
    message = gettext_lazy("This place is already under a lockdown in force; extend that one instead.")

    def __init__(self, message: Any = None, *, existing: int | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.existing = existing

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.existing is not None:
            body["existing_lockdown"] = self.existing
        return body


# Checks -----------------------------------------------------------------------------------------------------


def _instant(moment: Any, field: str) -> datetime:
    if not isinstance(moment, datetime) or timezone.is_naive(moment) or not plausible(moment):
        raise InvalidInput(_("Give a date and time."), field=field)
    return moment


def _text(value: Any, field: str, limit: int, missing: str) -> str:
    text = nfc(str(value or ""))
    if not text and missing:
        raise InvalidInput(missing, field=field)
    if len(text) > limit:
        raise InvalidInput(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return text


def clean_checkpoints(checkpoints: Sequence[Any]) -> list[str]:
    """Where each checkpoint stands, normalised; blank lines dropped, repeats kept once."""
    if isinstance(checkpoints, str) or not isinstance(checkpoints, Sequence):
        raise InvalidInput(_("List the checkpoints, one per line."), field="checkpoints")
    kept: list[str] = []
    for index, raw in enumerate(checkpoints):
        text = nfc(str(raw or ""))
        if len(text) > CHECKPOINT_MAX:
            raise InvalidInput(
                _("Checkpoint %(n)s: at most %(max)s characters.") % {"n": index + 1, "max": CHECKPOINT_MAX},
                field="checkpoints",
            )
        if text and text not in kept:
            kept.append(text)
    if len(kept) > MAX_CHECKPOINTS:
        raise InvalidInput(_("At most %(n)s checkpoints.") % {"n": MAX_CHECKPOINTS}, field="checkpoints")
    return kept


def _people(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PEOPLE:
        raise InvalidInput(
            _("Give the number of people inside, from 0 to %(max)s.") % {"max": f"{MAX_PEOPLE:,}"},
            field="people_inside",
        )
    return value


def _shown(moment: datetime) -> str:
    return f"{to_local(moment):%H:%M %d/%m/%Y}"


def _same_place(lockdown: Lockdown, scope: str, place: str) -> bool:
    return lockdown.scope == scope and search_key(lockdown.place) == search_key(place)


def _serialise_declarations(area_id: int) -> None:
    """One declaration per area at a time, so two officers sending the same lockdown make one row."""
    serialise(_DECLARE_LOCK, key_of(area_id))


# Declaring --------------------------------------------------------------------------------------------------


def declare_lockdown(
    *,
    by: Any,
    area: Any,
    scope: str,
    place: str = "",
    reason: str,
    decision_number: str,
    starts_at: datetime,
    planned_end_at: datetime,
    cluster: Any = None,
    people_inside: int = 0,
    checkpoints: Sequence[Any] = (),
    clock: Clock = now,
) -> tuple[Lockdown, bool]:
    """Lock down an area, or a building or lane of it; the ward and district are told.

    Sending the same lockdown again (same place, start and decision) returns the first with
    created=False; a second lockdown of a place already locked down is refused (extend it instead).
    """
    require_within(
        by, Perm.DECLARE_LOCKDOWN, path=area.path, object_type="territory.area", object_id=area.code
    )
    if scope not in Lockdown.Scope.values:
        raise InvalidInput(_("Choose an area, a building or a lane."), field="scope")
    missing_place = "" if scope == Lockdown.Scope.AREA else _("Name the building or lane locked down.")
    place = _text(place, "place", PLACE_MAX, missing_place)
    reason = _text(reason, "reason", TEXT_MAX, _("Say why the place is locked down."))
    decision_number = _text(
        decision_number, "decision_number", DECISION_MAX, _("Give the number of the lockdown decision.")
    )
    starts_at = _instant(starts_at, "starts_at")
    planned_end_at = _instant(planned_end_at, "planned_end_at")
    if planned_end_at <= starts_at:
        raise LockdownEndsBeforeStart(_("The planned end must be after the start."), field="planned_end_at")
    people_inside = _people(people_inside)
    kept_checkpoints = clean_checkpoints(checkpoints)
    with transaction.atomic():
        _serialise_declarations(area.pk)
        same_area = Lockdown.objects.filter(area=area)
        for other in same_area.filter(Q(status=Lockdown.Status.IN_FORCE) | Q(starts_at=starts_at)):
            if not _same_place(other, scope, place):
                continue
            if other.starts_at == starts_at and other.decision_number == decision_number:
                return other, False  # the same declaration sent again (even if lifted since)
            if other.status != Lockdown.Status.IN_FORCE:
                continue
            raise LockdownInForce(
                _("This place is already under lockdown #%(pk)s, planned until %(end)s; extend it instead.")
                % {"pk": other.pk, "end": _shown(other.planned_end_at)},
                field="place" if place else "area",
                existing=other.pk,
            )
        lockdown = Lockdown.objects.create(
            area=area,
            scope=scope,
            place=place,
            cluster=cluster,
            reason=reason,
            decision_number=decision_number,
            starts_at=starts_at,
            planned_end_at=planned_end_at,
            people_inside=people_inside,
            checkpoints=kept_checkpoints,
            path=area.path,
            declared_by=by,
        )
        audit.record(
            actor=by,
            action="cases.declare_lockdown",
            object_type=LOCKDOWN_TYPE,
            object_id=lockdown.pk,
            unit_path=lockdown.path,
            after={
                "area": area.code,
                "scope": scope,
                "starts_at": starts_at.isoformat(),
                "planned_end_at": planned_end_at.isoformat(),
                "decision_number": decision_number,
            },
            clock=clock,
        )
        _tell(
            lockdown,
            area,
            "declared",
            _("Lockdown of %(place)s from %(start)s")
            % {"place": label(lockdown), "start": _shown(starts_at)},
            _("Decision %(number)s; planned until %(end)s. Reason: %(reason)s")
            % {"number": decision_number, "end": _shown(planned_end_at), "reason": reason},
            clock,
        )
    return lockdown, True


def label(lockdown: Lockdown) -> str:
    """The place, then the area it lies in ("Ngõ 66 (Tổ dân phố 5)"), or the area alone."""
    area_name = lockdown.area.name
    return f"{lockdown.place} ({area_name})" if lockdown.place else area_name


# Extending and lifting --------------------------------------------------------------------------------------


def _require_declarer(by: Any, lockdown: Lockdown) -> None:
    require_within(
        by, Perm.DECLARE_LOCKDOWN, path=lockdown.path, object_type=LOCKDOWN_TYPE, object_id=lockdown.pk
    )


def extend(
    *, by: Any, lockdown: Lockdown, planned_end_at: datetime, version: int | None = None, clock: Clock = now
) -> Lockdown:
    """Push the planned end later; sending the same end again changes nothing."""
    _require_declarer(by, lockdown)
    planned_end_at = _instant(planned_end_at, "planned_end_at")
    with transaction.atomic():
        current = (
            Lockdown.objects.select_for_update(of=("self",))
            .select_related("area__ward__parent")
            .get(pk=lockdown.pk)
        )
        if current.status != Lockdown.Status.IN_FORCE:
            raise LockdownLifted(
                _("This lockdown was lifted at %(at)s; declare a new one if needed.")
                % {"at": _shown(current.ended_at or current.updated_at)}
            )
        if current.planned_end_at == planned_end_at:
            return current  # a retry of the extension just made
        if version is not None and version != current.version:
            raise LockdownChanged()
        if planned_end_at <= current.planned_end_at:
            raise InvalidInput(
                _("An extension must end after the current planned end (%(end)s); to end it sooner, lift it.")
                % {"end": _shown(current.planned_end_at)},
                field="planned_end_at",
            )
        changed = Lockdown.objects.filter(
            pk=current.pk, status=Lockdown.Status.IN_FORCE, version=current.version
        ).update(planned_end_at=planned_end_at, version=current.version + 1, updated_at=now())
        if not changed:
            raise LockdownChanged()
        audit.record(
            actor=by,
            action="cases.extend_lockdown",
            object_type=LOCKDOWN_TYPE,
            object_id=current.pk,
            unit_path=current.path,
            before={"planned_end_at": current.planned_end_at.isoformat()},
            after={"planned_end_at": planned_end_at.isoformat()},
            clock=clock,
        )
        _tell(
            current,
            current.area,
            f"extended:{current.version + 1}",
            _("Lockdown of %(place)s extended") % {"place": label(current)},
            _("Now planned until %(end)s (was %(before)s).")
            % {"end": _shown(planned_end_at), "before": _shown(current.planned_end_at)},
            clock,
        )
    return _reread(current.pk)


def lift(
    *, by: Any, lockdown: Lockdown, ended_at: datetime, version: int | None = None, clock: Clock = now
) -> Lockdown:
    """End the lockdown at `ended_at` (not before its start, not in the future); only once."""
    _require_declarer(by, lockdown)
    ended_at = _instant(ended_at, "ended_at")
    if ended_at > clock() + SKEW:
        raise InvalidInput(
            _("Give the time the lockdown was lifted; it cannot be in the future."), field="ended_at"
        )
    if ended_at < lockdown.starts_at:
        raise LockdownEndsBeforeStart(
            _("A lockdown cannot be lifted before it starts (%(start)s).")
            % {"start": _shown(lockdown.starts_at)},
            field="ended_at",
        )
    guard: dict[str, Any] = {"pk": lockdown.pk, "status": Lockdown.Status.IN_FORCE}
    if version is not None:
        guard["version"] = version
    with transaction.atomic():
        current = Lockdown.objects.select_related("area__ward__parent").get(pk=lockdown.pk)
        changed = Lockdown.objects.filter(**guard).update(
            status=Lockdown.Status.LIFTED, ended_at=ended_at, version=F("version") + 1, updated_at=now()
        )
        if not changed:
            current = Lockdown.objects.get(pk=lockdown.pk)  # who acted first, and how
            if current.status == Lockdown.Status.LIFTED:
                raise LockdownLifted(
                    _("This lockdown was already lifted at %(at)s.")
                    % {"at": _shown(current.ended_at or current.updated_at)}
                )
            raise LockdownChanged()
        audit.record(
            actor=by,
            action="cases.lift_lockdown",
            object_type=LOCKDOWN_TYPE,
            object_id=current.pk,
            unit_path=current.path,
            after={"ended_at": ended_at.isoformat()},
            clock=clock,
        )
        _tell(
            current,
            current.area,
            "lifted",
            _("Lockdown of %(place)s lifted") % {"place": label(current)},
            _("Lifted at %(at)s (declared by decision %(number)s).")
            % {"at": _shown(ended_at), "number": current.decision_number},
            clock,
        )
    return _reread(current.pk)


def _reread(pk: int) -> Lockdown:
    return Lockdown.objects.select_related("area__ward__parent", "cluster", "declared_by").get(pk=pk)


def _tell(lockdown: Lockdown, area: Any, step: str, subject: str, body: str, clock: Clock) -> None:
    """Tell the ward of the area and its district (every official there: checkpoints, health, police)."""
    ward = area.ward
    units = [ward, ward.parent] if ward.parent_id else [ward]
    for unit in units:
        notify(
            unit,
            kind="cases.lockdown",
            subject=subject,
            body=body,
            url=reverse("cases:lockdown", args=[lockdown.pk]),
            severity="urgent" if step == "declared" else "info",
            dedupe_key=f"cases.lockdown:{lockdown.pk}:{step}:{unit.code}",
            clock=clock,
        )
