"""Person registry API: register, search, read and look up by CCCD (the CCCD never goes in a URL)."""

from datetime import date
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.people import selectors, services
from phaodai.people.models import Person

router = Router(tags=["people"])


class PersonIn(Schema):
    cccd: str = Field(max_length=32, description="12-digit citizen ID; stored encrypted, never echoed")
    full_name: str = Field(max_length=300)
    birth_date: date
    sex: Literal["M", "F"]
    phone: str = Field("", max_length=32, description="Vietnamese mobile number; optional")
    residence_area: str = Field(max_length=40, description="Residential area code, e.g. 00139-TDP01")
    chronic_illness: bool = False
    disability_immobile: bool = False
    pregnant: bool = False


class CreatedOut(Schema):
    id: UUID


class LookupIn(Schema):
    cccd: str = Field(max_length=32)


class AreaOut(Schema):
    code: str
    name: str


class PersonSummaryOut(Schema):
    id: UUID
    full_name: str
    birth_date: date | None = Field(description="Unknown for a provisional contact")
    sex: str
    residence_area: AreaOut


class PageOut(Schema):
    items: list[PersonSummaryOut]
    next: str | None = Field(None, description="Pass as `after` for the next page; null on the last")


class PersonOut(PersonSummaryOut):
    cccd_masked: str = Field(description="Only the last 3 digits are shown; empty when not known")
    age: int | None = Field(description="None while the birth date is unknown")
    provisional: bool = Field(description="Named as a contact in tracing; the registration is incomplete")
    phone: str
    chronic_illness: bool
    disability_immobile: bool
    pregnant: bool
    priority_groups: list[str]


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="Name, with or without diacritics")
    after: str | None = Field(None, max_length=40)
    limit: int = Field(50, ge=1, le=selectors.MAX_PAGE)


def _area(person: Person) -> dict[str, str]:
    return {"code": person.residence_area.code, "name": person.residence_area.name}


def _summary(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "residence_area": _area(person),
    }


def _detail(person: Person) -> dict[str, Any]:
    profile = selectors.profile_of(person)
    return {
        **_summary(person),
        "cccd_masked": profile.cccd_masked,
        "provisional": person.provisional,
        "age": profile.age,
        "phone": person.phone,
        "chronic_illness": person.chronic_illness,
        "disability_immobile": person.disability_immobile,
        "pregnant": person.pregnant,
        "priority_groups": list(profile.priority_groups),
    }


@router.post("", response={201: CreatedOut, 200: CreatedOut}, summary="Register a person (idempotent)")
def register(request: HttpRequest, payload: PersonIn) -> tuple[int, dict[str, Any]]:
    """201 with the new id; 200 with the same id when the same registration is retried."""
    person = services.register_person(
        by=request.user,
        cccd=payload.cccd,
        full_name=payload.full_name,
        birth_date=payload.birth_date,
        sex=payload.sex,
        phone=payload.phone,
        residence_area=selectors.area_by_code(payload.residence_area),
        chronic_illness=payload.chronic_illness,
        disability_immobile=payload.disability_immobile,
        pregnant=payload.pregnant,
    )
    return (201 if person.registered_now else 200), {"id": person.pk}


@router.get("", response=PageOut, summary="Search persons by name (keyset pages)")
def search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    require_perm(request.user, Perm.VIEW_PERSON)
    page = selectors.search(request.user, params.q, after=params.after, limit=params.limit)
    return {"items": [_summary(p) for p in page.items], "next": page.next_after}


# Declared before "/{person_id}" so that POST /lookup is not taken for a person id.
@router.post("/lookup", response=PersonOut, summary="Find a person by CCCD (sent in the body)")
def lookup(request: HttpRequest, payload: LookupIn) -> dict[str, Any]:
    require_perm(request.user, Perm.VIEW_PERSON)
    person = selectors.lookup_by_cccd(request.user, payload.cccd)
    if person is None:
        raise Http404
    return _detail(person)


@router.get("/{person_id}", response=PersonOut, summary="Read a person (CCCD masked)")
def detail(request: HttpRequest, person_id: str) -> dict[str, Any]:
    require_perm(request.user, Perm.VIEW_PERSON)
    return _detail(selectors.person_for(request.user, person_id))
