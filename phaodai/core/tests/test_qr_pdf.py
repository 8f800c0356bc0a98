import segno

from phaodai.core.pdf import Document
from phaodai.core.qr import qr_png, qr_svg

PASS_CODE = "PD1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B3KL6QM5/OVGA/MAT%ZRGH5O0RIV6"


def test_a_pass_code_is_encoded_in_alphanumeric_mode():
    # Base45 is the QR alphanumeric alphabet: bytes mode would make the code a third larger.
    assert segno.make_qr(PASS_CODE, error="m", boost_error=False).mode == "alphanumeric"


def test_the_svg_is_an_element_to_put_in_a_page():
    svg = qr_svg(PASS_CODE, title="Giấy đi đường")
    assert svg.startswith("<svg") and not svg.startswith("<?xml")
    assert "Giấy đi đường" in svg


def test_the_png_is_a_png():
    assert qr_png(PASS_CODE).startswith(b"\x89PNG\r\n\x1a\n")


def test_a_document_embeds_its_font_and_writes_vietnamese():
    document = Document(title="Giấy đi đường")
    document.add_page()
    document.heading("GIẤY ĐI ĐƯỜNG")
    document.line_of("Họ và tên", "Nguyễn Thị Hường")
    document.qr(PASS_CODE)
    pdf = document.to_bytes()
    assert pdf.startswith(b"%PDF-")
    # The vendored font travels inside the file, so it prints the same on any machine.
    assert b"DejaVuSans" in pdf
