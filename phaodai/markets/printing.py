"""Market passes on paper and on a phone.

A tổ dân phố's sheet is what the area's team delivers door to door: one cut-out card per pass,
grouped by household. Printing is the act that issues a pass: the passes not yet signed are signed
then (a `PD1:` code of the market type) and marked printed, so a re-run of the allocation keeps them
where they are. The phone page shows one signed pass through an unguessable link, no sign-in.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.pdf import Document
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import MarketPass, Scheme
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType, mask_cccd
from phaodai.people.cccd import decrypt_cccd

LINK_SALT = "phaodai.markets.pass-link"
ZONE_LIMIT = 16  # a pass's zone codes are at most 16 characters (passes.payload)
# Cards: two columns of four on A4, each with room for the QR beside the text.
CARD_W, CARD_H, MARGIN_X, MARGIN_Y = 95.0, 68.0, 10.0, 12.0
COLUMNS, ROWS = 2, 4
QR_MM = 36.0


def _hour(moment: datetime, *, end: bool = False) -> str:
    local = to_local(moment)
    if end and local.hour == 0 and local.minute == 0:
        return "24:00"  # a slot ending at midnight ends that day, not the next
    return local.strftime("%H:%M")


def _cccd_masked(person: Any) -> str | None:
    ciphertext = person.cccd_ciphertext
    return mask_cccd(decrypt_cccd(bytes(ciphertext))) if ciphertext else None


def _market_text(market_pass: MarketPass) -> str:
    if market_pass.market is not None:
        return market_pass.market.code
    return "*" + market_pass.scheme.unit.code  # any market of the ward


def pass_payload(market_pass: MarketPass) -> PassPayload:
    """What a market pass says, signed: the gate's acceptance window is the slot widened by the tolerance."""
    scheme = market_pass.scheme
    tolerance = timedelta(minutes=scheme.tolerance_minutes)
    area_code = market_pass.area.code
    zones = [scheme.unit.code] + ([area_code] if len(area_code) <= ZONE_LIMIT else [])
    return PassPayload(
        type=PassType.MARKET,
        pass_id=market_pass.pass_id,
        valid_from=market_pass.slot_start - tolerance,
        valid_to=market_pass.slot_end + tolerance,
        hours=(_hour(market_pass.slot_start), _hour(market_pass.slot_end, end=True)),
        holder=market_pass.representative.full_name,
        cccd_masked=_cccd_masked(market_pass.representative),
        market=_market_text(market_pass),
        zones=tuple(zones),
    )


def _sheet_passes(scheme: Scheme, area: Any) -> Any:
    return (
        MarketPass.objects.filter(scheme=scheme, area=area, revoked_at__isnull=True)
        .select_related("scheme__unit", "area", "household", "market", "representative")
        .order_by("household__code", "day", "slot_start", "pk")
    )


def _sign_unprinted(sheet: list[MarketPass], at: datetime, clock: Clock) -> int:
    """Sign the passes still to issue; a pass whose window has closed is left unsigned (not printed)."""
    signed = []
    for market_pass in sheet:
        if market_pass.pass_code:
            continue
        payload = pass_payload(market_pass)
        if payload.valid_to <= at:
            continue
        market_pass.pass_code = passes.sign_pass(payload=payload, clock=clock)
        market_pass.printed_at = at
        market_pass.updated_at = at
        signed.append(market_pass)
    MarketPass.objects.bulk_update(signed, ["pass_code", "printed_at", "updated_at"], batch_size=500)
    return len(signed)


def sheet_pdf(*, by: Any, scheme: Scheme, area: Any, clock: Clock = now) -> bytes:
    """The tổ dân phố's sheet of passes to deliver door to door (PDF); signs what is not signed yet.

    Needs Perm.MANAGE_MARKETS over the scheme's ward; the area must be one of the ward's. Passes whose
    window has closed are not printed. One transaction: the signing and its audit entry together.
    """
    require_within(
        by, Perm.MANAGE_MARKETS, path=scheme.unit_path, object_type="markets.scheme", object_id=scheme.pk
    )
    if area.ward_id != scheme.unit_id:
        raise InvalidInput(_("This residential area is not in the scheme's ward."), field="area")
    if scheme.status == Scheme.Status.WITHDRAWN:
        raise SchemeLocked()
    at = clock()
    with transaction.atomic():
        # The scheme's row first: a withdrawal, an edit or an allocation of the scheme waits for the
        # signing, or the signing for them (and then sees the scheme as they left it).
        if Scheme.objects.select_for_update().get(pk=scheme.pk).status == Scheme.Status.WITHDRAWN:
            raise SchemeLocked()
        sheet = list(_sheet_passes(scheme, area).select_for_update(of=("self",)))
        signed = _sign_unprinted(sheet, at, clock)
        audit.record(
            actor=by, action="markets.sheet_printed", object_type="markets.scheme", object_id=scheme.pk,
            unit_path=scheme.unit_path, after={"area": area.code, "signed": signed, "passes": len(sheet)},
            clock=clock,
        )  # fmt: skip
    printable = [market_pass for market_pass in sheet if market_pass.pass_code]
    return _draw_sheet(scheme, area, printable)


