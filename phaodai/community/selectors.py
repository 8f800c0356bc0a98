"""Reads of the community app, always scoped to the acting user.

The ward's work (campaign boards, members, teams, special housing) is read by whoever holds
Perm.MANAGE_COMMUNITY over the ward: its officers, its district, the city. A party member reads only
the households assigned to them; any other household answers 404 (logged). A team member with a linked
login reads their own team. Lists are bounded.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import Perm
from phaodai.cases import isolation_selectors as isolation
from phaodai.community import checklists, rules
from phaodai.community.models import (
    Assignment,
    Campaign,
    CheckItem,
    Commitment,
    Duty,
    Housing,
    Team,
    TeamMember,
    Visit,
)
from phaodai.core.errors import NotPermitted
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope, scope_q
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

MANAGE = Perm.MANAGE_COMMUNITY
LIST_LIMIT = 500
HOUSEHOLD_LIMIT = 1000
ROSTER_DAYS = 7
ID_DIGITS = 9


def is_manager(user: Any) -> bool:
    return bool(paths_of(user, MANAGE))


def require_manager(user: Any) -> None:
    if not is_manager(user):
        raise NotPermitted()


def is_member(user: Any) -> bool:
    """Whoever may be given households: party members, and officials once given some."""
    if paths_of(user, Perm.VISIT_HOUSEHOLDS):
        return True
    return (
        bool(getattr(user, "is_authenticated", False))
        and Assignment.objects.filter(member_id=user.pk).exists()
    )


def is_team_user(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and TeamMember.objects.filter(user_id=user.pk).exists()
    )


def managed_wards(user: Any, limit: int = 1000) -> list[Any]:
    """The wards the user keeps community work for, in path order (a district's or the city's wards)."""
    wards: list[Any] = []
    for path in paths_of(user, MANAGE):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        if unit.level == "ward":
            wards.append(unit)
        else:
            wards.extend(territory.within(unit).filter(level="ward").order_by("path")[:limit])
    return wards


def default_unit(user: Any) -> Any:
    """The widest unit the user keeps community work over (their ward, district or the city)."""
    require_manager(user)
    unit = territory.widest_unit(paths_of(user, MANAGE))
    if unit is None:
        raise Http404
    return unit


def unit_in_reach(user: Any, code: str) -> Any:
    """A unit by code the user keeps community work over; 404 (logged) outside, 403 without the role."""
    require_manager(user)
    unit = territory.unit_by_code(code.strip()) if code else None
    if unit is None:
        raise Http404
    if not covers(user, unit.path, MANAGE):
        log_out_of_scope(user, "territory.unit", unit.code, unit.path)
        raise Http404
    return unit


def area_in_reach(user: Any, code: str) -> Any:
    require_manager(user)
    area = territory.area_by_code(code.strip()) if code else None
    if area is None:
        raise Http404
    if not covers(user, area.path, MANAGE):
        log_out_of_scope(user, "territory.area", area.pk, area.path)
        raise Http404
    return area


def household_in_area(area: Any, household_id: Any) -> Any:
    """A household of an area already in reach, by id or code; 404 for none."""
    households = territory.households_of(area)
    text = str(household_id or "").strip()
    number = rules.whole_number(text, ID_DIGITS)
    found = households.filter(pk=number).first() if number is not None else None
    if found is None and text:
        found = households.filter(code=text).first()
    if found is None:
        raise Http404
    return found


def household_members(user: Any, household: Any) -> list[Any]:
    """The registered members of a household the user may read (none for a role reading no persons)."""
    return list(
        people.persons_visible_to(user)
        .filter(household_id=household.pk)
        .defer("cccd_ciphertext", "cccd_index")
        .order_by("birth_date", "pk")[:30]
    )


# Campaigns and coverage ---------------------------------------------------------------------------


def _ancestors(path: str) -> list[str]:
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """Campaigns run within the user's units, or over them (the city's campaign reaches every ward)."""
    condition = Q(pk__in=[])
    for path in paths_of(user, MANAGE):
        condition |= Q(unit_path__startswith=path) | Q(unit_path__in=_ancestors(path))
    return Campaign.objects.filter(condition).select_related("unit")


def campaign_for(user: Any, code: str) -> Campaign:
    require_manager(user)
    found = campaigns_visible_to(user).filter(code=code).first()
    if found is None:
        outside = Campaign.objects.filter(code=code).values_list("pk", "unit_path").first()
        if outside is not None:
            log_out_of_scope(user, "community.campaign", outside[0], outside[1])
        raise Http404
    return found


def current_campaign(path: str) -> Campaign | None:
    """The latest campaign covering a ward path (for a member's status column)."""
    return Campaign.objects.filter(unit_path__in=_ancestors(path)).order_by("-starts_on", "-pk").first()


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    coverage: rules.Coverage
    is_area: bool


def coverage_board(campaign: Campaign, unit: Any) -> tuple[list[CoverageRow], rules.Coverage]:
    """Signed over households per area (for a ward) or per ward (wider): three queries whatever the size.

    The caller has checked the unit is in the user's reach; only the campaign's households count.
    """
    under = unit.path if unit.path.startswith(campaign.unit_path) else campaign.unit_path
    if not under.startswith(unit.path) and not unit.path.startswith(under):
        return [], rules.Coverage(0, 0)
    areas = territory.areas_within(unit).filter(path__startswith=under)
    per_area = list(
        areas.annotate(n=Count("household_set"))
        .values_list("pk", "code", "name", "ward_id", "n")
        .order_by("code")
    )
    signed = dict(
        Commitment.objects.filter(campaign=campaign, unit_path__startswith=under)
        .values("area_id")
        .annotate(n=Count("pk"))
        .values_list("area_id", "n")
    )
    if unit.level == "ward":
        rows = [
            CoverageRow(code, name, rules.Coverage(signed.get(pk, 0), n), True)
            for pk, code, name, _ward, n in per_area
        ]
    else:
        wards = {w.pk: w for w in territory.within(unit).filter(level="ward")}
        sums: dict[int, list[int]] = {}
        for pk, _code, _name, ward_id, n in per_area:
            acc = sums.setdefault(ward_id, [0, 0])
            acc[0] += signed.get(pk, 0)
            acc[1] += n
        rows = [
            CoverageRow(wards[ward_id].code, wards[ward_id].full_name, rules.Coverage(s, n), False)
            for ward_id, (s, n) in sorted(sums.items(), key=lambda item: wards[item[0]].path)
            if ward_id in wards
        ]
    return rows, rules.total(row.coverage for row in rows)


@dataclass(frozen=True)
class HouseholdRow:
    household: Any
    commitment: Commitment | None
    member: str
    last_visit: Any


def _last_visits(household_ids: list[int]) -> dict[int, Any]:
    latest = (
        Visit.objects.filter(household_id__in=household_ids)
        .values("household_id")
        .annotate(at=Max("visited_at"))
    )
    return {row["household_id"]: row["at"] for row in latest}


def households_of_area(campaign: Campaign | None, area: Any) -> list[HouseholdRow]:
    """The area's households with their commitment, party member and last visit (four queries)."""
    households = list(territory.households_of(area).order_by("code")[:HOUSEHOLD_LIMIT])
    ids = [h.pk for h in households]
    signed = (
        {c.household_id: c for c in Commitment.objects.filter(campaign=campaign, household_id__in=ids)}
        if campaign is not None
        else {}
    )
    members = dict(
        Assignment.objects.filter(household_id__in=ids).values_list("household_id", "member__username")
    )
    visits = _last_visits(ids)
    return [HouseholdRow(h, signed.get(h.pk), members.get(h.pk, ""), visits.get(h.pk)) for h in households]


# Party members ------------------------------------------------------------------------------------


def my_households(user: Any) -> list[HouseholdRow]:
    """The households assigned to the user, with the latest campaign's commitment and the last visit."""
    rows = list(
        Assignment.objects.filter(member_id=user.pk)
        .select_related("household", "household__area")
        .order_by("area__code", "household__code")[:HOUSEHOLD_LIMIT]
    )
    ids = [row.household_id for row in rows]
    campaigns = current_campaigns({row.unit_path for row in rows})
    campaign_ids = {c.pk for c in campaigns.values() if c is not None}
    signed = (
        {
            (c.campaign_id, c.household_id): c
            for c in Commitment.objects.filter(campaign_id__in=campaign_ids, household_id__in=ids)
        }
        if campaign_ids
        else {}
    )
    visits = _last_visits(ids)
    result = []
    for r in rows:
        campaign = campaigns.get(r.unit_path)
        commitment = signed.get((campaign.pk, r.household_id)) if campaign is not None else None
        result.append(HouseholdRow(r.household, commitment, "", visits.get(r.household_id)))
    return result


def current_campaigns(paths: set[str]) -> dict[str, Campaign | None]:
    """The latest campaign covering each ward path (one query whatever the number of paths)."""
    ancestors = {path: _ancestors(path) for path in paths}
    everyone = sorted({a for chain in ancestors.values() for a in chain})
    found = list(Campaign.objects.filter(unit_path__in=everyone).order_by("-starts_on", "-pk")[:LIST_LIMIT])
    return {path: next((c for c in found if c.unit_path in chain), None) for path, chain in ancestors.items()}


def my_household(user: Any, household_id: int) -> Any:
    """One household assigned to the user; any other answers 404 (and the attempt is logged); 403 for
    a user who is no party member and follows no household."""
    if not is_member(user):
        raise NotPermitted()
    row = (
        Assignment.objects.filter(member_id=user.pk, household_id=household_id)
        .select_related("household", "area")
        .first()
    )
    if row is None:
        other = (
            Assignment.objects.filter(household_id=household_id).values_list("unit_path", flat=True).first()
        )
        if other is not None:
            log_out_of_scope(user, "territory.household", household_id, other)
        raise Http404
    if not covers(user, row.household.path):
        # Assigned once, but the member has since lost every role over the household's ward.
        log_out_of_scope(user, "territory.household", row.household_id, row.household.path)
        raise Http404
    return row.household


def my_household_by_code(user: Any, code: str) -> Any:
    """One household assigned to the user, by its code (the API's way); others 404, the attempt logged."""
    if not is_member(user):
        raise NotPermitted()
    row = (
        Assignment.objects.filter(member_id=user.pk, household__code=code).select_related("household").first()
    )
    if row is None:
        other = (
            Assignment.objects.filter(household__code=code).values_list("household_id", "unit_path").first()
        )
        if other is not None:
            log_out_of_scope(user, "territory.household", other[0], other[1])
        raise Http404
    if not covers(user, row.household.path):
        log_out_of_scope(user, "territory.household", row.household_id, row.household.path)
        raise Http404
    return row.household


def visits_of(household: Any, limit: int = 20) -> list[Visit]:
    return list(Visit.objects.filter(household_id=household.pk).select_related("by", "team")[:limit])


def commitment_of(household: Any) -> Commitment | None:
    campaign = current_campaign(household.path)
    if campaign is None:
        return None
    return Commitment.objects.filter(campaign=campaign, household_id=household.pk).first()


@dataclass(frozen=True)
class MemberRow:
    user: Any
    households: int


def members_of_ward(ward: Any) -> list[MemberRow]:
    """The ward's party members (and officials given households there), with their households' count."""
    counts = dict(
        Assignment.objects.filter(unit_path=ward.path)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    users = {u.pk: u for u in accounts.officials_of(ward, Perm.VISIT_HOUSEHOLDS)}
    missing = [pk for pk in counts if pk not in users]
    for user in accounts.officials_of(ward):
        if user.pk in missing:
            users[user.pk] = user
    return [MemberRow(u, counts.get(u.pk, 0)) for u in sorted(users.values(), key=lambda u: u.username)]


def assignments_in(user: Any) -> QuerySet[Assignment]:
    return scope(Assignment.objects.all(), user, "unit_path", MANAGE)


# Teams --------------------------------------------------------------------------------------------


def _team_q(user: Any) -> Q:
    # Membership alone is not enough: a linked login that has since lost every role over the team's
    # ward loses the team too (as a party member loses their households).
    own = (
        Q(members__user_id=user.pk) & scope_q(user, "unit_path")
        if getattr(user, "is_authenticated", False)
        else Q(pk__in=[])
    )
    return scope_q(user, "unit_path", MANAGE) | own


def teams_visible_to(user: Any) -> QuerySet[Team]:
    if not is_manager(user) and not is_team_user(user):
        raise NotPermitted()
    return Team.objects.filter(_team_q(user)).distinct().select_related("area")


def team_for(user: Any, pk: int) -> Team:
    found = teams_visible_to(user).filter(pk=pk).first()
    if found is None:
        other = Team.objects.filter(pk=pk).values_list("unit_path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "community.team", pk, other)
        raise Http404
    return found


def team_members(team: Team) -> list[TeamMember]:
    return sorted(
        TeamMember.objects.filter(team=team).select_related("user"),
        key=lambda m: (rules.role_rank(m.role), m.full_name),
    )


def _phone_or_none(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except InvalidPhone:
        return None


def member_of_team(team: Team, key: Any) -> TeamMember:
    """A member of the team by id, or by phone (how a roster sheet names them); 404 for none."""
    text = str(key or "").strip()
    members = TeamMember.objects.filter(team=team).select_related("team")
    found = None
    number = rules.whole_number(text, ID_DIGITS)
    if number is not None:
        found = members.filter(pk=number).first()
    if found is None and text:
        phone = _phone_or_none(text)
        found = members.filter(phone=phone).first() if phone else None
    if found is None:
        raise Http404
    return found


def roster(team: Team, start: date, days: int = ROSTER_DAYS) -> list[tuple[date, list[Duty]]]:
    duties = Duty.objects.filter(
        team=team, day__gte=start, day__lt=start + timedelta(days=days)
    ).select_related("member")
    by_day: dict[date, list[Duty]] = {start + timedelta(days=n): [] for n in range(days)}
    for duty in duties:
        by_day[duty.day].append(duty)
    return list(by_day.items())


def team_visits(team: Team, limit: int = 30) -> list[Visit]:
    return list(Visit.objects.filter(area_id=team.area_id).select_related("household", "by", "team")[:limit])


def team_worklist(user: Any, team: Team, day: date) -> list[Any] | None:
    """Today's isolation follow-ups of the team's area (cases' worklist), for those who follow isolation;
    None for a reader who does not (a team member sees the visits, not the health records)."""
    if not covers(user, team.unit_path, Perm.ORDER_ISOLATION):
        return None
    groups = isolation.worklist(user, day, area=team.area)
    return [item for group in groups for item in group.items]


def duty_for(user: Any, pk: int) -> Duty:
    return get_in_scope_or_404(
        Duty.objects.select_related("team", "member"), user, path_field="unit_path", perm=MANAGE, pk=pk
    )


# Special housing ----------------------------------------------------------------------------------


def housing_visible_to(user: Any) -> QuerySet[Housing]:
    require_manager(user)
    return scope(Housing.objects.select_related("area"), user, "unit_path", MANAGE)


def housing_for(user: Any, pk: int) -> Housing:
    require_manager(user)
    return get_in_scope_or_404(
        Housing.objects.select_related("area"), user, path_field="unit_path", perm=MANAGE, pk=pk
    )


@dataclass(frozen=True)
class HousingRow:
    housing: Housing
    gaps: rules.Gaps

    @property
    def missing_labels(self) -> list[Any]:
        kind = self.housing.kind
        return [checklists.PLAN_PART_LABELS[p] for p in self.gaps.plan_parts] + [
            checklists.label_of(kind, key) for key in self.gaps.items
        ]


def _facts(row: Housing) -> rules.PlanFacts:
    return rules.PlanFacts(
        row.plan, row.responsible_name, row.responsible_phone, row.plan_starts_on, row.plan_ends_on
    )


def ticks_of(housing: Housing) -> dict[str, CheckItem]:
    return {t.key: t for t in CheckItem.objects.filter(housing=housing).select_related("ticked_by")}


def housing_gaps(housing: Housing, ticked: Any = None) -> rules.Gaps:
    keys = ticked if ticked is not None else ticks_of(housing).keys()
    return rules.gaps(_facts(housing), checklists.keys_of(housing.kind), keys)


def housing_board(user: Any, ward: Any = None) -> list[HousingRow]:
    """The special housing of the user's wards (or of one ward), each with what it still lacks."""
    rows = housing_visible_to(user)
    if ward is not None:
        rows = rows.filter(unit_path__startswith=ward.path)
    items = list(rows[:LIST_LIMIT])
    ticked: dict[int, set[str]] = {}
    for housing_id, key in CheckItem.objects.filter(housing__in=[h.pk for h in items]).values_list(
        "housing_id", "key"
    ):
        ticked.setdefault(housing_id, set()).add(key)
    return [HousingRow(h, housing_gaps(h, ticked.get(h.pk, set()))) for h in items]
