"""Reads of teams, inspections, closures and accountability, scoped to the actor."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.business import selectors as business_selectors
from phaodai.business import services as business_services
from phaodai.core.clock import Clock, now
from phaodai.core.jurisdiction import covers, log_out_of_scope, scope_q
from phaodai.core.language import localized
from phaodai.core.text import search_key
from phaodai.inspections import rules
from phaodai.inspections.models import (
    MEASURE_CHOICES,
    Checklist,
    Closure,
    Inspection,
    InspectionTeam,
    TeamMember,
    Violation,
    ViolationKind,
)

# Who reads inspections by unit: inspectors and those who set up teams.
READER_PERMS = (Perm.INSPECT, Perm.MANAGE_TEAMS)


def _scoped(user: Any, path_field: str) -> Q:
    condition = Q(pk__in=[])
    for perm in READER_PERMS:
        condition |= scope_q(user, path_field, perm)
    return condition


def _member_teams(user: Any) -> QuerySet[TeamMember]:
    if not getattr(user, "is_authenticated", False):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(user=user.pk)


# Teams -----------------------------------------------------------------------------------------


def teams_visible_to(user: Any) -> QuerySet[InspectionTeam]:
    """Teams set up within the user's units or working in them, and the teams the user is a member of."""
    member_of = _member_teams(user).values("team_id")
    working_here = InspectionTeam.objects.filter(_scoped(user, "area_units__path")).values("pk")
    teams = InspectionTeam.objects.filter(
        _scoped(user, "path") | Q(pk__in=member_of) | Q(pk__in=working_here)
    )
    return teams.select_related("home_unit").prefetch_related("area_units")


def team_for(user: Any, pk: int) -> InspectionTeam:
    found = teams_visible_to(user).filter(pk=pk).first()
    if found is None:
        other = InspectionTeam.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "inspections.inspectionteam", pk, other)
        raise Http404
    return found


def members_of(team: InspectionTeam) -> QuerySet[TeamMember]:
    return team.members.select_related("user")


def is_member(user: Any, team: InspectionTeam) -> bool:
    return _member_teams(user).filter(team=team.pk).exists()


def may_act_for(user: Any, team: InspectionTeam) -> bool:
    """An inspector who is a member of the team, or whose unit covers the team's home unit.

    Membership alone is not enough: an account whose inspecting role was taken away (or that was linked
    without one) must not go on fining businesses in the team's name.
    """
    inspect_paths = _paths(user, Perm.INSPECT)
    if not inspect_paths:
        return False
    return is_member(user, team) or any(team.path.startswith(prefix) for prefix in inspect_paths)


def _paths(user: Any, perm: str) -> tuple[str, ...]:
    if not getattr(user, "is_authenticated", False):
        return ()
    return tuple(user.jurisdiction_paths(perm))


def teams_acted_for(user: Any, at: datetime | None = None) -> list[InspectionTeam]:
    """The teams the user may act for (may_act_for, for all teams at once) that have not ended by `at`."""
    moment = at or now()
    inspect_paths = _paths(user, Perm.INSPECT)
    if not inspect_paths:
        return []  # as may_act_for: acting needs the inspecting capability, not membership alone
    member_of = set(_member_teams(user).values_list("team_id", flat=True))
    return [
        team
        for team in teams_visible_to(user)
        if (team.pk in member_of or any(team.path.startswith(prefix) for prefix in inspect_paths))
        and (team.active_until is None or team.active_until > moment)
    ]


def may_join_team(user: Any) -> bool:
    """Only inspectors (or those who set up teams) are linked to a team as its members."""
    return any(has_perm(user, perm) for perm in READER_PERMS)


def area_paths(team: InspectionTeam) -> list[str]:
    return [unit.path for unit in team.area_units.all()]


def is_active(team: InspectionTeam, at: datetime) -> bool:
    return team.active_from <= at and (team.active_until is None or at < team.active_until)


# Reference data --------------------------------------------------------------------------------


def checklist_for(target_kind: str) -> Checklist | None:
    """The newest active checklist for a kind of target."""
    return Checklist.objects.filter(target_kind=target_kind, active=True).order_by("-version").first()


def violation_kinds() -> QuerySet[ViolationKind]:
    return ViolationKind.objects.all()


def violation_kind(code: str) -> ViolationKind | None:
    return ViolationKind.objects.filter(code=code).first()


