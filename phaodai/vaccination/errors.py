"""Refusals about doses and adverse events, with stable codes (pages show the message beside the field)."""

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, Duplicate, InvalidInput


class UnknownProduct(InvalidInput):
    code = "unknown_product"
    message = _("Choose one of the vaccines in use.")


class DoseNumberInvalid(InvalidInput):
    code = "dose_number_invalid"
    message = _("The dose number starts at 1.")


class BeyondSeries(InvalidInput):
    code = "beyond_series"
    message = _("This dose number is beyond the vaccine's primary series.")


class DoseInFuture(InvalidInput):
    code = "in_the_future"
    message = _("A dose cannot be recorded for a day still to come.")


class BeforeVaccines(InvalidInput):
    code = "before_vaccines"
    message = _("No COVID-19 vaccine was given before 01/12/2020; check the date.")


class PreviousDoseMissing(InvalidInput):
    code = "previous_dose_missing"
    message = _("Record the previous dose first.")


class NotInterchangeable(InvalidInput):
    code = "not_interchangeable"
    message = _("This vaccine may not follow the previous dose's vaccine.")


class IntervalTooShort(InvalidInput):
    code = "interval_too_short"
    message = _("Too little time has passed since the previous dose.")


class AfterLaterDose(InvalidInput):
    code = "after_later_dose"
    message = _("A later dose of this person was given before this date.")


class SeriesComplete(InvalidInput):
    code = "series_complete"
    message = _("This person's primary series is already complete.")


class DoseExists(Duplicate):
    code = "dose_exists"
    message = _("This person already has a dose with this number.")


class OnsetBeforeDose(InvalidInput):
    code = "onset_before_dose"
    message = _("An adverse event cannot begin before the dose was given.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used for another report; send a new key.")


class NotEligibleAtHome(InvalidInput):
    code = "not_eligible_at_home"
    message = _(
        "This person is not recorded as immobile, ill or very old; "
        "a ward officer may register them for a home visit."
    )


class AlreadyComplete(InvalidInput):
    code = "already_complete"
    message = _("This person has completed their primary series.")


class TeamFull(Conflict):
    code = "team_full"
    message = _("This team has no free visit left on this day.")


class HourFull(Conflict):
    code = "hour_full"
    message = _("This hour is fully booked at this site.")


class VisitChanged(Conflict):
    code = "visit_changed"
    message = _("Someone changed this home visit meanwhile; reload it and try again.")


class BookingChanged(Conflict):
    code = "booking_changed"
    message = _("This booking was changed meanwhile; reload it and try again.")


class TeamOutsideArea(InvalidInput):
    code = "team_outside_area"
    message = _("This team does not work where the person lives.")


class DayInPast(InvalidInput):
    code = "day_in_past"
    message = _("Choose today or a later day.")


class OutsideOpeningHours(InvalidInput):
    code = "outside_opening_hours"
    message = _("The site is not open at this hour.")


class NotBookedToday(InvalidInput):
    code = "not_booked_today"
    message = _("Check-in is only on the day of the booked hour.")


class BookingClosed(Conflict):
    code = "booking_closed"
    message = _("This booking is already checked in or cancelled.")


class VisitClosed(Conflict):
    code = "visit_closed"
    message = _("This home visit is already done or cancelled.")


class CapacityBelowBooked(InvalidInput):
    code = "capacity_below_booked"
    message = _("The capacity cannot go below what is already booked.")


class BookedOutsideHours(InvalidInput):
    code = "booked_outside_hours"
    message = _("People are booked outside these opening hours; cancel or move their bookings first.")


class TeamHasVisits(InvalidInput):
    code = "team_has_visits"
    message = _("This team has home visits scheduled; cancel or move them before retiring it.")


class SiteChanged(Conflict):
    code = "site_changed"
    message = _("Someone changed this site meanwhile; reload it and try again.")


class TeamChanged(Conflict):
    code = "team_changed"
    message = _("Someone changed this team meanwhile; reload it and try again.")
