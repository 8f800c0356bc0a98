"""Reads of vaccines, doses and due lists, always scoped to the acting user's jurisdiction."""

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import require_perm
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR, local_day_bounds
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of, scope
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory
from phaodai.vaccination import rules
from phaodai.vaccination.models import (
    AdverseEvent,
    Booking,
    Dose,
    HomeVisit,
    MobileTeam,
    Product,
    Site,
    SiteHour,
    TeamDay,
)

DOSE_TYPE = "vaccination.dose"
PERSON_TYPE = "people.person"
MAX_PAGE = 100


class InvalidCursor(InvalidInput):
    code = "invalid_cursor"
    message = _("This page link has expired; start the list again.")


def schedules() -> dict[str, rules.Schedule]:
    """Every product's schedule, by code, in two queries."""
    found: dict[str, rules.Schedule] = {}
    for product in Product.objects.prefetch_related("steps"):
        steps = {
            step.dose_number: rules.Step(
                step.dose_number, step.min_days, step.recommended_days, step.latest_days
            )
            for step in product.steps.all()
        }
        found[product.code] = rules.Schedule(
            product.code, product.series_doses, steps, frozenset(product.interchangeable_with)
        )
    return found


def products(*, active_only: bool = True) -> list[Product]:
    """Vaccines with their steps (public reference data)."""
    queryset = Product.objects.prefetch_related("steps").order_by("name")
    if active_only:
        queryset = queryset.filter(active=True)
    return list(queryset)


def product_by_code(code: str) -> Product | None:
    return Product.objects.filter(code=code, active=True).first()


def is_vaccinator(user: Any) -> bool:
    return bool(paths_of(user, Perm.VACCINATE))


def person_for(user: Any, person_id: Any) -> Any:
    """A person whose doses the user may read and record: 403 without the capability, 404 (logged)
    outside the user's vaccination units."""
    require_perm(user, Perm.VACCINATE)
    person = people.person_for(user, person_id)
    if not covers(user, person.unit_path, Perm.VACCINATE):
        log_out_of_scope(user, PERSON_TYPE, person.pk, person.unit_path)
        raise Http404
    return person


def person_by_cccd(user: Any, cccd: str) -> Any:
    """The person with this CCCD within the user's vaccination units, or None."""
    require_perm(user, Perm.VACCINATE)
    person = people.lookup_by_cccd(user, cccd)
    if person is None or not covers(user, person.unit_path, Perm.VACCINATE):
        return None
    return person


def doses_of(person: Any) -> list[Dose]:
    """A person's doses (the caller fetched the person through `person_for`), with their events."""
    return list(
        Dose.objects.filter(person=person)
        .select_related("product")
        .prefetch_related("adverse_events")
        .order_by("dose_number")
    )


def doses_recorded(person_id: Any, on: date) -> int:
    """How many doses the registry holds for a person, given on or before `on` (what a pass carries)."""
    rows = Dose.objects.filter(person_id=person_id, given_on__lte=on)
    return rows.values("dose_number").distinct().count()


def history_of(person: Any) -> list[rules.GivenDose]:
    rows = Dose.objects.filter(person=person).values_list("dose_number", "given_on", "product__code")
    return [rules.GivenDose(number, given_on, code) for number, given_on, code in rows]


def dose_for(user: Any, pk: Any) -> Dose:
    """One dose the user may read; 404 (logged) outside their vaccination units."""
    require_perm(user, Perm.VACCINATE)
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    queryset = Dose.objects.select_related("product", "person")
    return get_in_scope_or_404(queryset, user, path_field="path", perm=Perm.VACCINATE, pk=key)


def adverse_events_of(dose: Dose) -> QuerySet[AdverseEvent]:
    return AdverseEvent.objects.filter(dose=dose).order_by("onset_at", "id")


def ward_for(user: Any, code: str, perm: str = Perm.VACCINATE) -> Any:
    """A ward within the user's units for `perm`: 403 without it, 404 (logged) elsewhere or for no ward."""
    require_perm(user, perm)
    ward = territory.unit_by_code(code.strip()) if code else None
    if ward is None or ward.level != "ward":
        raise Http404
    if not covers(user, ward.path, perm):
        log_out_of_scope(user, "territory.unit", ward.pk, ward.path)
        raise Http404
    return ward


