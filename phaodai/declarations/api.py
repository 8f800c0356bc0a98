"""The declarations API (mounted at /api/v1/declarations).

Anyone may POST a declaration and read its pass by token (no sign-in); sending an `Authorization:
Bearer` token files it on the person's behalf and records who did. Session cookies are ignored on that
public POST (it carries no CSRF check), so a page cannot file in an official's name. Officials read
the declarations of their units.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError
from pydantic import StrictBool

from phaodai.accounts import services as accounts
from phaodai.core.idempotency import header_key
from phaodai.core.ratelimit import client_of
from phaodai.declarations import selectors, services
from phaodai.declarations.models import Declaration
from phaodai.declarations.questions import LABELS
from phaodai.declarations.rules import EXPOSURES, QUESTIONS, SYMPTOMS

router = Router(tags=["declarations"])


class DeclarationIn(Schema):
    full_name: str
    id_kind: str = Field("cccd", description="cccd (12 digits), cmnd (9 digits) or passport")
    id_number: str = Field(description="As printed; never padded, cut or corrected")
    birth_year: int
    gender: str = Field(description="M, F or O")
    nationality: str = "Việt Nam"
    province: str = Field(description="CCCD province code: 001 = Hà Nội (then `ward` is required)")
    ward: str = Field("", description="GSO code of a Hà Nội ward, e.g. 00139")
    district: str = Field("", description="GSO code of the Hà Nội district (optional, checked)")
    district_name: str = Field("", description="District outside Hà Nội")
    ward_name: str = Field("", description="Ward or commune outside Hà Nội")
    house: str
    phone: str
    email: str = ""
    answers: dict[str, StrictBool] = Field(
        description=f"Every question true or false: {', '.join(QUESTIONS)}"
    )
    travel_from: str = ""
    travel_to: str = ""
    travel_details: str = ""
    acknowledged: StrictBool = Field(False, description="Must be true: a false declaration is punishable")


class PassOut(Schema):
    token: str
    pass_url: str
    pdf_url: str
    code: str = Field(description="The signed PD1: code shown as QR")
    full_name: str
    birth_year: int
    id_kind: str
    id_masked: str
    symptoms: bool
    exposure: bool
    valid_from: datetime
    valid_to: datetime


class QuestionOut(Schema):
    code: str
    group: str
    label: str


class RowOut(Schema):
    id: int
    full_name: str
    id_kind: str
    id_masked: str
    birth_year: int
    ward: str | None
    symptoms: bool
    exposure: bool
    review: str
    submitted_at: datetime
    valid_to: datetime


class PageOut(Schema):
    items: list[RowOut]
    next_before: int | None


class DetailOut(RowOut):
    gender: str
    nationality: str
    province_code: str
    district_name: str
    ward_name: str
    house: str
    phone: str
    email: str
    answers: dict[str, bool]
    travel_from: str
    travel_to: str
    travel_details: str
    channel: str
    filed_by: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str


class FindIn(Schema):
    id_kind: str = "cccd"
    id_number: str


class FollowUpIn(Schema):
    note: str


def _pass(declaration: Declaration) -> dict[str, Any]:
    return {
        "token": declaration.token,
        "pass_url": reverse("declarations:pass", args=[declaration.token]),
        "pdf_url": reverse("declarations:pass_pdf", args=[declaration.token]),
        "code": declaration.pass_code,
        "full_name": declaration.full_name,
        "birth_year": declaration.birth_year,
        "id_kind": declaration.id_kind,
        "id_masked": declaration.id_masked,
        "symptoms": declaration.has_symptoms,
        "exposure": declaration.has_exposure,
        "valid_from": declaration.valid_from,
        "valid_to": declaration.valid_to,
    }


def _row(declaration: Declaration) -> dict[str, Any]:
    return {
        "id": declaration.pk,
        "full_name": declaration.full_name,
        "id_kind": declaration.id_kind,
        "id_masked": declaration.id_masked,
        "birth_year": declaration.birth_year,
        "ward": declaration.ward.code if declaration.ward is not None else None,
        "symptoms": declaration.has_symptoms,
        "exposure": declaration.has_exposure,
        "review": declaration.review,
        "submitted_at": declaration.submitted_at,
        "valid_to": declaration.valid_to,
    }


def _detail(declaration: Declaration) -> dict[str, Any]:
    fields = [
        "gender",
        "nationality",
        "province_code",
        "district_name",
        "ward_name",
        "house",
        "phone",
        "email",
        "answers",
        "travel_from",
        "travel_to",
        "travel_details",
        "channel",
        "reviewed_at",
        "review_note",
    ]
    return {
        **_row(declaration),
        **{name: getattr(declaration, name) for name in fields},
        "filed_by": declaration.filed_by.username if declaration.filed_by else None,
        "reviewed_by": declaration.reviewed_by.username if declaration.reviewed_by else None,
    }


def _bearer_user(request: HttpRequest) -> Any:
    """The official a Bearer token names (401 for a bad one), or None for an anonymous filer."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, raw = header.partition(" ")
    user = accounts.user_for_token(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise AuthenticationError()
    return user


@router.post("/", response={200: PassOut, 201: PassOut}, auth=None, url_name="declaration_submit")
def submit(request: HttpRequest, payload: DeclarationIn) -> tuple[int, dict[str, Any]]:
    """File a declaration. Retries with the same Idempotency-Key, or the same content within 10
    minutes, answer 200 with the first declaration's pass; a new one answers 201."""
    key = header_key(request)
    by = _bearer_user(request)
    data = services.DeclarationInput(**payload.dict())
    declaration, created = services.submit_declaration(
        data=data, by=by, idempotency_key=key, client=client_of(request)
    )
    return (201 if created else 200), _pass(declaration)


@router.get("/questions", response=list[QuestionOut], auth=None, url_name="declaration_questions")
def questions(request: HttpRequest) -> list[dict[str, str]]:
    """The 14-day questions each declaration answers, in the form's order."""
    groups = [("symptom", SYMPTOMS), ("exposure", EXPOSURES)]
    return [
        {"code": code, "group": group, "label": str(LABELS[code])}
        for group, codes in groups
        for code in codes
    ]


@router.get("/passes/{token}", response=PassOut, auth=None, url_name="declaration_pass")
def pass_by_token(request: HttpRequest, token: str) -> dict[str, Any]:
    """The pass of the declaration a token names (404 for any unknown token)."""
    return _pass(selectors.declaration_by_token(token))


@router.get("/list", response=PageOut, url_name="declaration_list")
def list_declarations(
    request: HttpRequest,
    q: str = "",
    day: date | None = None,
    flagged: bool | None = None,
    open_only: bool = False,
    before: int | None = Query(None, ge=1),
) -> dict[str, Any]:
    """Declarations of the caller's units, newest first; `q` is a name or the last digits of the ID."""
    filters = selectors.Filters(q=q[:100], day=day, flagged=flagged, open_only=open_only, before=before)
    page = selectors.search(request.user, filters)
    return {"items": [_row(row) for row in page.rows], "next_before": page.next_before}


@router.post("/find", response=PageOut, url_name="declaration_find")
def find(request: HttpRequest, payload: FindIn) -> dict[str, Any]:
    """Declarations of one identity number (sent in the body, never in a URL), within the caller's units."""
    filters = selectors.Filters(id_kind=payload.id_kind, id_number=payload.id_number[:40])
    page = selectors.search(request.user, filters)
    return {"items": [_row(row) for row in page.rows], "next_before": page.next_before}


@router.get("/{int:pk}", response=DetailOut, url_name="declaration_detail")
def detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(selectors.declaration_for(request.user, pk))


@router.post("/{int:pk}/follow-up", response=DetailOut, url_name="declaration_follow_up")
def follow_up(request: HttpRequest, pk: int, payload: FollowUpIn) -> dict[str, Any]:
    declaration = selectors.declaration_for(request.user, pk)
    return _detail(services.follow_up(declaration=declaration, by=request.user, note=payload.note))
