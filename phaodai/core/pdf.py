"""Printable documents (permits, passes, sheets) as PDF, with a font that writes Vietnamese.

DejaVu Sans is vendored in phaodai/core/fonts (Bitstream Vera licence, see LICENSE there): the PDF
must not depend on the fonts of the machine, and the core PDF fonts have no Vietnamese letters.
"""

from pathlib import Path
from typing import Any

from fpdf import FPDF

from phaodai.core.qr import qr_png

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


class Document(FPDF):
    """An A4 portrait document in DejaVu Sans; `qr` places a pass's code."""

    def __init__(self, *, title: str, **kwargs: Any) -> None:
        super().__init__(orientation="P", unit="mm", format="A4", **kwargs)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_font(FAMILY, size=11)
        self.set_title(title)
        self.set_creator("phaodai")
        self.set_auto_page_break(auto=True, margin=15)

    def heading(self, text: str, *, size: int = 14) -> None:
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 11)
        self.ln(2)

    def line_of(self, label: str, value: str) -> None:
        """One "label: value" line, the label in bold."""
        self.set_font(FAMILY, "B", 11)
        self.write(6, f"{label}: ")
        self.set_font(FAMILY, "", 11)
        self.write(6, value)
        self.ln(6)

    def qr(self, code: str, *, x: float | None = None, y: float | None = None, size: float = 60) -> None:
        """The code as a QR image `size` mm wide (8 px a module, so it scans when printed)."""
        self.image(qr_png(code), x=x, y=y, w=size, h=size)

    def to_bytes(self) -> bytes:
        return bytes(self.output())
