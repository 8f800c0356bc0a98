"""Printable permits: one A4 page per permit, the QR 70 mm wide so a phone scans it off paper."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from phaodai.core.clock import to_local
from phaodai.core.pdf import Document
from phaodai.permits import rules
from phaodai.permits.models import Permit

QR_SIZE_MM = 70


def _when(moment: object) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")  # type: ignore[arg-type]


def _page(document: Document, permit: Permit) -> None:
    entry = permit.entry
    group = rules.GROUPS[entry.group]
    document.add_page()
    document.heading("GIẤY ĐI ĐƯỜNG / TRAVEL PERMIT", size=16)
    if permit.status == Permit.Status.REVOKED:
        document.heading(_("REVOKED: this permit is no longer valid."), size=14)
    document.qr(permit.code, x=(210 - QR_SIZE_MM) / 2, size=QR_SIZE_MM)
    document.ln(4)
    document.line_of(_("Permit no."), permit.pass_id)
    document.line_of(_("Full name"), entry.full_name)
    document.line_of(_("Birth year"), str(entry.birth_year))
    document.line_of(_("Citizen ID (CCCD)"), entry.cccd_masked)
    document.line_of(_("Group"), f"{group.code}. {group.name_vi}")
    if entry.organisation is not None:
        document.line_of(_("Organisation"), entry.organisation.name)
    if entry.job:
        document.line_of(_("Job"), entry.job)
    document.line_of(_("Purpose"), entry.purpose)
    if entry.zones:
        document.line_of(_("Zones"), ", ".join(entry.zones))
    if entry.route:
        document.line_of(_("Route"), entry.route)
    if entry.plate:
        document.line_of(_("Vehicle plate"), entry.plate)
    document.line_of(_("Valid"), f"{_when(permit.valid_from)} – {_when(permit.valid_to)}")
    document.line_of(_("Issued by"), f"{permit.issuing_unit.full_name} ({group.authority_vi})")
    document.ln(4)
    document.set_font_size(9)
    document.multi_cell(
        0,
        5,
        _("Show this permit with your citizen ID card at checkpoints. The QR is signed; a change voids it."),
    )
    document.set_font_size(11)


def permits_pdf(permits: Iterable[Permit], *, title: str) -> bytes:
    """One page per permit, in the order given."""
    document = Document(title=title)
    pages = 0
    for permit in permits:
        _page(document, permit)
        pages += 1
    if not pages:
        document.add_page()
        document.heading(_("No valid permits to print."))
    return document.to_bytes()
