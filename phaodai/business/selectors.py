"""Reads of businesses and plans, scoped to the actor; sector conditions in force; who is affected."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from phaodai.accounts.roles import PERMISSIONS, Perm
from phaodai.accounts.selectors import assignments_of, has_perm
from phaodai.business import reasons, rules
from phaodai.business.models import (
    Business,
    PlanAttachment,
    PlanEvent,
    Representative,
    SafetyPlan,
    SectorCondition,
)
from phaodai.business.stops import stops_of
from phaodai.core.clock import to_local
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, scope_q
from phaodai.core.text import search_key
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

# Officials see the businesses of their units through either capability.
OFFICIAL_PERMS = (Perm.MANAGE_BUSINESSES, Perm.APPROVE_PLANS)
LIVE_PLAN = (
    SafetyPlan.Status.DRAFT,
    SafetyPlan.Status.SUBMITTED,
    SafetyPlan.Status.RETURNED,
    SafetyPlan.Status.APPROVED,
    SafetyPlan.Status.SUSPENDED,
)


def _visible_q(user: Any, prefix: str = "") -> Q:
    """Officials by their units' paths; a representative only the businesses they represent."""
    condition = Q(pk__in=[])
    for perm in OFFICIAL_PERMS:
        condition |= scope_q(user, f"{prefix}path", perm)
    if getattr(user, "is_authenticated", False):
        represented = Representative.objects.filter(user=user.pk).values("business_id")
        condition |= Q(**{f"{prefix}pk__in": represented})
    return condition


def businesses_visible_to(user: Any) -> QuerySet[Business]:
    return Business.objects.filter(_visible_q(user)).select_related("unit", "area")


def business_for(user: Any, pk: int) -> Business:
    """One business the user may see; any other answers 404 (and the attempt is logged)."""
    found = businesses_visible_to(user).filter(pk=pk).first()
    if found is None:
        other = Business.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "business.business", pk, other)
        raise Http404
    return found


def represents(user: Any, business: Business) -> bool:
    """Whether the user acts for this business (a representative with the capability)."""
    if not getattr(user, "is_authenticated", False):
        return False
    granted = bool(user.jurisdiction_paths(Perm.REPRESENT_BUSINESS))
    return granted and Representative.objects.filter(business=business, user=user.pk).exists()


def representatives_of(business: Business) -> list[Any]:
    return [r.user for r in Representative.objects.filter(business=business).select_related("user")]


def business_by_tax_code(raw: str) -> Business | None:
    """The public register's look-up: a valid tax code, written in any usual way, or nothing."""
    if rules.tax_code_problem(raw) is not None:
        return None
    return Business.objects.select_related("unit", "area").filter(tax_code=rules.normal_tax_code(raw)).first()


def businesses_named(query: str, limit: int = 10) -> list[Business]:
    """Businesses whose names contain the query, diacritics ignored (at least 3 letters)."""
    key = search_key(query)
    if len(key) < 3:
        return []
    return list(Business.objects.filter(name_key__contains=key).select_related("unit", "area")[:limit])


def businesses_affected_by(place: Any) -> QuerySet[Business]:
    """Businesses a decision on `place` may concern: those in the area, or anywhere within the unit."""
    if hasattr(place, "ward_id"):  # a residential area
        return Business.objects.filter(area=place).select_related("unit", "area")
    return Business.objects.filter(path__startswith=place.path).select_related("unit", "area")


# Plans ---------------------------------------------------------------------------------------


def plans_for(user: Any) -> QuerySet[SafetyPlan]:
    """Plans of the businesses the user may see, newest first."""
    plans = SafetyPlan.objects.filter(_visible_q(user, "business__"))
    return plans.select_related("business", "approving_unit").order_by("-created_at", "-pk")


def plan_for(user: Any, pk: int) -> SafetyPlan:
    found = plans_for(user).filter(pk=pk).first()
    if found is None:
        other = SafetyPlan.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "business.safetyplan", pk, other)
        raise Http404
    return found


def attachments_of(plan: SafetyPlan) -> QuerySet[PlanAttachment]:
    return PlanAttachment.objects.filter(plan=plan).order_by("uploaded_at", "pk")


def attachment_for(user: Any, pk: int) -> PlanAttachment:
    """A plan's document, for those who may read the plan (404 otherwise, logged)."""
    plan_id = PlanAttachment.objects.filter(pk=pk).values_list("plan_id", flat=True).first()
    if plan_id is None:
        raise Http404
    plan = plan_for(user, plan_id)
    return PlanAttachment.objects.select_related("plan__business").get(pk=pk, plan=plan)


def live_plan(business: Business) -> SafetyPlan | None:
    """The business's plan in progress or in force (at most one), if any."""
    return SafetyPlan.objects.filter(business=business, status__in=LIVE_PLAN).first()


def events_of(plan: SafetyPlan) -> QuerySet[PlanEvent]:
    return plan.events.select_related("by")


# Sector conditions ---------------------------------------------------------------------------


def current_condition(sector: str, at: datetime) -> SectorCondition | None:
    """The version of the sector's published conditions valid at `at`."""
    valid = SectorCondition.objects.filter(sector=sector, valid_from__lte=at).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )
    return valid.order_by("-version").first()


