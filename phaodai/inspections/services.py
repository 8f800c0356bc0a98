"""Writes about inspections (S31): teams, planned and surprise inspections, findings, violations, closures.

Actors are checked before the transaction (a refused attempt stays logged). Each step on an inspection
is a compare-and-set on its status (and version, when given), so of two concurrent attempts one wins
and the other gets a conflict; each write and its audit entry share one transaction, and a violation's
suspension of the business's plan and its closure are written with it or not at all. A team is changed
only from the version its editor read (compare-and-set on updated_at). Planning takes an idempotency key
(a page's form token, the API's Idempotency-Key): the same request sent again returns the first
inspection, even when two copies race.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.business import selectors as business_selectors
from phaodai.business import services as business_services
from phaodai.business.errors import PlanChanged, PlanNotOpen
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc, vnd
from phaodai.inspections import rules, selectors
from phaodai.inspections.errors import (
    AreaOutsideHomeUnit,
    ChecklistIncomplete,
    FineOutsideBand,
    InspectionChanged,
    InspectionNotOpen,
    InvalidFollowUp,
    InvalidTarget,
    KeyAlreadyUsed,
    MeasureNotAllowed,
    NoChecklist,
    NotOnTeam,
    OutsideAreaOfWork,
    PhotoTooLarge,
    TeamChanged,
    TeamNotActive,
    UnknownItem,
    UnknownViolationKind,
    UnsupportedPhoto,
    WrongTeamLevel,
)
from phaodai.inspections.models import (
    Closure,
    Finding,
    Inspection,
    InspectionTeam,
    TargetKind,
    TeamMember,
    Violation,
)

TEAM_TYPE = "inspections.inspectionteam"
KEY_MAX = 80  # Inspection.idempotency_key
INSPECTION_TYPE = "inspections.inspection"
Status = Inspection.Status
TEAM_UNIT_LEVEL: dict[str, str] = {
    InspectionTeam.Level.CITY: "city",
    InspectionTeam.Level.DISTRICT: "district",
    InspectionTeam.Level.INTERDISCIPLINARY: "district",
}


def _text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    cleaned = nfc(value or "")
    if (required and not cleaned) or len(cleaned) > limit:
        raise InvalidInput(field=field)
    return cleaned


def _vnd(amount: int) -> str:
    return vnd(amount) + " đ"


# Teams -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSpec:
    """A member as the team's decision names them."""

    name: str
    title: str = ""
    role: str = TeamMember.Role.MEMBER
    user: Any = None


def create_team(
    *,
    by: Any,
    name: str,
    level: str,
    decision_number: str,
    decision_date: date,
    home_unit: Any,
    area_units: Sequence[Any],
    members: Sequence[MemberSpec] = (),
    active_from: datetime,
    active_until: datetime | None = None,
    clock: Clock = now,
) -> InspectionTeam:
    """Set up a team by its decision, with its members and area of work within the home unit."""
    require_within(
        by, Perm.MANAGE_TEAMS, path=home_unit.path, object_type="territory.unit", object_id=home_unit.pk
    )
    if level not in InspectionTeam.Level.values:
        raise InvalidInput(field="level")
    if home_unit.level != TEAM_UNIT_LEVEL[level]:
        raise WrongTeamLevel(field="level")
    cleaned_name = _text(name, "name", 200)
    number = _text(decision_number, "decision_number", 60)
    _check_area(home_unit, area_units)
    _check_period(active_from, active_until)
    cleaned_members = [_member(spec) for spec in members]
    try:
        with transaction.atomic():
            team = InspectionTeam.objects.create(
                name=cleaned_name,
                level=level,
                decision_number=number,
                decision_date=decision_date,
                home_unit=home_unit,
                path=home_unit.path,
                active_from=active_from,
                active_until=active_until,
            )
            team.area_units.set(area_units)
            TeamMember.objects.bulk_create(TeamMember(team=team, **fields) for fields in cleaned_members)
            audit.record(
                actor=by,
                action="inspections.create_team",
                object_type=TEAM_TYPE,
                object_id=team.pk,
                unit_path=team.path,
                after={
                    "level": level,
                    "decision": number,
                    "area": sorted(u.code for u in area_units),
                    "members": len(cleaned_members),
                },
                clock=clock,
            )
    except IntegrityError:
        raise Duplicate(_("This decision already set up a team of this name."), field="name") from None
    return team


