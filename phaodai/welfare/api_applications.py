"""The welfare API: programmes, applications (filed with their documents), the ward's review, objections,
food-allowance candidates. Filing answers 201, or 200 with the same application on a retry with the same
`Idempotency-Key`; a second application for the same programme and period is 409 `already_applied`.
"""

from datetime import date
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Query, Router

from phaodai.accounts.roles import Perm
from phaodai.core.idempotency import header_key
from phaodai.core.jurisdiction import require_within
from phaodai.territory import selectors as territory
from phaodai.welfare import listing, selectors, services
from phaodai.welfare.api_schemas import (
    KEY_LIMIT,
    MAX_ID,
    ApplicationIn,
    ApplicationOut,
    CandidateOut,
    NoteIn,
    ObjectionIn,
    ObjectionOut,
    PageOut,
    Pk,
    ProgrammeOut,
    ResolveIn,
    ReviewIn,
    application_out,
    objection_out,
    programme_out,
    upload_of,
)

router = Router(tags=["welfare"])


def ward_of(code: str) -> Any:
    ward = territory.unit_by_code(code.strip())
    if ward is None:
        raise Http404
    return ward


@router.get(
    "/programmes",
    url_name="welfare_programmes",
    response=list[ProgrammeOut],
    auth=None,
    summary="Support programmes in force on ?day (default today), with their criteria and amounts",
)
def list_programmes(request: HttpRequest, day: date | None = None) -> list[dict[str, Any]]:
    return [programme_out(p) for p in selectors.programmes_in_force(day)]


@router.get(
    "/applications",
    url_name="welfare_applications",
    response=PageOut,
    summary="Applications in your units, newest first (?status, ?programme, ?ward, ?after=<id>)",
)
def list_applications(
    request: HttpRequest,
    status: str = "",
    programme: str = "",
    ward: str = "",
    after: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    selectors.require_reader(request.user)
    page = selectors.applications_page(
        request.user, status=status[:12], programme=programme[:32], ward=ward[:5], after=after
    )
    return {"items": [application_out(a) for a in page.items], "next_after": page.next_after}


@router.post(
    "/applications",
    url_name="welfare_application_file",
    response={200: ApplicationOut, 201: ApplicationOut},
    summary="File an application for a person registered in the ward (Idempotency-Key: a retry files once)",
)
def file_application(request: HttpRequest, payload: ApplicationIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request, limit=KEY_LIMIT)
    ward = territory.unit_by_code(payload.ward.strip())
    application, created = services.file_application(
        by=request.user,
        ward=ward,
        person_id=payload.person,
        cccd=payload.cccd,
        programme_code=payload.programme,
        facts=payload.facts,
        channel=payload.channel,
        days=payload.days,
        amount=payload.amount,
        documents=[upload_of(document) for document in payload.documents],
        idempotency_key=f"{request.user.pk}:{key}" if key else "",
        isolation_order=payload.isolation_order,
    )
    return (201 if created else 200), application_out(application)


@router.get(
    "/applications/{pk}", url_name="welfare_application", response=ApplicationOut, summary="One application"
)
def get_application(request: HttpRequest, pk: Pk) -> dict[str, Any]:
    return application_out(selectors.application_for(request.user, pk))


@router.post(
    "/applications/{pk}/review",
    url_name="welfare_application_review",
    response=ApplicationOut,
    summary="The ward accepts the application for its list, or rejects it with a note",
)
def review(request: HttpRequest, pk: Pk, payload: ReviewIn) -> dict[str, Any]:
    application = selectors.application_for(request.user, pk)
    moved = services.review(
        by=request.user,
        application=application,
        accept=payload.accept,
        note=payload.note,
        version=payload.version,
    )
    return application_out(moved)


@router.post(
    "/applications/{pk}/withdraw",
    url_name="welfare_application_withdraw",
    response=ApplicationOut,
    summary="Withdraw an application still at the ward",
)
def withdraw(request: HttpRequest, pk: Pk, payload: NoteIn) -> dict[str, Any]:
    application = selectors.application_for(request.user, pk)
    moved = services.withdraw(
        by=request.user, application=application, note=payload.note, version=payload.version
    )
    return application_out(moved)


@router.get(
    "/applications/{pk}/objections",
    url_name="welfare_application_objections",
    response=list[ObjectionOut],
    summary="Objections to an application",
)
def list_objections(request: HttpRequest, pk: Pk) -> list[dict[str, Any]]:
    application = selectors.application_for(request.user, pk)
    return [objection_out(o) for o in selectors.objections_of(application)]


@router.post(
    "/applications/{pk}/objections",
    url_name="welfare_objection_record",
    response={201: ObjectionOut},
    summary="Record an objection to a posted application",
)
def record_objection(request: HttpRequest, pk: Pk, payload: ObjectionIn) -> tuple[int, dict[str, Any]]:
    application = selectors.application_for(request.user, pk)
    objection = listing.record_objection(
        by=request.user, application=application, text=payload.text, objector=payload.objector
    )
    return 201, objection_out(objection)


@router.post(
    "/objections/{pk}/resolve",
    url_name="welfare_objection_resolve",
    response=ObjectionOut,
    summary="Uphold (the application is rejected) or dismiss an objection",
)
def resolve_objection(request: HttpRequest, pk: Pk, payload: ResolveIn) -> dict[str, Any]:
    objection = selectors.objection_for(request.user, pk)
    resolved = listing.resolve_objection(
        by=request.user, objection=objection, upheld=payload.upheld, note=payload.note
    )
    return objection_out(resolved)


@router.get(
    "/candidates/food",
    url_name="welfare_food_candidates",
    response=list[CandidateOut],
    summary="F0/F1 isolated in a ward between ?since and ?until with no food-allowance application yet",
)
def food_candidates(request: HttpRequest, ward: str, since: date, until: date) -> list[dict[str, Any]]:
    unit = ward_of(ward)
    require_within(
        request.user, Perm.FILE_SUPPORT, path=unit.path, object_type="territory.unit", object_id=unit.code
    )
    found = selectors.food_candidates(request.user, unit, since=since, until=until)
    return [
        {
            "person": str(c.person_id),
            "full_name": c.full_name,
            "birth_year": c.birth_year,
            "subject": c.subject,
            "starts_on": c.starts_on,
            "days": c.days,
            "amount": c.amount,
            "order": c.order_id,
        }
        for c in found
    ]