def kind_spec(kind: ViolationKind) -> rules.KindSpec:
    return rules.KindSpec(
        code=kind.code,
        low=kind.fine_min,
        high=kind.fine_max,
        measures=frozenset(kind.measures),
        suspends_plan=kind.suspends_plan,
        organisation_multiplier=kind.organisation_multiplier,
    )


# Inspections -----------------------------------------------------------------------------------


def inspections_for(user: Any) -> QuerySet[Inspection]:
    """Inspections of targets within the user's units, and those of the user's own teams."""
    member_of = _member_teams(user).values("team_id")
    found = Inspection.objects.filter(_scoped(user, "path") | Q(team__in=member_of))
    return found.select_related("team", "unit", "area", "business").order_by("-scheduled_at", "-pk")


def inspection_for(user: Any, pk: int) -> Inspection:
    found = inspections_for(user).filter(pk=pk).first()
    if found is None:
        other = Inspection.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "inspections.inspection", pk, other)
        raise Http404
    return found


def findings_of(inspection: Inspection) -> list[Any]:
    return list(inspection.findings.order_by("pk"))


def violations_of(inspection: Inspection) -> QuerySet[Violation]:
    return inspection.violations.select_related("kind").order_by("decided_at", "pk")


# Closures --------------------------------------------------------------------------------------


def open_closure(business: Any) -> Closure | None:
    """The closure keeping a business shut, if any (at most one)."""
    return Closure.objects.filter(business=business.pk, lifted_at__isnull=True).first()


def is_closed(business: Any) -> bool:
    return open_closure(business) is not None


# A business's inspections and violations, for its page -----------------------------------------

BUSINESS_LISTED = 50
# Visits the business may not learn of in advance: a surprise must stay one.
UNANNOUNCED = (Inspection.Status.PLANNED, Inspection.Status.CANCELLED)


def _inspects(user: Any, business: Any) -> bool:
    return any(covers(user, business.path, perm) for perm in READER_PERMS)


def _official_for(user: Any, business: Any) -> bool:
    """Inspectors of the business's unit and the business register's officials."""
    return _inspects(user, business) or business_selectors.is_official(user)


def inspections_of_business(user: Any, business: Any) -> list[Inspection]:
    """The business's inspections the user may read, latest first (the caller has read the business).

    Inspectors of its unit read them all; other officials only those the business has learnt of (no
    planned or called-off visit); its representatives, and anyone else, none.
    """
    inspector = _inspects(user, business)
    if not (inspector or business_selectors.is_official(user)):
        return []
    rows = Inspection.objects.filter(business=business.pk).select_related("team")
    if not inspector:
        rows = rows.exclude(status__in=UNANNOUNCED)
    return list(rows.order_by("-scheduled_at", "-pk")[:BUSINESS_LISTED])


def violations_of_business(user: Any, business: Any) -> list[Violation]:
    """The business's violations, latest first, labelled (the caller has read the business).

    Officials read them whole; its representatives read them without the names of the people fined or
    answering for them; anyone else reads none.
    """
    official = _official_for(user, business)
    if not (official or business_selectors.represents(user, business)):
        return []
    measure_names = dict(MEASURE_CHOICES)
    violations: list[Any] = list(
        Violation.objects.filter(inspection__business=business.pk)
        .select_related("kind", "inspection__team")
        .order_by("-decided_at", "-pk")[:BUSINESS_LISTED]
    )
    for violation in violations:
        violation.kind_label = localized(violation.kind, "description")
        violation.measure_labels = [str(measure_names.get(m, m)) for m in violation.measures]
        if not official:
            # Read-only rows: the names are not the business's to read (never saved back).
            violation.offender_name = ""
            violation.responsible_person = ""
    return violations


@dataclass(frozen=True)
class BusinessRecord:
    """What the user may read of a business's inspections, violations and closure."""

    business: Any
    official: bool
    inspections: list[Inspection]
    violations: list[Violation]
    closure: Closure | None
    closure_kind: str
    may_plan: bool
    # The listed inspections the user may open (their own page checks the same scope).
    readable: set[int] = field(default_factory=set)


