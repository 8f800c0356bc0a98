"""Home vaccination (S19): requests for people who cannot travel, mobile teams scheduled within their
daily capacity, visits recorded as doses.

Capacity holds two ways: the team's day row is raised only while below its capacity (a conditional
UPDATE: of two bookings of the last place one wins, the other gets 409 `team_full`), and a database
check refuses a count above the capacity whatever the code does. A visit moves requested → scheduled
→ done, or to cancelled, by compare-and-set on its version; cancelling a scheduled visit gives its
place back to the team's day in the same transaction. An edit of a team locks it and its days from
today on and sets their capacity anew, never below what is booked; a day's first booking reads the
team's capacity under the same lock (FOR NO KEY UPDATE, as in sites: a visit's foreign key to its team
holds KEY SHARE, which FOR UPDATE would deadlock with).
"""

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Duplicate, InvalidInput, NotPermitted
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc
from phaodai.vaccination import errors, rules, selectors, services, sites
from phaodai.vaccination.models import HomeVisit, MobileTeam, Product, Summary, TeamDay

VISIT_TYPE = "vaccination.homevisit"
OPEN = (HomeVisit.Status.REQUESTED, HomeVisit.Status.SCHEDULED)


def reason_for(person: Any, today: date) -> str | None:
    """Why a person may be vaccinated at home, read off the registry's flags (None: the ward decides)."""
    if person.disability_immobile:
        return HomeVisit.Reason.IMMOBILE
    if person.chronic_illness:
        return HomeVisit.Reason.SEVERELY_ILL
    if person.birth_date and person.birth_date <= rules.years_before(today, rules.VERY_OLD_AGE):
        return HomeVisit.Reason.VERY_OLD
    return None


def request_home_visit(
    *, by: Any, person: Any, reason: str | None = None, note: str = "", clock: Clock = now
) -> tuple[HomeVisit, bool]:
    """Ask for a home visit; an open request of the person is returned as it is (a retry)."""
    require_within(
        by, Perm.VACCINATE, path=person.unit_path, object_type="people.person", object_id=person.pk
    )
    existing = HomeVisit.objects.filter(person=person, status__in=OPEN).first()
    if existing is not None:
        return existing, False
    if Summary.objects.filter(person=person, completed_on__isnull=False).exists():
        raise errors.AlreadyComplete(field="person")
    derived = reason_for(person, local_date(clock()))
    # The registry's flags qualify a person; anyone else is put on the list by the ward (S19).
    planner = has_perm(by, Perm.PLAN_VACCINATION, within=person.unit_path)
    if reason is not None and reason not in HomeVisit.Reason.values:
        raise InvalidInput(_("Choose why the person is vaccinated at home."), field="reason")
    chosen = reason or derived or (HomeVisit.Reason.WARD if planner else None)
    if chosen is None:
        raise errors.NotEligibleAtHome(field="reason")
    if chosen != derived and not planner:
        if chosen == HomeVisit.Reason.WARD:
            raise NotPermitted()
        raise errors.NotEligibleAtHome(field="reason")
    text = nfc(note or "").strip()
    if len(text) > 500:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": 500}, field="note")
    try:
        with transaction.atomic():
            visit = HomeVisit.objects.create(
                person=person, path=person.unit_path, reason=chosen, note=text, requested_by=by
            )
            audit.record(
                actor=by,
                action="vaccination.request_home_visit",
                object_type=VISIT_TYPE,
                object_id=visit.pk,
                unit_path=visit.path,
                after={"person": str(person.pk), "reason": chosen},
                clock=clock,
            )
    except IntegrityError:
        # A concurrent request for the same person won: ours is its retry.
        return HomeVisit.objects.get(person=person, status__in=OPEN), False
    return visit, True


