"""QR codes of passes, drawn on the server: inline SVG for pages, PNG for PDFs.

`PD1:` and `HC1:` codes are Base45, whose alphabet is the QR alphanumeric set, so they are encoded
in alphanumeric mode (a third smaller than bytes). Error correction M, as the EU certificates use.
"""

import io

import segno


def _make(text: str) -> segno.QRCode:
    return segno.make_qr(text, error="m", boost_error=False)


def qr_svg(text: str, *, scale: int = 4, title: str = "") -> str:
    """An <svg> element (no XML declaration) ready to put in a page; dark modules in black."""
    return _make(text).svg_inline(scale=scale, title=title or None, border=4)


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _make(text).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