def business_record(user: Any, business: Any) -> BusinessRecord:
    """The "Inspections and violations" section of a business's page (the caller has read the business)."""
    inspections = inspections_of_business(user, business)
    readable: set[int] = set()
    if inspections and _inspects(user, business):
        ids = [i.pk for i in inspections]
        readable = set(inspections_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    closure = (
        Closure.objects.filter(business=business.pk, lifted_at__isnull=True)
        .select_related("violation__kind", "violation__inspection__team")
        .first()
    )
    return BusinessRecord(
        business=business,
        official=_official_for(user, business),
        inspections=inspections,
        violations=violations_of_business(user, business),
        closure=closure,
        closure_kind=localized(closure.violation.kind, "description") if closure else "",
        may_plan=covers(user, business.path, Perm.INSPECT),
        readable=readable,
    )


def closure_stop(business: Any, at: datetime) -> business_services.Stop | None:
    """The closure in force at `at` as the business app's "stop" (registered in apps.ready)."""
    closure = (
        Closure.objects.filter(business=business.pk, closed_at__lte=at)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at))
        .select_related("violation__kind", "violation__inspection__team")
        .first()
    )
    if closure is None:
        return None
    violation = closure.violation
    reason = _("%(kind)s, found by %(team)s (decision %(number)s).") % {
        "kind": localized(violation.kind, "description"),
        "team": violation.inspection.team.name,
        "number": violation.decision_number,
    }
    return business_services.Stop(since=closure.closed_at, reason=reason)


# Re-inspections and accountability (S31) -------------------------------------------------------


def _first_follow_ups(inspection_ids: list[int]) -> dict[int, datetime]:
    """For each inspection, when its first re-inspection was finished."""
    done = Inspection.objects.filter(follow_up_of__in=inspection_ids, status=Inspection.Status.DONE)
    rows = done.values("follow_up_of").annotate(first=Min("finished_at"))
    return {row["follow_up_of"]: row["first"] for row in rows}


def _violation_rows(violations: QuerySet[Violation]) -> list[rules.ViolationRow]:
    listed = list(violations.select_related("kind", "inspection__unit", "inspection__area"))
    followed = _first_follow_ups(sorted({v.inspection_id for v in listed}))
    return [
        rules.ViolationRow(
            id=v.pk,
            kind=v.kind.code,
            fine=v.fine_amount,
            measures=tuple(v.measures),
            decided_at=v.decided_at,
            target_key=target_key(v.inspection),
            target_label=v.inspection.target_label,
            unit=v.inspection.unit.code,
            responsible_person=v.responsible_person,
            reinspect_by=v.reinspect_by,
            followed_up_at=followed.get(v.inspection_id),
        )
        for v in listed
    ]


def target_key(inspection: Inspection) -> str:
    """One establishment or place, however its label is typed: the business, or unit, area and label."""
    if inspection.business_id is not None:
        return f"business:{inspection.business_id}"
    area = inspection.area.code if inspection.area is not None else ""
    return f"place:{inspection.unit.code}:{area}:{search_key(inspection.target_label)}"


# The home page lists the most overdue first; the accountability page counts them all.
OVERDUE_SHOWN = 200


def overdue_reinspections(user: Any, *, clock: Clock = now) -> list[Violation]:
    """Violations within the user's units whose target should have been re-inspected by now."""
    moment = clock()
    pending = Violation.objects.filter(_scoped(user, "path"), reinspect_by__lt=moment)
    overdue = {
        row.id
        for row in _violation_rows(pending)
        if rules.is_overdue(row.reinspect_by, row.followed_up_at, moment)
    }
    return list(
        Violation.objects.filter(pk__in=overdue)
        .select_related("kind", "inspection", "inspection__team")
        .order_by("reinspect_by", "pk")[:OVERDUE_SHOWN]
    )


def accountability(unit: Any, start: datetime, end: datetime) -> rules.Accountability:
    """A unit's figures over [start, end): inspections, violations by kind, fines, closures, overdue, repeats.

    The caller checks the reader may see `unit`; the figures cover the targets within it.
    """
    within = Q(path__startswith=unit.path)
    inspections = [
        rules.InspectionRow(i.pk, i.finished_at, i.status, i.result)
        for i in Inspection.objects.filter(within, finished_at__gte=start, finished_at__lt=end)
    ]
    # Every violation up to the end: those in the period are counted, older ones may still be overdue.
    violations = _violation_rows(Violation.objects.filter(within, decided_at__lt=end))
    closures = [
        rules.ClosureRow(c.pk, c.closed_at, c.lifted_at)
        for c in Closure.objects.filter(within, closed_at__lt=end)
    ]
    return rules.accountability(inspections, violations, closures, start, end)
