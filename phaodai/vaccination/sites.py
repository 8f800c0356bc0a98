"""Vaccination sites (S19): hourly capacity, invitations by priority group, booked hours and check-in.

No hour is ever over capacity: the site's hour row is raised only while below its capacity (a
conditional UPDATE; of two bookings of the last place one wins, the other gets 409 `hour_full`), and a
database check refuses a count above it. Check-in and cancellation are compare-and-sets on the
booking's status; a cancellation gives its place back to the hour in the same transaction.

An edit of the site locks the site and its hours from the current one on and sets their capacity anew
(the new hourly capacity within the new opening hours, none outside), refusing any below what is
booked; the first booking of an hour reads the site's capacity under the same lock, so no hour is
created from a site being changed. The locks are FOR NO KEY UPDATE: a booking's insert holds KEY SHARE
on its site and hour (the foreign keys), which FOR UPDATE would wait for, and deadlock with.
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


def _site_fields(
    *,
    name: str,
    address: str,
    hourly_capacity: int,
    opens_at: time,
    closes_at: time,
    incident_contact: str,
    incident_phone: str,
    nearest_hospital: str,
    severe_reaction_plan: str,
) -> dict[str, Any]:
    """A site's details checked and cleaned, as the model stores them (registration and edit alike)."""
    fields: dict[str, Any] = {
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
    return {**fields, "hourly_capacity": hourly_capacity, "opens_at": opens_at, "closes_at": closes_at}


def register_site(*, by: Any, unit: Any, clock: Clock = now, **details: Any) -> Site:
    """A site of a ward or district with its hourly capacity, opening hours and incident plan (the
    details are `_site_fields`' keywords)."""
    require_within(by, Perm.PLAN_VACCINATION, path=unit.path, object_type="territory.unit", object_id=unit.pk)
    fields = _site_fields(**details)
    if Site.objects.filter(unit=unit, name=fields["name"]).exists():
        raise Duplicate(_("This unit already has a site with this name."), field="name")
    with transaction.atomic():
        site = Site.objects.create(unit=unit, path=unit.path, **fields)
        audit.record(
            actor=by,
            action="vaccination.register_site",
            object_type=SITE_TYPE,
            object_id=site.pk,
            unit_path=site.path,
            after={"name": site.name, "hourly_capacity": fields["hourly_capacity"]},
            clock=clock,
        )
    return site


def _open_at(opens_at: time, closes_at: time, moment: datetime) -> bool:
    return opens_at <= to_local(moment).time() < closes_at


def _at(moment: datetime) -> str:
    return f"{to_local(moment):%H:%M %d/%m/%Y}"


def _reset_hours(site: Site, fields: dict[str, Any], clock: Clock) -> None:
    """Give the site's hours from the current one on their new capacity (none outside the new opening
    hours), refusing any below its bookings; the hours stay locked until the edit commits."""
    current_hour = to_local(clock()).replace(minute=0, second=0, microsecond=0)
    hours = list(
        SiteHour.objects.select_for_update(no_key=True)
        .filter(site=site, starts_at__gte=current_hour)
        .order_by("starts_at")
    )
    open_ids, closed_ids = [], []
    for hour in hours:
        if _open_at(fields["opens_at"], fields["closes_at"], hour.starts_at):
            if hour.booked > fields["hourly_capacity"]:
                raise errors.CapacityBelowBooked(
                    _("%(count)s people are booked at %(at)s; the capacity cannot go below %(count)s.")
                    % {"count": hour.booked, "at": _at(hour.starts_at)},
                    field="hourly_capacity",
                )
            open_ids.append(hour.pk)
        else:
            if hour.booked:
                raise errors.BookedOutsideHours(
                    _(
                        "%(count)s people are booked at %(at)s, outside these opening hours; "
                        "cancel their bookings first."
                    )
                    % {"count": hour.booked, "at": _at(hour.starts_at)},
                    field="opens_at",
                )
            closed_ids.append(hour.pk)
    SiteHour.objects.filter(pk__in=open_ids).update(capacity=fields["hourly_capacity"])
    SiteHour.objects.filter(pk__in=closed_ids).update(capacity=0)


def update_site(
    *, by: Any, site: Site, version: int | None = None, clock: Clock = now, **details: Any
) -> Site:
    """Change a site's details, capacity and opening hours (compare-and-set on its version); hours
    already booked keep their people: a capacity below an hour's bookings, or opening hours leaving a
    booked hour out, is refused with the hour named."""
    require_within(by, Perm.PLAN_VACCINATION, path=site.path, object_type=SITE_TYPE, object_id=site.pk)
    fields = _site_fields(**details)
    expected = site.version if version is None else version
    with transaction.atomic():
        locked = Site.objects.select_for_update(no_key=True).get(pk=site.pk)
        if locked.version != expected:
            raise errors.SiteChanged()
        if Site.objects.filter(unit_id=locked.unit_id, name=fields["name"]).exclude(pk=locked.pk).exists():
            raise Duplicate(_("This unit already has a site with this name."), field="name")
        before = {
            name: str(getattr(locked, name)) for name in ("name", "hourly_capacity", "opens_at", "closes_at")
        }
        _reset_hours(locked, fields, clock)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save(update_fields=[*fields, "version", "updated_at"])
        audit.record(
            actor=by,
            action="vaccination.update_site",
            object_type=SITE_TYPE,
            object_id=locked.pk,
            unit_path=locked.path,
            before=before,
            after={name: str(getattr(locked, name)) for name in before},
            clock=clock,
        )
    return locked


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
    hour = SiteHour.objects.filter(site=site, starts_at=starts_at).first()
    if hour is None:
        # The hour's first booking copies the site's capacity under the site's lock: never from a site
        # being edited (an edit holds the lock), and none outside its current opening hours.
        fresh = Site.objects.select_for_update(no_key=True).get(pk=site.pk)
        capacity = fresh.hourly_capacity if _open_at(fresh.opens_at, fresh.closes_at, starts_at) else 0
        hour, _created = SiteHour.objects.get_or_create(
            site=site, starts_at=starts_at, defaults={"capacity": capacity}
        )
    taken = SiteHour.objects.filter(pk=hour.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise errors.HourFull(
            _("%(site)s is fully booked at %(at)s.") % {"site": site.name, "at": _at(starts_at)},
            field="starts_at",
        )
    return hour


def _live_booking(site: Site, person: Any) -> Booking | None:
    return (
        Booking.objects.select_related("hour")
        .filter(site=site, person=person)
        .exclude(status=Booking.Status.CANCELLED)
        .first()
    )


def _holds_another_hour(live: Booking) -> errors.BookingChanged:
    assert live.hour is not None
    return errors.BookingChanged(
        _("This person already holds %(at)s at this site.") % {"at": _at(live.hour.starts_at)},
        field="starts_at",
    )


def book_hour(
    *, by: Any, site: Site, person: Any, starts_at: datetime, clock: Clock = now
) -> tuple[Booking, bool]:
    """Book a person's hour at a site (their invitation, if any, becomes the booking); the same hour
    booked again is a retry; another hour while one is held is a conflict."""
    require_within(
        by, Perm.VACCINATE, path=person.unit_path, object_type="people.person", object_id=person.pk
    )
    moment = _hour(site, starts_at, clock)
    live = _live_booking(site, person)
    if live is not None and live.hour is not None:
        if live.hour.starts_at == moment:
            return live, False
        raise _holds_another_hour(live)
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
        # A concurrent booking of the same person won (one live booking per person and site): the same
        # hour is this request's retry, another hour a conflict; otherwise the capacity check refused.
        again = _live_booking(site, person)
        if again is not None and again.hour is not None:
            if again.hour.starts_at == moment:
                return again, False
            raise _holds_another_hour(again) from None
        raise errors.HourFull(field="starts_at") from None
    return booking, True


def check_in(*, by: Any, booking: Booking, clock: Clock = now) -> Booking:
    """The person arrived for their booked hour, on its day (once: a second check-in is a conflict)."""
    require_within(by, Perm.VACCINATE, path=booking.path, object_type=BOOKING_TYPE, object_id=booking.pk)
    moment = clock()
    hour = booking.hour if booking.status == Booking.Status.BOOKED else None
    if hour is not None and local_date(hour.starts_at) != local_date(moment):
        raise errors.NotBookedToday(
            _("This booking is for %(at)s; check-in is on that day.") % {"at": _at(hour.starts_at)}
        )
    with transaction.atomic():
        done = Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.BOOKED, hour_id=booking.hour_id
        ).update(status=Booking.Status.CHECKED_IN, checked_in_at=moment)
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


def cancel_reason(reason: str) -> str:
    """Why a booking or visit is cancelled: required, one line, at most 300 characters."""
    return _text(reason, "reason", 300)


def cancel_booking(*, by: Any, booking: Booking, reason: str, clock: Clock = now) -> Booking:
    """Cancel an invitation or a booked hour, with the reason, giving the place back to its hour in the
    same transaction (compare-and-set on the status: a checked-in booking stays; a second cancellation
    changes nothing)."""
    require_within(by, Perm.VACCINATE, path=booking.path, object_type=BOOKING_TYPE, object_id=booking.pk)
    text = cancel_reason(reason)
    open_states = (Booking.Status.INVITED, Booking.Status.BOOKED)
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, status__in=open_states).update(
            status=Booking.Status.CANCELLED, cancel_reason=text, cancelled_at=clock()
        )
        current = Booking.objects.select_related("hour").get(pk=booking.pk)
        if not done:
            if current.status == Booking.Status.CANCELLED:
                return current
            raise errors.BookingClosed()
        # The hour the booking held when it was cancelled (an invitation holds none).
        if current.hour_id is not None:
            SiteHour.objects.filter(pk=current.hour_id, booked__gt=0).update(booked=F("booked") - 1)
        audit.record(
            actor=by,
            action="vaccination.cancel_booking",
            object_type=BOOKING_TYPE,
            object_id=current.pk,
            unit_path=current.path,
            after={"reason": text, "hour": current.hour_id},
            clock=clock,
        )
    current.refresh_from_db()
    return current