def update_team(
    *,
    by: Any,
    team: InspectionTeam,
    seen: datetime,
    name: str,
    decision_number: str,
    decision_date: date,
    area_units: Sequence[Any],
    members: Sequence[MemberSpec] = (),
    active_from: datetime,
    active_until: datetime | None = None,
    clock: Clock = now,
) -> InspectionTeam:
    """Change a team as its unit decided: its decision, name, period, area of work and members.

    Its level and home unit are its identity (a new decision makes a new team). `seen` is the team's
    `updated_at` as the editor read it: if someone changed the team since, nothing is overwritten.
    """
    require_within(by, Perm.MANAGE_TEAMS, path=team.path, object_type=TEAM_TYPE, object_id=team.pk)
    cleaned_name = _text(name, "name", 200)
    number = _text(decision_number, "decision_number", 60)
    _check_area(team.home_unit, area_units)
    _check_period(active_from, active_until)
    cleaned_members = [_member(spec) for spec in members]
    before = {
        "decision": team.decision_number,
        "area": sorted(u.code for u in team.area_units.all()),
        "members": team.members.count(),
    }
    try:
        with transaction.atomic():
            # Compare-and-set on the version the editor saw: of two concurrent edits, one wins.
            claimed = InspectionTeam.objects.filter(pk=team.pk, updated_at=seen).update(
                name=cleaned_name,
                decision_number=number,
                decision_date=decision_date,
                active_from=active_from,
                active_until=active_until,
                updated_at=timezone.now(),
            )
            if not claimed:
                raise TeamChanged()
            team.area_units.set(area_units)
            TeamMember.objects.filter(team=team.pk).delete()
            TeamMember.objects.bulk_create(TeamMember(team=team, **fields) for fields in cleaned_members)
            audit.record(
                actor=by,
                action="inspections.update_team",
                object_type=TEAM_TYPE,
                object_id=team.pk,
                unit_path=team.path,
                before=before,
                after={
                    "decision": number,
                    "area": sorted(u.code for u in area_units),
                    "members": len(cleaned_members),
                },
                clock=clock,
            )
    except IntegrityError:
        raise Duplicate(_("This decision already set up a team of this name."), field="name") from None
    return InspectionTeam.objects.select_related("home_unit").get(pk=team.pk)


def _check_area(home_unit: Any, area_units: Sequence[Any]) -> None:
    """The area of work: at least one unit, each within the home unit (so within the actor's units)."""
    if not area_units:
        raise InvalidInput(_("Name at least one unit of the team's area of work."), field="area_units")
    for unit in area_units:
        if not unit.path.startswith(home_unit.path):
            raise AreaOutsideHomeUnit(
                _("%(unit)s is outside %(home)s, which set up the team.")
                % {"unit": unit.full_name, "home": home_unit.full_name},
                field="area_units",
            )


def _check_period(active_from: datetime, active_until: datetime | None) -> None:
    if not plausible(active_from):
        raise InvalidInput(field="active_from")
    if active_until is not None and (not plausible(active_until) or active_until <= active_from):
        raise InvalidInput(_("The end of the period must come after its start."), field="active_until")


def _member(spec: MemberSpec) -> dict[str, Any]:
    if spec.role not in TeamMember.Role.values:
        raise InvalidInput(field="members")
    if spec.user is not None and not selectors.may_join_team(spec.user):
        raise InvalidInput(
            _("%(name)s is not an inspector: link only inspectors' accounts.") % {"name": spec.user.username},
            field="members",
        )
    return {
        "name": _text(spec.name, "members", 120),
        "title": _text(spec.title, "members", 200, required=False),
        "role": spec.role,
        "user": spec.user,
    }


def _require_team_actor(by: Any, team: InspectionTeam) -> None:
    """A member of the team, or an inspector of its home unit; anyone else is refused, saying why."""
    if selectors.may_act_for(by, team):
        return
    if not (has_perm(by, Perm.INSPECT) or has_perm(by, Perm.MANAGE_TEAMS)):
        raise NotPermitted()
    raise NotOnTeam(
        _("Only the members of %(team)s, or inspectors of its unit, act for it.") % {"team": team.name}
    )


