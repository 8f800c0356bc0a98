"""The COVID-safety plan workflow (S28, S30): draft, submit, approve with conditions, return, reject,
suspend, reinstate, revoke.

Each step is a compare-and-set on the plan's status and version, so of two concurrent attempts exactly
one wins and the other gets a conflict; each appends a PlanEvent and an audit entry in the same
transaction. Actors are checked before the transaction, so a refused attempt stays logged.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.business import rules, selectors
from phaodai.business.errors import (
    InvalidPeriod,
    OutsideDelegation,
    PlanChanged,
    PlanExists,
    PlanNotOpen,
    ReasonRequired,
    SectorForbidden,
)
from phaodai.business.models import Business, PlanEvent, SafetyPlan
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import normalize_phone
from phaodai.core.jurisdiction import covers, log_out_of_scope
from phaodai.core.text import nfc

PLAN_TYPE = "business.safetyplan"
Status = SafetyPlan.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
RELATED = ("business", "business__unit", "business__area", "approving_unit")


# Who may act -----------------------------------------------------------------------------------


def require_acting_for(by: Any, business: Business, *, officials: bool = True) -> None:
    """The business's representative, or (when `officials`) an officer of its ward or above."""
    if selectors.represents(by, business):
        return
    if officials and has_perm(by, Perm.MANAGE_BUSINESSES, within=business.path):
        return
    if has_perm(by, Perm.MANAGE_BUSINESSES, within=business.path):
        raise NotPermitted(_("A plan is submitted by the business's own representative."))
    if not (has_perm(by, Perm.MANAGE_BUSINESSES) or has_perm(by, Perm.REPRESENT_BUSINESS)):
        raise NotPermitted()
    log_out_of_scope(by, "business.business", business.pk, business.path)
    raise OutOfScope()


def _require_approver(by: Any, plan: SafetyPlan) -> None:
    """APPROVE_PLANS over the approving unit (S30): the ward within its delegation, the district above it."""
    if not has_perm(by, Perm.APPROVE_PLANS):
        raise NotPermitted()
    plan = SafetyPlan.objects.select_related("approving_unit").get(pk=plan.pk)  # as stored, not as passed
    if not covers(by, plan.path, Perm.APPROVE_PLANS):
        log_out_of_scope(by, PLAN_TYPE, plan.pk, plan.path)
        raise OutOfScope()
    if not covers(by, plan.approving_unit.path, Perm.APPROVE_PLANS):
        raise OutsideDelegation(
            _("This plan is decided by %(unit)s: it is outside your delegation.")
            % {"unit": plan.approving_unit.full_name}
        )


def approving_unit_for(business: Business, people_on_site: int) -> Any:
    level = rules.approving_level(kind=business.kind, people_on_site=people_on_site)
    return business.unit if level == "ward" else business.unit.parent


# Input -----------------------------------------------------------------------------------------


