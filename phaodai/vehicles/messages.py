"""How the reasons of a vehicle or shipper check read, in the interface language."""

from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from phaodai.core.clock import to_local
from phaodai.vehicles.rules import Verdict


def _when(value: Any) -> str:
    return date_format(to_local(value), "d/m/Y H:i") if value is not None else ""


def reason_text(code: str, values: Mapping[str, Any]) -> str:
    """One reason as a sentence; an unknown code reads as itself (never a crash)."""
    texts = {
        "green_lane_valid": _("Green-lane vehicle (luồng xanh), valid until %(valid_to)s: let it pass."),
        "transit_no_stop": _("Transit vehicle: it may cross the city but must not stop."),
        "green_lane_revoked": _("Its green-lane registration was revoked."),
        "green_lane_expired": _("Its green-lane registration has expired."),
        "green_lane_not_yet_valid": _("Its green-lane registration is not valid yet."),
        "green_lane_not_approved": _("Its green-lane registration has not been approved."),
        "shipper_revoked": _("The shipper's registration was revoked."),
        "not_yet_valid": _("Not valid before %(valid_from)s."),
        "expired": _("Expired at %(valid_to)s."),
        "before_hours": _("Shippers of this registration work from %(start)s to %(end)s; it is %(at)s."),
        "after_hours": _("Shippers of this registration work from %(start)s to %(end)s; it is %(at)s."),
        "outside_zones": _("This shipper may work only in the zones %(zones)s."),
        "within_hours": _("Within the allowed hours %(start)s–%(end)s."),
        "invalid_plate": _("This is not a Vietnamese plate such as 29C-123.45."),
        "unknown_vehicle": _(
            "Unknown vehicle: no green-lane registration, transit trip or shipper for this plate."
        ),
        "not_a_shipper_pass": _("This pass is not a shipper's pass."),
    }
    text = texts.get(code)
    if text is None:
        return code
    shown = {
        key: _when(value) if key in ("valid_from", "valid_to") else value for key, value in values.items()
    }
    try:
        return text % shown if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


def reasons(verdict: Verdict) -> list[dict[str, str]]:
    """The verdict's reasons as {"code", "message"} (the API's and the pages' shape)."""
    return [{"code": code, "message": reason_text(code, values)} for code, values in verdict.reasons]
