"""A staff list uploaded as CSV: bad rows reported by line and column, good rows kept, retries harmless."""

from collections.abc import Sequence
from datetime import timedelta

import pytest

from phaodai.permits import staff_import
from phaodai.permits.models import Entry
from phaodai.permits.tests.conftest import CCCD_AN, CCCD_BINH, CCCD_CUONG, today

pytestmark = pytest.mark.django_db

HEADER = "full_name,cccd,birth_year,job,group,purpose,zones,route,plate,valid_from,valid_to"


def days() -> str:
    start, end = today(), today() + timedelta(days=6)
    return f"{start:%d/%m/%Y},{end:%d/%m/%Y}"


def csv_of(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def test_good_rows_are_kept_and_each_bad_row_is_reported(org, ward_officer_bo_de):
    data = csv_of(
        f"Nguyễn Văn An,{CCCD_AN},1985,Lái xe,2,Chở hàng,004,,29C-123.45,{days()}",
        f"Trần Thị Bình,{CCCD_BINH},1990,Kế toán,6,Trực cơ quan,00139,,,{days()}",
        f"Lê Văn Cường,1079000777,1979,Bảo vệ,6,Trực,00139,,,{days()}",  # lost its leading 0
        f"Phạm Văn Dũng,{CCCD_CUONG},1979,Bảo vệ,9,Trực,00139,,,{days()}",  # unknown group
        f"Nguyễn Văn An,{CCCD_AN},1985,Lái xe,2,Chở hàng,004,,29C-123.45,{days()}",  # twice in the list
        f"Hoàng Thị E,{CCCD_CUONG},1979,Bảo vệ,6,Trực,00139,,,32/13/2021,{today():%d/%m/%Y}",
    )
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert (report.created, report.already, report.file_error) == (2, 0, "")
    problems = [(e.row, e.column) for e in report.errors]
    assert problems == [(4, "cccd"), (5, "group"), (6, "cccd"), (7, "valid_from")]
    assert "12 digits" in report.errors[0].message
    assert "line 2" in report.errors[2].message
    assert Entry.objects.count() == 2
    # Never repaired: no entry carries a padded CCCD.
    assert sorted(e.cccd_masked for e in Entry.objects.all()) == ["001******321", "001******345"]


def test_uploading_the_same_list_again_adds_nothing(org, ward_officer_bo_de):
    data = csv_of(f"Nguyễn Văn An,{CCCD_AN},1985,Lái xe,2,Chở hàng,004,,29C-123.45,{days()}")
    staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert (report.created, report.already, report.errors) == (0, 1, [])
    assert Entry.objects.count() == 1


def test_vietnamese_headers_semicolons_and_a_bom(org, ward_officer_bo_de):
    header = "Họ và tên;Số CCCD;Năm sinh;Chức vụ;Nhóm;Mục đích;Khu vực;Lộ trình;Biển số xe;Từ ngày;Đến ngày"
    line = f"Nguyễn Văn An;{CCCD_AN};1985;Lái xe;2;Chở hàng;004;;29C-123.45;{days().replace(',', ';')}"
    data = b"\xef\xbb\xbf" + csv_of(line, header=header)
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert (report.created, report.errors) == (1, [])


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        ("họ tên\n".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
        (b"full_name,cccd\nA,1\n", "Columns missing"),
        (b"\x00\x01" * 10, "CSV"),
        (b"x" * (staff_import.MAX_BYTES + 1), "1 MB"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(org, ward_officer_bo_de, data, says):
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert says in report.file_error
    assert Entry.objects.count() == 0


def test_too_many_rows_are_refused_as_a_whole(org, ward_officer_bo_de):
    line = f"Nguyễn Văn An,{CCCD_AN},1985,Lái xe,2,Chở hàng,004,,,{days()}"
    report = staff_import.import_staff_list(
        by=ward_officer_bo_de, organisation=org, data=csv_of(*[line] * (staff_import.MAX_ROWS + 1))
    )
    assert "split the list" in report.file_error


def test_the_template_reads_back_without_errors(org, ward_officer_bo_de):
    rows, problem = staff_import.read_rows(staff_import.template_csv().encode())
    assert problem == "" and rows[0][1]["cccd"] == "001085012345"


def xlsx_of(*rows: Sequence[object]) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_list_reads_date_and_number_cells_as_the_csv_would(org, ward_officer_bo_de):
    start, end = today(), today() + timedelta(days=6)
    data = xlsx_of(
        HEADER.split(","),
        ["Nguyễn Văn An", CCCD_AN, 1985, "Lái xe", 2, "Chở hàng", "004", None, "29C-123.45", start, end],
        [None] * 11,  # Excel pads sheets with empty rows: not a row
        # A CCCD typed as a number lost its leading 0: refused on its row, never padded back.
        ["Lê Văn Cường", 1079000777, 1979.0, "Bảo vệ", 6, "Trực", "00139", None, None, start, end],
    )
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert (report.created, report.file_error) == (1, "")
    assert [(e.row, e.column) for e in report.errors] == [(4, "cccd")]
    entry = Entry.objects.get()
    assert (entry.cccd_masked, entry.valid_from, entry.valid_to) == ("001******345", start, end)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04" + b"\x00" * 100, "Excel"),
    ],
)
def test_an_old_or_broken_workbook_says_why(org, ward_officer_bo_de, data, says):
    report = staff_import.import_staff_list(by=ward_officer_bo_de, organisation=org, data=data)
    assert says in report.file_error
    assert Entry.objects.count() == 0
