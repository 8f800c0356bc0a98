"""Writes about businesses: registration, representatives, sector conditions, level-change notices.

Every write checks the actor before its transaction (so a refused attempt stays logged), then runs in
one transaction with its audit entry. The plan workflow lives in plans.py and is re-exported here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.business import rules, selectors
from phaodai.business.attachments import attach_document, remove_document  # noqa: F401  (re-exported)
from phaodai.business.errors import (
    AreaNotInWard,
    BusinessExists,
    ConditionOverlap,
    InvalidPeriod,
    InvalidTaxCode,
    NotARepresentative,
    NotAWard,
    UnknownSector,
    tax_code_message,
)
from phaodai.business.models import Business, Representative, SectorCondition
from phaodai.business.plans import (  # noqa: F401  (re-exported: other apps use services only)
    approve_plan,
    draft_plan,
    reinstate_plan,
    reinstate_plan_after_reinspection,
    reject_plan,
    return_plan,
    revoke_plan,
    submit_plan,
    suspend_plan,
    suspend_plan_for_violation,
    update_draft,
)
from phaodai.business.stops import Stop, register_stop_source  # noqa: F401  (for inspections)
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible, to_local
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc, search_key
from phaodai.notifications.services import notify
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

BUSINESS_TYPE = "business.business"
# What was in force just before a change takes effect.
_INSTANT = timedelta(microseconds=1)


def _text(value: str, field: str, limit: int) -> str:
    cleaned = nfc(value or "")
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(field=field)
    return cleaned


def clean_tax_code(raw: str) -> str:
    """The stored form of a tax code, or InvalidTaxCode saying exactly what is wrong."""
    problem = rules.tax_code_problem(raw or "")
    if problem is not None:
        raise InvalidTaxCode(tax_code_message(problem), field="tax_code", problem=problem)
    return rules.normal_tax_code(raw)


def require_sector(sector: str) -> str:
    if not zoning.activities().filter(code=sector).exists():
        raise UnknownSector(field="sector")
    return sector


def register_business(
    *,
    by: Any,
    tax_code: str,
    name: str,
    kind: str,
    sector: str,
    address: str,
    unit: Any,
    area: Any = None,
    workforce: int = 0,
    clock: Clock = now,
) -> Business:
    """Register a business in a ward of the officer's jurisdiction, once per tax code."""
    require_within(
        by, Perm.MANAGE_BUSINESSES, path=unit.path, object_type="territory.unit", object_id=unit.code
    )
    if unit.level != "ward":
        raise NotAWard(field="unit")
    code = clean_tax_code(tax_code)
    name = _text(name, "name", 300)
    address = _text(address, "address", 300)
    if kind not in Business.Kind.values:
        raise InvalidInput(field="kind")
    require_sector(sector)
    if area is not None and (area.ward_id != unit.pk or not area.active):
        raise AreaNotInWard(field="area")
    if isinstance(workforce, bool) or not isinstance(workforce, int) or not 0 <= workforce <= 1_000_000:
        raise InvalidInput(field="workforce")
    _refuse_duplicate(code)
    try:
        with transaction.atomic():
            business = Business.objects.create(
                tax_code=code,
                name=name,
                name_key=search_key(name),
                kind=kind,
                sector=sector,
                address=address,
                unit=unit,
                area=area,
                path=unit.path,
                workforce=workforce,
            )
            audit.record(
                actor=by,
                action="business.register",
                object_type=BUSINESS_TYPE,
                object_id=business.pk,
                unit_path=unit.path,
                after={"tax_code": code, "sector": sector, "kind": kind},
                clock=clock,
            )
    except IntegrityError:
        _refuse_duplicate(code)  # a concurrent registration of the same code won
        raise
    return business


def _refuse_duplicate(code: str) -> None:
    existing = Business.objects.filter(tax_code=code).select_related("unit").first()
    if existing is not None:
        raise BusinessExists(
            _("Tax code %(code)s is already registered to %(name)s (%(ward)s).")
            % {"code": code, "name": existing.name, "ward": existing.unit.full_name},
            field="tax_code",
        )


def add_representative(*, by: Any, business: Business, user: Any, clock: Clock = now) -> Representative:
    """Let a business-representative user act for the business (idempotent)."""
    require_within(
        by, Perm.MANAGE_BUSINESSES, path=business.path, object_type=BUSINESS_TYPE, object_id=business.pk
    )
    if not has_perm(user, Perm.REPRESENT_BUSINESS):
        raise NotARepresentative(field="user")
    with transaction.atomic():
        link, created = Representative.objects.get_or_create(business=business, user=user)
        if created:
            audit.record(
                actor=by,
                action="business.add_representative",
                object_type=BUSINESS_TYPE,
                object_id=business.pk,
                unit_path=business.path,
                after={"user": user.pk},
                clock=clock,
            )
    return link


# Sector conditions (S29) -----------------------------------------------------------------------


