"""The lockdowns API (/api/v1/lockdowns): list, declare, read, extend, lift, through lockdowns.py.

Errors are {"code", "message"}: 403 for a role that cannot read or declare lockdowns, 404 outside the
user's units, 409 when the place is already locked down (lockdown_in_force, with existing_lockdown), when
it was lifted already (lockdown_lifted) or changed meanwhile (lockdown_changed), 422 for bad input
(lockdown_ends_before_start…). Times must carry their UTC offset (e.g. 2021-09-10T12:00:00+07:00).
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.cases import lockdown_selectors as selectors
from phaodai.cases import lockdowns
from phaodai.cases import selectors as cases_selectors
from phaodai.cases.models import Lockdown
from phaodai.core.clock import plausible
from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict
from phaodai.territory import selectors as territory

router = Router(tags=["lockdowns"])


class AreaRef(Schema):
    code: str
    name: str
    ward: str


class ClusterRef(Schema):
    id: int
    code: str
    name: str


class LockdownOut(Schema):
    id: int
    area: AreaRef
    scope: str
    place: str
    reason: str
    decision_number: str
    cluster: ClusterRef | None
    starts_at: datetime
    planned_end_at: datetime
    ended_at: datetime | None
    status: str
    people_inside: int
    checkpoints: list[str]
    version: int


class LockdownIn(Strict):
    area: str = Field(max_length=40, description="The residential area's code, e.g. 00139-TDP05")
    scope: str = Field(description="area, building or lane")
    place: str = Field("", max_length=lockdowns.PLACE_MAX, description="The building or lane")
    reason: str = Field(max_length=lockdowns.TEXT_MAX)
    decision_number: str = Field(max_length=lockdowns.DECISION_MAX)
    starts_at: datetime
    planned_end_at: datetime
    cluster: int | None = Field(None, description="The outbreak's id, if the lockdown is for one")
    people_inside: int = Field(0, ge=0, le=lockdowns.MAX_PEOPLE)
    checkpoints: list[str] = Field([], max_length=lockdowns.MAX_CHECKPOINTS)


class ExtendIn(Strict):
    planned_end_at: datetime
    version: int | None = Field(None, ge=1, description="The version you read (compare-and-set)")


class LiftIn(Strict):
    ended_at: datetime
    version: int | None = Field(None, ge=1, description="The version you read (compare-and-set)")


def _out(lockdown: Lockdown) -> dict[str, Any]:
    cluster = lockdown.cluster
    return {
        "id": lockdown.pk,
        "area": {
            "code": lockdown.area.code,
            "name": lockdown.area.name,
            "ward": lockdown.path.strip("/").split("/")[-1],
        },
        "scope": lockdown.scope,
        "place": lockdown.place,
        "reason": lockdown.reason,
        "decision_number": lockdown.decision_number,
        "cluster": {"id": cluster.pk, "code": cluster.code, "name": cluster.name} if cluster else None,
        "starts_at": lockdown.starts_at,
        "planned_end_at": lockdown.planned_end_at,
        "ended_at": lockdown.ended_at,
        "status": lockdown.status,
        "people_inside": lockdown.people_inside,
        "checkpoints": list(lockdown.checkpoints),
        "version": lockdown.version,
    }


def _aware(moment: datetime, field: str) -> datetime:
    if timezone.is_naive(moment):
        raise InvalidInput(
            _("Give the time with its UTC offset, e.g. 2021-09-10T12:00:00+07:00."), field=field
        )
    if not plausible(moment):
        raise InvalidInput(_("Give a date and time."), field=field)
    return moment


def _cluster(user: Any, pk: int | None) -> Any:
    """The outbreak named in the body, among those the user sees (never a 404 from a body reference)."""
    if pk is None:
        return None
    found = cases_selectors.clusters_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise InvalidInput(_("No outbreak with this number where you work."), field="cluster")
    return found


@router.get(
    "", url_name="lockdowns", response=list[LockdownOut], summary="Lockdowns where you work, in force first"
)
def list_lockdowns(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    return [_out(lockdown) for lockdown in selectors.lockdowns_listed(request.user, status)]


@router.post(
    "",
    url_name="lockdowns",
    response={200: LockdownOut, 201: LockdownOut},
    summary="Declare a lockdown (201; 200 when the same lockdown was already recorded)",
)
def declare(request: HttpRequest, payload: LockdownIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    require_perm(user, Perm.DECLARE_LOCKDOWN)
    area = territory.area_by_code(payload.area)
    if area is None:
        raise InvalidInput(_("No residential area with this code."), field="area")
    lockdown, created = lockdowns.declare_lockdown(
        by=user,
        area=area,
        scope=payload.scope,
        place=payload.place,
        reason=payload.reason,
        decision_number=payload.decision_number,
        starts_at=_aware(payload.starts_at, "starts_at"),
        planned_end_at=_aware(payload.planned_end_at, "planned_end_at"),
        cluster=_cluster(user, payload.cluster),
        people_inside=payload.people_inside,
        checkpoints=payload.checkpoints,
    )
    return (201 if created else 200), _out(selectors.lockdown_for(user, lockdown.pk))


@router.get("/{pk}", url_name="lockdown", response=LockdownOut, summary="A lockdown")
def get_lockdown(request: HttpRequest, pk: int) -> dict[str, Any]:
    selectors.require_reader(request.user)
    return _out(selectors.lockdown_for(request.user, pk))


def _acting_on(request: HttpRequest, pk: int) -> Lockdown:
    require_perm(request.user, Perm.DECLARE_LOCKDOWN)
    return selectors.lockdown_for(request.user, pk)


@router.post(
    "/{pk}/extend", url_name="lockdown_extend", response=LockdownOut, summary="Push the planned end later"
)
def extend(request: HttpRequest, pk: int, payload: ExtendIn) -> dict[str, Any]:
    lockdown = _acting_on(request, pk)
    lockdowns.extend(
        by=request.user,
        lockdown=lockdown,
        planned_end_at=_aware(payload.planned_end_at, "planned_end_at"),
        version=payload.version,
    )
    return _out(selectors.lockdown_for(request.user, pk))


@router.post("/{pk}/lift", url_name="lockdown_lift", response=LockdownOut, summary="Lift the lockdown (once)")
def lift(request: HttpRequest, pk: int, payload: LiftIn) -> dict[str, Any]:
    lockdown = _acting_on(request, pk)
    lockdowns.lift(
        by=request.user,
        lockdown=lockdown,
        ended_at=_aware(payload.ended_at, "ended_at"),
        version=payload.version,
    )
    return _out(selectors.lockdown_for(request.user, pk))
