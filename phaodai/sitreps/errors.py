"""Refusals of situation reports, with stable codes (pages show the message, the API {"code", "message"})."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, InvalidInput
from phaodai.sitreps.rules import Problem


class UnknownSchedule(InvalidInput):
    code = "unknown_schedule"
    message = gettext_lazy("There is no report schedule with this code.")


class NoSuchSlot(InvalidInput):
    code = "no_such_slot"
    message = gettext_lazy("This schedule has no slot at that time.")


class SlotNotOpen(InvalidInput):
    code = "slot_not_open"
    message = gettext_lazy("This slot does not take reports yet.")


class SlotClosed(Conflict):
    code = "slot_closed"
    message = gettext_lazy("This slot is closed: reports and corrections are no longer taken.")


class NotAReporter(InvalidInput):
    code = "not_a_reporter"
    message = gettext_lazy("This unit does not report on this schedule.")


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    message = gettext_lazy("This unit has already reported for this slot; send a correction with a reason.")


class ReportAccepted(Conflict):
    code = "report_accepted"
    message = gettext_lazy("The receiving level has accepted this report; ask them to reopen it first.")


class AlreadyAccepted(Conflict):
    code = "already_accepted"
    message = gettext_lazy("This report has already been accepted.")


class ReportNotAccepted(Conflict):
    code = "report_not_accepted"
    message = gettext_lazy("Only an accepted report can be reopened.")


class ReportChanged(Conflict):
    code = "report_changed"
    message = gettext_lazy("Someone changed this report meanwhile; reload it and try again.")


class NothingChanged(InvalidInput):
    code = "nothing_changed"
    message = gettext_lazy("The correction changes no value.")


class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = gettext_lazy("Give a reason.")


class InvalidValues(InvalidInput):
    """Every problem with a report's values, each beside its field."""

    code = "invalid_values"
    message = gettext_lazy("Some values of the report are not valid.")

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        first_field, first_message = next(iter(self.problems.items()))
        super().__init__(
            _("%(field)s: %(message)s") % {"field": first_field, "message": first_message}, field=first_field
        )

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [{"field": code, "message": message} for code, message in self.problems.items()]
        return body


def problem_messages(problems: Sequence[Problem], check_messages: Mapping[str, str]) -> dict[str, str]:
    """One message per field, in the reader's language."""
    texts = {
        "unknown": _("This form has no such field."),
        "required": _("This value is required (enter 0 if there were none)."),
        "not_whole": _("Enter a whole number."),
        "negative": _("A count cannot be negative."),
        "not_text": _("Enter text."),
        "control": _("Remove the control characters (such as NUL) from this text."),
    }
    messages: dict[str, str] = {}
    for problem in problems:
        if problem.reason.startswith("check:"):
            text = check_messages.get(problem.reason.removeprefix("check:"), _("The values do not agree."))
        elif problem.reason == "too_large":
            text = _("This is larger than any real figure (at most %(limit)s).") % {
                "limit": problem.params["limit"]
            }
        elif problem.reason == "too_long":
            text = _("Keep this under %(limit)s characters.") % {"limit": problem.params["limit"]}
        else:
            text = texts[problem.reason]
        messages.setdefault(problem.field, text)
    return messages
