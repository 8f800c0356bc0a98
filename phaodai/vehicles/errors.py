"""The vehicles' refusals, with stable codes (the API renders {"code", "message"}; pages the message)."""

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, Duplicate, InvalidInput


class InvalidPlate(InvalidInput):
    code = "invalid_plate"
    message = _("This is not a Vietnamese plate such as 29C-123.45.")


class BadPeriod(InvalidInput):
    code = "bad_period"
    message = _("The validity must end after it starts, in the future, and last at most 90 days.")


class StartsTooFarAhead(InvalidInput):
    code = "starts_too_far_ahead"
    message = _("The validity must start within 90 days from today: a pass cannot be signed further ahead.")


class BadHours(InvalidInput):
    code = "bad_hours"
    message = _("Give the hours as HH:MM, the end after the start on the same day, e.g. 06:00 to 18:00.")


class RegistrationChanged(Conflict):
    code = "registration_changed"
    message = _("This registration was changed by someone else first; reload it and try again.")


class NotAwaitingDecision(Conflict):
    code = "not_awaiting_decision"
    message = _("This registration was already approved or rejected.")


class AlreadyEnded(Conflict):
    code = "already_ended"
    message = _("This registration is not in force (rejected or already revoked).")


class AlreadyRegistered(Duplicate):
    code = "already_registered"
    message = _("This vehicle is already registered from the same start with different details.")


class ShipperAlreadyRegistered(Duplicate):
    code = "shipper_already_registered"
    message = _("This person is already registered as a shipper (with different details).")


class NotAGateway(InvalidInput):
    code = "not_a_gateway"
    message = _("A transit vehicle enters at a city gateway or a border checkpoint.")
