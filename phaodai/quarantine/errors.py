"""Refusals about quarantine facilities and admissions, with stable codes (pages show the message)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted


class NotAManagingUnit(InvalidInput):
    code = "not_a_managing_unit"
    message = _("A quarantine facility is managed by a district or by the city, not by a ward.")


class FacilityExists(Duplicate):
    code = "facility_exists"
    message = _("This unit already has a facility with this name.")


class ReturnDateNeedsSchool(InvalidInput):
    code = "return_date_needs_school"
    message = _(
        "Only a school or university has a date to be handed back; tick “is a school” or clear the date."
    )


class BedsBelowOccupancy(InvalidInput):
    code = "beds_below_occupancy"
    message = _("There are more people in these rooms than the beds you set.")


class NoBeds(InvalidInput):
    code = "no_beds"
    message = _("A facility needs at least one bed before it is ready to admit.")


class ReadinessFollowsOccupancy(InvalidInput):
    code = "readiness_follows_occupancy"
    message = _("“Active” and “full” follow from occupancy; set the facility preparing, ready or closed.")


class FacilityNotEmpty(Conflict):
    code = "facility_not_empty"
    message = _("People are still admitted here; discharge or transfer them first.")


class FacilityChanged(Conflict):
    code = "facility_changed"
    message = _("Someone changed this facility meanwhile; reload it and try again.")


class NotManagingHere(NotPermitted):
    code = "not_managing_here"
    message = _("This facility is managed by another unit; only that unit or the city may change it.")


class FacilityNotReady(Conflict):
    code = "facility_not_ready"
    message = _("This facility is still being prepared: it does not admit yet.")


class FacilityClosed(Conflict):
    code = "facility_closed"
    message = _("This facility is closed: it does not admit.")


class NoRoomsOfKind(InvalidInput):
    code = "no_rooms_of_kind"
    message = _("This facility has no rooms of this kind.")


class FacilityFull(Conflict):
    """No bed of the kind asked is free; says where beds of that kind are free nearby."""

    code = "facility_full"
    message = _("Every bed of this kind is taken in this facility.")

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["room_kind"] = self.params.get("room_kind", "")
        body["free_elsewhere"] = self.params.get("free_elsewhere", 0)
        body["alternatives"] = self.params.get("alternatives", [])
        return body


class RoomKindMismatch(InvalidInput):
    code = "room_kind_mismatch"
    message = _("A person goes to the rooms of their sex, or to a family room.")


class SexUnknown(InvalidInput):
    code = "sex_unknown"
    message = _("The person's sex is not recorded: choose the room kind.")


class UnknownPerson(InvalidInput):
    code = "unknown_person"
    message = _("No person with this CCCD is registered where you work; register them first.")


class AlreadyAdmitted(Conflict):
    code = "already_admitted"
    message = _("This person is already admitted to a facility; discharge or transfer them first.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = _("This Idempotency-Key was already used for another admission; send a new key.")


class MomentInFuture(InvalidInput):
    code = "in_the_future"
    message = _("This time is still in the future.")


class OverlapsPreviousStay(InvalidInput):
    code = "overlaps_previous_stay"
    message = _("This person was still in a facility at that time; admit them after their last discharge.")


class ReleaseBeforeAdmission(InvalidInput):
    code = "release_before_admission"
    message = _("The planned release comes before the admission.")


class DischargeBeforeAdmission(InvalidInput):
    code = "discharge_before_admission"
    message = _("A discharge cannot come before the admission.")


class AlreadyDischarged(Conflict):
    code = "already_discharged"
    message = _("This person has already been discharged from this stay.")


class TransferToSamePlace(InvalidInput):
    code = "transfer_to_same_place"
    message = _("Choose another facility or another room kind to transfer to.")
