"""The vaccination API: vaccines, a person's doses, adverse events, coverage and due lists.

Through the same selectors and services as the pages. Errors are {"code", "message"} (and "field"):
403 without `vaccination.vaccinate`, 404 outside the caller's units (logged), 409 `dose_exists` for a
second dose under a taken number (the same dose sent again answers 200 with the first record), 422 for
bad input (`beyond_series`, `interval_too_short`, `in_the_future`, `previous_dose_missing`,
`not_interchangeable`...). A person is their opaque id; a CCCD is never in a URL or an answer.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from phaodai.core.clock import HANOI, local_date, now
from phaodai.core.idempotency import header_key
from phaodai.core.schemas import Strict
from phaodai.core.text import mask_name
from phaodai.vaccination import coverage, selectors, services
from phaodai.vaccination.api_changes import router as changes_router
from phaodai.vaccination.api_outreach import router as outreach_router
from phaodai.vaccination.models import AdverseEvent, Dose, Product

router = Router(tags=["vaccination"])
# Home visits, teams, sites and bookings live in their own module, under the same prefix.
router.add_router("", outreach_router)
router.add_router("", changes_router)
Severity = Literal["mild", "moderate", "severe"]
Outcome = Literal["recovered", "recovering", "hospitalised", "died", "unknown"]


class StepOut(Schema):
    dose_number: int
    component: str
    component_en: str
    min_days: int | None = Field(description="Earliest, in days after the previous dose")
    recommended_days: int | None = Field(description="Due from, in days after the previous dose")
    latest_days: int | None = Field(description="Overdue after, in days after the previous dose")
    verified: bool


class ProductOut(Schema):
    code: str
    name: str
    name_en: str
    manufacturer: str
    platform: str
    series_doses: int
    interchangeable_with: list[str]
    active: bool
    source: str
    steps: list[StepOut]


class AdverseEventOut(Schema):
    id: int
    severity: str
    onset_at: datetime
    outcome: str
    description: str


class DoseOut(Schema):
    id: int
    person: str = Field(description="The person's id")
    product: str
    dose_number: int
    given_on: date
    lot: str
    site: str
    vaccinator: str
    completes_series: bool
    next_due_on: date | None
    next_overdue_after: date | None
    adverse_events: list[AdverseEventOut]


class PersonDosesOut(Schema):
    person: str
    name: str = Field(description="Family name and initials")
    fully_vaccinated: bool
    doses: list[DoseOut]


class DoseIn(Strict):
    product: str = Field(max_length=32, description="A vaccine code from GET /vaccination/products")
    dose_number: int = Field(ge=1, le=10)
    given_on: date
    lot: str = Field(max_length=40)
    site: str = Field(max_length=200)
    vaccinator: str = Field(max_length=150)


class AdverseEventIn(Strict):
    severity: Severity
    onset_at: datetime = Field(description="Without an offset, Hà Nội time")
    outcome: Outcome = "unknown"
    description: str = Field(max_length=5000)


class BandOut(Schema):
    persons: int
    first_dose: int
    fully_vaccinated: int
    first_dose_pct: float | None
    fully_vaccinated_pct: float | None


class FiguresOut(Schema):
    adults_18plus: int
    first_dose_18plus: int
    first_dose_18plus_pct: float | None
    fully_vaccinated_18plus: int
    fully_vaccinated_18plus_pct: float | None
    elderly_65plus: int
    fully_vaccinated_65plus: int
    fully_vaccinated_65plus_pct: float | None
    bands: dict[str, BandOut] = Field(description="18-49, 50-64 and 65+")


class PlaceOut(Schema):
    code: str
    name: str
    level: str


class ChildCoverageOut(Schema):
    place: PlaceOut
    figures: FiguresOut


class CoverageOut(Schema):
    unit: PlaceOut
    as_of: date
    figures: FiguresOut
    children: list[ChildCoverageOut] = Field(description="Districts, wards, or a ward's residential areas")


class DueOut(Schema):
    person: str
    name: str
    last_dose: DoseOut
    next_dose: int
    due_on: date
    overdue_after: date | None
    status: str = Field(description="due or overdue")


class DuePageOut(Schema):
    ward: PlaceOut
    as_of: date
    items: list[DueOut]
    next_after: str | None = Field(description="Pass as `after` for the next page; null on the last")


def _product(product: Product) -> dict[str, Any]:
    return {
        **{f: getattr(product, f) for f in ("code", "name", "name_en", "manufacturer", "platform", "source")},
        "series_doses": product.series_doses,
        "interchangeable_with": list(product.interchangeable_with),
        "active": product.active,
        "steps": [
            {
                f: getattr(step, f)
                for f in ("dose_number", "component", "component_en", "min_days", "recommended_days")
            }
            | {"latest_days": step.latest_days, "verified": step.verified}
            for step in product.steps.all()
        ],
    }


def _event(event: AdverseEvent) -> dict[str, Any]:
    return {f: getattr(event, f) for f in ("id", "severity", "onset_at", "outcome", "description")}


def _dose(dose: Dose, events: list[AdverseEvent] | None = None) -> dict[str, Any]:
    return {
        "id": dose.pk,
        "person": str(dose.person_id),
        "product": dose.product.code,
        **{
            f: getattr(dose, f)
            for f in (
                "dose_number",
                "given_on",
                "lot",
                "site",
                "vaccinator",
                "completes_series",
                "next_due_on",
                "next_overdue_after",
            )
        },
        "adverse_events": [_event(e) for e in (events if events is not None else dose.adverse_events.all())],
    }


def _place(code: str, name: str, level: str) -> dict[str, str]:
    return {"code": code, "name": name, "level": level}


def _aware(moment: datetime) -> datetime:
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=HANOI)


@router.get("/products", url_name="vaccination_products", response=list[ProductOut], summary="Vaccines")
def list_products(request: HttpRequest) -> list[dict[str, Any]]:
    return [_product(p) for p in selectors.products(active_only=False)]


def _person_doses(person: Any) -> dict[str, Any]:
    doses = selectors.doses_of(person)
    return {
        "person": str(person.pk),
        "name": mask_name(person.full_name),
        "fully_vaccinated": any(d.completes_series for d in doses),
        "doses": [_dose(d) for d in doses],
    }


@router.get(
    "/people/{person_id}/doses",
    url_name="vaccination_person_doses",
    response=PersonDosesOut,
    summary="A person's doses and adverse events (within the caller's units)",
)
def person_doses(request: HttpRequest, person_id: str) -> dict[str, Any]:
    return _person_doses(selectors.person_for(request.user, person_id))


@router.post(
    "/people/{person_id}/doses",
    url_name="vaccination_person_doses",
    response={200: DoseOut, 201: DoseOut},
    summary="Record a dose (201; the same dose sent again 200; another dose under that number 409)",
)
def record_dose(request: HttpRequest, person_id: str, payload: DoseIn) -> tuple[int, dict[str, Any]]:
    person = selectors.person_for(request.user, person_id)
    dose, created = services.record_dose(
        by=request.user,
        person=person,
        product=selectors.product_by_code(payload.product),
        dose_number=payload.dose_number,
        given_on=payload.given_on,
        lot=payload.lot,
        site=payload.site,
        vaccinator=payload.vaccinator,
    )
    return (201 if created else 200), _dose(dose, list(selectors.adverse_events_of(dose)))


@router.post(
    "/doses/{pk}/adverse-events",
    url_name="vaccination_adverse_events",
    response={200: AdverseEventOut, 201: AdverseEventOut},
    summary="Report an adverse event after a dose (a retry with the same Idempotency-Key: 200)",
)
def report_adverse_event(
    request: HttpRequest, pk: int, payload: AdverseEventIn
) -> tuple[int, dict[str, Any]]:
    dose = selectors.dose_for(request.user, pk)
    event, created = services.report_adverse_event(
        by=request.user,
        dose=dose,
        severity=payload.severity,
        onset_at=_aware(payload.onset_at),
        outcome=payload.outcome,
        description=payload.description,
        idempotency_key=header_key(request),
    )
    return (201 if created else 200), _event(event)


@router.get(
    "/coverage",
    url_name="vaccination_coverage",
    response=CoverageOut,
    summary="Coverage of a unit (default: the caller's widest) and its children, as of a day (default today)",
)
def unit_coverage(request: HttpRequest, unit: str = "", on: date | None = None) -> dict[str, Any]:
    place = selectors.coverage_unit_for(request.user, unit[:5])
    day = selectors.require_plausible_day(on or local_date(now()))
    figures = coverage.of_unit(place, day)
    return {
        "unit": _place(place.code, place.full_name, place.level),
        "as_of": day,
        "figures": figures.total.as_dict(),
        "children": [
            {"place": _place(row.code, row.name, row.level), "figures": row.coverage.as_dict()}
            for row in figures.rows
        ],
    }


@router.get(
    "/due",
    url_name="vaccination_due",
    response=DuePageOut,
    summary="Residents of a ward due or overdue for their next dose, as of a day (keyset pages)",
)
def due_list(
    request: HttpRequest, ward: str, on: date | None = None, after: str = "", limit: int = 50
) -> dict[str, Any]:
    place = selectors.ward_for(request.user, ward[:5])
    day = selectors.require_plausible_day(on or local_date(now()))
    page = selectors.due_list(place, day, after=after[:40] or None, limit=limit)
    return {
        "ward": _place(place.code, place.full_name, place.level),
        "as_of": day,
        "items": [
            {
                "person": str(row.dose.person_id),
                "name": mask_name(row.dose.person.full_name),
                "last_dose": _dose(row.dose, []),
                "next_dose": row.next_dose,
                "due_on": row.due_on,
                "overdue_after": row.overdue_after,
                "status": row.status,
            }
            for row in page.rows
        ],
        "next_after": page.next_after,
    }
