"""Reads of isolation orders, the daily follow-up worklists and the people lost to follow-up, always scoped
to the acting officer (Perm.ORDER_ISOLATION).

An order is seen where the person is followed (the ward of the order's area), where they live, and
where their own case was found; outside that: 404, and the attempt is logged. Worklists belong to the
following ward: the people it must check on a day, by residential area.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case as Choose
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.cases import rules
from phaodai.cases.isolation_errors import FacilityNeedsAdmitter
from phaodai.cases.models import Case, FollowUp, IsolationOrder, TraceLevel
from phaodai.core.clock import local_date, local_day_bounds
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, scope_q
from phaodai.people import selectors as people
from phaodai.quarantine import selectors as quarantine

ORDER_TYPE = "cases.isolation_order"
PERM = Perm.ORDER_ISOLATION
Status = IsolationOrder.Status
Setting = IsolationOrder.Setting
OPEN = (Status.ACTIVE, Status.MONITORING)
REACHED = (FollowUp.Result.WELL, FollowUp.Result.SYMPTOMS)

# Lost to follow-up. A person in isolation is checked every day. One missed day can be the team's slip
# (a visit moved to the evening, a record typed the next morning); two in a row means nobody has seen
# or heard the person for 48 hours, long enough for symptoms to go unnoticed or for the person to have
# left, so the ward must act (a visit with the area's COVID team, the police if they are gone). The
# same holds for two checks in a row that could not reach them: trying is not seeing.
LOST_AFTER_MISSED_DAYS = 2
LOST_AFTER_UNREACHABLE = 2
NOT_CHECKED, UNREACHABLE = "not_checked", "unreachable"
# Checks read back for the lost rules: longer than any order (14 days + 7 of monitoring, and margin).
LOOKBACK_DAYS = 45
MAX_PAGE = 100
# Worklists wider than this (a district's, the city's) are shown per area, not all on one page.
WORKLIST_MAX = 300


def require_isolator(user: Any) -> None:
    """403 for roles that neither order isolation nor follow the people isolated."""
    if not has_perm(user, PERM):
        raise NotPermitted()


# Orders ----------------------------------------------------------------------------------------------


def _order_q(user: Any) -> Q:
    own_case = Q(case__person_id=F("person_id")) & scope_q(user, "case__detected_path", PERM)
    return scope_q(user, "path", PERM) | scope_q(user, "person__unit_path", PERM) | own_case


def orders_visible_to(user: Any) -> QuerySet[IsolationOrder]:
    return IsolationOrder.objects.filter(_order_q(user)).select_related(
        "person", "area", "area__ward", "rule", "case"
    )


def order_for(user: Any, pk: Any) -> IsolationOrder:
    """One order the user may read; any other answers 404 (and the attempt is logged)."""
    found = orders_visible_to(user).select_related("ordered_by").filter(pk=pk).first()
    if found is None:
        other = IsolationOrder.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, ORDER_TYPE, pk, other)
        raise Http404
    return found


def may_isolate(user: Any, person: Any) -> bool:
    """Officers ordering isolation where the person lives, or where one of their own cases was found."""
    if covers(user, person.unit_path, PERM):
        return True
    found = Case.objects.filter(person_id=person.pk).values_list("detected_path", flat=True)
    return any(covers(user, path, PERM) for path in found)


def may_act_on(user: Any, order: IsolationOrder) -> bool:
    """Who may follow, release or cancel an order: those who see it (see the module's docstring)."""
    if covers(user, order.path, PERM) or covers(user, order.person.unit_path, PERM):
        return True
    case = order.case
    return case is not None and case.person_id == order.person_id and covers(user, case.detected_path, PERM)


def open_order_of(person: Any) -> IsolationOrder | None:
    """The person's open order, if any (for callers that already hold the person through their scope)."""
    return IsolationOrder.objects.filter(person_id=person.pk, status__in=OPEN).first()


def orders_for_support(residence_path: str) -> QuerySet[IsolationOrder]:
    """F0 and F1 isolation orders (not cancelled) of the people living under `residence_path`, open or
    released, for the support paid on an isolation (NQ 68's food allowance). Unscoped: the caller holds
    the ward through its own permission (welfare's Perm.FILE_SUPPORT) and shows only what a payment
    needs — whose order, which subject, when it started and ended."""
    return (
        IsolationOrder.objects.filter(person__unit_path__startswith=residence_path, subject__in=("F0", "F1"))
        .exclude(status="cancelled")
        .select_related("person")
    )


@dataclass(frozen=True)
class OrdersPage:
    """One page of orders, latest start first; `next_after` is None on the last page."""

    items: list[IsolationOrder]
    next_after: int | None


def orders_page(user: Any, status: str = "", after: Any = None, limit: int = 50) -> OrdersPage:
    """Visible orders (of one status, if given) by start, keyset-paginated (no COUNT)."""
    limit = max(1, min(limit, MAX_PAGE))
    orders = orders_visible_to(user)
    if status:
        orders = orders.filter(status=status)
    if after:
        anchor = orders.filter(pk=after).values_list("starts_at", "pk").first()
        if anchor is None:
            raise Http404
        orders = orders.filter(Q(starts_at__lt=anchor[0]) | Q(starts_at=anchor[0], pk__lt=anchor[1]))
    rows = list(orders.order_by("-starts_at", "-pk")[: limit + 1])
    items = rows[:limit]
    return OrdersPage(items, items[-1].pk if len(rows) > limit else None)


def follow_ups_of(order: IsolationOrder) -> list[FollowUp]:
    return list(FollowUp.objects.filter(order=order).select_related("checked_by").order_by("day"))


# Whom to isolate -------------------------------------------------------------------------------------


def person_to_isolate(user: Any, person_id: Any) -> Any:
    """A person by id (from a case or tracing page): one living within the user's units, or one of whose
    cases was found there; 404 otherwise."""
    try:
        pk = uuid.UUID(str(person_id))
    except ValueError:
        raise Http404 from None
    found = (
        Case.objects.filter(person_id=pk, detected_path__in=_detected_paths(user, pk))
        .select_related("person__residence_area__ward")
        .first()
    )
    if found is not None:
        return found.person
    return people.person_for(user, pk)


def _detected_paths(user: Any, person_id: Any) -> list[str]:
    paths = Case.objects.filter(person_id=person_id).values_list("detected_path", flat=True)
    return [path for path in paths if covers(user, path, PERM)]


def person_by_cccd(user: Any, cccd: str) -> Any:
    """The person with this CCCD if the user may isolate them, else None (the same answer whether they
    exist elsewhere or not at all, so a look-up learns nothing about other wards)."""
    person = people.person_for_tracing(cccd)
    if person is None or not may_isolate(user, person):
        return None
    return person


def traced_root_case(person: Any) -> Case | None:
    """The case a traced contact (F1, F2…) comes from, if they are traced."""
    row = TraceLevel.objects.filter(person_id=person.pk, level__gt=0).select_related("root_case").first()
    return row.root_case if row is not None else None


def traced_subject(person: Any) -> str:
    """The subject an order for this person would have by their derived level (F0, F1, F2, else other)."""
    level = TraceLevel.objects.filter(person_id=person.pk).values_list("level", flat=True).first()
    return rules.f_label(level) if level is not None and level <= 2 else "other"  # type: ignore[return-value]


def facility_to_admit(user: Any, pk: Any) -> Any:
    """The quarantine facility an order sends the person to; the officer must be one who admits there."""
    if not has_perm(user, Perm.ADMIT):
        raise FacilityNeedsAdmitter(field="facility")
    return quarantine.facility_for(user, pk)


# Schedules -------------------------------------------------------------------------------------------


def spec_of(rule: Any) -> rules.IsolationSpec:
    return rules.IsolationSpec(
        isolation_days=rule.isolation_days,
        monitoring_days=rule.monitoring_days,
        test_days=tuple(int(day) for day in rule.test_days or ()),
    )


def tests_due(order: IsolationOrder) -> tuple[date, ...]:
    """The days on which the order's rule asks for a test (diagnostics schedules them when it exists)."""
    return rules.isolation_schedule(
        order.starts_at, local_date(order.starts_at), spec_of(order.rule)
    ).tests_due


def followed_from(order: IsolationOrder, left_facility_at: datetime | None = None) -> date:
    """The first day the ward checks the person: at once at home; after a facility or hospital, when the
    monitoring at home begins (until then the facility follows them), or from the day the facility
    discharged them, if earlier."""
    if order.setting == Setting.HOME:
        return local_date(order.starts_at)
    ends = local_date(order.isolation_ends_at)
    return min(ends, local_date(left_facility_at)) if left_facility_at is not None else ends


# Facility orders and the stays carrying them out ------------------------------------------------------
# A facility order counts "in a facility" only while the person's stay there is open: once the facility
# discharges them (its own release, a transfer to hospital…), an order still running is the ward's to
# follow at home and to move on (to monitoring when the isolation is over, else release or keep at home).
# An order whose stay was never kept here (no facility_ref) is taken at its word.


def _in_facility(end: datetime) -> Exists:
    """Whether the order's person has a facility stay open at `end`."""
    return Exists(quarantine.stays_open_at(end).filter(person_id=OuterRef("person_id")))


def _left_facility(end: datetime) -> Q:
    """Facility orders whose person was discharged by `end` (and not admitted again)."""
    return Q(setting=Setting.FACILITY) & ~Q(facility_ref="") & ~Q(_in_facility(end))


def _left_facility_at(end: datetime) -> Subquery:
    """When the facility discharged the order's person last before `end` (after the order started)."""
    return Subquery(
        quarantine.discharges_before(end)
        .filter(person_id=OuterRef("person_id"), discharged_at__gte=OuterRef("starts_at"))
        .order_by("-discharged_at")
        .values("discharged_at")[:1]
    )


def lost_reason(checks: Mapping[date, str], since: date, day: date) -> str | None:
    """Why a person counts as lost to follow-up on `day` (NOT_CHECKED or UNREACHABLE), or None.

    `checks` maps each day checked to its result; `since` is the first day they were to be checked.
    """
    recorded = sorted((d for d in checks if d <= day), reverse=True)[:LOST_AFTER_UNREACHABLE]
    if len(recorded) == LOST_AFTER_UNREACHABLE and all(
        checks[d] == FollowUp.Result.UNREACHABLE for d in recorded
    ):
        return UNREACHABLE
    if checks.get(day) in REACHED:
        return None
    missed = [day - timedelta(days=n) for n in range(1, LOST_AFTER_MISSED_DAYS + 1)]
    if all(d >= since and d not in checks for d in missed):
        return NOT_CHECKED
    return None


# Worklists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    """A person to check on a day, with what the day asks of the team."""

    order: IsolationOrder
    day_number: int  # the order's day (1 = the first)
    phase: str  # "isolation" (at home) or "monitoring"
    test_due: bool
    check: FollowUp | None  # the day's check, once recorded
    lost: str | None  # NOT_CHECKED, UNREACHABLE or None
    # "", "monitoring" (isolation over), "release" (monitoring over) or "left_facility" (discharged by
    # the facility before the isolation's end: release, or keep following at home until then)
    next_step: str
    left_facility_at: datetime | None = None


@dataclass(frozen=True)
class AreaWorklist:
    area: Any
    items: list[WorkItem]


def _followed_q(user: Any, day: date, area: Any = None) -> Q:
    """Orders the user's wards follow on `day`: open then, at home or in monitoring."""
    _start, end = local_day_bounds(day)
    open_then = Q(status__in=OPEN) | Q(status=Status.RELEASED, released_at__gte=end)
    at_home = (
        Q(setting=Setting.HOME)
        | Q(status=Status.MONITORING)
        | Q(status=Status.RELEASED, isolation_ends_at__lt=end)
        | _left_facility(end)
    )
    condition = scope_q(user, "path", PERM) & open_then & at_home & Q(starts_at__lt=end)
    return condition & Q(area=area) if area is not None else condition


def _work_item(
    order: IsolationOrder, day: date, checks: list[FollowUp], left_facility_at: datetime | None = None
) -> WorkItem:
    by_day = {check.day: check for check in checks}
    iso_end, mon_end = local_date(order.isolation_ends_at), local_date(order.monitoring_ends_at)
    monitoring = order.status == Status.MONITORING or (order.status == Status.RELEASED and day >= iso_end)
    next_step = ""
    if order.status in OPEN and day >= mon_end:
        next_step = "release"
    elif order.status == Status.ACTIVE and day >= iso_end:
        next_step = "monitoring"
    elif order.status == Status.ACTIVE and left_facility_at is not None:
        next_step = "left_facility"
    lost = None
    if order.status in OPEN:
        since = followed_from(order, left_facility_at)
        lost = lost_reason({d: c.result for d, c in by_day.items()}, since, day)
    return WorkItem(
        order=order,
        day_number=(day - local_date(order.starts_at)).days + 1,
        phase="monitoring" if monitoring else "isolation",
        test_due=day in tests_due(order),
        check=by_day.get(day),
        lost=lost,
        next_step=next_step,
        left_facility_at=left_facility_at,
    )


def worklist(user: Any, day: date, area: Any = None) -> list[AreaWorklist]:
    """The people to check on `day`, by residential area (code order), by name within an area.

    Two queries whatever the size: the orders with their persons and areas, then their recent checks.
    """
    require_isolator(user)
    _start, end = local_day_bounds(day)
    orders = list(
        IsolationOrder.objects.filter(_followed_q(user, day, area))
        .annotate(
            left_facility_at=Choose(
                When(_left_facility(end), then=_left_facility_at(end)), output_field=DateTimeField()
            )
        )
        .select_related("person", "person__household", "area", "area__ward", "rule")
        .order_by("area__code", "person__name_key", "pk")
    )
    checks: dict[int, list[FollowUp]] = defaultdict(list)
    recent = FollowUp.objects.filter(
        order_id__in=[o.pk for o in orders], day__lte=day, day__gte=day - timedelta(days=LOOKBACK_DAYS)
    ).select_related("checked_by")
    for check in recent:
        checks[check.order_id].append(check)
    groups: dict[int, AreaWorklist] = {}
    for order in orders:
        group = groups.setdefault(order.area_id, AreaWorklist(order.area, []))
        left = getattr(order, "left_facility_at", None)
        group.items.append(_work_item(order, day, checks[order.pk], left))
    return list(groups.values())


@dataclass(frozen=True)
class AreaCount:
    code: str
    name: str
    ward: str
    people: int


def worklist_areas(user: Any, day: date) -> list[AreaCount]:
    """How many people each area has to check on `day` (one query; for wide jurisdictions)."""
    require_isolator(user)
    rows = (
        IsolationOrder.objects.filter(_followed_q(user, day))
        .values("area__code", "area__name", "area__ward__full_name")
        .annotate(people=Count("pk"))
        .order_by("area__code")
    )
    return [
        AreaCount(row["area__code"], row["area__name"], row["area__ward__full_name"], row["people"])
        for row in rows
    ]


def lost_to_follow_up(user: Any, day: date) -> list[WorkItem]:
    """Open orders whose person was not checked for LOST_AFTER_MISSED_DAYS days running, or whose last
    LOST_AFTER_UNREACHABLE checks could not reach them."""
    return [item for group in worklist(user, day) for item in group.items if item.lost]


# Counts (KPIs) ---------------------------------------------------------------------------------------

KINDS = (Setting.HOME, Setting.FACILITY, Setting.HOSPITAL, "monitoring")


@dataclass(frozen=True)
class IsolationCount:
    path: str  # the following ward's path
    subject: str  # F0, F1, F2 or other
    kind: str  # home, facility, hospital, or monitoring (at home after the isolation itself)
    people: int


def _counts(day: date, condition: Q) -> list[IsolationCount]:
    _start, end = local_day_bounds(day)
    after_isolation = Q(status__in=[Status.MONITORING, Status.RELEASED], isolation_ends_at__lte=end)
    left = _left_facility(end)
    kind = Choose(
        When(after_isolation, then=Value("monitoring")),
        When(left & Q(isolation_ends_at__lte=end), then=Value("monitoring")),
        When(left, then=Value(Setting.HOME.value)),  # discharged early: at home until the ward decides
        default=F("setting"),
        output_field=CharField(),
    )
    rows = (
        IsolationOrder.objects.filter(condition, starts_at__lt=end)
        .exclude(status=Status.CANCELLED)
        .exclude(released_at__lt=end)
        .annotate(kind=kind)
        .values("path", "subject", "kind")
        .annotate(people=Count("pk"))
        .order_by("path", "subject", "kind")
    )
    return [IsolationCount(row["path"], row["subject"], row["kind"], row["people"]) for row in rows]


def isolation_counts(day: date, under: str = "") -> list[IsolationCount]:
    """People under an order at the end of `day` (Hà Nội), by following ward, subject and kind.

    Unscoped, for indicator providers that aggregate by unit (`under` a unit path, or everywhere).
    Cancelled orders never count: they were mistakes. One query.
    """
    return _counts(day, Q(path__startswith=under))


def isolation_counts_for(user: Any, day: date) -> dict[str, int]:
    """People isolated at the end of `day` in the user's wards, per kind (every kind present, maybe 0)."""
    require_isolator(user)
    totals = dict.fromkeys(KINDS, 0)
    for row in _counts(day, scope_q(user, "path", PERM)):
        totals[row.kind] = totals.get(row.kind, 0) + row.people
    return totals