def conditions_of(sector: str) -> QuerySet[SectorCondition]:
    return SectorCondition.objects.filter(sector=sector).order_by("-version")


# May we operate now? -------------------------------------------------------------------------


@dataclass(frozen=True)
class OperatingAnswer:
    """The verdict for a business at an instant, with the sentences that explain it."""

    business: Business
    at: datetime
    verdict: rules.Verdict
    reasons: tuple[str, ...]
    regime: str = ""
    plan: SafetyPlan | None = None

    @property
    def may_operate(self) -> bool:
        return self.verdict.may_operate


def placement_of(business: Business, at: datetime) -> Any:
    """The zoning placement in force for the business's area (or, without one, its ward) at `at`."""
    if business.area_id is not None:
        return zoning.placement_of_area(business.area, at)
    return zoning.placement_of_unit(business.unit, at)


def _rule_view(placement: Any, sector: str) -> Any:
    if placement is None:
        return None
    return next((v for v in zoning.effective_rules(placement.regime) if v.activity.code == sector), None)


def latest_plan(business: Business) -> SafetyPlan | None:
    """The plan in progress or in force, else the last one decided (revoked, rejected)."""
    return live_plan(business) or SafetyPlan.objects.filter(business=business).order_by("-pk").first()


@dataclass(frozen=True)
class PlanAt:
    """The business's plan as it stood at an instant: which plan, its status then, and why."""

    plan: SafetyPlan
    status: str
    note: str

    @property
    def status_label(self) -> str:
        return str(SafetyPlan.Status(self.status).label)


