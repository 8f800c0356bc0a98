"""Reads about committees, duty, hotlines and commendations.

Officials read the bodies, members and duty roster of the units their roles cover (any official
role; business representatives are not officials); anything else answers 404 and is logged.
The public reads (published hotlines and commendations) need no user and show no private phone.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.command import rules
from phaodai.command.models import Commendation, Committee, Document, DutyShift, Hotline, Member
from phaodai.command.selectors_tasks import documents_visible_to
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, require_within
from phaodai.territory import selectors as territory

__all__ = [
    "Body",
    "UnitReadiness",
    "bodies_of",
    "can_manage",
    "can_read",
    "commendation_for_managing",
    "commendation_years",
    "commendations_within",
    "committee_for_managing",
    "committee_for_reading",
    "completeness_of",
    "default_unit_for",
    "display_number",
    "documents_for",
    "hotline_directory",
    "hotline_for_managing",
    "hotlines_of",
    "member_for_managing",
    "members_of",
    "on_duty",
    "published_commendations",
    "published_hotlines_for",
    "reader_paths",
    "readiness_below",
    "shifts_between",
    "unit_for_managing",
    "unit_for_reading",
]

PUBLIC_LIMIT = 200
display_number = rules.display_number


# Who reads and who manages -----------------------------------------------------------------------


def reader_paths(user: Any) -> tuple[str, ...]:
    """Unit paths where the user keeps command work (officials of wards, districts, the city).

    Members' and duty phones are personal data: roles without command work (health workers, labs,
    checkpoints, inspectors, businesses) do not read them; the published hotlines are for everyone.
    """
    return paths_of(user, Perm.MANAGE_COMMAND)


def can_read(user: Any, path: str) -> bool:
    """Whether the user may read the bodies and roster of the unit at `path`."""
    return _reads(user, path)


def _reads(user: Any, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in reader_paths(user))


def _refuse_reading(user: Any, object_type: str, object_id: Any, path: str) -> None:
    if not reader_paths(user):
        raise NotPermitted()
    if not _reads(user, path):
        log_out_of_scope(user, object_type, object_id, path)
        raise Http404


def can_manage(user: Any, path: str) -> bool:
    return covers(user, path, Perm.MANAGE_COMMAND)


def unit_for_reading(user: Any, code: str) -> Any:
    """A unit whose bodies and roster the user may read: 404 (logged) otherwise."""
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    if not reader_paths(user):
        raise NotPermitted()
    _refuse_reading(user, "territory.unit", code, unit.path)
    return unit


def unit_for_managing(user: Any, code: str) -> Any:
    """A unit the user keeps the bodies, roster and hotlines of: 403 without the role, 404 outside."""
    unit = territory.unit_by_code(code)
    if unit is None:
        raise Http404
    require_within(user, Perm.MANAGE_COMMAND, path=unit.path, object_type="territory.unit", object_id=code)
    return unit


def default_unit_for(user: Any) -> Any:
    """The widest unit the user reads (their own district, ward or the city); 403 for non-officials."""
    paths = reader_paths(user)
    if not paths:
        raise NotPermitted()
    return territory.widest_unit(paths)


def _managed(user: Any, queryset: QuerySet[Any], pk: int, object_type: str) -> Any:
    if not paths_of(user, Perm.MANAGE_COMMAND):
        raise NotPermitted()
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    if not can_manage(user, found.unit_path):
        log_out_of_scope(user, object_type, pk, found.unit_path)
        raise Http404
    return found


# Committees --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """A committee with its active members and whether its leader seat is filled exactly once."""

    committee: Committee
    members: list[Member]
    completeness: rules.Completeness

    @property
    def standing(self) -> bool:
        return self.committee.dissolved_on is None


def completeness_of(committee: Committee, members: Iterable[Member]) -> rules.Completeness:
    return rules.completeness(committee.kind, [m.position for m in members if m.active])


def _with_members(queryset: QuerySet[Committee]) -> QuerySet[Committee]:
    active = Member.objects.filter(active=True).select_related("user").order_by("order", "pk")
    return queryset.select_related("unit", "decision").prefetch_related(
        Prefetch("members", queryset=active, to_attr="active_members")
    )


def _body(committee: Committee) -> Body:
    # The Prefetch's to_attr, which the type checker cannot see.
    members: list[Member] = committee.active_members  # type: ignore[attr-defined]
    return Body(committee, members, completeness_of(committee, members))


def bodies_of(unit: Any) -> list[Body]:
    """The unit's bodies, standing first (steering, then command center), then dissolved ones."""
    committees = _with_members(Committee.objects.filter(unit=unit)).order_by(
        "dissolved_on", "kind", "-established_on"
    )
    ordered = sorted(committees, key=lambda c: (c.dissolved_on is not None, c.kind != "steering"))
    return [_body(c) for c in ordered]


def committee_for_reading(user: Any, pk: int) -> Body:
    committee = _with_members(Committee.objects.filter(pk=pk)).first()
    if committee is None:
        raise Http404
    _refuse_reading(user, "command.committee", pk, committee.unit_path)
    return _body(committee)


def committee_for_managing(user: Any, pk: int) -> Committee:
    return _managed(user, Committee.objects.select_related("unit"), pk, "command.committee")


def member_for_managing(user: Any, pk: int) -> Member:
    members = Member.objects.select_related("committee", "committee__unit")
    # The member's unit path is its committee's: annotated so the scope check reads it like the others'.
    return _managed(user, members.annotate(unit_path=F("committee__unit_path")), pk, "command.member")


def members_of(unit: Any) -> list[Member]:
    """Active members of the unit's standing bodies (for putting one on duty)."""
    return list(
        Member.objects.filter(committee__unit=unit, committee__dissolved_on__isnull=True, active=True)
        .select_related("committee")
        .order_by("committee__kind", "order", "pk")
    )


