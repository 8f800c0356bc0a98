"""The inspections API (S31): teams, planned and surprise inspections, findings, violations, accountability.

Through the same services as the pages. Errors are {"code", "message"} (and "field" when one is at
fault): 403 for a role that neither inspects nor sets up teams, or that does not act for the team
(`not_on_team`); 404 outside the user's units; 409 when the inspection moved on (`inspection_not_open`)
or changed since it was read (`inspection_changed`), or a decision number is reused for another
violation (`duplicate`); 422 for bad input (`fine_outside_band` naming the band, `outside_area_of_work`,
`area_outside_home_unit`, `measure_not_allowed`, `unknown_checklist_item`…). Start, cancel and finish
take the `version` read last, so of two concurrent steps one wins. A violation is recorded once per
decision number: `POST /{id}/violations` answers 201 the first time and 200 with the same violation on a
retry (with or without an `Idempotency-Key` header). Planning (`POST /teams/{id}/inspections`,
`POST /{id}/reinspections`) with an `Idempotency-Key` header answers 201 the first time and 200 with the
same inspection on a retry; the key reused for another inspection answers 409 (`idempotency_key_reused`).
Times without an offset are Hà Nội time.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router
from ninja.files import UploadedFile

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm, require_perm, user_by_username
from phaodai.business import selectors as business_selectors
from phaodai.core.clock import HANOI, at_local, local_date, now, read_local_date
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.idempotency import header_key
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.inspections import api_shapes as shapes
from phaodai.inspections import selectors, services
from phaodai.inspections.errors import OutsideAreaOfWork
from phaodai.inspections.models import Inspection, InspectionTeam
from phaodai.inspections.schemas import (
    MAX_ID,
    AccountabilityOut,
    AccountabilityQuery,
    CancelIn,
    FindingPhotoIn,
    FindingsIn,
    FinishIn,
    InspectionDetailOut,
    InspectionOut,
    InspectionQuery,
    OverdueOut,
    PlanIn,
    ReinspectionIn,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    VersionIn,
    ViolationIn,
    ViolationKindOut,
    ViolationOut,
)
from phaodai.territory import selectors as territory

router = Router(tags=["inspections"])
Pk = Annotated[int, Path(ge=1, le=MAX_ID)]
LONGEST_PERIOD = timedelta(days=366 * 5)


# Who, where, and the objects a request names -----------------------------------------------------


def _require_reader(user: Any) -> None:
    """Inspectors and those who set up teams, or a team's members; any other role is refused (403)."""
    if has_perm(user, Perm.INSPECT) or has_perm(user, Perm.MANAGE_TEAMS):
        return
    if not selectors.teams_visible_to(user).exists():
        raise NotPermitted()


def _aware(moment: datetime) -> datetime:
    """A time given without an offset is Hà Nội time."""
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=HANOI)


def _aware_or_none(moment: datetime | None) -> datetime | None:
    return _aware(moment) if moment is not None else None


def _unit(code: str, field: str) -> Any:
    unit = territory.unit_by_code(code)
    if unit is None:
        raise InvalidInput(_("There is no unit with the code “%(code)s”.") % {"code": code}, field=field)
    return unit


def _area(code: str) -> Any:
    area = territory.area_by_code(code)
    if area is None:
        raise InvalidInput(_("There is no residential area “%(code)s”.") % {"code": code}, field="area")
    return area


def _member_user(username: str | None) -> Any:
    if not username:
        return None
    user = user_by_username(username)
    if user is None:
        raise InvalidInput(_("There is no account “%(name)s”.") % {"name": username}, field="members")
    return user


def _business_for(team: InspectionTeam, pk: int) -> Any:
    """A business within the unit that set the team up; the service then checks its area of work."""
    found = business_selectors.businesses_affected_by(team.home_unit).filter(pk=pk).first()
    if found is None:
        raise OutsideAreaOfWork(
            _("There is no business %(id)s within the area of work of %(team)s.")
            % {"id": pk, "team": team.name},
            field="business",
        )
    return found