def plan_at(business: Business, at: datetime) -> PlanAt | None:
    """The plan in force or in progress at `at`, with its status then (from its steps, so a plan revoked
    today still reads as approved for last week)."""
    last = (
        PlanEvent.objects.filter(plan__business=business, at__lte=at)
        .select_related("plan")
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:
        return None
    return PlanAt(last.plan, last.to_status, last.note)


def operating_answer(business: Business, at: datetime) -> OperatingAnswer:
    """The regime in force must allow the sector now AND, where the sector requires it, a plan be in force."""
    placement = placement_of(business, at)
    view = _rule_view(placement, business.sector)
    rule = None
    if view is not None:
        rule = rules.RegimeRule(
            regime=placement.regime.code,
            status=view.rule.status,
            conditions=dict(view.rule.conditions),
            note=zoning.localized(view.rule, "note"),
        )
    condition = current_condition(business.sector, at)
    then = plan_at(business, at)
    plan = then.plan if then else None
    facts = rules.PlanFacts(then.status, plan.valid_from, plan.valid_until) if then and plan else None
    verdict = rules.may_operate(
        at=at,
        local_time=to_local(at).time(),
        rule=rule,
        plan_required=bool(condition and condition.plan_required),
        plan=facts,
        closures=[(stop.since, stop.reason) for stop in stops_of(business, at)],
    )
    activity = next((a for a in zoning.activities() if a.code == business.sector), None)
    regime_name = zoning.localized(placement.regime, "short_name") if placement else ""
    ctx = reasons.Context(
        at=at,
        activity=zoning.localized(activity, "name") if activity else business.sector,
        regime=regime_name,
        since=placement.since if placement else None,
        decision=placement.decision.number if placement else "",
        note=rule.note if rule else "",
        plan_status=then.status_label if then else "",
        plan_note=then.note if then else "",
        plan_from=plan.valid_from if plan else None,
        plan_until=plan.valid_until if plan else None,
    )
    return OperatingAnswer(business, at, verdict, reasons.sentences(verdict, ctx), regime_name, plan)


def may_operate(business: Business, at: datetime) -> rules.Verdict:
    return operating_answer(business, at).verdict


@dataclass(frozen=True)
class PublicAnswer:
    """What anyone may learn: which business (name, ward), yes or no, and why. No personal data.

    With them the sector's published conditions in force (S29) and the regime's conditions in words.
    """

    name: str
    ward: str
    may_operate: bool
    reasons: tuple[str, ...]
    sector: str = ""
    regime_conditions: tuple[str, ...] = ()
    condition: SectorCondition | None = None


def public_answer(name_or_tax_code: str, at: datetime) -> list[PublicAnswer]:
    """The answers for a tax code (one business) or a name (a few), without personal data."""
    found = business_by_tax_code(name_or_tax_code)
    matches = [found] if found is not None else businesses_named(name_or_tax_code)
    names = {a.code: zoning.localized(a, "name") for a in zoning.activities()} if matches else {}
    answers = []
    for business in matches:
        answer = operating_answer(business, at)
        answers.append(
            PublicAnswer(
                name=business.name,
                ward=zoning.localized(business.unit, "full_name"),
                may_operate=answer.may_operate,
                reasons=answer.reasons,
                sector=names.get(business.sector, business.sector),
                regime_conditions=tuple(reasons.condition_phrases(answer.verdict.conditions)),
                condition=current_condition(business.sector, at),
            )
        )
    return answers


# Pages and API -------------------------------------------------------------------------------

READER_PERMS = (*OFFICIAL_PERMS, Perm.REPRESENT_BUSINESS)


def require_reader(user: Any) -> None:
    """Officials with a business capability, or representatives; any other role is refused (403)."""
    if not any(has_perm(user, perm) for perm in READER_PERMS):
        raise NotPermitted()


def is_official(user: Any) -> bool:
    return any(has_perm(user, perm) for perm in OFFICIAL_PERMS)


def _live_status() -> Subquery:
    live = SafetyPlan.objects.filter(business=OuterRef("pk"), status__in=LIVE_PLAN)
    return Subquery(live.values("status")[:1])


def search_businesses(user: Any, query: str = "", limit: int = 200) -> list[Business]:
    """The register the user may read, by name (diacritics ignored) or tax code, each with its live plan."""
    rows = businesses_visible_to(user).annotate(plan_status=_live_status())
    text = query.strip()
    if text:
        condition = Q(name_key__contains=search_key(text))
        digits = text.replace(" ", "").replace("-", "")
        if digits.isascii() and digits.isdigit():
            prefix = digits if len(digits) <= 10 else f"{digits[:10]}-{digits[10:]}"
            condition |= Q(tax_code__startswith=prefix)
        rows = rows.filter(condition)
    return _labelled(rows.order_by("name", "pk")[:limit])


def _labelled(rows: Any) -> list[Business]:
    found = list(rows)
    for business in found:
        status = getattr(business, "plan_status", None)
        business.plan_status_label = SafetyPlan.Status(status).label if status else ""
    return found


def represented_by(user: Any) -> list[Business]:
    """The businesses the user represents (with the capability), each with its live plan's status."""
    if not has_perm(user, Perm.REPRESENT_BUSINESS):
        return []
    rows = Business.objects.filter(representatives__user=user.pk).select_related("unit", "area")
    return _labelled(rows.annotate(plan_status=_live_status()).order_by("name", "pk"))


def plans_with_events(business: Business) -> list[SafetyPlan]:
    """Every plan of the business, newest first, each with its steps and who took them."""
    steps = Prefetch("events", queryset=PlanEvent.objects.select_related("by").order_by("at", "pk"))
    rows = SafetyPlan.objects.filter(business=business).select_related("approving_unit", "decided_by")
    found = list(rows.prefetch_related(steps).order_by("-created_at", "-pk"))
    for plan in found:
        _label_events(plan.events.all())
    return found


def labelled_events(plan: SafetyPlan) -> list[PlanEvent]:
    """The plan's steps, each with its statuses' labels (`from_label`, `to_label`)."""
    return _label_events(events_of(plan))


def _label_events(events: Any) -> list[PlanEvent]:
    labels = dict(SafetyPlan.Status.choices)
    found = list(events)
    for event in found:
        event.from_label = labels.get(event.from_status, "")
        event.to_label = labels.get(event.to_status, event.to_status)
    return found


@dataclass(frozen=True)
class DeskRow:
    plan: SafetyPlan
    due_at: datetime
    overdue: bool


def plans_awaiting(user: Any, at: datetime) -> list[DeskRow]:
    """Submitted plans the user's units decide (S30), the longest waiting (overdue) first."""
    waiting = SafetyPlan.objects.filter(
        scope_q(user, "approving_unit__path", Perm.APPROVE_PLANS), status=SafetyPlan.Status.SUBMITTED
    )
    waiting = waiting.select_related("business", "business__unit", "approving_unit")
    rows = []
    for plan in waiting.order_by("submitted_at", "pk")[:500]:
        due = rules.decision_due(plan.submitted_at or plan.created_at)
        rows.append(DeskRow(plan, due, at >= due))
    return rows


def plans_filtered(user: Any, status: str = "") -> QuerySet[SafetyPlan]:
    plans = plans_for(user).select_related("business__unit")
    return plans.filter(status=status) if status else plans


def may_decide(user: Any, plan: SafetyPlan) -> bool:
    """Whether the user decides this plan: APPROVE_PLANS over its approving unit (S30)."""
    return covers(user, plan.approving_unit.path, Perm.APPROVE_PLANS)


def may_manage(user: Any, business: Business) -> bool:
    return has_perm(user, Perm.MANAGE_BUSINESSES, within=business.path)


def registration_wards(user: Any) -> list[Any]:
    """The wards in which the user may register businesses (their own, or those under their units)."""
    wards: dict[int, Any] = {}
    for assignment in assignments_of(user):
        if Perm.MANAGE_BUSINESSES not in PERMISSIONS[assignment.role]:
            continue
        unit = assignment.unit
        found = [unit] if unit.level == "ward" else territory.within(unit).filter(level="ward")
        for ward in found:
            wards[ward.pk] = ward
    return sorted(wards.values(), key=lambda ward: ward.path)


def sector_names() -> list[tuple[str, str]]:
    return [(a.code, zoning.localized(a, "name")) for a in zoning.activities()]


def published_conditions(at: datetime) -> list[SectorCondition]:
    """Sector conditions in force at `at` or announced for later, by sector then start."""
    valid = SectorCondition.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
    return list(valid.order_by("sector", "valid_from", "version"))
