"""Vaccination sites (S19): hourly capacity, invitations by priority group, booked hours and check-in.

No hour is ever over capacity: the site's hour row is raised only while below its capacity (a
conditional UPDATE; of two bookings of the last place one wins, the other gets 409 `hour_full`), and a
database check refuses a count above it. Check-in is a compare-and-set on the booking's status.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, at_local, local_date, now, plausible, to_local
from phaodai.core.errors import Duplicate, InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc
from phaodai.people import selectors as people
from phaodai.vaccination import errors, rules
from phaodai.vaccination.models import Booking, Site, SiteHour, Summary

SITE_TYPE = "vaccination.site"
BOOKING_TYPE = "vaccination.booking"
MAX_INVITATIONS = 2000
# Priority groups an invitation may target (people.rules' groups, plus every adult of the unit).
GROUPS = ("elderly_65", "chronic_illness", "disability_immobile", "adults")


def _text(value: str, field: str, limit: int, *, multiline: bool = False) -> str:
    cleaned = nfc(value or "").strip() if multiline else " ".join(nfc(value or "").split())
    if not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    return cleaned


def register_site(
    *,
    by: Any,
    unit: Any,
    name: str,
    address: str,
    hourly_capacity: int,
    opens_at: time,
    closes_at: time,
    incident_contact: str,
    incident_phone: str,
    nearest_hospital: str,
    severe_reaction_plan: str,
    clock: Clock = now,
) -> Site:
    """A site of a ward or district with its hourly capacity, opening hours and incident plan."""
    require_within(by, Perm.PLAN_VACCINATION, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    fields = {
        "name": _text(name, "name", 200),
        "address": _text(address, "address", 300),
        "incident_contact": _text(incident_contact, "incident_contact", 150),
        "incident_phone": _text(incident_phone, "incident_phone", 15),
        "nearest_hospital": _text(nearest_hospital, "nearest_hospital", 200),
        "severe_reaction_plan": _text(severe_reaction_plan, "severe_reaction_plan", 5000, multiline=True),
    }
    if not fields["incident_phone"].replace(" ", "").lstrip("+").isdigit():
        raise InvalidInput(_("Give a phone number of digits only."), field="incident_phone")
    if not 1 <= hourly_capacity <= 1000:
        raise InvalidInput(_("A site takes between 1 and 1000 people an hour."), field="hourly_capacity")
    if closes_at <= opens_at or opens_at.minute or closes_at.minute:
        raise InvalidInput(
            _("Opening and closing are whole hours, closing after opening."), field="closes_at"
        )
    if Site.objects.filter(unit=unit, name=fields["name"]).exists():
        raise Duplicate(_("This unit already has a site with this name."), field="name")
    with transaction.atomic():
        site = Site.objects.create(
            unit=unit,
            path=unit.path,
            hourly_capacity=hourly_capacity,
            opens_at=opens_at,
            closes_at=closes_at,
            **fields,
        )
        audit.record(
            actor=by,
            action="vaccination.register_site",
            object_type=SITE_TYPE,
            object_id=site.pk,
            unit_path=site.path,
            after={"name": site.name, "hourly_capacity": hourly_capacity},
            clock=clock,
        )
    return site


def _group_filter(group: str, day: date) -> Q:
    adult = rules.years_before(day, rules.ADULT_AGE)
    if group == "elderly_65":
        return Q(birth_date__lte=rules.years_before(day, rules.ELDERLY_AGE))
    if group == "chronic_illness":
        return Q(chronic_illness=True, birth_date__lte=adult)
    if group == "disability_immobile":
        return Q(disability_immobile=True, birth_date__lte=adult)
    return Q(birth_date__lte=adult)


def invite_priority_group(
    *, by: Any, site: Site, group: str, day: date, limit: int = 200, clock: Clock = now
) -> int:
    """Invite up to `limit` residents of the site's unit in a priority group, oldest first, who have not
    completed their series and hold no live booking at the site; returns how many were invited."""
    require_within(by, Perm.PLAN_VACCINATION, path=site.path, object_type=SITE_TYPE, object_id=site.pk)
    if group not in GROUPS:
        raise InvalidInput(_("Choose a priority group."), field="group")
    if day < local_date(clock()):
        raise errors.DayInPast(field="day")
    if not 1 <= limit <= MAX_INVITATIONS:
        raise InvalidInput(
            _("Invite between 1 and %(limit)s people at once.") % {"limit": MAX_INVITATIONS}, field="limit"
        )
    complete = Summary.objects.filter(completed_on__isnull=False).values("person_id")
    booked = Booking.objects.filter(site=site).exclude(status=Booking.Status.CANCELLED).values("person_id")
    chosen = list(
        people.persons_visible_to(by)
        .filter(unit_path__startswith=site.path)
        .filter(_group_filter(group, day))
        .exclude(pk__in=complete)
        .exclude(pk__in=booked)
        .order_by("birth_date", "pk")
        .values_list("pk", "unit_path")[:limit]
    )
    with transaction.atomic():
        Booking.objects.bulk_create(
            [
                Booking(
                    site=site, person_id=pk, path=path, priority_group=group, invited_for=day, created_by=by
                )
                for pk, path in chosen
            ],
            ignore_conflicts=True,  # a concurrent invitation of the same person keeps the first
        )
        audit.record(
            actor=by,
            action="vaccination.invite",
            object_type=SITE_TYPE,
            object_id=site.pk,
            unit_path=site.path,
            after={"group": group, "day": day.isoformat(), "count": len(chosen)},
            clock=clock,
        )
    return len(chosen)


def _hour(site: Site, starts_at: datetime, clock: Clock) -> datetime:
    if not plausible(starts_at):
        raise InvalidInput(_("This date is not plausible; check the year."), field="starts_at")
    local = to_local(starts_at)
    if local.minute or local.second or local.microsecond:
        raise InvalidInput(_("Book a whole hour (for example 08:00)."), field="starts_at")
    if starts_at < clock() - timedelta(hours=1):
        raise errors.DayInPast(_("This hour has passed."), field="starts_at")
    if not (site.opens_at <= local.time() < site.closes_at):
        raise errors.OutsideOpeningHours(
            _("%(site)s is open from %(opens)s to %(closes)s.")
            % {"site": site.name, "opens": f"{site.opens_at:%H:%M}", "closes": f"{site.closes_at:%H:%M}"},
            field="starts_at",
        )
    return at_local(local.date(), local.time())


def _take_place(site: Site, starts_at: datetime) -> SiteHour:
    hour, _created = SiteHour.objects.get_or_create(
        site=site, starts_at=starts_at, defaults={"capacity": site.hourly_capacity}
    )
    taken = SiteHour.objects.filter(pk=hour.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise errors.HourFull(
            _("%(site)s is fully booked at %(at)s.")
            % {"site": site.name, "at": f"{to_local(starts_at):%H:%M %d/%m/%Y}"},
            field="starts_at",
        )
    return hour


def book_hour(
    *, by: Any, site: Site, person: Any, starts_at: datetime, clock: Clock = now
) -> tuple[Booking, bool]:
    """Book a person's hour at a site (their invitation, if any, becomes the booking); the same hour
    booked again is a retry; another hour while one is held is a conflict."""
    require_within(
        by, Perm.VACCINATE, path=person.unit_path, object_type="people.person", object_id=person.pk
    )
    moment = _hour(site, starts_at, clock)
    live = (
        Booking.objects.select_related("hour")
        .filter(site=site, person=person)
        .exclude(status=Booking.Status.CANCELLED)
        .first()
    )
    if live is not None and live.hour is not None:
        if live.hour.starts_at == moment:
            return live, False
        raise errors.BookingChanged(
            _("This person already holds %(at)s at this site.")
            % {"at": f"{to_local(live.hour.starts_at):%H:%M %d/%m/%Y}"},
            field="starts_at",
        )
    try:
        with transaction.atomic():
            hour = _take_place(site, moment)
            if live is None:
                booking = Booking.objects.create(
                    site=site, person=person, path=person.unit_path, hour=hour,
                    status=Booking.Status.BOOKED, created_by=by,
                )  # fmt: skip
            else:
                moved = Booking.objects.filter(pk=live.pk, status=Booking.Status.INVITED).update(
                    hour=hour, status=Booking.Status.BOOKED
                )
                if not moved:
                    raise errors.BookingChanged()
                booking = Booking.objects.get(pk=live.pk)
            audit.record(
                actor=by,
                action="vaccination.book",
                object_type=BOOKING_TYPE,
                object_id=booking.pk,
                unit_path=booking.path,
                after={"site": site.pk, "starts_at": moment.isoformat()},
                clock=clock,
            )
    except IntegrityError:
        # A concurrent booking of the same person, or the database's capacity check.
        again = (
            Booking.objects.select_related("hour")
            .filter(site=site, person=person, hour__starts_at=moment)
            .first()
        )
        if again is not None:
            return again, False
        raise errors.HourFull(field="starts_at") from None
    return booking, True


def check_in(*, by: Any, booking: Booking, clock: Clock = now) -> Booking:
    """The person arrived for their booked hour (once: a second check-in is a conflict)."""
    require_within(by, Perm.VACCINATE, path=booking.path, object_type=BOOKING_TYPE, object_id=booking.pk)
    moment = clock()
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, status=Booking.Status.BOOKED).update(
            status=Booking.Status.CHECKED_IN, checked_in_at=moment
        )
        if not done:
            raise errors.BookingChanged(_("This booking is not waiting for check-in."))
        audit.record(
            actor=by,
            action="vaccination.check_in",
            object_type=BOOKING_TYPE,
            object_id=booking.pk,
            unit_path=booking.path,
            clock=clock,
        )
    booking.refresh_from_db()
    return booking