def _inspection(request: HttpRequest, pk: int) -> Inspection:
    _require_reader(request.user)
    return selectors.inspection_for(request.user, pk)


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return shapes.inspection_detail(selectors.inspection_for(request.user, pk))


def _day(text: str, field: str, default: date) -> date:
    if not text.strip():
        return default
    day = read_local_date(text)
    if day is None:
        raise InvalidInput(_("Give the date as YYYY-MM-DD or dd/mm/yyyy, e.g. 2021-09-08."), field=field)
    return day


def _unit_in_view(user: Any, code: str) -> Any:
    """A unit whose figures the user may read: within their units for inspecting or setting up teams."""
    _require_reader(user)
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    if not (covers(user, unit.path, Perm.INSPECT) or covers(user, unit.path, Perm.MANAGE_TEAMS)):
        log_out_of_scope(user, "territory.unit", unit.pk, unit.path)
        raise Http404
    return unit


# Reference ---------------------------------------------------------------------------------------


@router.get(
    "/violation-kinds",
    url_name="inspections_violation_kinds",
    response=list[ViolationKindOut],
    summary="The kinds of violation, their legal basis (Decree 117/2020/NĐ-CP) and fine bands",
)
def list_violation_kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [shapes.kind_out(k) for k in selectors.violation_kinds()]


# Teams -------------------------------------------------------------------------------------------


@router.get("/teams", url_name="inspections_teams", response=list[TeamOut], summary="Teams we may read")
def list_teams(request: HttpRequest) -> list[dict[str, Any]]:
    _require_reader(request.user)
    return [shapes.team_out(t) for t in selectors.teams_visible_to(request.user)[:500]]


@router.post(
    "/teams",
    url_name="inspections_teams",
    response={201: TeamDetailOut},
    summary="Set up a team by its decision, with its members and area of work",
)
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.MANAGE_TEAMS)
    team = services.create_team(
        by=request.user,
        name=payload.name,
        level=payload.level,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        home_unit=_unit(payload.home_unit, "home_unit"),
        area_units=[_unit(code, "area_units") for code in dict.fromkeys(payload.area_units)],
        members=[
            services.MemberSpec(m.name, m.title, m.role, user=_member_user(m.username))
            for m in payload.members
        ],
        active_from=_aware(payload.active_from),
        active_until=_aware_or_none(payload.active_until),
    )
    return 201, shapes.team_detail(selectors.team_for(request.user, team.pk))


@router.get(
    "/teams/{int:pk}",
    url_name="inspections_team",
    response=TeamDetailOut,
    summary="A team with its members and area of work",
)
def get_team(request: HttpRequest, pk: Pk) -> dict[str, Any]:
    _require_reader(request.user)
    return shapes.team_detail(selectors.team_for(request.user, pk))


@router.post(
    "/teams/{int:pk}/inspections",
    url_name="inspections_plan",
    response={200: InspectionDetailOut, 201: InspectionDetailOut},
    summary="Plan an inspection (a surprise one is not announced) in the team's area of work",
    description="201 with the inspection planned; with an `Idempotency-Key` header, a retry answers 200 "
    "with the inspection the key first planned.",
)
def plan_inspection(request: HttpRequest, pk: Pk, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request)
    _require_reader(request.user)
    team = selectors.team_for(request.user, pk)
    business = _business_for(team, payload.business) if payload.business is not None else None
    inspection = services.plan_inspection(
        by=request.user,
        team=team,
        target_kind=payload.target_kind,
        business=business,
        unit=_unit(payload.unit, "unit") if payload.unit else None,
        area=_area(payload.area) if payload.area else None,
        label=payload.label,
        surprise=payload.surprise,
        scheduled_at=_aware_or_none(payload.scheduled_at),
        idempotency_key=key or None,
    )
    return (201 if inspection.created_now else 200), _detail(request, inspection.pk)