def documents_for(unit: Any, user: Any) -> list[Document]:
    """Decisions a body of the unit may be founded by: registered by the unit or a unit above it, and
    readable by the user (a ward officer does not see the city's unpublished decisions)."""
    parts = unit.path.strip("/").split("/")
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    found = documents_visible_to(user).filter(unit_path__in=prefixes, kind=Document.Kind.DECISION)
    return list(found.order_by("-issued_on", "number")[:100])


@dataclass(frozen=True)
class UnitReadiness:
    unit: Any
    readiness: rules.Readiness


def readiness_below(unit: Any, day: date) -> list[UnitReadiness]:
    """Each unit directly below `unit` (a district's wards, the city's districts): both bodies by `day`?"""
    children = list(territory.children_of(unit))
    leaders = {
        "heads": Count("members", filter=Q(members__active=True, members__position=rules.HEAD)),
        "chiefs": Count("members", filter=Q(members__active=True, members__position=rules.CHIEF)),
    }
    rows = Committee.objects.filter(unit__parent=unit).annotate(**leaders)
    facts: dict[int, list[rules.BodyFacts]] = {}
    fields = ("unit_id", "kind", "established_on", "dissolved_on", "heads", "chiefs")
    for c in rows.values(*fields):
        seated = c["heads"] if c["kind"] == rules.STEERING else c["chiefs"]
        body = rules.BodyFacts(c["kind"], c["established_on"], c["dissolved_on"], seated == 1)
        facts.setdefault(c["unit_id"], []).append(body)
    return [UnitReadiness(child, rules.readiness(facts.get(child.pk, []), day)) for child in children]


# Duty --------------------------------------------------------------------------------------------


def shifts_between(unit: Any, start: datetime, end: datetime) -> list[DutyShift]:
    """The unit's shifts that run at some time in [start, end), earliest first."""
    found = DutyShift.objects.filter(unit=unit, starts_at__lt=end, ends_at__gt=start)
    return list(found.select_related("member").order_by("starts_at", "pk"))


def on_duty(unit: Any, at: datetime) -> list[DutyShift]:
    """Who is on duty for the unit at `at`."""
    found = DutyShift.objects.filter(unit=unit, starts_at__lte=at, ends_at__gt=at)
    return list(found.select_related("member").order_by("starts_at", "pk"))


# Hotlines ----------------------------------------------------------------------------------------


def hotlines_of(unit: Any) -> list[Hotline]:
    """All the unit's hotlines, published or not (for its officials)."""
    return list(Hotline.objects.filter(unit=unit).order_by("order", "pk"))


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def published_hotlines_for(unit: Any) -> list[Hotline]:
    """Published hotlines of the unit and every unit above it, the nearest unit first (one query)."""
    found = Hotline.objects.filter(unit_path__in=_ancestor_paths(unit.path), published=True)
    rows = list(found.select_related("unit").order_by("order", "pk"))
    return sorted(rows, key=lambda h: (-len(h.unit_path), h.order, h.pk))


def hotline_directory(*, query: str = "", district: str = "") -> list[tuple[Any, list[Hotline]]]:
    """Published hotlines grouped by unit (city, then districts and wards in code order).

    With `query`: units whose name matches (diacritics ignored) and the units above them; with
    `district`: that district, its wards and the city; otherwise the city and the districts.
    """
    published = Hotline.objects.filter(published=True).select_related("unit")
    if query:
        units = territory.search_units(query, limit=50)
        paths = {p for u in units for p in _ancestor_paths(u.path)}
        published = published.filter(unit_path__in=paths)
    elif district:
        chosen = territory.unit_by_code(district)
        if chosen is None:
            return []
        published = published.filter(
            Q(unit_path__startswith=chosen.path) | Q(unit_path__in=_ancestor_paths(chosen.path))
        )
    else:
        published = published.filter(unit__level__in=["city", "district"])
    groups: dict[str, tuple[Any, list[Hotline]]] = {}
    for hotline in published.order_by("unit_path", "order", "pk")[:PUBLIC_LIMIT]:
        groups.setdefault(hotline.unit_path, (hotline.unit, []))[1].append(hotline)
    return list(groups.values())


def hotline_for_managing(user: Any, pk: int) -> Hotline:
    return _managed(user, Hotline.objects.select_related("unit"), pk, "command.hotline")


# Commendations -----------------------------------------------------------------------------------


def commendations_within(unit: Any, *, year: int | None = None) -> list[Commendation]:
    """The register of a unit and the units below it (published or not), latest decision first."""
    found = Commendation.objects.filter(unit_path__startswith=unit.path)
    if year is not None:
        found = found.filter(decision_date__year=year)
    return list(found.select_related("unit").order_by("-decision_date", "pk")[:PUBLIC_LIMIT])


def published_commendations(*, district: Any = None, year: int | None = None) -> list[Commendation]:
    """Published commendations (of a district and its wards, of a year), latest first."""
    found = Commendation.objects.filter(published=True)
    if district is not None:
        found = found.filter(unit_path__startswith=district.path)
    if year is not None:
        found = found.filter(decision_date__year=year)
    return list(found.select_related("unit").order_by("-decision_date", "pk")[:PUBLIC_LIMIT])


def commendation_years() -> list[int]:
    """Years with a published commendation, latest first."""
    dates = Commendation.objects.filter(published=True).dates("decision_date", "year", order="DESC")
    return [d.year for d in dates]


def commendation_for_managing(user: Any, pk: int) -> Commendation:
    return _managed(user, Commendation.objects.select_related("unit"), pk, "command.commendation")
