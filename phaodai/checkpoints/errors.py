"""Refusals about checkpoints, rosters and crossings, with stable codes (pages show the message)."""

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted


class WrongManagingLevel(InvalidInput):
    code = "wrong_managing_level"
    message = _("This kind of checkpoint is run by a unit of another level.")


class SidesMustDiffer(InvalidInput):
    code = "sides_must_differ"
    message = _("The other side of the boundary must be another unit than the focal unit.")


class OtherSideLevel(InvalidInput):
    code = "other_side_level"
    message = _("The other side of the boundary is a unit of the same level as the focal unit.")


class ProvinceRequired(InvalidInput):
    code = "province_required"
    message = _("A checkpoint on the border with a neighbouring province names that province.")


class ProvinceNotForKind(InvalidInput):
    code = "province_not_for_kind"
    message = _("Only gateways and border checkpoints name a neighbouring province.")


class CheckpointCodeTaken(Duplicate):
    code = "checkpoint_code_taken"
    message = _("Another checkpoint already has this code.")


class BoundaryHasFocalUnit(Duplicate):
    code = "boundary_has_focal_unit"
    message = _("A checkpoint at this place on this boundary is already set up by one focal unit.")


class CheckpointChanged(Conflict):
    code = "checkpoint_changed"
    message = _("Someone changed this checkpoint meanwhile; reload it and try again.")


class NotManagingHere(NotPermitted):
    code = "not_managing_here"
    message = _("This checkpoint is managed by another unit; you may read it but not change it.")


class StaffClash(Conflict):
    code = "staff_clash"
    message = _("This person already has a shift at that time.")


class NotEligibleStaff(InvalidInput):
    code = "not_eligible_staff"
    message = _("This user has no role at the checkpoint's unit.")


class ShiftOutsidePeriod(InvalidInput):
    code = "shift_outside_period"
    message = _("The checkpoint is not in operation at that time.")


class ShiftStarted(Conflict):
    code = "shift_started"
    message = _("A shift that has started is kept as the record; it cannot be removed.")


class CheckpointClosed(Conflict):
    code = "checkpoint_closed"
    message = _("This checkpoint is closed.")


class LocalIdReused(Conflict):
    code = "local_id_reused"
    message = _("This device already sent a different record under this id.")


class DeviceClockAhead(InvalidInput):
    code = "device_clock_ahead"
    message = _("The time is later than now: the device's clock is ahead. Set its time and sync again.")


class CheckpointNotOperating(InvalidInput):
    code = "checkpoint_not_operating"
    message = _("The checkpoint was not in operation at that time.")