# Inspections -------------------------------------------------------------------------------------


@router.get(
    "",
    url_name="inspections_list",
    response=list[InspectionOut],
    summary="Inspections within our units and of our teams, latest first",
)
def list_inspections(request: HttpRequest, filters: Query[InspectionQuery]) -> list[dict[str, Any]]:
    _require_reader(request.user)
    found = selectors.inspections_for(request.user)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.kind:
        found = found.filter(target_kind=filters.kind)
    if filters.surprise is not None:
        found = found.filter(surprise=filters.surprise)
    if filters.team:
        found = found.filter(team=filters.team)
    if filters.business:
        found = found.filter(business=filters.business)
    return [shapes.inspection_out(i) for i in found[: filters.limit]]


@router.get(
    "/{int:pk}",
    url_name="inspections_detail",
    response=InspectionDetailOut,
    summary="An inspection with its checklist, findings and violations",
)
def get_inspection(request: HttpRequest, pk: Pk) -> dict[str, Any]:
    return shapes.inspection_detail(_inspection(request, pk))


@router.post(
    "/{int:pk}/start",
    url_name="inspections_start",
    response=InspectionDetailOut,
    summary="The team arrives",
)
def start_inspection(request: HttpRequest, pk: Pk, payload: VersionIn) -> dict[str, Any]:
    inspection = _inspection(request, pk)
    services.start_inspection(by=request.user, inspection=inspection, version=payload.version)
    return _detail(request, pk)


@router.post(
    "/{int:pk}/cancel",
    url_name="inspections_cancel",
    response=InspectionDetailOut,
    summary="Call off a planned inspection, saying why",
)
def cancel_inspection(request: HttpRequest, pk: Pk, payload: CancelIn) -> dict[str, Any]:
    inspection = _inspection(request, pk)
    services.cancel_inspection(
        by=request.user, inspection=inspection, reason=payload.reason, version=payload.version
    )
    return _detail(request, pk)


@router.post(
    "/{int:pk}/findings",
    url_name="inspections_findings",
    response=InspectionDetailOut,
    summary="Record (or correct) checklist items as found; sending them again changes nothing",
)
def record_findings(request: HttpRequest, pk: Pk, payload: FindingsIn) -> dict[str, Any]:
    inspection = _inspection(request, pk)
    services.record_findings(
        by=request.user,
        inspection=inspection,
        findings=[services.FindingInput(f.item_code, f.ok, f.note) for f in payload.findings],
    )
    return _detail(request, pk)


@router.post(
    "/{int:pk}/findings/photo",
    url_name="inspections_finding_photo",
    response=InspectionDetailOut,
    summary="Record one checklist item with a photo (multipart: item_code, ok, note, photo)",
)
def record_finding_photo(
    request: HttpRequest, pk: Pk, data: Form[FindingPhotoIn], photo: File[UploadedFile]
) -> dict[str, Any]:
    inspection = _inspection(request, pk)
    # Ninja reads only the declared form fields; refuse the others as the JSON inputs do.
    unknown = sorted(set(request.POST) - set(FindingPhotoIn.model_fields) - {"csrfmiddlewaretoken"})
    if unknown:
        raise InvalidInput(_("Unknown field: %(field)s.") % {"field": unknown[0]}, field=unknown[0])
    finding = services.FindingInput(data.item_code, data.ok, data.note, photo=photo)
    services.record_findings(by=request.user, inspection=inspection, findings=[finding])
    return _detail(request, pk)


