"""The quarantine API: facilities with their occupancy, readiness, admissions, discharges, transfers.

Through the same services as the pages. Errors are {"code", "message"}: 403 for a role without a
quarantine capability (or an admitter changing a facility they do not manage: `not_managing_here`),
404 outside the user's reach, 409 for a state that refuses (`facility_full` with `room_kind`,
`free_elsewhere` and up to three `alternatives`; `facility_closed`, `facility_not_ready`,
`already_admitted`, `already_discharged`, `facility_changed`), 422 for bad input. A CCCD is sent in a
body, never in a URL, and never comes back: a person is their id and a masked name.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import FIRST_YEAR, HANOI, LAST_YEAR, local_date, now, plausible
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.schemas import Strict
from phaodai.people import selectors as people
from phaodai.quarantine import selectors, services
from phaodai.quarantine.errors import UnknownPerson
from phaodai.quarantine.models import Admission, Facility
from phaodai.territory import selectors as territory

router = Router(tags=["quarantine"])
Kind = Literal["dormitory", "school", "hotel", "barracks", "other"]
RoomKind = Literal["male", "female", "family"]
ReadinessName = Literal["preparing", "ready", "active", "full", "closed"]
Reason = Literal["released", "transferred", "hospital", "positive", "other"]


class UnitRef(Schema):
    code: str
    name: str


class Beds(Schema):
    capacity: int
    used: int
    free: int


class OccupancyOut(Schema):
    male: Beds
    female: Beds
    family: Beds
    total: Beds


class FacilityOut(Schema):
    id: int
    name: str
    name_en: str
    address: str
    kind: str
    managing_unit: UnitRef
    is_school: bool
    return_due: date | None = Field(description="When a school is to be handed back (S38)")
    readiness: str = Field(
        description="preparing, ready, active, full or closed; active and full follow occupancy"
    )
    notes: str
    version: int = Field(description="Send it back with a change (compare-and-set)")
    occupancy: OccupancyOut


class FacilityFields(Strict):
    name: str = Field(max_length=200)
    name_en: str = Field("", max_length=200)
    address: str = Field(max_length=300)
    kind: Kind
    beds_male: int = Field(0, ge=0, le=100_000)
    beds_female: int = Field(0, ge=0, le=100_000)
    beds_family: int = Field(0, ge=0, le=100_000)
    is_school: bool = False
    return_due: date | None = None
    notes: str = Field("", max_length=5000)


class FacilityIn(FacilityFields):
    unit: str = Field(max_length=5, description="The managing district's code (e.g. 268), or 01 for the city")


class FacilityUpdateIn(FacilityFields):
    version: int = Field(ge=1)


class ReadinessIn(Strict):
    readiness: ReadinessName = Field(description="Set preparing, ready or closed")
    version: int | None = Field(None, ge=1)


class PersonRef(Schema):
    id: str
    name: str = Field(description="Family name and initials")


class FacilityRef(Schema):
    id: int
    name: str


class AdmissionOut(Schema):
    id: int
    person: PersonRef
    facility: FacilityRef
    room_kind: str
    admitted_at: datetime
    admitted_by: str
    order_ref: str
    source: str
    planned_release: date | None
    discharged_at: datetime | None
    discharge_reason: str
    transferred_from: int | None


class AdmitIn(Strict):
    cccd: str = Field(max_length=20, description="The person's citizen ID; they must be registered")
    room_kind: RoomKind | None = Field(None, description="Default: the rooms of the person's sex")
    admitted_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    planned_release: date | None = None
    order_ref: str = Field("", max_length=64, description="The isolation order or decision")
    source: str = Field("", max_length=40)


class DischargeIn(Strict):
    reason: Reason
    discharged_at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    note: str = Field("", max_length=2000)


class TransferIn(Strict):
    facility: int | None = Field(None, description="The destination's id; default the same facility")
    room_kind: RoomKind | None = None
    at: datetime | None = Field(None, description="Default now; without an offset, Hà Nội time")
    note: str = Field("", max_length=2000)


class FacilityOccupancyOut(Schema):
    id: int
    name: str
    readiness: str
    is_school: bool
    return_due: date | None
    occupancy: OccupancyOut


class DistrictOut(Schema):
    unit: UnitRef
    free: dict[str, int] = Field(description="Free beds per room kind in the facilities that admit")
    facilities: list[FacilityOccupancyOut]


def _unit(unit: Any) -> dict[str, str]:
    return {"code": unit.code, "name": unit.full_name}


def _facility(facility: Facility) -> dict[str, Any]:
    return {
        **{name: getattr(facility, name) for name in ("id", "name", "name_en", "address", "kind", "notes")},
        "managing_unit": _unit(facility.unit),
        "is_school": facility.is_school,
        "return_due": facility.return_due,
        "readiness": facility.readiness,
        "version": facility.version,
        "occupancy": selectors.occupancy(facility).as_dict(),
    }


def _admission(stay: Admission) -> dict[str, Any]:
    return {
        "id": stay.pk,
        "person": {"id": str(stay.person_id), "name": stay.person_label},
        "facility": {"id": stay.facility_id, "name": stay.facility.name},
        "admitted_by": stay.admitted_by.username,
        "transferred_from": stay.transferred_from_id,
        **{
            name: getattr(stay, name)
            for name in (
                "room_kind",
                "admitted_at",
                "order_ref",
                "source",
                "planned_release",
                "discharged_at",
            )
        },
        "discharge_reason": stay.discharge_reason,
    }


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=HANOI)


def _reader(request: HttpRequest) -> Any:
    if not selectors.is_reader(request.user):
        raise NotPermitted()
    return request.user


# Facilities ------------------------------------------------------------------------------------------


@router.get(
    "/facilities",
    url_name="quarantine_facilities",
    response=list[FacilityOut],
    summary="Facilities we reach, with their beds per room kind",
)
def list_facilities(
    request: HttpRequest, q: str = "", readiness: ReadinessName | None = None
) -> list[dict[str, Any]]:
    user = _reader(request)
    return [_facility(f) for f in selectors.search_facilities(user, q[:200], readiness or "")]


@router.post(
    "/facilities",
    url_name="quarantine_facilities",
    response={201: FacilityOut},
    summary="Register a facility",
)
def create_facility(request: HttpRequest, payload: FacilityIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.MANAGE_FACILITIES)
    unit = territory.unit_by_code(payload.unit)
    if unit is None:
        raise InvalidInput(_("No district or city has this code."), field="unit")
    facility = services.register_facility(by=request.user, unit=unit, **payload.dict(exclude={"unit"}))
    return 201, _facility(selectors.facility_for(request.user, facility.pk))


@router.get("/facilities/{pk}", url_name="quarantine_facility", response=FacilityOut, summary="A facility")
def get_facility(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _facility(selectors.facility_for(_reader(request), pk))


@router.put(
    "/facilities/{pk}",
    url_name="quarantine_facility",
    response=FacilityOut,
    summary="Change details and beds",
)
def update_facility(request: HttpRequest, pk: int, payload: FacilityUpdateIn) -> dict[str, Any]:
    user = _reader(request)
    facility = selectors.facility_for(user, pk)
    services.update_facility(by=user, facility=facility, **payload.dict())
    return _facility(selectors.facility_for(user, pk))


@router.post(
    "/facilities/{pk}/readiness",
    url_name="quarantine_facility_readiness",
    response=FacilityOut,
    summary="Set the facility preparing, ready or closed",
)
def set_readiness(request: HttpRequest, pk: int, payload: ReadinessIn) -> dict[str, Any]:
    user = _reader(request)
    facility = selectors.facility_for(user, pk)
    services.set_readiness(by=user, facility=facility, readiness=payload.readiness, version=payload.version)
    return _facility(selectors.facility_for(user, pk))


# Admissions ------------------------------------------------------------------------------------------


@router.get(
    "/facilities/{pk}/admissions",
    url_name="quarantine_admissions",
    response=list[AdmissionOut],
    summary="The people in the facility now that we may read",
)
def list_admissions(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    user = _reader(request)
    return [_admission(stay) for stay in selectors.open_admissions(user, selectors.facility_for(user, pk))]


@router.post(
    "/facilities/{pk}/admissions",
    url_name="quarantine_admissions",
    response={200: AdmissionOut, 201: AdmissionOut},
    summary="Admit a person by CCCD (201; a retry with the same Idempotency-Key, or the same fields, 200)",
)
def admit(request: HttpRequest, pk: int, payload: AdmitIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.ADMIT)
    facility = selectors.facility_for(request.user, pk)
    services.require_reach(request.user, facility)
    person = people.lookup_by_cccd(request.user, payload.cccd)
    if person is None:
        raise UnknownPerson(field="cccd")
    stay, created = services.admit(
        by=request.user,
        facility=facility,
        person=person,
        room_kind=payload.room_kind,
        admitted_at=_aware(payload.admitted_at),
        planned_release=payload.planned_release,
        order_ref=payload.order_ref,
        source=payload.source,
        idempotency_key=request.headers.get("Idempotency-Key") or None,
    )
    return (201 if created else 200), _admission(stay)


@router.get("/admissions/{pk}", url_name="quarantine_admission", response=AdmissionOut, summary="A stay")
def get_admission(request: HttpRequest, pk: int) -> dict[str, Any]:
    require_perm(request.user, Perm.ADMIT)
    return _admission(selectors.admission_for(request.user, pk))


@router.post(
    "/admissions/{pk}/discharge",
    url_name="quarantine_discharge",
    response=AdmissionOut,
    summary="Discharge (a second discharge of the same stay: 409 already_discharged)",
)
def discharge(request: HttpRequest, pk: int, payload: DischargeIn) -> dict[str, Any]:
    require_perm(request.user, Perm.ADMIT)
    stay = selectors.admission_for(request.user, pk)
    ended = services.discharge(
        by=request.user,
        admission=stay,
        discharged_at=_aware(payload.discharged_at),
        reason=payload.reason,
        note=payload.note,
    )
    return _admission(ended)


@router.post(
    "/admissions/{pk}/transfer",
    url_name="quarantine_transfer",
    response={201: AdmissionOut},
    summary="Transfer to another facility or room kind: the discharge and the new stay together",
)
def transfer(request: HttpRequest, pk: int, payload: TransferIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.ADMIT)
    stay = selectors.admission_for(request.user, pk)
    moved = services.transfer(
        by=request.user,
        admission=stay,
        to_facility=selectors.facility_for(request.user, payload.facility)
        if payload.facility
        else stay.facility,
        room_kind=payload.room_kind,
        at=_aware(payload.at),
        note=payload.note,
    )
    return 201, _admission(moved)


# Occupancy -------------------------------------------------------------------------------------------


@router.get(
    "/occupancy",
    url_name="quarantine_occupancy",
    response=list[DistrictOut],
    summary="Beds per room kind by managing unit, now or at `at` (beds taken counted then)",
)
def occupancy(request: HttpRequest, at: datetime | None = None) -> list[dict[str, Any]]:
    user = _reader(request)
    if at is not None and not plausible(at):  # year 1 or 9999 would overflow; any year far off is a slip
        raise InvalidInput(
            _("Give a time between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
            field="at",
        )
    groups = selectors.occupancy_by_district(user, _aware(at), today=local_date(now()))
    return [
        {
            "unit": _unit(group.unit),
            "free": {k.kind: k.free for k in group.kinds},
            "facilities": [
                {
                    "id": row.facility.pk,
                    "name": row.facility.name,
                    "readiness": row.readiness,
                    "is_school": row.facility.is_school,
                    "return_due": row.facility.return_due,
                    "occupancy": row.as_dict(),
                }
                for row in group.facilities
            ],
        }
        for group in groups
    ]
