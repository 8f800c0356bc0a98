"""The situation-report API: submissions, corrections, acceptance, timeliness, tables, roll-ups, urgents.

Every write goes through the same services as the pages. Errors are {"code", "message"} (with "errors"
per field for bad values): 403 for a role that does not report, 404 outside the user's units, 409 when
the slot is closed, the report was accepted or someone changed it first, 422 for bad input. Slots are
named by their local time ("2021-09-08T16:30"; an offset such as +07:00 is accepted); times in answers
are Hà Nội time with their offset. `POST /submissions`, `/submissions/{id}/revisions` and `/urgent`
take an `Idempotency-Key` header: 201 the first time, 200 with the same record on a retry.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR, local_date, local_day_bounds, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.idempotency import header_key
from phaodai.core.schemas import Strict
from phaodai.sitreps import selectors, services
from phaodai.sitreps.models import Schedule, Submission, UrgentReport
from phaodai.sitreps.rules import corrections, on_time_rate
from phaodai.territory import selectors as territory

router = Router(tags=["sitreps"])
CODE_MAX = 40
TEXT_MAX = 10_000
LIST_LIMIT = 200


# Input -------------------------------------------------------------------------------------------


class SubmissionIn(Strict):
    schedule: str = Field(max_length=CODE_MAX, description="Schedule code, e.g. ward-daily-1630")
    unit: str = Field(max_length=CODE_MAX, description="Reporting unit's code, e.g. 00139")
    slot: str = Field(max_length=40, description="The slot's local time, e.g. 2021-09-08T16:30")
    values: dict[str, Any] = Field(max_length=200, description="{field code: value}")


class CorrectionIn(Strict):
    values: dict[str, Any] = Field(max_length=200)
    reason: str = Field(max_length=TEXT_MAX)
    version: int | None = Field(None, ge=1, description="The version you read (compare-and-set)")


class VersionIn(Strict):
    version: int | None = Field(None, ge=1, description="The version you read; omit to act on the latest")


class ReopenIn(VersionIn):
    reason: str = Field(max_length=TEXT_MAX)


class UrgentIn(Strict):
    unit: str = Field(max_length=CODE_MAX)
    severity: str = Field(max_length=20, description="high or critical")
    subject: str = Field(max_length=1000)
    body: str = Field(max_length=TEXT_MAX)


class SubmissionQuery(Schema):
    schedule: str = Field("", max_length=CODE_MAX)
    unit: str = Field("", max_length=CODE_MAX)
    date: str = Field("", max_length=20, description="A local date, YYYY-MM-DD")
    limit: int = Field(100, ge=1, le=LIST_LIMIT)


# Output ------------------------------------------------------------------------------------------


class Correction(Schema):
    prefilled: Any
    reported: Any


class SubmissionOut(Schema):
    id: int
    schedule: str
    unit: str
    unit_name: str
    receiver: str
    slot: datetime
    deadline: datetime
    status: str
    timeliness: Literal["on_time", "late"]
    on_time: bool
    submitted_at: datetime
    accepted_at: datetime | None
    revision: int
    version: int
    values: dict[str, Any]
    prefilled: dict[str, Any]
    corrections: dict[str, Correction]
    rolled_up_from: list[str]


class RevisionOut(Schema):
    number: int
    values: dict[str, Any]
    reason: str
    by: str
    at: datetime


class ReopeningOut(Schema):
    reason: str
    by: str
    at: datetime


class SubmissionDetail(SubmissionOut):
    revisions: list[RevisionOut]
    reopenings: list[ReopeningOut]


class SlotOut(Schema):
    name: str
    at: str = Field(description="Local time, HH:MM")
    deadline: str


class CurrentSlotOut(Schema):
    slot: datetime
    deadline: datetime
    opens_at: datetime
    state: str


class ScheduleOut(Schema):
    code: str
    name: str
    form: str
    reporter_level: str
    scope: str
    source: str | None
    grace_minutes: int
    lock_after_hours: int
    open_hours_before: int
    slots: list[SlotOut]
    current: CurrentSlotOut | None
    reports_for: list[str] = Field(description="Units the user submits this schedule's reports for")
    units_in_view: int = Field(description="Reporting units the user sees")


class TimelinessOut(Schema):
    slot: datetime
    deadline: datetime
    expected: int
    on_time: int
    late: int
    missing: int
    missing_units: list[str]
    late_units: list[str]
    state: str


class FieldOut(Schema):
    code: str
    label: str
    kind: str
    unit_label: str
    rollup: str
    required: bool


class SlotRowOut(Schema):
    unit: str
    unit_name: str
    submission: int | None
    on_time: bool | None
    status: str | None
    values: dict[str, Any] | None


class SlotTableOut(Schema):
    schedule: str
    slot: datetime
    deadline: datetime
    fields: list[FieldOut]
    rows: list[SlotRowOut]
    total: dict[str, Any]


class RollupSourceOut(Schema):
    unit: str
    unit_name: str
    submission: int
    slot: datetime
    submitted_at: datetime


class RollupOut(Schema):
    schedule: str
    unit: str
    slot: datetime
    values: dict[str, Any]
    sources: list[RollupSourceOut]
    missing: list[str]


class WeekOut(Schema):
    week_start: date
    expected: int
    on_time: int
    late: int
    rate: float | None


class TrendOut(Schema):
    unit: str
    unit_name: str
    weeks: list[WeekOut]


class UrgentOut(Schema):
    id: int
    unit: str
    unit_name: str
    receiver: str
    severity: str
    subject: str
    body: str
    reported_at: datetime
    acknowledged_at: datetime | None


# Shaping and look-ups ----------------------------------------------------------------------------


def _local(moment: datetime | None) -> datetime | None:
    return to_local(moment) if moment is not None else None


def _submission(s: Submission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "schedule": s.schedule.code,
        "unit": s.unit.code,
        "unit_name": s.unit.full_name,
        "receiver": s.receiver.code,
        "slot": to_local(s.slot_at),
        "deadline": to_local(s.deadline_at),
        "status": s.status,
        "timeliness": "on_time" if s.on_time else "late",
        "on_time": s.on_time,
        "submitted_at": to_local(s.submitted_at),
        "accepted_at": _local(s.accepted_at),
        "revision": s.revision,
        "version": s.version,
        "values": s.values,
        "prefilled": s.prefilled,
        "corrections": {
            code: {"prefilled": known, "reported": reported}
            for code, (known, reported) in corrections(s.prefilled, s.values).items()
        },
        "rolled_up_from": s.rolled_up_from,
    }


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    s = selectors.submission_for(request.user, pk)
    return {
        **_submission(s),
        "revisions": [
            {
                "number": r.number,
                "values": r.values,
                "reason": r.reason,
                "by": r.by.username,
                "at": to_local(r.at),
            }
            for r in selectors.revisions_of(s)
        ],
        "reopenings": [
            {"reason": r.reason, "by": r.by.username, "at": to_local(r.at)}
            for r in selectors.reopenings_of(s)
        ],
    }


def _urgent(report: UrgentReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "unit": report.unit.code,
        "unit_name": report.unit.full_name,
        "receiver": report.receiver.code,
        "severity": report.severity,
        "subject": report.subject,
        "body": report.body,
        "reported_at": to_local(report.reported_at),
        "acknowledged_at": _local(report.acknowledged_at),
    }


def _unit(code: str) -> Any:
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    return unit


def _day(text: str, field: str = "date") -> date:
    """A local date given as YYYY-MM-DD (today in Hà Nội when empty)."""
    if not text.strip():
        return local_date(now())
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(_("Give the date as YYYY-MM-DD, e.g. 2021-09-08."), field=field) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(_("The date is not plausible."), field=field)
    return day


def _schedule_for_reader(request: HttpRequest, code: str) -> Schedule:
    selectors.require_reader(request.user)
    return selectors.schedule_by_code(code)


# Submissions -------------------------------------------------------------------------------------


@router.post(
    "/submissions",
    url_name="sitreps_submissions",
    response={200: SubmissionOut, 201: SubmissionOut},
    summary="Submit a unit's report for a slot (201; a retry answers 200 with the same report)",
)
def submit(request: HttpRequest, payload: SubmissionIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.SUBMIT_REPORTS)
    key = header_key(request)
    unit = _unit(payload.unit)
    schedule = selectors.schedule_by_code(payload.schedule)
    instance = selectors.parse_slot(schedule, payload.slot)
    reporter = selectors.is_reporter(schedule, unit)
    submission, created = services.submit_report(
        by=request.user,
        schedule=schedule,
        unit=unit,
        instance=instance,
        values=payload.values,
        prefilled=selectors.prefilled_values(schedule, unit, instance) if reporter else {},
        idempotency_key=key,
    )
    # The deadline rush is this endpoint's load: answer from the objects at hand, not by reading back.
    submission.schedule, submission.unit = schedule, unit
    if submission.receiver_id == unit.parent_id:
        submission.receiver = unit.parent
    return (201 if created else 200), _submission(submission)


@router.get(
    "/submissions",
    url_name="sitreps_submissions",
    response=list[SubmissionOut],
    summary="Reports of the user's units, newest slot first (filter by schedule, unit, local date)",
)
def list_submissions(request: HttpRequest, filters: Query[SubmissionQuery]) -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    queryset = selectors.submissions_in_view(request.user)
    if filters.schedule:
        queryset = queryset.filter(schedule=selectors.schedule_by_code(filters.schedule))
    if filters.unit:
        queryset = queryset.filter(
            unit_path__startswith=selectors.unit_in_view(request.user, filters.unit).path
        )
    if filters.date:
        start, end = local_day_bounds(_day(filters.date))
        queryset = queryset.filter(slot_at__gte=start, slot_at__lt=end)
    return [_submission(s) for s in queryset[: filters.limit]]


@router.get(
    "/submissions/{pk}",
    url_name="sitreps_submission",
    response=SubmissionDetail,
    summary="A report with every revision and reopening",
)
def get_submission(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _detail(request, pk)


@router.post(
    "/submissions/{pk}/revisions",
    url_name="sitreps_correct",
    response={200: SubmissionDetail, 201: SubmissionDetail},
    summary="Correct a report with a reason (201; a retry with the same Idempotency-Key answers 200)",
)
def correct(request: HttpRequest, pk: int, payload: CorrectionIn) -> tuple[int, dict[str, Any]]:
    key = header_key(request)
    submission = selectors.submission_for(request.user, pk)
    _updated, created = services.correct_report(
        by=request.user,
        submission=submission,
        values=payload.values,
        reason=payload.reason,
        version=payload.version,
        idempotency_key=key,
    )
    return (201 if created else 200), _detail(request, pk)


@router.post(
    "/submissions/{pk}/accept",
    url_name="sitreps_accept",
    response=SubmissionDetail,
    summary="The receiving level accepts a report (locked until reopened); 409 if accepted meanwhile",
)
def accept(request: HttpRequest, pk: int, payload: VersionIn | None = None) -> dict[str, Any]:
    submission = selectors.submission_for(request.user, pk)
    services.accept_report(
        by=request.user, submission=submission, version=payload.version if payload else None
    )
    return _detail(request, pk)


@router.post(
    "/submissions/{pk}/reopen",
    url_name="sitreps_reopen",
    response=SubmissionDetail,
    summary="The receiving level reopens an accepted report so the unit can correct it",
)
def reopen(request: HttpRequest, pk: int, payload: ReopenIn) -> dict[str, Any]:
    submission = selectors.submission_for(request.user, pk)
    services.reopen_report(
        by=request.user, submission=submission, reason=payload.reason, version=payload.version
    )
    return _detail(request, pk)


# Schedules ---------------------------------------------------------------------------------------


@router.get(
    "/schedules",
    url_name="sitreps_schedules",
    response=list[ScheduleOut],
    summary="Schedules the user reports on or receives, with their slots and the slot to fill now",
)
def list_schedules(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_reader(request.user)
    shown = []
    for schedule in selectors.schedules():
        units = selectors.units_in_view(schedule, request.user)
        if not units:
            continue
        current = selectors.current_instance(schedule)
        shown.append(
            {
                "code": schedule.code,
                "name": selectors.localized(schedule, "name"),
                "form": schedule.form.code,
                "reporter_level": schedule.reporter_level,
                "scope": schedule.scope.code,
                "source": schedule.source.code if schedule.source_id and schedule.source else None,
                "grace_minutes": schedule.grace_minutes,
                "lock_after_hours": schedule.lock_after_hours,
                "open_hours_before": schedule.open_hours_before,
                "slots": [
                    {
                        "name": selectors.localized(slot, "name"),
                        "at": f"{slot.at:%H:%M}",
                        "deadline": f"{slot.deadline:%H:%M}",
                    }
                    for slot in selectors.slots_of(schedule)
                ],
                "current": None
                if current is None
                else {
                    "slot": to_local(current.timing.slot_at),
                    "deadline": to_local(current.timing.deadline_at),
                    "opens_at": to_local(current.timing.opens_at),
                    "state": current.timing.state(now()),
                },
                "reports_for": [unit.code for unit in units if selectors.may_submit_for(request.user, unit)],
                "units_in_view": len(units),
            }
        )
    return shown


@router.get(
    "/schedules/{code}/timeliness",
    url_name="sitreps_timeliness",
    response=list[TimelinessOut],
    summary="Per slot of a local day: expected, on time, late and missing units (under `unit`, if given)",
)
def timeliness(request: HttpRequest, code: str, date: str = "", unit: str = "") -> list[dict[str, Any]]:
    schedule = _schedule_for_reader(request, code)
    day = _day(date)
    within = selectors.unit_in_view(request.user, unit) if unit else None
    return [
        {
            "slot": to_local(report.instance.timing.slot_at),
            "deadline": to_local(report.instance.timing.deadline_at),
            "expected": report.expected,
            "on_time": len(report.on_time),
            "late": len(report.late),
            "missing": len(report.missing),
            "missing_units": [u.code for u in report.missing],
            "late_units": [u.code for u in report.late],
            "state": report.state,
        }
        for report in selectors.timeliness(schedule, day, request.user, within=within)
    ]


@router.get(
    "/schedules/{code}/slots/{slot}",
    url_name="sitreps_slot",
    response=SlotTableOut,
    summary="One slot: each reporting unit's values and their total, rolled up per the form",
)
def slot_table(request: HttpRequest, code: str, slot: str, unit: str = "") -> dict[str, Any]:
    schedule = _schedule_for_reader(request, code)
    instance = selectors.parse_slot(schedule, slot)
    within = selectors.unit_in_view(request.user, unit) if unit else None
    table = selectors.slot_table(schedule, instance, request.user, within=within)
    return {
        "schedule": schedule.code,
        "slot": to_local(instance.timing.slot_at),
        "deadline": to_local(instance.timing.deadline_at),
        "fields": [
            {
                "code": f.code,
                "label": selectors.localized(f, "label"),
                "kind": f.kind,
                "unit_label": selectors.localized(f, "unit_label"),
                "rollup": f.rollup,
                "required": f.required,
            }
            for f in table.fields
        ],
        "rows": [
            {
                "unit": row_unit.code,
                "unit_name": row_unit.full_name,
                "submission": s.pk if s else None,
                "on_time": s.on_time if s else None,
                "status": s.status if s else None,
                "values": s.values if s else None,
            }
            for row_unit, s in table.rows
        ],
        "total": table.total,
    }


@router.get(
    "/schedules/{code}/rollup",
    url_name="sitreps_rollup",
    response=RollupOut,
    summary="The draft of a unit's report rolled up from its reporting units' latest reports",
)
def rollup(request: HttpRequest, code: str, unit: str, slot: str) -> dict[str, Any]:
    schedule = _schedule_for_reader(request, code)
    instance = selectors.parse_slot(schedule, slot)
    target = selectors.unit_in_view(request.user, unit)
    if not selectors.is_reporter(schedule, target):
        raise InvalidInput(_("This unit does not report on this schedule."), field="unit")
    draft = selectors.rollup_draft(schedule, target, instance)
    if draft is None:
        raise InvalidInput(_("This schedule is not rolled up from another one."), field="schedule")
    return {
        "schedule": schedule.code,
        "unit": target.code,
        "slot": to_local(instance.timing.slot_at),
        "values": draft.values,
        "sources": [
            {
                "unit": source_unit.code,
                "unit_name": source_unit.full_name,
                "submission": s.pk,
                "slot": to_local(s.slot_at),
                "submitted_at": to_local(s.submitted_at),
            }
            for source_unit, s in draft.sources
        ],
        "missing": [u.code for u in draft.missing],
    }


@router.get(
    "/schedules/{code}/trend",
    url_name="sitreps_trend",
    response=list[TrendOut],
    summary="Per unit, the on-time rate of each of the last weeks (Monday first)",
)
def trend(
    request: HttpRequest, code: str, weeks: int = Query(6, ge=1, le=26), unit: str = ""
) -> list[dict[str, Any]]:
    schedule = _schedule_for_reader(request, code)
    within = selectors.unit_in_view(request.user, unit) if unit else None
    return [
        {
            "unit": row_unit.code,
            "unit_name": row_unit.full_name,
            "weeks": [
                {
                    "week_start": w.week_start,
                    "expected": w.expected,
                    "on_time": w.on_time,
                    "late": w.late,
                    "rate": on_time_rate(w.on_time, w.expected),
                }
                for w in rates
            ],
        }
        for row_unit, rates in selectors.timeliness_trend(schedule, request.user, weeks=weeks, within=within)
    ]


# Urgent reports ----------------------------------------------------------------------------------


@router.post(
    "/urgent",
    url_name="sitreps_urgent",
    response={200: UrgentOut, 201: UrgentOut},
    summary="Send an urgent report to the level above at once (201; a retry answers 200)",
)
def report_urgent(request: HttpRequest, payload: UrgentIn) -> tuple[int, dict[str, Any]]:
    require_perm(request.user, Perm.SUBMIT_REPORTS)
    key = header_key(request)
    report, created = services.report_urgent(
        by=request.user,
        unit=_unit(payload.unit),
        severity=payload.severity,
        subject=payload.subject,
        body=payload.body,
        idempotency_key=key,
    )
    return (201 if created else 200), _urgent(selectors.urgent_report_for(request.user, report.pk))


@router.get(
    "/urgent",
    url_name="sitreps_urgent",
    response=list[UrgentOut],
    summary="Urgent reports the user's units sent or receive, newest first",
)
def list_urgent(request: HttpRequest, limit: int = Query(100, ge=1, le=LIST_LIMIT)) -> list[dict[str, Any]]:
    return [_urgent(report) for report in selectors.urgent_reports_for(request.user)[:limit]]


@router.post(
    "/urgent/{pk}/acknowledge",
    url_name="sitreps_acknowledge_urgent",
    response=UrgentOut,
    summary="The receiving level acknowledges an urgent report (the first acknowledgement stands)",
)
def acknowledge_urgent(request: HttpRequest, pk: int) -> dict[str, Any]:
    report = selectors.urgent_report_for(request.user, pk)
    services.acknowledge_urgent(by=request.user, report=report)
    return _urgent(selectors.urgent_report_for(request.user, pk))