@router.post(
    "/{int:pk}/violations",
    url_name="inspections_violations",
    response={200: ViolationOut, 201: ViolationOut},
    summary="Record a violation with its fine and measures (201; a retry answers 200 with the same one)",
    description="The fine must lie in the kind's legal band for the offender (an organisation's is "
    "twice an individual's); a suspension or closure suspends the business's plan, and a closure "
    "shuts it until a re-inspection passes. The decision number identifies the violation within "
    "the inspection: a retry with the same values returns it; other values under the same number "
    "answer 409.",
)
def record_violation(request: HttpRequest, pk: Pk, payload: ViolationIn) -> tuple[int, dict[str, Any]]:
    header_key(request)  # checked; the decision number is what makes a retry return the same row
    inspection = _inspection(request, pk)
    violation = services.record_violation(
        by=request.user,
        inspection=inspection,
        kind=payload.kind,
        offender=payload.offender,
        offender_name=payload.offender_name,
        fine_amount=payload.fine_amount,
        measures=payload.measures,
        decision_number=payload.decision_number,
        responsible_person=payload.responsible_person,
    )
    created = violation.created_now
    fresh = selectors.violations_of(inspection).select_related("decided_by").get(pk=violation.pk)
    return (201 if created else 200), shapes.violation_out(fresh)


@router.post(
    "/{int:pk}/finish",
    url_name="inspections_finish",
    response=InspectionDetailOut,
    summary="Close the visit with its result; a passing re-inspection reopens a closed business",
)
def finish_inspection(request: HttpRequest, pk: Pk, payload: FinishIn) -> dict[str, Any]:
    inspection = _inspection(request, pk)
    services.finish_inspection(
        by=request.user, inspection=inspection, summary=payload.summary, version=payload.version
    )
    return _detail(request, pk)


@router.post(
    "/{int:pk}/reinspections",
    url_name="inspections_reinspect",
    response={200: InspectionDetailOut, 201: InspectionDetailOut},
    summary="Plan the re-inspection of a failed inspection, on the same target",
    description="201 with the re-inspection planned; with an `Idempotency-Key` header, a retry answers "
    "200 with the re-inspection the key first planned.",
)
def plan_reinspection(request: HttpRequest, pk: Pk, payload: ReinspectionIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request)
    earlier = _inspection(request, pk)
    team = selectors.team_for(request.user, payload.team) if payload.team is not None else earlier.team
    again = services.plan_reinspection(
        by=request.user,
        team=team,
        of=earlier,
        surprise=payload.surprise,
        scheduled_at=_aware_or_none(payload.scheduled_at),
        idempotency_key=key or None,
    )
    return (201 if again.created_now else 200), _detail(request, again.pk)


# Follow-up and accountability (S31) --------------------------------------------------------------


@router.get(
    "/overdue",
    url_name="inspections_overdue",
    response=list[OverdueOut],
    summary="Violations within our units whose re-inspection is overdue, the longest overdue first",
)
def list_overdue(request: HttpRequest) -> list[dict[str, Any]]:
    _require_reader(request.user)
    return [shapes.overdue_out(v) for v in selectors.overdue_reinspections(request.user)]


@router.get(
    "/accountability",
    url_name="inspections_accountability",
    response=AccountabilityOut,
    by_alias=True,
    summary="A unit's figures over a period: inspections, violations by kind, fines, closures, repeats",
    description="`from` and `to` are local days (both included); `from` defaults to the first day of "
    "the month of `to`, `to` to today.",
)
def get_accountability(request: HttpRequest, filters: Query[AccountabilityQuery]) -> dict[str, Any]:
    unit = _unit_in_view(request.user, filters.unit)
    last = _day(filters.to, "to", local_date(now()))
    first = _day(filters.from_, "from", last.replace(day=1))
    if last < first:
        raise InvalidInput(_("The period ends before it starts."), field="to")
    if last - first > LONGEST_PERIOD:
        raise InvalidInput(_("Ask for at most five years at a time."), field="from")
    start = at_local(first, datetime.min.time())
    end = at_local(last + timedelta(days=1), datetime.min.time())
    figures = selectors.accountability(unit, start, end)
    return shapes.accountability_out(unit, first, last, figures)
