"""The slot workbook: numbers as numbers, the total row, a printable layout, formulas never run."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from phaodai.core.clock import hanoi
from phaodai.sitreps import exports, selectors, services
from phaodai.sitreps.tests.conftest import report

SLOT = "2021-09-08T16:30"


@pytest.fixture
def table(ward_officer_bo_de, ward_officer_ngoc_lam, district_officer_long_bien, unit):
    """Bồ Đề and Ngọc Lâm reported; Bồ Đề typed a formula into its situation."""
    schedule = selectors.schedule_by_code("ward-daily-1630")
    instance = selectors.parse_slot(schedule, SLOT)
    for officer, code, values in [
        (ward_officer_bo_de, "00139", report(tests_taken=1200, situation="=1+1", proposals="@SUM(A1)")),
        (ward_officer_ngoc_lam, "00133", report(tests_taken=800, situation="-2 ca", proposals="Thêm test")),
    ]:
        services.submit_report(
            by=officer, schedule=schedule, unit=unit(code), instance=instance, values=values,
            clock=lambda: hanoi(2021, 9, 8, 15, 0),
        )  # fmt: skip
    return schedule, selectors.slot_table(schedule, instance, district_officer_long_bien)


def open_book(schedule, slot_table):
    data = exports.slot_workbook(slot_table, schedule, title_unit="Quận Long Biên")
    return load_workbook(BytesIO(data))


def rows_by_unit(sheet):
    return {row[0]: row for row in sheet.iter_rows(min_row=exports.HEADER_ROW + 1, values_only=True)}


@pytest.mark.django_db
def test_the_workbook_holds_the_numbers_and_the_total(table):
    schedule, slot_table = table
    sheet = open_book(schedule, slot_table).worksheets[0]
    header = [cell.value for cell in sheet[exports.HEADER_ROW]]
    column = header.index("Samples taken (samples)")
    rows = rows_by_unit(sheet)
    assert len(rows) == 15  # 14 wards and the total
    assert rows["Phường Bồ Đề"][column] == 1200 and isinstance(rows["Phường Bồ Đề"][column], int)
    assert rows["Phường Ngọc Lâm"][column] == 800
    assert rows["TOTAL"][column] == 2000
    total_row = sheet.max_row
    assert sheet.cell(row=total_row, column=1).font.b
    assert sheet.cell(row=total_row, column=column + 1).number_format == "#,##0"
    assert rows["Phường Bồ Đề"][1].startswith("on time")
    assert rows["Phường Long Biên"][1] == "not reported"


@pytest.mark.django_db
def test_the_title_names_the_schedule_the_slot_and_the_unit(table):
    schedule, slot_table = table
    sheet = open_book(schedule, slot_table).worksheets[0]
    assert sheet["A1"].value == schedule.name_en
    assert "08/09/2021 16:30" in sheet["A2"].value and "Quận Long Biên" in sheet["A2"].value


@pytest.mark.django_db
def test_the_layout_prints_landscape_on_one_page_wide_with_the_header_repeated(table):
    schedule, slot_table = table
    sheet = open_book(schedule, slot_table).worksheets[0]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${exports.HEADER_ROW}:${exports.HEADER_ROW}"
    assert sheet.freeze_panes == f"B{exports.HEADER_ROW + 1}"


@pytest.mark.django_db
def test_a_formula_typed_into_a_report_is_kept_as_text(table):
    schedule, slot_table = table
    texts = open_book(schedule, slot_table).worksheets[1]
    header = [cell.value for cell in texts[exports.HEADER_ROW]]
    rows = rows_by_unit(texts)
    situation, proposals = header.index("General situation"), header.index("Proposals and requests")
    assert rows["Phường Bồ Đề"][situation] == "'=1+1"
    assert rows["Phường Bồ Đề"][proposals] == "'@SUM(A1)"
    assert rows["Phường Ngọc Lâm"][situation] == "'-2 ca"
    assert rows["Phường Ngọc Lâm"][proposals] == "Thêm test"
    for row in texts.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert texts.cell(row=exports.HEADER_ROW + 1, column=2).alignment.wrap_text


def test_safe_text_escapes_only_what_excel_would_run():
    assert [exports.safe_text(t) for t in ["=1+1", "+84", "-3", "@A1", "\t=x", "Bình thường", "1=1"]] == [
        "'=1+1", "'+84", "'-3", "'@A1", "'\t=x", "Bình thường", "1=1",
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_filename_names_the_schedule_and_the_slot(table):
    schedule, slot_table = table
    assert exports.slot_filename(schedule, slot_table) == "bao-cao-ward-daily-1630-2021-09-08-1630.xlsx"
