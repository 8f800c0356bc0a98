"""Schemas and serialisers of the welfare API (money in whole VND)."""

import base64
import binascii
from datetime import date, datetime
from typing import Annotated, Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema

from phaodai.core.errors import InvalidInput
from phaodai.core.schemas import Strict

KEY_LIMIT = 60  # the stored key also carries the user's id
MAX_ID = 2**63 - 1  # a larger id names no row (and overflows the database's integer)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Pk = Annotated[int, Path(ge=1, le=MAX_ID)]


class DocumentIn(Strict):
    kind: str = Field(max_length=40, description="A kind the programme requires, e.g. application_form")
    name: str = Field(max_length=200, description="File name with its extension (.pdf, .png, .jpg, .docx)")
    content_base64: str = Field(max_length=20_000_000, description="The file's bytes, base64")


class ApplicationIn(Strict):
    ward: str = Field(max_length=5, description="GSO code of the ward where the person is registered")
    person: str = Field("", max_length=36, description="The person's id (or give cccd)")
    cccd: str = Field("", max_length=12, description="The person's CCCD, instead of their id")
    programme: str = Field(max_length=32, description="Programme code, e.g. HN-3642")
    channel: str = Field("ward", max_length=4, description="self (the person applied) or ward (for them)")
    facts: dict[str, dict[str, Any]] = Field(default_factory=dict, description="household, job, isolation")
    days: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Per-day programmes: the days (default and most: the isolation record's)",
    )
    amount: int | None = Field(
        None, ge=1, le=MAX_ID, description="Capped programmes: the amount asked (fixed, tiered: must match)"
    )
    isolation_order: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Paid per isolation: the person's isolation order (default: the latest)",
    )
    documents: list[DocumentIn] = Field(default_factory=list, max_length=10)


class ReviewIn(Strict):
    accept: bool
    note: str = Field("", max_length=500, description="Required to reject")
    version: int | None = Field(None, ge=1, le=MAX_ID, description="The version you saw (compare-and-set)")


class NoteIn(Strict):
    note: str = Field(max_length=500)
    version: Id | None = None


class RevokeIn(Strict):
    number: str = Field(max_length=40, description="The amending decision's number, e.g. 131/QĐ-UBND")
    reason: str = Field(max_length=500)
    version: Id | None = None


class ObjectionIn(Strict):
    text: str = Field(max_length=1000)
    objector: str = Field("", max_length=150, description="Optional, never published")


class ResolveIn(Strict):
    upheld: bool
    note: str = Field(max_length=500)


class PostListIn(Strict):
    ward: str = Field(max_length=5)
    programme: str = Field(max_length=32)


class VersionIn(Strict):
    version: Id | None = None


class AppraiseIn(Strict):
    returned: dict[Id, str] = Field(
        default_factory=dict, description="Application id → reason, for those returned"
    )
    version: Id | None = None


class DecisionIn(Strict):
    more_lists: list[Id] = Field(
        default_factory=list,
        max_length=200,
        description="Other appraised lists of the district to approve with it",
    )
    number: str = Field(max_length=40, description="The decision's number, e.g. 125/QĐ-UBND")
    signed_on: date


class WardIn(Strict):
    ward: str = Field("", max_length=5, description="GSO code of the ward (empty: the whole decision)")


class PayIn(Strict):
    method: str = Field(max_length=4, description="cash or bank")
    receipt_number: str = Field("", max_length=40, description="Cash: the signed receipt's number")
    bank_reference: str = Field("", max_length=60, description="Bank: the transfer's reference")


class ProgrammeOut(Schema):
    code: str
    version: int
    name_vi: str
    name_en: str
    legal_basis: str
    funding_source: str
    valid_from: date
    valid_to: date | None
    amount_kind: str
    amount: int
    amount_min: int
    day_caps: dict[str, int]
    tiers: dict[str, Any]
    period_kind: str
    period_starts: date
    period_ends: date | None
    posting_days: int
    to_verify: bool
    criteria: list[dict[str, Any]]
    required_documents: list[dict[str, Any]]


class ApplicationOut(Schema):
    id: int
    reference: str
    programme: str
    person: str
    person_name: str
    ward: str
    channel: str
    period: str
    days: int | None
    amount: int
    status: str
    status_note: str
    amended_by: str = Field("", description="The decision that revoked this line, if any")
    list: int | None
    decision: int | None
    line: int | None
    filed_at: datetime
    version: int


class PageOut(Schema):
    items: list[ApplicationOut]
    next_after: int | None


class ObjectionOut(Schema):
    id: int
    application: int
    received_at: datetime
    text: str
    status: str
    resolution_note: str


class ListOut(Schema):
    id: int
    ward: str
    programme: str
    number: int
    status: str
    posted_at: datetime
    posting_ends_at: datetime
    decision: int | None
    version: int
    applications: list[ApplicationOut] = Field(default_factory=list)