def _require_active(team: InspectionTeam, at: datetime) -> None:
    if not selectors.is_active(team, at):
        raise TeamNotActive(
            _("%(team)s is not active at that time (decision %(number)s).")
            % {"team": team.name, "number": team.decision_number},
            field="scheduled_at",
        )


# Targets ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str
    unit: Any
    label: str
    business: Any = None
    area: Any = None

    @property
    def path(self) -> str:
        return str(self.unit.path)


def _target(kind: str, business: Any, unit: Any, area: Any, label: str) -> Target:
    if kind not in TargetKind.values:
        raise InvalidTarget(field="target_kind")
    if kind == TargetKind.BUSINESS:
        if business is None:
            raise InvalidTarget(_("Choose the business to inspect."), field="business")
        return Target(kind, business.unit, business.name, business=business, area=business.area)
    if business is not None or unit is None:
        raise InvalidTarget(field="unit")
    if area is not None and area.ward_id != unit.pk:
        raise InvalidTarget(_("This residential area is not in the chosen ward."), field="area")
    if kind == TargetKind.RESIDENTIAL_AREA and area is None:
        raise InvalidTarget(_("Choose the residential area to inspect."), field="area")
    cleaned = nfc(label or "") or (area.name if area is not None else "")
    if not cleaned or len(cleaned) > 300:
        raise InvalidTarget(
            _("Name the place inspected (e.g. the market or checkpoint)."), field="target_label"
        )
    return Target(kind, unit, cleaned, area=area)


def _require_in_area(team: InspectionTeam, target: Target) -> None:
    if not rules.within_area(target.path, selectors.area_paths(team)):
        raise OutsideAreaOfWork(
            _("%(target)s (%(unit)s) is outside the area of work of %(team)s (decision %(number)s).")
            % {
                "target": target.label,
                "unit": target.unit.full_name,
                "team": team.name,
                "number": team.decision_number,
            },
            field="team",
        )


# Inspections -----------------------------------------------------------------------------------


