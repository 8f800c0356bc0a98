"""Refusals about inspection teams, inspections and violations, with stable codes."""

from django.utils.translation import gettext_lazy

from phaodai.core.errors import Conflict, InvalidInput, NotPermitted


class AreaOutsideHomeUnit(InvalidInput):
    code = "area_outside_home_unit"
    message = gettext_lazy("A team's area of work lies within the unit that set it up.")


class WrongTeamLevel(InvalidInput):
    code = "wrong_team_level"
    message = gettext_lazy(
        "A city team is set up by the city; a district or interdisciplinary team by a district."
    )


class TeamNotActive(InvalidInput):
    code = "team_not_active"
    message = gettext_lazy("This team is not active at that time.")


class OutsideAreaOfWork(InvalidInput):
    code = "outside_area_of_work"
    message = gettext_lazy("This target is outside the team's area of work.")


class NotOnTeam(NotPermitted):
    code = "not_on_team"
    message = gettext_lazy("Only the team's members, or inspectors of its unit, act for this team.")


class NoChecklist(InvalidInput):
    code = "no_checklist"
    message = gettext_lazy("There is no checklist for this kind of target.")


class InvalidTarget(InvalidInput):
    code = "invalid_target"
    message = gettext_lazy("Name the target: a business, or a ward (and area) with a label.")


class InvalidFollowUp(InvalidInput):
    code = "invalid_follow_up"
    message = gettext_lazy("A re-inspection follows a finished inspection of the same target.")


class InspectionNotOpen(Conflict):
    code = "inspection_not_open"
    message = gettext_lazy("This inspection is not at a step where this can be done.")


class InspectionChanged(Conflict):
    code = "inspection_changed"
    message = gettext_lazy("Someone changed this inspection meanwhile; reload it and try again.")


class TeamChanged(Conflict):
    code = "team_changed"
    message = gettext_lazy("Someone changed this team meanwhile; reload it and try again.")


class KeyAlreadyUsed(Conflict):
    code = "idempotency_key_reused"
    message = gettext_lazy(
        "This form (or idempotency key) already planned another inspection; reload the page, or use a new "
        "key, to plan a new one."
    )


class UnknownItem(InvalidInput):
    code = "unknown_checklist_item"
    message = gettext_lazy("This item is not on the inspection's checklist.")


class ChecklistIncomplete(InvalidInput):
    code = "checklist_incomplete"
    message = gettext_lazy("Record every item of the checklist before finishing.")


class UnknownViolationKind(InvalidInput):
    code = "unknown_violation_kind"
    message = gettext_lazy("This is not a kind of violation in the catalogue.")


class MeasureNotAllowed(InvalidInput):
    code = "measure_not_allowed"
    message = gettext_lazy("These measures cannot be imposed for this violation.")


class FineOutsideBand(InvalidInput):
    code = "fine_outside_band"
    message = gettext_lazy("The fine is outside the legal band for this violation.")


class UnsupportedPhoto(InvalidInput):
    code = "unsupported_photo"
    message = gettext_lazy("A photo is a JPEG or PNG file.")


class PhotoTooLarge(InvalidInput):
    code = "photo_too_large"
    message = gettext_lazy("The photo is larger than the upload limit.")