class DecisionOut(Schema):
    id: int
    number: str
    district: str
    programme: str
    signed_on: date
    count: int
    total: int
    lines: list[ApplicationOut] = Field(default_factory=list)


class PayableLineOut(Schema):
    application: int
    line: int
    reference: str
    programme: str
    amount: int


class HeldLineOut(Schema):
    application: int
    line: int
    reference: str
    amount: int
    other_support: str = Field(description="the person's live income support: programme, reference, status")
    rule: str = Field(description="the programme's criterion that excludes it")


class PaymentListOut(Schema):
    payable: int = Field(description="approved lines without a payment, the duplicate check passed")
    payable_total: int
    blocked: int = Field(
        description="lines left off: the person was already paid this support for the period"
    )
    held: int = Field(
        description="lines left off while the person's NQ 68 income support is live (this programme "
        "excludes other support); paid once that support is closed, never both"
    )
    held_total: int
    held_rows: list[HeldLineOut] = Field(description="the held lines with the other support, at most 500")
    rows: list[PayableLineOut] = Field(
        description="the payable lines in line order, after ?after, at most 500"
    )
    next_after: int | None = Field(description="the last line number shown, when more follow")


class PaymentOut(Schema):
    id: int
    application: int
    reference: str
    decision: int
    amount: int
    status: str
    method: str
    receipt_number: str
    bank_reference: str
    paid_at: datetime | None
    version: int


class ReconciliationOut(Schema):
    id: int
    decision: int
    ward: str
    count: int
    total: int
    unpaid_count: int
    unpaid_total: int
    at: datetime


class CandidateOut(Schema):
    person: str
    full_name: str
    birth_year: int | None
    subject: str
    starts_on: date
    days: int
    amount: int
    order: int = Field(description="The isolation order: give it as isolation_order when filing")


class PublicRowOut(Schema):
    name: str = Field(description='Masked: "Nguyễn V. A., 1978"')
    programme: str
    programme_name: str
    amount: int
    decision: str
    paid: bool


class PublicListOut(Schema):
    ward: str
    ward_name: str
    district: str
    count: int
    total: int
    rows: list[PublicRowOut]


class TotalOut(Schema):
    programme: str
    programme_name: str
    district: str
    district_name: str
    count: int
    total: int
    paid_count: int
    paid_total: int


def upload_of(document: DocumentIn) -> tuple[str, SimpleUploadedFile]:
    try:
        content = base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_("A document's content is not valid base64."), field="documents") from None
    if len(content) > settings.PHAODAI_MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is too large."), field="documents")
    return document.kind, SimpleUploadedFile(document.name, content)


def programme_out(p: Any) -> dict[str, Any]:
    names = (
        "code",
        "version",
        "name_vi",
        "name_en",
        "legal_basis",
        "funding_source",
        "valid_from",
        "valid_to",
        "amount_kind",
        "amount",
        "amount_min",
        "day_caps",
        "tiers",
        "period_kind",
        "period_starts",
        "period_ends",
        "posting_days",
        "to_verify",
        "criteria",
        "required_documents",
    )
    return {name: getattr(p, name) for name in names}


def application_out(a: Any) -> dict[str, Any]:
    return {
        "id": a.pk,
        "reference": a.reference,
        "programme": a.programme_code,
        "person": str(a.person_id),
        "person_name": a.person.full_name,
        "ward": a.unit.code,
        "channel": a.channel,
        "period": a.period_key,
        "days": a.days,
        "amount": a.amount,
        "status": a.status,
        "status_note": a.status_note,
        "amended_by": a.amended_by,
        "list": a.support_list_id,
        "decision": a.decision_id,
        "line": a.line_no,
        "filed_at": a.filed_at,
        "version": a.version,
    }


def objection_out(o: Any) -> dict[str, Any]:
    return {
        "id": o.pk,
        "application": o.application_id,
        "received_at": o.received_at,
        "text": o.text,
        "status": o.status,
        "resolution_note": o.resolution_note,
    }


def list_out(s: Any, applications: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": s.pk,
        "ward": s.unit.code,
        "programme": s.programme.code,
        "number": s.number,
        "status": s.status,
        "posted_at": s.posted_at,
        "posting_ends_at": s.posting_ends_at,
        "decision": s.decision_id,
        "version": s.version,
        "applications": [application_out(a) for a in applications or []],
    }


def decision_out(d: Any, lines: list[Any] | None = None) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "district": d.unit.code,
        "programme": d.programme.code,
        "signed_on": d.signed_on,
        "count": d.count,
        "total": d.total,
        "lines": [application_out(a) for a in lines or []],
    }


def payment_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "application": p.application_id,
        "reference": p.application.reference,
        "decision": p.decision_id,
        "amount": p.amount,
        "status": p.status,
        "method": p.method,
        "receipt_number": p.receipt_number,
        "bank_reference": p.bank_reference,
        "paid_at": p.paid_at,
        "version": p.version,
    }