def publish_sector_condition(
    *,
    by: Any,
    sector: str,
    title: str,
    criteria: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    requirements: dict[str, Any] | None = None,
    plan_required: bool = True,
    basis: str = "",
    title_en: str = "",
    criteria_en: str = "",
    clock: Clock = now,
) -> SectorCondition:
    """A new version of a sector's conditions; it ends the open-ended previous one at its start."""
    city = territory.city()
    # City-wide rules are the city's to publish (S29): a district or ward is refused, not sent to a 404.
    if not has_perm(by, Perm.MANAGE_BUSINESSES, within=city.path):
        raise NotPermitted(_("Sector conditions are published by the city."))
    require_sector(sector)
    title, criteria = _text(title, "title", 300), _text(criteria, "criteria", 20_000)
    if not plausible(valid_from):
        raise InvalidInput(field="valid_from")
    if valid_until is not None and (not plausible(valid_until) or valid_until <= valid_from):
        raise InvalidPeriod(field="valid_until")
    if requirements is not None and not isinstance(requirements, dict):
        raise InvalidInput(field="requirements")
    with transaction.atomic():
        versions = SectorCondition.objects.select_for_update().filter(sector=sector)
        open_ended = versions.filter(valid_until__isnull=True, valid_from__lt=valid_from).first()
        if open_ended is not None:
            open_ended.valid_until = valid_from
            open_ended.save(update_fields=["valid_until", "updated_at"])
        _refuse_overlap(versions, valid_from, valid_until)
        number = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                condition = SectorCondition.objects.create(
                    sector=sector,
                    version=number,
                    title=title,
                    title_en=nfc(title_en),
                    criteria=criteria,
                    criteria_en=nfc(criteria_en),
                    requirements=requirements or {},
                    plan_required=plan_required,
                    basis=nfc(basis)[:300],
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
        except IntegrityError:
            raise ConditionOverlap() from None  # a concurrent version took the number
        audit.record(
            actor=by,
            action="business.publish_condition",
            object_type="business.sectorcondition",
            object_id=condition.pk,
            unit_path=city.path,
            after={"sector": sector, "version": number, "valid_from": valid_from.isoformat()},
            clock=clock,
        )
    return condition


def _refuse_overlap(versions: Any, start: datetime, end: datetime | None) -> None:
    overlapping = versions.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=start))
    if end is not None:
        overlapping = overlapping.filter(valid_from__lt=end)
    clash = overlapping.order_by("version").first()
    if clash is not None:
        raise ConditionOverlap(
            _("Version %(version)s of these conditions is valid from %(start)s%(end)s; the periods overlap.")
            % {
                "version": clash.version,
                "start": f"{to_local(clash.valid_from):%d/%m/%Y %H:%M}",
                "end": f" to {to_local(clash.valid_until):%d/%m/%Y %H:%M}" if clash.valid_until else "",
            },
            field="valid_from",
        )


# Level changes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelNotice:
    business: Business
    regime: str
    may_operate: bool


def _same_measures(before: Any, after: Any) -> bool:
    # A new decision that keeps the area at its level and regime changes nothing for the business.
    same_level = getattr(before.level, "pk", None) == getattr(after.level, "pk", None)
    return bool(
        before.assignment.pk == after.assignment.pk or (same_level and before.regime.pk == after.regime.pk)
    )


def notify_businesses_of_level_change(
    *, place: Any, effective_at: datetime | None = None, clock: Clock = now
) -> list[LevelNotice]:
    """Tell the ward and the representatives of each business whose regime changes at `effective_at`.

    Safe to run again: each notice is keyed by the business and the decision.
    """
    moment = effective_at or clock()
    notices = []
    for business in selectors.businesses_affected_by(place):
        placement = selectors.placement_of(business, moment)
        before = selectors.placement_of(business, moment - _INSTANT)
        if placement is None or (before is not None and _same_measures(before, placement)):
            continue
        answer = selectors.operating_answer(business, moment)
        subject = _("%(business)s: measures change from %(at)s") % {
            "business": business.name,
            "at": f"{to_local(placement.since):%H:%M %d/%m/%Y}",
        }
        body = "\n".join(answer.reasons)
        key = f"business.level:{business.pk}:{placement.decision.pk}"
        severity = "info" if answer.may_operate else "warning"
        notify(
            business.unit,
            kind="business.level_change",
            subject=subject,
            body=body,
            perm=Perm.MANAGE_BUSINESSES,
            severity=severity,
            dedupe_key=f"{key}:ward",
            clock=clock,
        )
        # Each representative is told by name: the other businesses of the ward are none of theirs.
        for user in selectors.representatives_of(business):
            notify(
                business.unit,
                kind="business.level_change",
                subject=subject,
                body=body,
                url=reverse("business:detail", args=[business.pk]),
                perm=Perm.REPRESENT_BUSINESS,
                severity=severity,
                dedupe_key=f"{key}:rep:{user.pk}",
                recipient=user,
                clock=clock,
            )
        notices.append(LevelNotice(business, answer.regime, answer.may_operate))
    return notices