def register_team(*, by: Any, unit: Any, name: str, daily_capacity: int, clock: Clock = now) -> MobileTeam:
    """A mobile team of a ward or district (the unit it visits), with its visits per day."""
    require_within(by, Perm.PLAN_VACCINATION, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    cleaned, daily_capacity = _team_name(name), _daily_capacity(daily_capacity)
    if MobileTeam.objects.filter(unit=unit, name=cleaned).exists():
        raise Duplicate(_("This unit already has a team with this name."), field="name")
    with transaction.atomic():
        team = MobileTeam.objects.create(
            name=cleaned, unit=unit, path=unit.path, daily_capacity=daily_capacity
        )
        audit.record(
            actor=by,
            action="vaccination.register_team",
            object_type="vaccination.mobileteam",
            object_id=team.pk,
            unit_path=team.path,
            after={"name": cleaned, "daily_capacity": daily_capacity},
            clock=clock,
        )
    return team


def _take_place(team: MobileTeam, day: date) -> None:
    """Raise the team's count for the day while below its capacity; TeamFull when none is left."""
    if not TeamDay.objects.filter(team=team, day=day).exists():
        # The day's first visit copies the team's capacity under the team's lock: never from a team
        # being edited (an edit holds the lock); a retired team has none.
        fresh = MobileTeam.objects.select_for_update(no_key=True).get(pk=team.pk)
        capacity = fresh.daily_capacity if fresh.active else 0
        TeamDay.objects.get_or_create(team=team, day=day, defaults={"capacity": capacity})
    taken = TeamDay.objects.filter(team=team, day=day, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if not taken:
        raise errors.TeamFull(
            _("%(team)s has no free visit left on %(day)s.") % {"team": team.name, "day": f"{day:%d/%m/%Y}"},
            field="visit_on",
        )


def _team_name(name: str) -> str:
    cleaned = " ".join(nfc(name or "").split())
    if not cleaned or len(cleaned) > 150:
        raise InvalidInput(_("Give the team a name of at most 150 characters."), field="name")
    return cleaned


def _daily_capacity(daily_capacity: int) -> int:
    if not 1 <= daily_capacity <= 500:
        raise InvalidInput(_("A team makes between 1 and 500 visits a day."), field="daily_capacity")
    return daily_capacity


def _reset_days(team: MobileTeam, capacity: int, today: date) -> None:
    """Give the team's days from `today` on their new capacity, refusing any below its visits; the
    days stay locked until the edit commits."""
    days = list(
        TeamDay.objects.select_for_update(no_key=True).filter(team=team, day__gte=today).order_by("day")
    )
    crowded = next((day for day in days if day.booked > capacity), None)
    if crowded is not None:
        values = {"count": crowded.booked, "day": f"{crowded.day:%d/%m/%Y}"}
        if capacity == 0:
            raise errors.TeamHasVisits(
                _("%(count)s visits are scheduled on %(day)s; cancel or move them before retiring the team.")
                % values,
                field="active",
            )
        raise errors.CapacityBelowBooked(
            _("%(count)s visits are scheduled on %(day)s; the capacity cannot go below %(count)s.") % values,
            field="daily_capacity",
        )
    TeamDay.objects.filter(pk__in=[day.pk for day in days]).update(capacity=capacity)


def update_team(
    *,
    by: Any,
    team: MobileTeam,
    name: str,
    daily_capacity: int,
    active: bool = True,
    version: int | None = None,
    clock: Clock = now,
) -> MobileTeam:
    """Rename a team, change its visits a day or retire it (compare-and-set on its version); days
    already planned keep their visits: a capacity below a day's visits is refused with the day named."""
    require_within(
        by, Perm.PLAN_VACCINATION, path=team.path, object_type="vaccination.mobileteam", object_id=team.pk
    )
    cleaned, capacity = _team_name(name), _daily_capacity(daily_capacity)
    expected = team.version if version is None else version
    with transaction.atomic():
        locked = MobileTeam.objects.select_for_update(no_key=True).get(pk=team.pk)
        if locked.version != expected:
            raise errors.TeamChanged()
        if MobileTeam.objects.filter(unit_id=locked.unit_id, name=cleaned).exclude(pk=locked.pk).exists():
            raise Duplicate(_("This unit already has a team with this name."), field="name")
        before = {"name": locked.name, "daily_capacity": locked.daily_capacity, "active": locked.active}
        _reset_days(locked, capacity if active else 0, local_date(clock()))
        locked.name, locked.daily_capacity, locked.active = cleaned, capacity, active
        locked.version += 1
        locked.save(update_fields=["name", "daily_capacity", "active", "version", "updated_at"])
        audit.record(
            actor=by,
            action="vaccination.update_team",
            object_type="vaccination.mobileteam",
            object_id=locked.pk,
            unit_path=locked.path,
            before=before,
            after={"name": cleaned, "daily_capacity": capacity, "active": active},
            clock=clock,
        )
    return locked


def schedule_home_visit(
    *,
    by: Any,
    visit: HomeVisit,
    team: MobileTeam | None,
    day: date,
    version: int | None = None,
    clock: Clock = now,
) -> HomeVisit:
    """Give a requested visit a team and a day within the team's capacity (one winner per last place);
    without a team, the first team working there with a free visit that day."""
    require_within(by, Perm.PLAN_VACCINATION, path=visit.path, object_type=VISIT_TYPE, object_id=visit.pk)
    if team is None:
        team = selectors.team_with_room(visit.path, day)
        if team is None:
            raise errors.TeamFull(_("No team working here has a free visit on this day."), field="visit_on")
    if not team.active or not visit.path.startswith(team.path):
        raise errors.TeamOutsideArea(field="team")
    if day < local_date(clock()):
        raise errors.DayInPast(field="visit_on")
    expected = visit.version if version is None else version
    try:
        with transaction.atomic():
            _take_place(team, day)
            moved = HomeVisit.objects.filter(
                pk=visit.pk, version=expected, status=HomeVisit.Status.REQUESTED
            ).update(status=HomeVisit.Status.SCHEDULED, team=team, visit_on=day, version=F("version") + 1)
            if not moved:
                raise errors.VisitChanged()
            audit.record(
                actor=by,
                action="vaccination.schedule_home_visit",
                object_type=VISIT_TYPE,
                object_id=visit.pk,
                unit_path=visit.path,
                after={"team": team.pk, "day": day.isoformat()},
                clock=clock,
            )
    except IntegrityError:
        # The database's capacity check caught what the conditional update should have: still full.
        raise errors.TeamFull(field="visit_on") from None
    visit.refresh_from_db()
    return visit


def record_visit_dose(
    *,
    by: Any,
    visit: HomeVisit,
    product: Product | None,
    dose_number: int,
    lot: str,
    vaccinator: str,
    given_on: date | None = None,
    clock: Clock = now,
) -> HomeVisit:
    """The dose given at home: recorded as any dose (same rules), and the visit done."""
    require_within(by, Perm.VACCINATE, path=visit.path, object_type=VISIT_TYPE, object_id=visit.pk)
    if visit.status != HomeVisit.Status.SCHEDULED:
        raise errors.VisitChanged(_("Only a scheduled visit can be recorded."))
    with transaction.atomic():
        dose, _created = services.record_dose(
            by=by,
            person=visit.person,
            product=product,
            dose_number=dose_number,
            given_on=given_on or local_date(clock()),
            lot=lot,
            site=_("At home"),
            vaccinator=vaccinator,
            clock=clock,
        )
        done = HomeVisit.objects.filter(
            pk=visit.pk, version=visit.version, status=HomeVisit.Status.SCHEDULED
        ).update(status=HomeVisit.Status.DONE, dose=dose, version=F("version") + 1)
        if not done:
            raise errors.VisitChanged()
    visit.refresh_from_db()
    return visit


def cancel_home_visit(
    *, by: Any, visit: HomeVisit, reason: str, version: int | None = None, clock: Clock = now
) -> HomeVisit:
    """Cancel a requested or scheduled visit, with the reason (compare-and-set on its version); a
    scheduled visit gives its place back to the team's day in the same transaction. A visit already
    cancelled is returned as it is; a visit done cannot be cancelled."""
    require_within(by, Perm.VACCINATE, path=visit.path, object_type=VISIT_TYPE, object_id=visit.pk)
    text = sites.cancel_reason(reason)
    expected = visit.version if version is None else version
    with transaction.atomic():
        done = HomeVisit.objects.filter(pk=visit.pk, version=expected, status__in=OPEN).update(
            status=HomeVisit.Status.CANCELLED,
            cancel_reason=text,
            cancelled_at=clock(),
            version=F("version") + 1,
        )
        if not done:
            current = HomeVisit.objects.select_related("person", "team").get(pk=visit.pk)
            if current.status == HomeVisit.Status.CANCELLED:
                return current
            if current.status == HomeVisit.Status.DONE:
                raise errors.VisitClosed()
            raise errors.VisitChanged()
        # The version matched: the row was the visit as read, scheduled or not.
        if visit.status == HomeVisit.Status.SCHEDULED and visit.visit_on is not None:
            TeamDay.objects.filter(team_id=visit.team_id, day=visit.visit_on, booked__gt=0).update(
                booked=F("booked") - 1
            )
        audit.record(
            actor=by,
            action="vaccination.cancel_home_visit",
            object_type=VISIT_TYPE,
            object_id=visit.pk,
            unit_path=visit.path,
            before={"status": visit.status, "team": visit.team_id, "day": str(visit.visit_on or "")},
            after={"status": HomeVisit.Status.CANCELLED, "reason": text},
            clock=clock,
        )
    visit.refresh_from_db()
    return visit