def require_plausible_day(day: date, field: str = "on") -> date:
    """Refuse a day outside the years phaodai reasons about (year 1 would overflow the age cut-offs)."""
    if not (FIRST_YEAR + rules.ELDERLY_AGE <= day.year <= LAST_YEAR):
        raise InvalidInput(_("This date is not plausible; check the year."), field=field)
    return day


def covers_unit(user: Any, unit: Any) -> bool:
    return covers(user, unit.path, Perm.VACCINATE)


def coverage_unit_for(user: Any, code: str | None) -> Any:
    """The unit whose coverage the user asks for (default: their widest unit); 403 without a vaccination
    capability, 404 (logged) for a unit outside their units or none."""
    require_perm(user, Perm.VACCINATE)
    paths = paths_of(user, Perm.VACCINATE)
    if not code:
        unit = territory.widest_unit(paths)
        if unit is None:
            raise Http404
        return unit
    unit = territory.unit_by_code(code.strip())
    if unit is None:
        raise Http404
    if not covers(user, unit.path, Perm.VACCINATE):
        log_out_of_scope(user, "territory.unit", unit.pk, unit.path)
        raise Http404
    return unit


def wards_for(user: Any, perm: str = Perm.VACCINATE) -> list[Any]:
    """The wards within the user's units, for a chooser (one query per unit the user is bound to)."""
    wards: list[Any] = []
    for path in paths_of(user, perm):
        unit = territory.unit_by_path(path)
        if unit is not None:
            wards.extend(territory.within(unit).filter(level="ward").order_by("code"))
    return wards


@dataclass(frozen=True)
class DueRow:
    dose: Dose  # the person's last dose as of the day
    next_dose: int
    due_on: date
    overdue_after: date | None
    status: str  # "due" or "overdue"


@dataclass(frozen=True)
class DuePage:
    rows: list[DueRow]
    next_after: str | None


def _cursor(after: str) -> tuple[date, int]:
    try:
        day, _sep, pk = after.partition(".")
        return date.fromisoformat(day), int(pk)
    except ValueError:
        raise InvalidCursor(field="after") from None


def due_list(ward: Any, on: date, *, after: str | None = None, limit: int = 50) -> DuePage:
    """Residents of `ward` whose next dose is due or overdue on `on`, by due date then dose id (keyset).

    Set-wise: each person's last dose as of `on` is the one with no higher-numbered dose given by then;
    its stored next-due date says when the next one is due. No COUNT over the list.
    """
    limit = max(1, min(limit, MAX_PAGE))
    later = Dose.objects.filter(
        person=OuterRef("person"), dose_number__gt=OuterRef("dose_number"), given_on__lte=on
    )
    queryset = (
        Dose.objects.filter(person__unit_path=ward.path, given_on__lte=on, next_due_on__lte=on)
        .filter(~Exists(later))
        .select_related("product", "person")
        .defer("person__cccd_ciphertext", "person__cccd_index")
    )
    if after:
        day, pk = _cursor(after)
        queryset = queryset.filter(Q(next_due_on__gt=day) | Q(next_due_on=day, pk__gt=pk))
    found = list(queryset.order_by("next_due_on", "pk")[: limit + 1])
    more = len(found) > limit
    rows = []
    for dose in found[:limit]:
        overdue = dose.next_overdue_after is not None and on > dose.next_overdue_after
        assert dose.next_due_on is not None
        rows.append(
            DueRow(
                dose=dose,
                next_dose=dose.dose_number + 1,
                due_on=dose.next_due_on,
                overdue_after=dose.next_overdue_after,
                status="overdue" if overdue else "due",
            )
        )
    last = found[limit - 1] if more else None
    return DuePage(rows, f"{last.next_due_on.isoformat()}.{last.pk}" if last and last.next_due_on else None)


