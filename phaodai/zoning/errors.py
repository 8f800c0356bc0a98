"""Zoning's refusals, with stable codes (pages show the message, the API answers {"code", "message"})."""

import contextlib
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, DomainError, Duplicate, InvalidInput
from phaodai.zoning.rules import CriteriaError


class CriteriaInvalid(InvalidInput):
    code = "criteria_invalid"
    message = gettext_lazy("The criteria table is not valid.")


class ValidityOverlap(InvalidInput):
    code = "validity_overlap"
    message = gettext_lazy("Another version of this table is valid during the same period.")


class TableNotInForce(InvalidInput):
    code = "table_not_in_force"
    message = gettext_lazy("The criteria table is not published or not valid at the planned effective time.")


class LevelNotInTable(InvalidInput):
    code = "level_not_in_table"
    message = gettext_lazy("This level does not belong to the round's criteria table.")


class EffectiveTimeInPast(InvalidInput):
    code = "effective_time_in_past"
    message = gettext_lazy("The effective time must be in the future.")


class JustificationRequired(InvalidInput):
    code = "justification_required"
    message = gettext_lazy("Give a written reason for a level other than the one the table suggests.")


class ProposalIncomplete(InvalidInput):
    code = "proposal_incomplete"
    message = gettext_lazy("Run the classification of the ward's areas before submitting.")


class ProposalNotOpen(Conflict):
    code = "proposal_not_open"
    message = gettext_lazy(
        "This proposal is not open for this action (it was submitted, returned or decided)."
    )


class ProposalChanged(Conflict):
    code = "proposal_changed"
    message = gettext_lazy("The proposal changed since you opened it; reload it and try again.")


class DecisionNumberTaken(Duplicate):
    code = "decision_number_taken"
    message = gettext_lazy("Your unit has already issued a decision with this number.")


class AssignmentClash(Conflict):
    code = "assignment_clash"
    message = gettext_lazy("An area of this decision already has an assignment from the same instant.")


class TableNotDraft(Conflict):
    code = "table_not_draft"
    message = gettext_lazy("Only a draft table can be changed or published.")


class IndicatorInvalid(InvalidInput):
    code = "indicator_invalid"
    message = gettext_lazy("The indicator value is not valid.")


def criteria_message(error: CriteriaError) -> str:
    """A sentence for a criteria problem, naming the row and value when there is one."""
    params: dict[str, Any] = {"row": error.row, **{k: str(v) for k, v in error.params.items()}}
    messages = {
        "unknown_indicator": _("Unknown indicator “%(indicator)s”."),
        "unknown_operator": _("The operator “%(op)s” cannot be used with “%(indicator)s”."),
        "not_a_number": _("“%(value)s” is not a number (indicator %(indicator)s)."),
        "not_a_count": _("“%(value)s” is not a whole number of at least 0 (indicator %(indicator)s)."),
        "not_a_percentage": _("“%(value)s” is not a percentage between 0 and 100 (indicator %(indicator)s)."),
        "not_a_flag": _("“%(value)s” is not yes/no (indicator %(indicator)s)."),
        "negative": _("“%(value)s” cannot be negative (indicator %(indicator)s)."),
        "empty_value": _("A value is required (indicator %(indicator)s)."),
        "unknown_level": _("The level does not belong to this table."),
        "duplicate_row": _("Two rows have the same label."),
        "duplicate_level": _("Two levels have the same severity."),
        "too_few_levels": _("A table needs at least two levels."),
        "row_without_conditions": _("A row needs at least one condition."),
        "unknown_modifier": _("Unknown modifier “%(kind)s”."),
        "modifier_needs_flag": _("A modifier must name a yes/no indicator, not “%(indicator)s”."),
    }
    text = messages.get(error.problem, _("The criteria table is not valid."))
    with contextlib.suppress(KeyError, ValueError):
        text = text % params
    if error.row:
        return _("Row %(row)s: %(problem)s") % {"row": error.row, "problem": text}
    return text


def refuse_criteria(error: CriteriaError, cls: type[DomainError] = CriteriaInvalid) -> DomainError:
    return cls(criteria_message(error), field=error.field or None, problem=error.problem)
