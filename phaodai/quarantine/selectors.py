"""Reads of facilities, occupancy and admissions, scoped to the actor (decision 0019).

Who reaches a facility:
- managers (`quarantine.manage`) and admitters (`quarantine.admit`): the facilities managed within
  their units (a district officer: the district's; the city: all);
- admitters also the facilities managed by the units above theirs (a ward health worker: the
  district's and the city's), since that is where their people are sent.
Who reads an admission: whoever reaches its facility from above (the facility's managers and
admitters of its unit or higher), and admitters of the person's residence (their own residents,
wherever they are).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q
from phaodai.core.text import search_key
from phaodai.quarantine import rules
from phaodai.quarantine.models import Admission, Facility
from phaodai.territory import selectors as territory

FACILITY_TYPE = "quarantine.facility"
ADMISSION_TYPE = "quarantine.admission"
QUARANTINE_PERMS = (Perm.MANAGE_FACILITIES, Perm.ADMIT)


# Reach -----------------------------------------------------------------------------------------------


def _reach_q(user: Any, prefix: str = "") -> Q:
    """Facilities managed within the user's units, and, for admitters, by the units above them."""
    condition = Q(pk__in=[])
    for perm in QUARANTINE_PERMS:
        condition |= scope_q(user, f"{prefix}path", perm)
    above = {ancestor for path in paths_of(user, Perm.ADMIT) for ancestor in rules.ancestors(path)}
    if above:
        condition |= Q(**{f"{prefix}path__in": sorted(above)})
    return condition


def reaches(user: Any, facility: Facility, perm: str = Perm.ADMIT) -> bool:
    """Whether the user may act on the facility with `perm` (admitting reaches up, managing does not)."""
    if covers(user, facility.path, perm):
        return True
    if perm != Perm.ADMIT:
        return False
    return any(facility.path in rules.ancestors(path) for path in paths_of(user, perm))


def may_manage(user: Any, facility: Facility) -> bool:
    return covers(user, facility.path, Perm.MANAGE_FACILITIES)


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in QUARANTINE_PERMS)


# Facilities ------------------------------------------------------------------------------------------


def facilities_visible_to(user: Any) -> QuerySet[Facility]:
    return Facility.objects.filter(_reach_q(user)).select_related("unit")


def facility_for(user: Any, pk: Any) -> Facility:
    """One facility the user reaches; any other answers 404 (and the attempt is logged)."""
    found = facilities_visible_to(user).filter(pk=pk).first()
    if found is None:
        other = Facility.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, FACILITY_TYPE, pk, other)
        raise Http404
    return found


def search_facilities(user: Any, query: str = "", readiness: str = "") -> list[Facility]:
    """Visible facilities by name (diacritics optional), optionally of one readiness."""
    facilities = facilities_visible_to(user)
    key = search_key(query or "")
    if key:
        facilities = facilities.filter(name_key__contains=key)
    rows = list(facilities.order_by("path", "name_key")[:500])
    if readiness:
        rows = [facility for facility in rows if facility.readiness == readiness]
    return rows


def facility_by_name(unit: Any, name: str) -> Facility | None:
    """The unit's facility with this name, diacritics and case ignored (for the demo and imports)."""
    return Facility.objects.filter(unit=unit, name_key=search_key(name)).first()


def managing_units(user: Any) -> list[Any]:
    """The districts and the city where the user may register facilities."""
    units = []
    for path in paths_of(user, Perm.MANAGE_FACILITIES):
        unit = territory.unit_by_path(path)
        if unit is None or unit.level not in ("city", "district"):
            continue
        units.append(unit)
        if unit.level == "city":
            units.extend(territory.children_of(unit).filter(level="district").order_by("code"))
    seen: dict[int, Any] = {}
    for unit in units:
        seen.setdefault(unit.pk, unit)
    return list(seen.values())


def admitting_facilities(user: Any, *, exclude: Facility | None = None) -> list[Facility]:
    """Facilities the user may admit to now (ready, with a free bed), for a transfer's choices."""
    facilities = facilities_visible_to(user).filter(state=Facility.State.READY)
    if exclude is not None:
        facilities = facilities.exclude(pk=exclude.pk)
    return [f for f in facilities.order_by("path", "name_key") if f.free.total > 0 and reaches(user, f)]


# Occupancy -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindOccupancy:
    kind: str
    capacity: int
    used: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.used, 0)


@dataclass(frozen=True)
class Occupancy:
    """A facility's beds per room kind, taken and free, and the readiness they give."""

    facility: Facility
    capacity: rules.Beds
    used: rules.Beds
    readiness: str
    return_status: str = ""

    @property
    def kinds(self) -> list[KindOccupancy]:
        return [KindOccupancy(k, self.capacity.of(k), self.used.of(k)) for k in rules.ROOM_KINDS]

    @property
    def free(self) -> rules.Beds:
        return self.capacity.minus(self.used)

    def as_dict(self) -> dict[str, dict[str, int]]:
        rows = {k.kind: {"capacity": k.capacity, "used": k.used, "free": k.free} for k in self.kinds}
        rows["total"] = {
            "capacity": self.capacity.total,
            "used": self.used.total,
            "free": max(self.free.total, 0),
        }
        return rows


def occupancy(facility: Facility, *, today: date | None = None) -> Occupancy:
    """Beds per room kind now, from the counters the admission services keep."""
    status = rules.return_status(facility.is_school, facility.return_due, today) if today else ""
    return Occupancy(facility, facility.capacity, facility.used, facility.readiness, status)


