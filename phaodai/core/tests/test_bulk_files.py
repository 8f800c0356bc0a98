"""core.bulk: file-level checks (kind, encoding, zip bombs, size), the streaming reader and the report."""

import io
import zipfile
from pathlib import Path

import pytest

from phaodai.core.bulk import files, reader, uploads
from phaodai.core.bulk.report import csv_lines, escape_cell

SPEC = reader.HeaderSpec(("code", "name"))


class Upload:
    def __init__(self, data: bytes, name: str = "x.csv", size: int | None = None) -> None:
        self._stream = io.BytesIO(data)
        self.name = name
        self.size = len(data) if size is None else size

    def read(self, size: int = -1, /) -> bytes:
        return self._stream.read(size)


@pytest.fixture(autouse=True)
def var_dir(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path


def stored_rows(data: bytes, name: str = "x.csv") -> list[tuple[int, dict[str, object]]]:
    stored = uploads.store_import_file(Upload(data, name))
    with reader.open_rows(uploads.stored_path(stored.stored_name), SPEC) as stream:
        return list(stream)


def test_utf8_with_or_without_bom_is_read() -> None:
    for prefix in (b"", b"\xef\xbb\xbf"):
        rows = stored_rows(prefix + "code,name\r\nA1,Nguyễn Văn Ấn\r\n".encode())
        assert rows == [(2, {"code": "A1", "name": "Nguyễn Văn Ấn"})]


def test_utf16_is_refused_by_name() -> None:
    with pytest.raises(files.UnreadableEncoding, match="UTF-16"):
        stored_rows("code,name\r\nA1,Ấn\r\n".encode("utf-16"))


def test_windows_1258_is_refused_naming_it_and_the_row() -> None:
    data = "code,name\r\nA1,An\r\nA2,Hà Đông\r\n".encode("cp1258")
    with pytest.raises(files.UnreadableEncoding, match=r"Row 3 .*Windows-1258") as caught:
        stored_rows(data)
    assert caught.value.code == "unreadable_encoding"


def test_a_refused_file_is_not_kept(var_dir: Path) -> None:
    with pytest.raises(files.UnreadableEncoding):
        stored_rows("code,name\r\nA2,Hà Đông\r\n".encode("cp1258"))
    assert list((var_dir / "imports").iterdir()) == []


def test_semicolons_sep_line_and_blank_rows() -> None:
    data = b"sep=;\r\n\r\nCode ; NAME\r\nA1;An\r\n;\r\n\r\nA2;\r\n"
    assert stored_rows(data) == [(4, {"code": "A1", "name": "An"}), (7, {"code": "A2", "name": ""})]


def test_missing_columns_name_them() -> None:
    with pytest.raises(files.MissingColumns, match="name"):
        stored_rows(b"code,nom\r\nA1,An\r\n")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 ...", "x.csv", "not a CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "x.xls", "xls"),
        (b"code,name\r\n", "x.exe", "cannot be imported"),
        (b"   \r\n", "x.csv", "empty"),
    ],
)
def test_other_files_are_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(files.UnsupportedFile, match=message):
        uploads.store_import_file(Upload(data, name))


def test_oversized_upload_is_refused_by_its_declared_size_and_while_streaming() -> None:
    with pytest.raises(files.UploadTooLarge):
        uploads.store_import_file(Upload(b"code,name\r\n", size=3 * 1024**3), limit=1024)
    with pytest.raises(files.UploadTooLarge) as caught:
        uploads.store_import_file(Upload(b"code,name\r\n" + b"A1,An\r\n" * 1000, size=10), limit=1024)
    assert caught.value.status == 413


def test_size_cap_handler_drops_the_file_past_the_limit() -> None:
    from django.core.files.uploadhandler import SkipFile
    from django.test import RequestFactory

    handler = uploads.SizeCapUploadHandler(RequestFactory().post("/"), limit=10)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"123456", 5)
    assert handler.exceeded


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        # 200 MB of zeros compresses to about 200 KB: a ratio near 1000.
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(200):
                sheet.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened() -> None:
    data = bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(files.ZipBomb, match="zip bomb"):
        uploads.store_import_file(Upload(data, "ket-qua.xlsx"))


def test_a_real_workbook_passes_and_streams() -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Ghi chú"])
    sheet.append(["code", "name"])
    for n in range(3000):
        sheet.append([f"A{n}", "Nguyễn Văn An"])
    out = io.BytesIO()
    workbook.save(out)
    rows = stored_rows(out.getvalue(), "x.xlsx")
    assert len(rows) == 3000 and rows[0] == (3, {"code": "A0", "name": "Nguyễn Văn An"})


def test_a_damaged_workbook_is_refused() -> None:
    with pytest.raises(files.UnsupportedFile):
        uploads.store_import_file(Upload(b"PK\x03\x04garbage", "x.xlsx"))


@pytest.mark.parametrize(
    ("value", "shown"),
    [("=1+2", "'=1+2"), ("+84 912", "'+84 912"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("-3", "-3"), ("+1.5", "+1.5"), ("An", "An"), (None, ""), (12, "12")],
)  # fmt: skip
def test_report_cells_are_escaped_against_formulas(value: object, shown: str) -> None:
    assert escape_cell(value) == shown


def test_report_lines_start_with_a_bom_for_excel() -> None:
    assert "".join(csv_lines([["row", "column"], [2, "=x"]])) == "\ufeffrow,column\r\n2,'=x\r\n"