def _fields(
    *,
    mode: str,
    people_on_site: int,
    measures: str,
    responsible_person: str,
    responsible_phone: str = "",
    shifts: int = 1,
) -> dict[str, Any]:
    """The plan's own fields, cleaned, or InvalidInput naming the first wrong one."""
    if mode not in SafetyPlan.Mode.values:
        raise InvalidInput(field="mode")
    for name, value, low in (("people_on_site", people_on_site, 1), ("shifts", shifts, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= 100_000:
            raise InvalidInput(field=name)
    measures, person = nfc(measures or ""), nfc(responsible_person or "")
    if not measures or len(measures) > 20_000:
        raise InvalidInput(field="measures")
    if not person or len(person) > 120:
        raise InvalidInput(field="responsible_person")
    try:
        phone = normalize_phone(responsible_phone) if (responsible_phone or "").strip() else ""
    except InvalidInput as error:
        raise InvalidInput(error.detail, field="responsible_phone") from None
    return {
        "mode": mode,
        "people_on_site": people_on_site,
        "shifts": shifts,
        "measures": measures,
        "responsible_person": person,
        "responsible_phone": phone,
    }


def _reason(reason: str) -> str:
    cleaned = nfc(reason or "")
    if not cleaned:
        raise ReasonRequired(field="reason")
    return cleaned


# Steps -----------------------------------------------------------------------------------------


def _record(
    by: Any, plan: SafetyPlan, before: str, note: str, action: str, clock: Clock, **after: Any
) -> None:
    PlanEvent.objects.create(
        plan=plan, at=clock(), by=by, from_status=before, to_status=plan.status, note=note
    )
    audit.record(
        actor=by,
        action=f"business.{action}",
        object_type=PLAN_TYPE,
        object_id=plan.pk,
        unit_path=plan.path,
        before={"status": before} if before else None,
        after={"status": plan.status, **after},
        clock=clock,
    )


def _step(
    plan: SafetyPlan,
    statuses: tuple[str, ...],
    version: int | None,
    *,
    by: Any,
    action: str,
    note: str = "",
    clock: Clock,
    **changes: Any,
) -> SafetyPlan:
    """Compare-and-set: move the plan only from the status it was seen in (and at `version`)."""
    seen = SafetyPlan.objects.get(pk=plan.pk)
    if seen.status not in statuses:
        raise PlanNotOpen(
            _("This plan is %(status)s; it cannot be changed this way.")
            % {"status": seen.get_status_display()}
        )
    guard = Q(pk=plan.pk, status=seen.status)
    if version is not None:
        guard &= Q(version=version)
    with transaction.atomic():
        if not SafetyPlan.objects.filter(guard).update(
            version=F("version") + 1, updated_at=timezone.now(), **changes
        ):
            raise PlanChanged()
        moved = SafetyPlan.objects.select_related(*RELATED).get(pk=plan.pk)
        _record(by, moved, seen.status, note, action, clock, **_audited(changes))
    return moved


def _audited(changes: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a change: never the responsible person or their phone."""
    kept = {}
    for key, value in changes.items():
        if key in {"responsible_person", "responsible_phone", "measures", "decided_by"}:
            continue
        kept[key] = value.isoformat() if isinstance(value, datetime) else getattr(value, "pk", value)
    return kept


def _expired(plan: SafetyPlan, at: datetime) -> bool:
    return plan.status == Status.APPROVED and plan.valid_until is not None and plan.valid_until <= at


def draft_plan(*, by: Any, business: Business, clock: Clock = now, **fields: Any) -> SafetyPlan:
    """Start the business's plan (by its representative or an officer for it); one live plan at a time."""
    require_acting_for(by, business)
    cleaned = _fields(**fields)
    existing = selectors.live_plan(business)
    if existing is not None and _expired(existing, clock()):
        # An approved plan past its end makes way for the next one: it is closed as expired.
        _step(
            existing,
            (Status.APPROVED,),
            None,
            by=by,
            action="expire_plan",
            clock=clock,
            status=Status.EXPIRED,
        )
        existing = None
    if existing is not None:
        raise PlanExists(
            _("This business already has a plan (%(status)s); change that one instead.")
            % {"status": existing.get_status_display()}
        )
    try:
        with transaction.atomic():
            plan = SafetyPlan.objects.create(
                business=business,
                path=business.path,
                approving_unit=approving_unit_for(business, cleaned["people_on_site"]),
                **cleaned,
            )
            _record(by, plan, "", "", "draft_plan", clock, mode=plan.mode, people=plan.people_on_site)
    except IntegrityError:
        raise PlanExists() from None  # a concurrent draft of the same business won
    return SafetyPlan.objects.select_related(*RELATED).get(pk=plan.pk)


def update_draft(
    *, by: Any, plan: SafetyPlan, version: int | None = None, clock: Clock = now, **fields: Any
) -> SafetyPlan:
    """Change a draft or a returned plan; the approving unit follows the new head-count."""
    require_acting_for(by, plan.business)
    cleaned = _fields(**fields)
    unit = approving_unit_for(plan.business, cleaned["people_on_site"])
    return _step(
        plan, EDITABLE, version, by=by, action="update_plan", clock=clock, approving_unit=unit, **cleaned
    )


def submit_plan(*, by: Any, plan: SafetyPlan, version: int | None = None, clock: Clock = now) -> SafetyPlan:
    """The representative submits to the approving unit; refused, with why, where the sector is forbidden."""
    business = plan.business
    require_acting_for(by, business, officials=False)
    current = SafetyPlan.objects.select_related(*RELATED).get(pk=plan.pk)
    last = current.events.order_by("-at", "-pk").first()
    if current.status == Status.SUBMITTED and last is not None and last.by_id == by.pk:
        return current  # the same submission sent twice
    moment = clock()
    _refuse_forbidden(business, moment)
    unit = approving_unit_for(business, current.people_on_site)
    return _step(
        current,
        EDITABLE,
        version,
        by=by,
        action="submit_plan",
        clock=clock,
        status=Status.SUBMITTED,
        submitted_at=moment,
        approving_unit=unit,
        reason="",
    )


def _refuse_forbidden(business: Business, moment: datetime) -> None:
    answer = selectors.operating_answer(business, moment)
    for (code, _values), sentence in zip(answer.verdict.reasons, answer.reasons, strict=True):
        if code == "forbidden":
            raise SectorForbidden(
                sentence
                + " "
                + _("A plan for this sector cannot be submitted while these measures are in force."),
                field="sector",
            )


def approve_plan(
    *,
    by: Any,
    plan: SafetyPlan,
    conditions: str = "",
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    version: int | None = None,
    clock: Clock = now,
) -> SafetyPlan:
    """Approve a submitted plan, with the conditions the approval sets, valid over a period."""
    _require_approver(by, plan)
    start = valid_from or clock()
    if not plausible(start):
        raise InvalidInput(field="valid_from")
    if valid_until is not None and (not plausible(valid_until) or valid_until <= start):
        raise InvalidPeriod(field="valid_until")
    return _step(
        plan,
        (Status.SUBMITTED,),
        version,
        by=by,
        action="approve_plan",
        note=nfc(conditions or ""),
        clock=clock,
        status=Status.APPROVED,
        conditions=nfc(conditions or ""),
        valid_from=start,
        valid_until=valid_until,
        decided_at=clock(),
        decided_by=by,
        reason="",
    )


def _decide(
    by: Any,
    plan: SafetyPlan,
    reason: str,
    version: int | None,
    clock: Clock,
    *,
    statuses: tuple[str, ...],
    to: str,
    action: str,
) -> SafetyPlan:
    _require_approver(by, plan)
    why = _reason(reason)
    return _step(
        plan,
        statuses,
        version,
        by=by,
        action=action,
        note=why,
        clock=clock,
        status=to,
        reason=why,
        decided_at=clock(),
        decided_by=by,
    )


def return_plan(
    *, by: Any, plan: SafetyPlan, reason: str, version: int | None = None, clock: Clock = now
) -> SafetyPlan:
    """Send a submitted plan back to the business for changes, saying what to change."""
    return _decide(
        by,
        plan,
        reason,
        version,
        clock,
        statuses=(Status.SUBMITTED,),
        to=Status.RETURNED,
        action="return_plan",
    )


def reject_plan(
    *, by: Any, plan: SafetyPlan, reason: str, version: int | None = None, clock: Clock = now
) -> SafetyPlan:
    return _decide(
        by,
        plan,
        reason,
        version,
        clock,
        statuses=(Status.SUBMITTED,),
        to=Status.REJECTED,
        action="reject_plan",
    )


def suspend_plan(
    *, by: Any, plan: SafetyPlan, reason: str, version: int | None = None, clock: Clock = now
) -> SafetyPlan:
    """Suspend an approved plan (e.g. after a violation): the business may not operate until reinstated."""
    return _decide(
        by,
        plan,
        reason,
        version,
        clock,
        statuses=(Status.APPROVED,),
        to=Status.SUSPENDED,
        action="suspend_plan",
    )


def revoke_plan(
    *, by: Any, plan: SafetyPlan, reason: str, version: int | None = None, clock: Clock = now
) -> SafetyPlan:
    """End an approved or suspended plan for good; the business must submit a new one."""
    statuses = (Status.APPROVED, Status.SUSPENDED)
    return _decide(
        by, plan, reason, version, clock, statuses=statuses, to=Status.REVOKED, action="revoke_plan"
    )


def reinstate_plan(
    *, by: Any, plan: SafetyPlan, note: str = "", version: int | None = None, clock: Clock = now
) -> SafetyPlan:
    """Lift a suspension: the plan is in force again over its period."""
    _require_approver(by, plan)
    return _step(
        plan,
        (Status.SUSPENDED,),
        version,
        by=by,
        action="reinstate_plan",
        note=nfc(note or ""),
        clock=clock,
        status=Status.APPROVED,
        reason="",
        decided_at=clock(),
        decided_by=by,
    )


# Inspections (S31) -----------------------------------------------------------------------------


def _require_inspector(by: Any) -> None:
    # The inspections service has checked that the team may inspect this business (its area of work);
    # here only the capability is required, since city teams work outside their members' own units.
    if not has_perm(by, Perm.INSPECT):
        raise NotPermitted()


def suspend_plan_for_violation(*, by: Any, plan: SafetyPlan, reason: str, clock: Clock = now) -> SafetyPlan:
    """Suspend an approved plan because an inspection found a violation that stops it."""
    _require_inspector(by)
    why = _reason(reason)
    return _step(
        plan,
        (Status.APPROVED,),
        None,
        by=by,
        action="suspend_plan_for_violation",
        note=why,
        clock=clock,
        status=Status.SUSPENDED,
        reason=why,
        decided_at=clock(),
        decided_by=by,
    )


def reinstate_plan_after_reinspection(
    *, by: Any, plan: SafetyPlan, note: str = "", clock: Clock = now
) -> SafetyPlan:
    """Put a plan suspended after a violation back in force: a re-inspection passed."""
    _require_inspector(by)
    return _step(
        plan,
        (Status.SUSPENDED,),
        None,
        by=by,
        action="reinstate_plan_after_reinspection",
        note=nfc(note or ""),
        clock=clock,
        status=Status.APPROVED,
        reason="",
        decided_at=clock(),
        decided_by=by,
    )
