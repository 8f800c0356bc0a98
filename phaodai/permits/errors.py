"""The permits' refusals, with stable codes; each says what to do."""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, InvalidInput
from phaodai.permits.rules import RuleError


class BadPermitData(InvalidInput):
    code = "bad_permit_data"


class OrganisationNotConfirmed(Conflict):
    code = "organisation_not_confirmed"
    message = _("The ward has not confirmed this organisation's registration yet.")


class AlreadyConfirmed(Conflict):
    code = "already_confirmed"
    message = _("This registration was already confirmed.")


class AlreadyDecided(Conflict):
    code = "already_decided"
    message = _("Another officer decided this entry first; reload to see the decision.")


class NotApproved(Conflict):
    code = "not_approved"
    message = _("Only an approved entry can be issued a permit.")


class AlreadyIssued(Conflict):
    code = "already_issued"
    message = _("This entry already has a valid permit; revoke it first to issue a new one.")


class AlreadyRevoked(Conflict):
    code = "already_revoked"
    message = _("This permit was already revoked.")


def _messages() -> dict[str, str]:
    return {
        "unknown_group": gettext("Unknown group: use a number from 1 to 6."),
        "bad_plate": gettext("A vehicle plate reads like 29C-123.45 or 30A-12345."),
        "bad_zone": gettext("Zones are unit codes such as 00139 or 004, separated by spaces or commas."),
        "too_many_zones": gettext("At most %(limit)d zones."),
        "ends_before_start": gettext("The permit must end on or after the day it starts."),
        "already_ended": gettext("The permit would already have ended."),
        "too_long": gettext("A permit runs for at most %(limit)d days."),
        "starts_too_late": gettext("A permit starts within %(limit)d days."),
        "bad_birth_year": gettext("The birth year is not a plausible year."),
        "birth_year_mismatch": gettext("The CCCD encodes birth year %(encoded)d, not %(given)d."),
    }


def from_rule(error: RuleError) -> BadPermitData:
    """The domain error of a pure rule's refusal, worded in the user's language."""
    text = _messages().get(error.problem, error.problem)
    return BadPermitData(text % error.params if error.params else text, field=error.field)


def invalid(message: Any, field: str) -> BadPermitData:
    return BadPermitData(message, field=field)


class ChangedMeanwhile(Conflict):
    code = "changed_meanwhile"
    message = _("Someone changed this organisation while you were editing; reload it and try again.")
