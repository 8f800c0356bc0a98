"""The permits API (mounted at /api/v1/permits): organisations, staff entries, decisions, permits.

Through the same selectors and services as the pages. Errors are {"code", "message"}: 401 without
credentials, 403 for a role that may not act on permits, 404 outside the user's units, 409 when
another officer decided, issued or revoked first, 422 for bad input. Submitting a staff list answers
one result per row ("created", "duplicate" for a row already on the list, or "rejected" with the
field and reason): nothing valid is lost, and sending the same list again is harmless.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.core.clock import local_date, now
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.core.schemas import Strict
from phaodai.permits import selectors, services
from phaodai.permits.models import Entry, Organisation, Permit
from phaodai.territory import selectors as territory

router = Router(tags=["permits"])
MAX_ROWS = 500


class GroupOut(Schema):
    code: int
    name_vi: str
    name_en: str
    authority: str = Field(description="unit_head, traffic_police, ward_committee or ward_police")
    authority_vi: str
    authority_en: str
    for_residents: bool


class OrganisationIn(Strict):
    name: str = Field(max_length=200)
    ward: str = Field(max_length=5, description="The ward's GSO code, e.g. 00139")
    address: str = Field(max_length=300)
    contact_name: str = Field(max_length=150)
    tax_code: str = Field("", max_length=20)
    governing_body: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=20)
    contact_email: str = Field("", max_length=200)
    business_id: int | None = Field(None, description="A representative: the business registered for")


class OrganisationOut(Schema):
    id: int
    name: str
    tax_code: str
    governing_body: str
    address: str
    ward: str
    status: str = Field(description="pending or confirmed")
    contact_name: str
    business_id: int | None


class RowIn(Strict):
    full_name: str = Field(max_length=150)
    cccd: str = Field(max_length=20)
    birth_year: int
    group: int
    purpose: str = Field(max_length=200)
    valid_from: date
    valid_to: date
    job: str = Field("", max_length=120)
    zones: list[str] = Field(default_factory=list, max_length=32)
    route: str = Field("", max_length=200)
    plate: str = Field("", max_length=20)


class RowsIn(Strict):
    rows: list[RowIn] = Field(max_length=MAX_ROWS)


class RowResultOut(Schema):
    index: int
    status: str = Field(description="created, duplicate or rejected")
    entry_id: int | None
    code: str
    field: str
    message: str


class RowsOut(Schema):
    created: int
    duplicate: int
    rejected: int
    results: list[RowResultOut]


class PermitRef(Schema):
    id: int
    pass_id: str
    status: str


class EntryOut(Schema):
    id: int
    organisation_id: int | None
    full_name: str
    cccd_masked: str
    birth_year: int
    job: str
    group: int
    purpose: str
    supporting_paper: str
    zones: list[str]
    route: str
    plate: str
    valid_from: date
    valid_to: date
    ward: str
    status: str = Field(description="pending, approved or rejected")
    reason: str
    version: int
    permits: list[PermitRef]


class ApplicationIn(Strict):
    cccd: str = Field(max_length=20, description="A resident registered in the officer's ward")
    purpose: str = Field(max_length=40, description="food_medicine, medical, vaccination, testing, …")
    valid_from: date
    valid_to: date
    supporting_paper: str = Field("", max_length=200)
    zones: list[str] = Field(default_factory=list, max_length=32)
    route: str = Field("", max_length=200)


class DecisionIn(Strict):
    decision: str = Field(pattern="^(approve|reject)$")
    reason: str = Field("", max_length=500)
    version: int | None = Field(None, description="The entry's version read; a stale one answers 409")
    issue: bool = Field(True, description="Issue the permit at once on approval")


class PermitOut(Schema):
    id: int
    pass_id: str
    entry_id: int
    status: str = Field(description="active or revoked")
    valid_from: datetime
    valid_to: datetime
    code: str = Field(description="The signed PD1: text the QR holds")
    holder_url: str = Field(description="The holder's phone page (no sign-in; share only with the holder)")
    issuing_unit: str
    revoked_reason: str


class DecisionOut(Schema):
    entry: EntryOut
    permit: PermitOut | None
    issue_error: dict[str, str] | None


class RevokeIn(Strict):
    reason: str = Field(max_length=500)


class RevokedOut(Schema):
    at: datetime
    pass_ids: list[str]


def _reader(request: HttpRequest) -> Any:
    if not selectors.is_reader(request.user):
        raise NotPermitted()
    return request.user


def _officer(request: HttpRequest) -> Any:
    if not selectors.is_officer(request.user):
        raise NotPermitted()
    return request.user


def _org(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.pk,
        "name": org.name,
        "tax_code": org.tax_code,
        "governing_body": org.governing_body,
        "address": org.address,
        "ward": org.ward.code,
        "status": org.status,
        "contact_name": org.contact_name,
        "business_id": org.business_id,
    }


def _entry(entry: Entry, permits: list[Permit] | None = None) -> dict[str, Any]:
    listed = permits if permits is not None else selectors.permits_of_entry(entry)
    return {
        **{
            name: getattr(entry, name)
            for name in (
                "organisation_id",
                "full_name",
                "cccd_masked",
                "birth_year",
                "job",
                "group",
                "purpose",
                "supporting_paper",
                "zones",
                "route",
                "plate",
                "valid_from",
                "valid_to",
                "status",
                "reason",
                "version",
            )
        },
        "id": entry.pk,
        "ward": entry.ward.code,
        "permits": [{"id": p.pk, "pass_id": p.pass_id, "status": p.status} for p in listed],
    }


def _permit(request: HttpRequest, permit: Permit) -> dict[str, Any]:
    return {
        "id": permit.pk,
        "pass_id": permit.pass_id,
        "entry_id": permit.entry_id,
        "status": permit.status,
        "valid_from": permit.valid_from,
        "valid_to": permit.valid_to,
        "code": permit.code if permit.status == Permit.Status.ACTIVE else "",
        "holder_url": request.build_absolute_uri(f"/permits/p/{permit.token}/"),
        "issuing_unit": permit.issuing_unit.code,
        "revoked_reason": permit.revoked_reason,
    }


@router.get("/groups", url_name="permits_groups", response=list[GroupOut], summary="The six permit groups")
def list_groups(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            **g.__dict__,
            "authority": str(g.authority),
            "authority_vi": g.authority_vi,
            "authority_en": g.authority_en,
        }
        for g in selectors.groups()
    ]


@router.get(
    "/organisations",
    url_name="permits_organisations",
    response=list[OrganisationOut],
    summary="Organisations we reach",
)
def list_organisations(request: HttpRequest, q: str = "", status: str = "") -> list[dict[str, Any]]:
    user = _reader(request)
    return [_org(o) for o in selectors.search_organisations(user, q[:100], status[:10])]


@router.post(
    "/organisations",
    url_name="permits_organisation_register",
    response={200: OrganisationOut, 201: OrganisationOut},
    summary="Register an organisation at its ward (idempotent: 200 with the first one on a retry)",
)
def register_organisation(request: HttpRequest, payload: OrganisationIn) -> tuple[int, dict[str, Any]]:
    user = _reader(request)
    business = None
    if payload.business_id is not None:
        business = next(
            (b for b in services.business_selectors.represented_by(user) if b.pk == payload.business_id), None
        )
        if business is None:
            raise services.invalid(_("You do not represent this business."), "business_id")
    org, created = services.register_organisation(
        by=user,
        ward=territory.unit_by_code(payload.ward.strip()),
        business=business,
        details=services.OrganisationDetails(
            **payload.dict(exclude={"ward", "business_id"}),
        ),
    )
    return (201 if created else 200), _org(org)


@router.get(
    "/organisations/{pk}",
    url_name="permits_organisation",
    response=OrganisationOut,
    summary="An organisation",
)
def get_organisation(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _org(selectors.organisation_for(_reader(request), pk))


@router.post(
    "/organisations/{pk}/confirm",
    url_name="permits_organisation_confirm",
    response=OrganisationOut,
    summary="The ward confirms a representative's registration",
)
def confirm_organisation(request: HttpRequest, pk: int) -> dict[str, Any]:
    user = _officer(request)
    org = selectors.organisation_for(user, pk)
    return _org(services.confirm_organisation(by=user, organisation=org))


@router.get(
    "/organisations/{pk}/entries",
    url_name="permits_entries",
    response=list[EntryOut],
    summary="The staff list",
)
def list_entries(request: HttpRequest, pk: int, status: str = "") -> list[dict[str, Any]]:
    org = selectors.organisation_for(_reader(request), pk)
    entries = selectors.entries_of(org, status[:10])
    return [_entry(e, [e.active_permit] if e.active_permit else []) for e in entries]  # type: ignore[attr-defined]


@router.post(
    "/organisations/{pk}/entries",
    url_name="permits_entries_submit",
    response=RowsOut,
    summary="Submit staff rows (each row created, duplicate or rejected with its reason)",
)
def submit_entries(request: HttpRequest, pk: int, payload: RowsIn) -> dict[str, Any]:
    user = _reader(request)
    org = selectors.organisation_for(user, pk)
    services.require_submitter(user, org)
    today = local_date(now())
    zones = services.ZoneCache()
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, row in enumerate(payload.rows):
        try:
            clean = services.clean_row(
                services.StaffRow(**{**row.dict(), "zones": " ".join(row.zones)}), today=today, zones=zones
            )
            if clean.number in seen:
                raise services.invalid(_("The same person (CCCD) is on an earlier row."), "cccd")
            seen.add(clean.number)
            submitted = services.submit_clean_rows(by=user, organisation=org, rows=[clean])[0]
        except DomainError as error:
            if error.status in (403, 404):
                raise
            results.append(
                {"index": index, "status": "rejected", "entry_id": None, "code": error.code,
                 "field": error.field or "", "message": str(error.detail)}
            )  # fmt: skip
            continue
        status = "created" if submitted.created else "duplicate"
        results.append(
            {
                "index": index,
                "status": status,
                "entry_id": submitted.entry.pk,
                "code": "",
                "field": "",
                "message": "",
            }
        )
    counts = {s: sum(r["status"] == s for r in results) for s in ("created", "duplicate", "rejected")}
    return {**counts, "results": results}


@router.post(
    "/applications",
    url_name="permits_application",
    response={200: EntryOut, 201: EntryOut},
    summary="File a group-5 resident's application at their ward (idempotent)",
)
def file_application(request: HttpRequest, payload: ApplicationIn) -> tuple[int, dict[str, Any]]:
    user = _officer(request)
    person = services.resident_by_cccd(by=user, cccd=payload.cccd)
    submitted = services.file_application(
        by=user,
        person=person,
        application=services.Application(
            purpose=payload.purpose,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            supporting_paper=payload.supporting_paper,
            zones=" ".join(payload.zones),
            route=payload.route,
        ),
    )
    return (201 if submitted.created else 200), _entry(submitted.entry, [])


@router.get(
    "/entries/pending",
    url_name="permits_entries_pending",
    response=list[EntryOut],
    summary="Entries awaiting our decision",
)
def pending_entries(request: HttpRequest) -> list[dict[str, Any]]:
    return [_entry(e, []) for e in selectors.entries_awaiting(_officer(request))]


@router.get("/entries/{pk}", url_name="permits_entry", response=EntryOut, summary="An entry and its permits")
def get_entry(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _entry(selectors.entry_for(_reader(request), pk))


@router.post(
    "/entries/{pk}/decision",
    url_name="permits_entry_decide",
    response=DecisionOut,
    summary="Approve (and issue) or reject an entry; a second decision answers 409",
)
def decide_entry(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    user = _officer(request)
    entry = selectors.entry_for(user, pk)
    decision = services.decide_entry(
        by=user,
        entry=entry,
        approve=payload.decision == "approve",
        reason=payload.reason,
        version=payload.version,
        issue=payload.issue,
    )
    error = decision.issue_error
    return {
        "entry": _entry(decision.entry),
        "permit": _permit(request, decision.permit) if decision.permit else None,
        "issue_error": error.as_dict() if error else None,
    }


@router.post(
    "/entries/{pk}/issue",
    url_name="permits_entry_issue",
    response={201: PermitOut},
    summary="Issue the permit of an approved entry (again after a revocation: a new pass id)",
)
def issue_permit(request: HttpRequest, pk: int) -> tuple[int, dict[str, Any]]:
    user = _officer(request)
    entry = selectors.entry_for(user, pk)
    return 201, _permit(request, services.issue_permit(by=user, entry=entry))


@router.get(
    "/revoked",
    url_name="permits_revoked",
    response=RevokedOut,
    summary="Pass ids of revoked permits still within their validity (for offline devices)",
)
def revoked(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not (paths_of(user, Perm.VERIFY_PASSES) or paths_of(user, Perm.ISSUE_PERMITS)):
        raise NotPermitted()
    at = now()
    return {"at": at, "pass_ids": selectors.revoked_permit_ids(at)}


@router.get("/{pk}", url_name="permits_permit", response=PermitOut, summary="A permit with its signed code")
def get_permit(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _permit(request, selectors.permit_for(_reader(request), pk))


@router.post(
    "/{pk}/revoke",
    url_name="permits_permit_revoke",
    response=PermitOut,
    summary="Revoke a permit with a reason",
)
def revoke_permit(request: HttpRequest, pk: int, payload: RevokeIn) -> dict[str, Any]:
    user = _officer(request)
    permit = selectors.permit_for(user, pk)
    return _permit(request, services.revoke_permit(by=user, permit=permit, reason=payload.reason))