def parse_person_id(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _ancestors(paths: tuple[str, ...]) -> set[str]:
    """Every unit path at or above the given ones ("/01/004/00139/" → itself, "/01/004/", "/01/")."""
    found: set[str] = set()
    for path in paths:
        parts = path.strip("/").split("/")
        found.update("/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1))
    return found


def sites_visible_to(user: Any) -> QuerySet[Site]:
    """Sites within the user's units, and those of the units above them (a ward books at its district's)."""
    paths = paths_of(user, Perm.VACCINATE)
    if not paths:
        return Site.objects.none()
    within = Q()
    for prefix in paths:
        within |= Q(path__startswith=prefix)
    return Site.objects.filter(within | Q(path__in=_ancestors(paths))).select_related("unit")


def site_for(user: Any, pk: Any) -> Site:
    require_perm(user, Perm.VACCINATE)
    found = sites_visible_to(user).filter(pk=_int(pk)).first()
    if found is None:
        outside = Site.objects.filter(pk=_int(pk)).values_list("path", flat=True).first()
        if outside is not None:
            log_out_of_scope(user, "vaccination.site", pk, outside)
        raise Http404
    return found


def site_to_plan(user: Any, pk: Any) -> Site:
    """A site the user may change: 404 (logged) where they cannot see it, 403 where they see it
    without planning there (a ward's officer at their district's site)."""
    site = site_for(user, pk)
    require_perm(user, Perm.PLAN_VACCINATION, within=site.path)
    return site


def site_hours(site: Site, day: date, user: Any) -> list[Any]:
    """The booked hours of a site on a day (two queries). Each hour's count is the site's; the bookings
    it carries are only those of persons the user may see (a district's site serves several wards)."""
    start, end = local_day_bounds(day)
    visible = scope(Booking.objects.select_related("person"), user, "path", Perm.VACCINATE)
    return list(
        SiteHour.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related(Prefetch("bookings", queryset=visible))
        .order_by("starts_at")
    )


def invitations_of(site: Site, user: Any, limit: int = 100) -> list[Booking]:
    """Invitations not yet booked, of persons the user may see, oldest first."""
    return list(
        scope(Booking.objects.filter(site=site, status=Booking.Status.INVITED), user, "path", Perm.VACCINATE)
        .select_related("person")
        .order_by("person__birth_date", "pk")[:limit]
    )


def booking_for(user: Any, pk: Any) -> Booking:
    require_perm(user, Perm.VACCINATE)
    queryset = Booking.objects.select_related("site", "hour", "person")
    return get_in_scope_or_404(queryset, user, path_field="path", perm=Perm.VACCINATE, pk=_int(pk))


def teams_for(user: Any, perm: str = Perm.PLAN_VACCINATION, *, active_only: bool = True) -> list[MobileTeam]:
    queryset = MobileTeam.objects.filter(active=True) if active_only else MobileTeam.objects.all()
    return list(scope(queryset, user, "path", perm).select_related("unit").order_by("path", "name"))


def team_for(user: Any, pk: Any) -> MobileTeam:
    require_perm(user, Perm.PLAN_VACCINATION)
    queryset = MobileTeam.objects.select_related("unit")
    return get_in_scope_or_404(queryset, user, path_field="path", perm=Perm.PLAN_VACCINATION, pk=_int(pk))


def team_with_room(path: str, day: date) -> MobileTeam | None:
    """The active team working at `path` with a free visit on `day`, the ward's own before the district's."""
    ancestors = _ancestors((path,))
    full = TeamDay.objects.filter(day=day, booked__gte=F("capacity")).values("team_id")
    return (
        MobileTeam.objects.filter(active=True, path__in=ancestors)
        .exclude(pk__in=full)
        .order_by("-path", "pk")
        .first()
    )


def home_visits_of(ward: Any, *, open_only: bool = True) -> list[HomeVisit]:
    """A ward's home-visit requests (the caller checked the ward through `ward_for`)."""
    queryset = HomeVisit.objects.filter(path=ward.path).select_related("person", "team")
    if open_only:
        queryset = queryset.filter(status__in=[HomeVisit.Status.REQUESTED, HomeVisit.Status.SCHEDULED])
    return list(queryset.order_by("status", "visit_on", "pk")[:500])


def home_visit_for(user: Any, pk: Any) -> HomeVisit:
    require_perm(user, Perm.VACCINATE)
    queryset = HomeVisit.objects.select_related("person", "team")
    return get_in_scope_or_404(queryset, user, path_field="path", perm=Perm.VACCINATE, pk=_int(pk))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None
