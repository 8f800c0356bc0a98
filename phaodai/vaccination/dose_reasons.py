"""Why a dose record is refused: a stable reason code per cell or rule, and its message.

Messages carry no value from the file and nothing of the person beyond what the schedule says (a
product's series, its minimum interval): the rejection report of an import is read by whoever may
see the job.
"""

from django.utils.translation import gettext as _

from phaodai.people.validation import CCCD_REASONS, Reason

# The dose rule's codes (rules.dose_problem) as imports and the API's errors name them.
RULE_REASONS = {
    "unknown_product": "product_unknown",
    "dose_number_invalid": "dose_number_format",
    "in_future": "in_the_future",
    "previous_missing": "previous_dose_missing",
}


def message(reason: str, **params: object) -> str:
    """The message of a reason code, its figures filled in."""
    messages = {
        "cccd_leading_zero_lost": _(
            "The CCCD has 11 digits: Excel most likely dropped its leading zero. Format the column as Text "
            "and enter all 12 digits. It was not repaired."
        ),
        "full_name_too_long": _("The full name is longer than 150 characters."),
        "birth_date_format": _("The birth date must read dd/mm/yyyy or YYYY-MM-DD (ISO 8601)."),
        "birth_date_out_of_range": _("The birth date is not a plausible date."),
        "birth_date_not_cccd": _("The birth year differs from the one the CCCD encodes."),
        "birth_date_mismatch": _("The birth date differs from the registry's for this CCCD."),
        "product_missing": _("The vaccine is missing."),
        "product_unknown": _(
            "No vaccine in use has this code or name (astrazeneca, pfizer, moderna, sinopharm, sputnik_v, "
            "abdala, or their names)."
        ),
        "lot_missing": _("The lot number is missing."),
        "lot_too_long": _("The lot number is longer than %(limit)s characters."),
        "dose_number_missing": _("The dose number is missing."),
        "dose_number_format": _("The dose number must be a whole number from 1."),
        "given_on_missing": _("The day of the dose is missing."),
        "given_on_format": _("The day of the dose must read dd/mm/yyyy or YYYY-MM-DD (ISO 8601)."),
        "given_on_out_of_range": _("The day of the dose is not a plausible date."),
        "site_too_long": _("The site is longer than %(limit)s characters."),
        "vaccinator_too_long": _("The vaccinator's name is longer than %(limit)s characters."),
        "out_of_scope": _(
            "This person is not registered within your units; their dose can be imported only by those units."
        ),
        "beyond_series": _("%(product)s has %(series)s doses in its primary series; this dose is beyond it."),
        "in_the_future": _("A dose cannot be recorded for a day still to come."),
        "before_vaccines": _("No COVID-19 vaccine was given before 01/12/2020; check the date."),
        "previous_dose_missing": _("Dose %(previous)s of this person is not recorded; import it first."),
        "not_interchangeable": _("This vaccine may not follow the previous dose's vaccine."),
        "interval_too_short": _(
            "Too little time since dose %(previous)s: the next dose needs at least %(days)s days."
        ),
        "series_complete": _("An earlier dose already completed this person's primary series."),
        "after_later_dose": _("A later dose of this person was given before this day."),
        "breaks_later_dose": _("This correction would make dose %(later)s of this person invalid: %(why)s"),
    }
    if reason in messages:
        return str(messages[reason]) % params if params else str(messages[reason])
    # The registry's value-free reasons for a refused CCCD (cccd_scientific, cccd_number...).
    return _(CCCD_REASONS.get(reason.removeprefix("cccd_"), Reason.CCCD_INVALID))