def _used_at(facilities: Iterable[Facility], at: datetime) -> dict[int, rules.Beds]:
    """Beds taken in each facility at the instant `at`, counted from the stays (one query)."""
    ids = [f.pk for f in facilities]
    rows = (
        Admission.objects.filter(facility_id__in=ids, admitted_at__lte=at)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gt=at))
        .values("facility_id", "room_kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["facility_id"]][row["room_kind"]] = row["n"]
    return {pk: rules.Beds(**kinds) for pk, kinds in counts.items()}


@dataclass(frozen=True)
class DistrictOccupancy:
    """The facilities one unit manages (a district, or the city's own), with their totals."""

    unit: Any
    facilities: list[Occupancy]

    @property
    def capacity(self) -> rules.Beds:
        total = rules.Beds()
        for row in self.facilities:
            total = (
                total.plus(row.capacity) if row.readiness not in (rules.PREPARING, rules.CLOSED) else total
            )
        return total

    @property
    def used(self) -> rules.Beds:
        total = rules.Beds()
        for row in self.facilities:
            total = total.plus(row.used)
        return total

    @property
    def free(self) -> rules.Beds:
        free = self.capacity.minus(self.used)
        return rules.Beds(*(max(free.of(kind), 0) for kind in rules.ROOM_KINDS))

    @property
    def kinds(self) -> list[KindOccupancy]:
        return [KindOccupancy(k, self.capacity.of(k), self.used.of(k)) for k in rules.ROOM_KINDS]

    @property
    def schools_to_return(self) -> list[Occupancy]:
        return [row for row in self.facilities if row.return_status]


def occupancy_by_district(
    user: Any, at: datetime | None = None, *, today: date | None = None
) -> list[DistrictOccupancy]:
    """The visible facilities grouped by managing unit, with beds taken now (or counted at `at`).

    Beds and readiness are today's (they are not kept with a history); "free" counts only facilities
    that admit (ready, active, full). Two queries whatever the number of facilities.
    """
    facilities = list(facilities_visible_to(user).order_by("path", "name_key"))
    used_at = _used_at(facilities, at) if at is not None else None
    groups: dict[int, DistrictOccupancy] = {}
    for facility in facilities:
        used = facility.used if used_at is None else used_at.get(facility.pk, rules.Beds())
        status = rules.return_status(facility.is_school, facility.return_due, today) if today else ""
        row = Occupancy(
            facility,
            facility.capacity,
            used,
            rules.readiness(facility.state, facility.capacity, used),
            status,
        )
        group = groups.setdefault(facility.unit_id, DistrictOccupancy(facility.unit, []))
        group.facilities.append(row)
    return list(groups.values())


@dataclass(frozen=True)
class FreeBeds:
    facility: Facility
    free: int


def free_beds(district: Any, room_kind: str, *, exclude: Facility | None = None) -> list[FreeBeds]:
    """Admitting facilities managed within `district` with free beds of `room_kind`, most free first."""
    if room_kind not in rules.ROOM_KINDS:
        return []
    facilities = (
        Facility.objects.filter(path__startswith=district.path, state=Facility.State.READY)
        .annotate(free_beds=F(f"beds_{room_kind}") - F(f"used_{room_kind}"))
        .filter(free_beds__gt=0)
        .order_by("-free_beds", "name_key")
    )
    if exclude is not None:
        facilities = facilities.exclude(pk=exclude.pk)
    return [FreeBeds(facility, facility.free_beds) for facility in facilities]


# Admissions ------------------------------------------------------------------------------------------


def _admission_q(user: Any) -> Q:
    """Stays in facilities the user reaches from above, and stays of the user's own residents."""
    condition = Q(pk__in=[])
    for perm in QUARANTINE_PERMS:
        condition |= scope_q(user, "facility__path", perm)
    return condition | scope_q(user, "person_path", Perm.ADMIT)


def admissions_visible_to(user: Any) -> QuerySet[Admission]:
    return Admission.objects.filter(_admission_q(user)).select_related("person", "facility", "admitted_by")


def admission_for(user: Any, pk: Any) -> Admission:
    """One stay the user may read; any other answers 404 (logged)."""
    found = admissions_visible_to(user).select_related("facility__unit").filter(pk=pk).first()
    if found is None:
        other = Admission.objects.filter(pk=pk).values_list("facility__path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, ADMISSION_TYPE, pk, other)
        raise Http404
    return found


def open_admissions(user: Any, facility: Facility, limit: int = 500) -> list[Admission]:
    """The people in a facility now that the user may read, latest admitted first."""
    stays = admissions_visible_to(user).filter(facility=facility, discharged_at__isnull=True)
    return list(stays.order_by("-admitted_at", "-pk")[:limit])


def current_admission(person: Any) -> Admission | None:
    """The person's open stay, if any (for apps that already hold the person through their own scope)."""
    return (
        Admission.objects.select_related("facility").filter(person=person, discharged_at__isnull=True).first()
    )


def last_discharge(person: Any) -> datetime | None:
    last = Admission.objects.filter(person=person, discharged_at__isnull=False).order_by("-discharged_at")
    return last.values_list("discharged_at", flat=True).first()


def person_label(admission: Admission) -> str:
    """How a stay names its person in lists and answers: family name and initials, never the CCCD."""
    return admission.person_label


def stays_open_at(moment: datetime) -> QuerySet[Admission]:
    """Stays begun before `moment` and not discharged by then (unscoped: for other apps' set-wise
    counts, e.g. isolation orders carried out in a facility, joined on the person)."""
    return Admission.objects.filter(admitted_at__lt=moment).filter(
        Q(discharged_at__isnull=True) | Q(discharged_at__gte=moment)
    )


def discharges_before(moment: datetime) -> QuerySet[Admission]:
    """Stays discharged before `moment` (unscoped, as `stays_open_at`)."""
    return Admission.objects.filter(discharged_at__lt=moment)