# Drawing -------------------------------------------------------------------------------------------


def market_label(market_pass: MarketPass) -> str:
    if market_pass.market is not None:
        return market_pass.market.name
    return _("Any market of the ward")


def slot_text(market_pass: MarketPass) -> str:
    return f"{_hour(market_pass.slot_start)}–{_hour(market_pass.slot_end, end=True)}"


def _card(document: Document, market_pass: MarketPass, x: float, y: float) -> None:
    document.set_draw_color(150)
    document.set_dash_pattern(dash=2, gap=1.5)
    document.rect(x, y, CARD_W, CARD_H)
    document.set_dash_pattern()
    document.qr(market_pass.pass_code, x=x + CARD_W - QR_MM - 2, y=y + 2, size=QR_MM)
    text_w = CARD_W - QR_MM - 6
    document.set_xy(x + 3, y + 3)
    document.set_font(style="B", size=10)
    document.multi_cell(text_w, 4.5, "PHIẾU ĐI CHỢ / MARKET PASS", new_x="LEFT", new_y="NEXT")
    document.set_font(style="B", size=12)
    document.multi_cell(text_w, 6, market_pass.day.strftime("%d/%m/%Y"), new_x="LEFT", new_y="NEXT")
    document.multi_cell(text_w, 6, slot_text(market_pass), new_x="LEFT", new_y="NEXT")
    document.set_font(style="", size=8.5)
    for line in (
        market_label(market_pass),
        market_pass.representative.full_name,
        market_pass.household.address,
    ):
        document.multi_cell(text_w, 4, line[:90], new_x="LEFT", new_y="NEXT")
    document.set_xy(x + 3, y + CARD_H - 14)
    document.set_font(size=7.5)
    single = _("Single use, handed in at the gate.") if market_pass.scheme.single_use else ""
    document.multi_cell(
        CARD_W - 6, 3.5, f"{_('Pass')} {market_pass.pass_id}. {single}", new_x="LEFT", new_y="NEXT"
    )
    document.set_font(size=11)


def _draw_sheet(scheme: Scheme, area: Any, sheet: list[MarketPass]) -> bytes:
    document = Document(title=f"Phiếu đi chợ — {area.name}")
    document.add_page()
    document.set_auto_page_break(auto=False)
    document.heading(f"{area.name} — {scheme.unit.full_name}", size=13)
    period = f"{scheme.starts_on:%d/%m/%Y} – {scheme.ends_on:%d/%m/%Y}"
    document.line_of(_("Scheme"), f"{scheme.name} ({period})")
    households = len({market_pass.household_id for market_pass in sheet})
    document.line_of(
        _("Passes"),
        _("%(passes)s for %(households)s households") % {"passes": len(sheet), "households": households},
    )
    if not sheet:
        document.heading(_("No passes to print for this area."), size=12)
        return document.to_bytes()
    top = document.get_y() + 2
    slot = 0
    for market_pass in sheet:
        per_page = COLUMNS * (ROWS - 1 if document.page == 1 else ROWS)
        if slot == per_page:
            document.add_page()
            top, slot = MARGIN_Y, 0
        column, row = slot % COLUMNS, slot // COLUMNS
        _card(document, market_pass, MARGIN_X + column * CARD_W, top + row * CARD_H)
        slot += 1
    return document.to_bytes()


# The phone page ------------------------------------------------------------------------------------


def pass_link_token(market_pass: MarketPass) -> str:
    """The secret part of a pass's phone link: a keyed hash of its id (the id alone is printed, public)."""
    return salted_hmac(LINK_SALT, market_pass.pass_id, algorithm="sha256").hexdigest()[:32]


def pass_by_link(pass_id: str, token: str) -> MarketPass:
    """The pass a phone link names, or 404 for any link that is not exactly one we gave out."""
    if not pass_id or len(pass_id) > 40 or len(token) != 32:
        raise Http404
    market_pass = (
        MarketPass.objects.select_related("scheme__unit", "area", "household", "market", "representative")
        .filter(pass_id=pass_id)
        .first()
    )
    if market_pass is None or not constant_time_compare(token, pass_link_token(market_pass)):
        raise Http404
    return market_pass
