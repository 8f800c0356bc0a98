"""The printable green card (thẻ luồng xanh): the vehicle's facts beside its QR, on A4 (fpdf2)."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from phaodai.core.clock import to_local
from phaodai.core.pdf import Document
from phaodai.vehicles.green_lane import pass_valid_to
from phaodai.vehicles.models import GreenLane
from phaodai.vehicles.rules import shown_plate


def _day(moment: object) -> str:
    return date_format(to_local(moment), "d/m/Y H:i")  # type: ignore[arg-type]


def _pass_end(registration: GreenLane) -> object:
    # The signed pass may end before the registration (90 days from signing): print what the QR says.
    if registration.decided_at is None:
        return registration.valid_to
    return pass_valid_to(registration, registration.decided_at)


def green_card(registration: GreenLane) -> bytes:
    document = Document(title=f"Thẻ luồng xanh {registration.reference}")
    document.add_page()
    document.heading("THẺ NHẬN DIỆN PHƯƠNG TIỆN LUỒNG XANH", size=16)
    document.heading(_("Green-lane vehicle card"), size=11)
    document.qr(registration.pass_code, x=130, y=30, size=65)
    for label, value in (
        (_("Reference"), registration.reference),
        (_("Plate"), shown_plate(registration.plate)),
        (_("Transport company"), registration.operator),
        (_("Cargo"), registration.cargo),
        (_("Route"), registration.route),
        (_("Valid from"), _day(registration.valid_from)),
        (_("Valid until"), _day(_pass_end(registration))),
        (_("Issued by"), registration.unit.full_name),
    ):
        document.line_of(label, value)
    document.ln(40)
    document.multi_cell(
        0, 6, _("Show this card at checkpoints; the QR is checked against the city's signed pass keys.")
    )
    return document.to_bytes()
