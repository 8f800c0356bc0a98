"""Refusals about businesses and their plans, with stable codes (pages show the message, the API the code)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted


class InvalidTaxCode(InvalidInput):
    code = "invalid_tax_code"
    message = gettext_lazy("This is not a valid tax code.")


def tax_code_message(problem: str) -> str:
    """The specific sentence for a reason from rules.tax_code_problem."""
    messages = {
        "not_digits": _(
            "A tax code has only the digits 0–9 (a branch may add a dash before its 3 digits, "
            "as in 0100112437-001)."
        ),
        "length": _("A tax code has 10 digits, or 13 for a branch (10 digits, a dash and 3 digits)."),
        "component": _(
            "This tax code has an empty part: the 7 serial digits cannot all be 0, nor a branch number 000."
        ),
        "checksum": _(
            "The check digit (the 10th) does not match the first nine: the tax code has a typing mistake."
        ),
    }
    return messages.get(problem, str(InvalidTaxCode.message))


class BusinessExists(Duplicate):
    code = "business_exists"
    message = gettext_lazy("A business with this tax code is already registered.")


class UnknownSector(InvalidInput):
    code = "unknown_sector"
    message = gettext_lazy("This is not a sector of the activity catalogue.")


class NotAWard(InvalidInput):
    code = "not_a_ward"
    message = gettext_lazy("A business is registered in a ward (phường, xã, thị trấn).")


class AreaNotInWard(InvalidInput):
    code = "area_not_in_ward"
    message = gettext_lazy("This residential area is not in the business's ward.")


class NotARepresentative(InvalidInput):
    code = "not_a_representative"
    message = gettext_lazy("Only a user with the business-representative role can represent a business.")


class ConditionOverlap(Conflict):
    code = "condition_overlap"
    message = gettext_lazy("Another version of this sector's conditions is valid over part of this period.")


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    message = gettext_lazy("The end of the period must come after its start.")


class PlanExists(Conflict):
    code = "plan_exists"
    message = gettext_lazy("This business already has a plan in progress; change that one instead.")


class PlanNotOpen(Conflict):
    code = "plan_not_open"
    message = gettext_lazy("This plan is not at a step where this can be done.")


class PlanChanged(Conflict):
    code = "plan_changed"
    message = gettext_lazy("Someone changed this plan meanwhile; reload it and try again.")


class SectorForbidden(InvalidInput):
    code = "sector_forbidden"
    message = gettext_lazy("The measures in force here do not allow this sector to operate.")


class OutsideDelegation(NotPermitted):
    code = "outside_delegation"
    message = gettext_lazy("This plan is outside your delegation: it is approved by a higher level.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = gettext_lazy("Give the reason; the business reads it.")


class TooManyAttachments(InvalidInput):
    code = "too_many_attachments"
    message = gettext_lazy("A plan has at most 10 attachments; remove one first.")