def plan_inspection(
    *,
    by: Any,
    team: InspectionTeam,
    target_kind: str,
    business: Any = None,
    unit: Any = None,
    area: Any = None,
    label: str = "",
    surprise: bool = False,
    scheduled_at: datetime | None = None,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> Inspection:
    """Plan an inspection (a surprise one is not announced) of a target in the team's area of work.

    With an idempotency key, a retry (the same key, actor, team and target) returns the inspection
    the key first planned, with `created_now` False; the key reused for anything else is refused.
    """
    _require_team_actor(by, team)
    target = _target(target_kind, business, unit, area, label)
    request = Planning(by, team, target, surprise, scheduled_at, None, _key(idempotency_key))
    return _create(request, clock)


def plan_reinspection(
    *,
    by: Any,
    team: InspectionTeam,
    of: Inspection,
    surprise: bool = False,
    scheduled_at: datetime | None = None,
    idempotency_key: str | None = None,
    clock: Clock = now,
) -> Inspection:
    """Plan the follow-up of a failed inspection, on the same target; the team may be another one.

    An idempotency key makes a retry return the first re-inspection, as for plan_inspection.
    """
    _require_team_actor(by, team)
    earlier = Inspection.objects.select_related("unit", "area", "business").get(pk=of.pk)
    if earlier.status != Status.DONE or earlier.result != Inspection.Result.FAIL:
        raise InvalidFollowUp(
            _("Only a finished inspection that failed is re-inspected."), field="follow_up_of"
        )
    target = Target(earlier.target_kind, earlier.unit, earlier.target_label, earlier.business, earlier.area)
    request = Planning(by, team, target, surprise, scheduled_at, earlier, _key(idempotency_key))
    return _create(request, clock)


@dataclass(frozen=True)
class Planning:
    """One request to plan an inspection, as checked so far."""

    by: Any
    team: InspectionTeam
    target: Target
    surprise: bool
    scheduled_at: datetime | None
    follow_up_of: Inspection | None
    key: str | None


def _key(raw: str | None) -> str | None:
    key = (raw or "").strip()
    if len(key) > KEY_MAX:
        raise InvalidInput(
            _("An idempotency key has at most %(limit)s characters.") % {"limit": KEY_MAX},
            field="idempotency_key",
        )
    return key or None


def _planned_with(key: str) -> Inspection | None:
    return Inspection.objects.filter(idempotency_key=key).first()


def _retry_of(existing: Inspection, request: Planning) -> Inspection:
    """The inspection a key planned, when the request is the same one sent again; else a refusal."""
    target = request.target
    same = (
        existing.planned_by_id == request.by.pk
        and existing.team_id == request.team.pk
        and existing.follow_up_of_id == getattr(request.follow_up_of, "pk", None)
        and existing.target_kind == target.kind
        and existing.business_id == getattr(target.business, "pk", None)
        and existing.unit_id == target.unit.pk
        and existing.area_id == getattr(target.area, "pk", None)
        and existing.target_label == target.label
        and existing.surprise == request.surprise
        # Without a time the service plans "now", which a retry cannot repeat.
        and (request.scheduled_at is None or existing.scheduled_at == request.scheduled_at)
    )
    if not same:
        raise KeyAlreadyUsed(field="idempotency_key")
    existing.created_now = False
    return existing


def _create(request: Planning, clock: Clock) -> Inspection:
    by, team, target = request.by, request.team, request.target
    # A retry is answered before the checks: the team may have ended since the first attempt.
    if request.key is not None and (first := _planned_with(request.key)) is not None:
        return _retry_of(first, request)
    _require_in_area(team, target)
    moment = request.scheduled_at or clock()
    if not plausible(moment):
        raise InvalidInput(field="scheduled_at")
    _require_active(team, moment)
    checklist = selectors.checklist_for(target.kind)
    if checklist is None:
        raise NoChecklist(field="target_kind")
    try:
        with transaction.atomic():
            inspection = Inspection.objects.create(
                team=team,
                checklist=checklist,
                target_kind=target.kind,
                business=target.business,
                unit=target.unit,
                area=target.area,
                target_label=target.label,
                path=target.path,
                surprise=request.surprise,
                follow_up_of=request.follow_up_of,
                scheduled_at=moment,
                planned_by=by,
                idempotency_key=request.key,
            )
            audit.record(
                actor=by,
                action="inspections.plan",
                object_type=INSPECTION_TYPE,
                object_id=inspection.pk,
                unit_path=inspection.path,
                after={
                    "team": team.pk,
                    "target_kind": target.kind,
                    "business": getattr(target.business, "pk", None),
                    "surprise": request.surprise,
                    "follow_up_of": getattr(request.follow_up_of, "pk", None),
                    "scheduled_at": moment.isoformat(),
                },
                clock=clock,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its inspection.
        winner = _planned_with(request.key) if request.key is not None else None
        if winner is None:
            raise
        return _retry_of(winner, request)
    inspection.created_now = True
    return inspection


def _claim(
    inspection: Inspection, statuses: tuple[str, ...], version: int | None, **changes: Any
) -> Inspection:
    """Compare-and-set, in the caller's transaction: move or touch it only from the status it was seen in."""
    seen = Inspection.objects.get(pk=inspection.pk)
    if seen.status not in statuses:
        raise InspectionNotOpen(
            _("This inspection is %(status)s; it cannot be changed this way.")
            % {"status": seen.get_status_display()}
        )
    guard = Q(pk=seen.pk, status=seen.status)
    if version is not None:
        guard &= Q(version=version)
    if not Inspection.objects.filter(guard).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    ):
        raise InspectionChanged()
    return Inspection.objects.select_related("team", "unit", "area", "business", "checklist").get(pk=seen.pk)


def _audit_step(
    by: Any, inspection: Inspection, before: str, action: str, clock: Clock, **after: Any
) -> None:
    audit.record(
        actor=by,
        action=f"inspections.{action}",
        object_type=INSPECTION_TYPE,
        object_id=inspection.pk,
        unit_path=inspection.path,
        before={"status": before},
        after={"status": inspection.status, **after},
        clock=clock,
    )


def start_inspection(
    *, by: Any, inspection: Inspection, version: int | None = None, clock: Clock = now
) -> Inspection:
    """The team arrives: a planned inspection is in progress from now."""
    _require_team_actor(by, inspection.team)
    moment = clock()
    _require_active(inspection.team, moment)
    with transaction.atomic():
        started = _claim(inspection, (Status.PLANNED,), version, status=Status.IN_PROGRESS, started_at=moment)
        _audit_step(by, started, Status.PLANNED, "start", clock, started_at=moment.isoformat())
    return started


def cancel_inspection(
    *, by: Any, inspection: Inspection, reason: str, version: int | None = None, clock: Clock = now
) -> Inspection:
    """Call off a planned inspection, saying why."""
    _require_team_actor(by, inspection.team)
    why = _text(reason, "reason", 2000)
    with transaction.atomic():
        cancelled = _claim(inspection, (Status.PLANNED,), version, status=Status.CANCELLED, summary=why)
        _audit_step(by, cancelled, Status.PLANNED, "cancel", clock)
    return cancelled


# Findings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingInput:
    item_code: str
    ok: bool
    note: str = ""
    photo: UploadedFile | None = None


# Photos are accepted as JPEG or PNG, recognised by the bytes they start with.
_PHOTO_MAGIC = {".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG\r\n\x1a\n"}


def _check_photo(photo: UploadedFile) -> None:
    limit = settings.PHAODAI_MAX_UPLOAD_BYTES
    if photo.size is None or photo.size > limit:
        raise PhotoTooLarge(
            _("The photo is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:.0f}"}, field="photo"
        )
    magic = _PHOTO_MAGIC.get(PurePath(photo.name or "").suffix.lower())
    photo.seek(0)
    head = photo.read(8)
    photo.seek(0)
    if magic is None or not head.startswith(magic):
        raise UnsupportedPhoto(field="photo")


def record_findings(
    *, by: Any, inspection: Inspection, findings: Sequence[FindingInput], clock: Clock = now
) -> list[Finding]:
    """Record (or correct) checklist items as found; sending the same findings again changes nothing."""
    _require_team_actor(by, inspection.team)
    codes = set(inspection.checklist.item_codes)
    for finding in findings:
        if finding.item_code not in codes:
            raise UnknownItem(
                _("“%(code)s” is not on the checklist %(checklist)s.")
                % {"code": finding.item_code, "checklist": inspection.checklist.title},
                field="item_code",
            )
        if not isinstance(finding.ok, bool):
            raise InvalidInput(field="ok")
        _text(finding.note, "note", 4000, required=False)
        if finding.photo is not None:
            _check_photo(finding.photo)
    saved = []
    with transaction.atomic():
        touched = _claim(inspection, (Status.IN_PROGRESS,), None)
        for finding in findings:
            row, _created = Finding.objects.update_or_create(
                inspection=touched,
                item_code=finding.item_code,
                defaults={"ok": finding.ok, "note": nfc(finding.note or ""), "recorded_by": by},
            )
            if finding.photo is not None:
                row.photo.save(PurePath(finding.photo.name or "photo").name, finding.photo, save=True)
            saved.append(row)
        audit.record(
            actor=by,
            action="inspections.record_findings",
            object_type=INSPECTION_TYPE,
            object_id=touched.pk,
            unit_path=touched.path,
            after={"findings": {f.item_code: f.ok for f in findings}},
            clock=clock,
        )
    return saved


# Violations ------------------------------------------------------------------------------------


def _measures_message(problem: str, kind_description: str) -> str:
    code, _sep, measure = problem.partition(":")
    names = {
        rules.WARNING: _("a warning"),
        rules.FINE: _("a fine"),
        rules.SUSPENSION: _("suspension"),
        rules.CLOSURE: _("closure"),
    }
    messages = {
        "unknown": _("“%(measure)s” is not a measure (warning, fine, suspension, closure)."),
        "not_allowed": _("%(measure)s is not allowed for “%(kind)s”."),
        "business_only": _("%(measure)s applies only to a business."),
        "main_penalty": _("Choose either a warning or a fine (exactly one)."),
        "fine_missing": _("Give the amount of the fine."),
        "fine_with_warning": _("A warning carries no fine; choose a fine instead, or leave the amount at 0."),
    }
    text = messages.get(code, str(MeasureNotAllowed.message))
    return text % {"measure": str(names.get(measure, measure)).capitalize(), "kind": kind_description}


def record_violation(
    *,
    by: Any,
    inspection: Inspection,
    kind: str,
    offender: str,
    offender_name: str,
    fine_amount: int,
    measures: Sequence[str],
    decision_number: str,
    responsible_person: str,
    clock: Clock = now,
) -> Violation:
    """Record a violation with its fine (within the legal band) and measures.

    Where the measures stop the business, its approved plan is suspended and, for a closure, the
    business is closed until a re-inspection passes, in the same transaction. The sanction decision's
    number identifies the violation within the inspection: sent again with the same facts, the first
    is returned with `created_now` False (a retry), with other facts it is refused.
    """
    _require_team_actor(by, inspection.team)
    found = selectors.violation_kind(kind)
    if found is None:
        raise UnknownViolationKind(field="kind")
    if offender not in Violation.Offender.values:
        raise InvalidInput(field="offender")
    if isinstance(fine_amount, bool) or not isinstance(fine_amount, int) or fine_amount < 0:
        raise InvalidInput(field="fine_amount")
    spec = selectors.kind_spec(found)
    on_business = inspection.business_id is not None
    problem = rules.measures_problem(spec, measures, fine_amount, on_business=on_business)
    if problem is not None:
        raise MeasureNotAllowed(_measures_message(problem, found.description), field="measures")
    if rules.FINE in measures and not rules.fine_within_band(spec, offender, fine_amount):
        band = spec.band(offender)
        raise FineOutsideBand(
            _(
                "The fine for “%(kind)s” (%(basis)s) is between %(low)s and %(high)s for %(offender)s; "
                "%(amount)s is outside this band."
            )
            % {
                "kind": found.description,
                "basis": found.legal_basis,
                "low": _vnd(band.low),
                "high": _vnd(band.high),
                "offender": _("an organisation") if offender == rules.ORGANISATION else _("an individual"),
                "amount": _vnd(fine_amount),
            },
            field="fine_amount",
        )
    number = _text(decision_number, "decision_number", 60)
    imposed = list(rules.effective_measures(spec, measures, on_business=on_business))
    fields: dict[str, Any] = {
        "kind": found,
        "offender": offender,
        "offender_name": _text(offender_name, "offender_name", 300),
        "fine_amount": fine_amount,
        "measures": imposed,
        "responsible_person": _text(responsible_person, "responsible_person", 120, required=False),
    }
    existing = Violation.objects.filter(inspection=inspection.pk, decision_number=number).first()
    if existing is not None:
        return _same_or_duplicate(existing, fields)
    moment = clock()
    try:
        with transaction.atomic():
            touched = _claim(inspection, (Status.IN_PROGRESS,), None)
            violation = Violation.objects.create(
                inspection=touched,
                decision_number=number,
                decided_at=moment,
                decided_by=by,
                reinspect_by=rules.reinspect_by(moment, imposed),
                path=touched.path,
                **fields,
            )
            _stop_business(by, touched, violation, clock)
            audit.record(
                actor=by,
                action="inspections.record_violation",
                object_type="inspections.violation",
                object_id=violation.pk,
                unit_path=violation.path,
                after={
                    "inspection": touched.pk,
                    "kind": found.code,
                    "offender": offender,
                    "fine": fine_amount,
                    "measures": violation.measures,
                    "plan_suspended": violation.suspended_plan_id,
                },
                clock=clock,
            )
            violation.created_now = True
    except IntegrityError:
        # A concurrent retry with the same decision number won the race.
        existing = Violation.objects.filter(inspection=inspection.pk, decision_number=number).first()
        if existing is None:
            raise
        return _same_or_duplicate(existing, fields)
    return violation


def _same_or_duplicate(existing: Violation, fields: dict[str, Any]) -> Violation:
    same = (
        existing.kind_id == fields["kind"].pk
        and existing.offender == fields["offender"]
        and existing.fine_amount == fields["fine_amount"]
        and existing.measures == fields["measures"]
    )
    if same:
        existing.created_now = False
        return existing  # the same decision sent twice
    raise Duplicate(
        _("This inspection already has a violation under this decision number."), field="decision_number"
    )


def _stop_business(by: Any, inspection: Inspection, violation: Violation, clock: Clock) -> None:
    """Suspend the business's approved plan, and close it, as the violation's measures say."""
    business = inspection.business
    if business is None or not rules.suspends_plan(violation.measures):
        return
    plan = business_selectors.live_plan(business)
    suspended = False
    if plan is not None and plan.status == "approved":
        reason = _("Violation found by %(team)s: %(kind)s (decision %(number)s).") % {
            "team": inspection.team.name,
            "kind": violation.kind.description,
            "number": violation.decision_number,
        }
        try:
            with transaction.atomic():
                business_services.suspend_plan_for_violation(by=by, plan=plan, reason=reason, clock=clock)
        except (PlanChanged, PlanNotOpen):
            pass  # a concurrent violation suspended it a moment ago: suspended it stays
        else:
            suspended = True
            violation.suspended_plan = plan
            violation.save(update_fields=["suspended_plan", "updated_at"])
    # A suspension with no approved plan to suspend stops the business like a closure does.
    if rules.closes_business(violation.measures) or not suspended:
        _close(business, violation, inspection)


def _close(business: Any, violation: Violation, inspection: Inspection) -> None:
    """Close the business until a re-inspection passes, unless it is closed already."""
    if selectors.open_closure(business) is not None:
        return
    try:
        with transaction.atomic():
            Closure.objects.create(
                business=business, violation=violation, path=inspection.path, closed_at=violation.decided_at
            )
    except IntegrityError:
        pass  # a concurrent violation closed it a moment ago (one open closure per business)


def _suspended_by(plan: Any, inspection_id: int | None) -> bool:
    """Whether the plan's standing suspension is the one a violation of that inspection imposed."""
    last = business_selectors.events_of(plan).order_by("-at", "-pk").first()
    if last is None or last.to_status != "suspended":
        return False
    numbers = Violation.objects.filter(suspended_plan=plan.pk, inspection=inspection_id).values_list(
        "decision_number", flat=True
    )
    # The suspension's note ends with "(decision <number>)" in whatever language it was written in.
    return any(f" {number})" in last.note for number in numbers)


# Finishing, and reopening after a re-inspection ------------------------------------------------


def finish_inspection(
    *, by: Any, inspection: Inspection, summary: str = "", version: int | None = None, clock: Clock = now
) -> Inspection:
    """Close the visit with its result; a passing re-inspection reopens a closed business."""
    _require_team_actor(by, inspection.team)
    note = _text(summary, "summary", 20_000, required=False)
    moment = clock()
    with transaction.atomic():
        finished = _claim(
            inspection, (Status.IN_PROGRESS,), version, status=Status.DONE, finished_at=moment, summary=note
        )
        findings = list(finished.findings.values_list("item_code", "ok"))
        missing = rules.missing_items(finished.checklist.item_codes, [code for code, _ok in findings])
        if missing:
            raise ChecklistIncomplete(
                _("Record every item of the checklist before finishing; missing: %(items)s.")
                % {"items": ", ".join(missing)},
                field="findings",
            )
        result = rules.inspection_result([ok for _code, ok in findings], finished.violations.count())
        Inspection.objects.filter(pk=finished.pk).update(result=result)
        finished.result = result
        reopened = False
        if (
            rules.lifts_closure(finished.follow_up_of_id is not None, result)
            and finished.business is not None
        ):
            reopened = _reopen(by, finished, finished.business, clock)
        _audit_step(by, finished, Status.IN_PROGRESS, "finish", clock, result=result, reopened=reopened)
    return finished


def _reopen(by: Any, reinspection: Inspection, business: Any, clock: Clock) -> bool:
    """Lift the closure and put back in force the plan that the followed-up inspection's violations
    stopped — not a closure or suspension that came from elsewhere (another visit, the district)."""
    followed = reinspection.follow_up_of_id
    lifted = Closure.objects.filter(
        business=business.pk, lifted_at__isnull=True, violation__inspection=followed
    ).update(lifted_at=reinspection.finished_at, lifted_by=reinspection, updated_at=timezone.now())
    plan = business_selectors.live_plan(business)
    reinstated = False
    if plan is not None and plan.status == "suspended" and _suspended_by(plan, followed):
        note = _("Re-inspection by %(team)s passed.") % {"team": reinspection.team.name}
        business_services.reinstate_plan_after_reinspection(by=by, plan=plan, note=note, clock=clock)
        reinstated = True
    return bool(lifted) or reinstated
