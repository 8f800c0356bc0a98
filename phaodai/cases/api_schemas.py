"""Input and output schemas of the cases API: cases, contacts, tracing status, clusters.

Inputs refuse unknown fields and NUL (core.schemas.Strict); a time is ISO 8601 text (without an offset
it is Hà Nội time), a day is YYYY-MM-DD. Outputs carry no CCCD: a person is their id, a masked name
and at most a masked CCCD.
"""

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from phaodai.cases.models import Case, Cluster, Exposure
from phaodai.core.clock import FIRST_YEAR, HANOI, LAST_YEAR
from phaodai.core.schemas import Strict

MAX_CONTACTS = 500
LIST_LIMIT = 200
CCCD_MAX = 32  # 12 digits, with the spaces or dots people type between groups

# Pydantic would also read a bare number as a Unix timestamp: an integration must send text.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", re.DOTALL)


def _day_text(value: Any) -> Any:
    if not isinstance(value, str) or not _DAY.fullmatch(value.strip()):
        raise PydanticCustomError("day_format", _("Give the date as YYYY-MM-DD, e.g. 2021-09-10."))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("day_invalid", _("This date does not exist.")) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError("day_implausible", _("The date is not plausible."))
    return day


def _time_text(value: Any) -> Any:
    if not isinstance(value, str) or not _TIME.fullmatch(value.strip()):
        raise PydanticCustomError(
            "time_format", _("Give the time in ISO 8601, e.g. 2021-09-10T09:00 (Hà Nội) or with +07:00.")
        )
    return value.strip()


def _hanoi_when_naive(moment: datetime) -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise PydanticCustomError("time_implausible", _("The time is not plausible."))
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=HANOI)


Day = Annotated[date, BeforeValidator(_day_text)]
LocalTime = Annotated[datetime, BeforeValidator(_time_text), AfterValidator(_hanoi_when_naive)]


# Input --------------------------------------------------------------------------------------------


class CaseIn(Strict):
    cccd: str = Field(max_length=CCCD_MAX, description="The person's CCCD; they must be registered")
    confirmed_at: LocalTime = Field(description="When the positive result was confirmed")
    detected_in: Case.DetectedIn
    source_known: bool = Field(strict=True, description="Whether it is known whom the person caught it from")
    test_ref: str = Field("", max_length=40, description="The sample code of the positive test")
    manual_reason: str = Field("", max_length=4000, description="Why the case is entered without a test")
    severity: Case.Severity = Case.Severity.ASYMPTOMATIC
    care: Case.Care = Case.Care.FACILITY
    detected_unit: str | None = Field(
        None, max_length=5, description="Code of the ward where it was found; default the ward of residence"
    )
    source_note: str = Field("", max_length=4000)


class OutcomeIn(Strict):
    outcome: Literal["recovered", "died"]
    at: LocalTime
    version: int | None = Field(None, ge=1, strict=True, description="The version you read (compare-and-set)")


class ContactIn(Strict):
    """A registered person by CCCD, or someone not registered yet: name, phone (or CCCD) and area."""

    cccd: str = Field("", max_length=CCCD_MAX)
    full_name: str = Field("", max_length=150, description="Needed for someone not registered yet")
    phone: str = Field("", max_length=32)
    residence_area: str = Field(
        "",
        max_length=40,
        description="Area code where they live (e.g. 00139-TDP05); for someone not registered",
    )
    exposed_on: Day
    setting: Exposure.Setting
    note: str = Field("", max_length=300)


class ContactsIn(Strict):
    contacts: list[ContactIn] = Field(description=f"1 to {MAX_CONTACTS} contacts")

    @field_validator("contacts", mode="before")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        # Checked before each item is parsed, so a huge list is refused at once.
        if isinstance(value, list) and not value:
            raise PydanticCustomError("no_contacts", _("Add at least one contact."))
        if isinstance(value, list) and len(value) > MAX_CONTACTS:
            raise PydanticCustomError(
                "too_many_contacts",
                _("At most %(n)s contacts at once; send the rest in another request.") % {"n": MAX_CONTACTS},
            )
        return value


class PersonContactsIn(ContactsIn):
    cccd: str = Field("", max_length=CCCD_MAX, description="The person whose contacts these are")
    person: UUID | None = Field(
        None, description="Or their id, for someone registered by name and phone only (no CCCD)"
    )

    @model_validator(mode="after")
    def _one_person(self) -> "PersonContactsIn":
        if bool(self.cccd.strip()) == (self.person is not None):
            raise PydanticCustomError("one_person", _("Give either the person's CCCD or their id."))
        return self


class StatusIn(Strict):
    cccd: str = Field(max_length=CCCD_MAX)


class CaseQuery(Schema):
    from_: Day | None = Field(None, alias="from", description="Confirmed on or after this day")
    to: Day | None = Field(None, description="Confirmed on or before this day")
    ward: str = Field("", max_length=5, description="A unit code: cases living or found within it")
    detected_in: Case.DetectedIn | None = None
    source_known: bool | None = None
    after: int | None = Field(None, ge=1, description="The `next` of the previous page")
    limit: int = Field(50, ge=1, le=LIST_LIMIT)


class ClusterQuery(Schema):
    status: Cluster.Status | None = None
    after: int | None = Field(None, ge=1, description="The `next` of the previous page")
    limit: int = Field(50, ge=1, le=LIST_LIMIT)


# Output -------------------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class PersonRef(Schema):
    id: UUID
    name: str = Field(description="Family name and initials")
    cccd_masked: str = Field(description="Only the last 3 digits; empty when not known")


class ClusterRef(Schema):
    id: int
    code: str
    name: str


class WindowOut(Schema):
    start: date
    end: date


class DerivedOut(Schema):
    levels: dict[str, int] = Field(description='Persons now traced from this case by level, e.g. {"F1": 6}')
    cluster: str | None = Field(description="The code of the case's cluster")


class CaseOut(Schema):
    id: int
    episode: int
    person: PersonRef
    confirmed_at: datetime
    confirmed_on: date
    detected_in: str
    source_known: bool
    source_note: str
    test_ref: str
    manual_reason: str
    severity: str
    care: str
    outcome: str
    outcome_at: datetime | None
    residence_unit: Ref
    residence_area: Ref
    detected_unit: Ref
    exposure_window: WindowOut
    cluster: ClusterRef | None
    traced_from: int | None = Field(description="The case this person was traced from (as F1 or F2)")
    traced_level: int | None
    version: int = Field(description="Send it back with an outcome (compare-and-set)")


class CaseDetailOut(CaseOut):
    derived: DerivedOut


class CasePage(Schema):
    items: list[CaseOut]
    next: int | None = Field(description="Pass as `after` for the next page; null on the last")


class ContactOut(Schema):
    id: UUID
    f_level: str | None


class ContactsOut(Schema):
    added: int = Field(description="New links (a pair of persons on a day)")
    already_known: int = Field(description="Links sent before, left as they were")
    registered: int = Field(description="Contacts registered provisionally on the way")
    contacts: list[ContactOut] = Field(description="The contacts in the order sent, with their level now")


class IsolationOut(Schema):
    id: int
    subject: str
    setting: str
    status: str
    starts_at: datetime
    isolation_ends_at: datetime
    monitoring_ends_at: datetime


class FacilityStayOut(Schema):
    admission: int
    facility: int
    name: str
    room_kind: str
    admitted_at: datetime
    planned_release: date | None


class StatusOut(Schema):
    f_level: str | None = Field(description="F0, F1, F2 (deeper with a deeper rule), or null")
    isolation: IsolationOut | None = Field(description="The open isolation order, if any")
    facility: FacilityStayOut | None = Field(description="The current stay in a quarantine facility, if any")


class ClusterOut(Schema):
    id: int
    code: str
    name: str
    unit: Ref
    status: str
    first_case_at: datetime
    last_case_at: datetime
    cases_count: int
    contacts_count: int
    merged_into: int | None


class ClusterPage(Schema):
    items: list[ClusterOut]
    next: int | None = Field(description="Pass as `after` for the next page; null on the last")


class NodeOut(Schema):
    id: str = Field(description="A person id (no name); an alias (p7) for one the caller may not trace")
    level: int
    f_level: str


class EdgeOut(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="The person traced through")
    to: str
    exposed_on: date


class GraphOut(Schema):
    cluster: ClusterOut
    nodes: list[NodeOut]
    edges: list[EdgeOut] = Field(description="Who was traced through whom, and when")
    exposures: int = Field(description="Exposure links among the nodes (more than the edges)")
