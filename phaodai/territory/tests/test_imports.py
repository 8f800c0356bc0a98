"""Importing a ward's areas from CSV/XLSX: every bad input gets a clear reason, nothing valid is lost."""

import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phaodai.core.errors import NotPermitted
from phaodai.core.models import AuditEntry
from phaodai.territory import imports, services
from phaodai.territory.models import Area
from phaodai.territory.tests.files import cp1258, csv_upload, xlsx_bytes, xlsx_upload

HEADER = "local_code,name,kind,population,households\n"
VI_HEADER = ["Mã", "Tên", "Loại", "Dân số", "Số hộ"]


def _read(upload, limit=10 * 1024 * 1024):
    return imports.plan_areas(imports.read_area_file(upload, limit=limit))


def _errors(plan_or_result):
    return [(e.row, e.column) for e in plan_or_result.errors]


def _import(ward, by, upload):
    return services.import_area_file(ward=ward, by=by, upload=upload)


# --- reading and checking (no database) -------------------------------------------------------


def test_a_plain_csv_is_read_with_row_numbers_counting_the_header():
    plan = _read(csv_upload(HEADER + "TDP01,Tổ 1,to_dan_pho,1200,300\nTDP02,Tổ 2,tổ dân phố,900,250\n"))
    assert [(n, r.local_code, r.kind) for n, r in plan.rows] == [
        (2, "TDP01", "to_dan_pho"),
        (3, "TDP02", "to_dan_pho"),
    ]
    assert plan.errors == []


def test_an_excel_csv_with_bom_and_semicolons_and_vietnamese_headers():
    text = (
        "\ufeffMã;Tên;Loại;Dân số;Số hộ\r\n"
        "01;Tổ dân phố 1;Tổ dân phố;1.200;310\r\n"
        "02;Chung cư A;chung cư;800;240\r\n"
    )
    plan = _read(csv_upload(text.encode("utf-8")))
    assert [(r.local_code, r.name, r.kind, r.population) for _n, r in plan.rows] == [
        ("01", "Tổ dân phố 1", "to_dan_pho", 1200),
        ("02", "Chung cư A", "chung_cu", 800),
    ]


def test_excels_sep_line_is_honoured():
    plan = _read(csv_upload("sep=;\nlocal_code;name;kind;population;households\nA1;Tổ 1;tdp;5;2\n"))
    assert [(n, r.local_code) for n, r in plan.rows] == [(3, "A1")]


def test_a_windows_1258_csv_is_read_and_normalised_to_nfc():
    data = cp1258("Mã;Tên;Loại;Dân số;Số hộ\r\n01;Tổ dân phố Bồ Đề;Tổ dân phố;1200;310\r\n")
    assert b"\xcc" in data or b"\xd2" in data or b"\xde" in data or b"\xec" in data  # combining tone bytes
    plan = _read(csv_upload(data))
    ((_n, row),) = plan.rows
    assert row.name == "Tổ dân phố Bồ Đề"
    assert unicodedata.is_normalized("NFC", row.name)
    assert any("Windows-1258" in note for note in plan.notes)


def test_utf16_tab_separated_text_from_excel_is_read():
    text = "local_code\tname\tkind\tpopulation\thouseholds\r\nA1\tTổ 1\tthôn\t5\t2\r\n"
    plan = _read(csv_upload(text.encode("utf-16")))
    assert [(r.local_code, r.kind) for _n, r in plan.rows] == [("A1", "thon_xom")]


def test_damaged_utf8_is_refused_with_its_row_rather_than_garbled():
    data = (HEADER + "A1,Tổ 1,tdp,1,1\nA2,Tổ 2,tdp,1,1\n").encode("utf-8") + b"A3,T\xff,tdp,1,1\n"
    with pytest.raises(imports.UnreadableEncoding) as caught:
        _read(csv_upload(data))
    assert "Row 4" in str(caught.value.detail)
    assert "CSV UTF-8" in str(caught.value.detail)


def test_bytes_undefined_in_windows_1258_are_refused():
    with pytest.raises(imports.UnreadableEncoding):
        _read(csv_upload(HEADER.encode() + b"A1,T\x81,tdp,1,1\n"))


def test_a_missing_header_column_names_what_is_missing_and_what_was_found():
    with pytest.raises(imports.MissingColumns) as caught:
        _read(csv_upload("Mã,Tên,Loại\nA1,Tổ 1,tdp\n"))
    message = str(caught.value.detail)
    assert "population" in message and "households" in message
    assert "Mã, Tên, Loại" in message
    assert "Row 1" in message


def test_an_xlsx_with_a_wrong_header_is_refused_clearly():
    upload = xlsx_upload([["STT", "Tên khu", "Ghi chú"], [1, "Tổ 1", ""]])
    with pytest.raises(imports.MissingColumns) as caught:
        _read(upload)
    message = str(caught.value.detail)
    for column in ("local_code", "kind", "population", "households"):
        assert column in message
    assert "STT, Tên khu, Ghi chú" in message


def test_an_xlsx_whose_sheet_is_damaged_is_refused_not_a_crash():
    # openpyxl opens the workbook's index eagerly but parses each sheet lazily, row by row.
    import zipfile

    rows: list[list[object]] = [
        ["local_code", "name", "kind", "population", "households"],
        ["TDP01", "Tổ 1", "tdp", 9, 3],
    ]
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    upload = SimpleUploadedFile("areas.xlsx", damaged.getvalue())

    with pytest.raises(imports.UnsupportedFile) as caught:
        _read(upload)
    assert "damaged" in str(caught.value.detail)


def test_an_xlsx_with_no_header_at_all_is_refused():
    with pytest.raises(imports.MissingColumns) as caught:
        _read(xlsx_upload([["TDP01", "Tổ 1", "tdp", 1, 1]]))
    assert "Columns found: TDP01, Tổ 1" in str(caught.value.detail)


def test_two_columns_for_one_field_are_refused():
    with pytest.raises(imports.MissingColumns) as caught:
        _read(csv_upload("mã,code,tên,loại,dân số,số hộ\n"))
    assert "two columns (1 and 2)" in str(caught.value.detail)


def test_xlsx_with_title_rows_numeric_codes_and_float_counts():
    upload = xlsx_upload(
        [
            ["DANH SÁCH KHU VỰC PHƯỜNG BỒ ĐỀ"],
            [],
            ["STT", *VI_HEADER],
            [1, 7, "Tổ dân phố 7", "Tổ dân phố", 1500.0, 400],
            [2, "TDP08", "Tổ dân phố 8", "tdp", 1200, 300.5],
        ]
    )
    plan = _read(upload)
    assert [(n, r.local_code, r.population) for n, r in plan.rows] == [(4, "7", 1500)]
    assert _errors(plan) == [(5, "households")]
    assert "whole number" in plan.errors[0].reason
    assert any("STT" in note for note in plan.notes)


def test_the_first_sheet_with_a_header_is_read():
    data = xlsx_bytes([["Ghi chú"]], sheets=[("Khu vực", [VI_HEADER, ["A1", "Tổ 1", "tdp", 1, 1]])])
    plan = _read(SimpleUploadedFile("areas.xlsx", data))
    assert [r.local_code for _n, r in plan.rows] == ["A1"]
    assert any("Khu vực" in note for note in plan.notes)


def test_scientific_notation_in_csv_is_refused_naming_row_and_column():
    plan = _read(csv_upload(HEADER + "A1,Tổ 1,tdp,1.5E+3,300\nA2,Tổ 2,tdp,1500,300\n"))
    assert _errors(plan) == [(2, "population")]
    assert "scientific notation" in plan.errors[0].reason
    assert [r.local_code for _n, r in plan.rows] == ["A2"]


def test_scientific_notation_shown_by_excel_in_xlsx_is_the_exact_stored_number():
    # In a workbook the cell holds the true value; only its display is scientific.
    plan = _read(xlsx_upload([VI_HEADER, ["A1", "Tổ 1", "tdp", 1.5e3, 2e2]]))
    assert [(r.population, r.households) for _n, r in plan.rows] == [(1500, 200)]


@pytest.mark.parametrize(
    ("population", "fragment"),
    [("-5", "negative"), ("12.5", "whole number"), ("nhiều", "whole number"), ("", "required")],
)
def test_bad_populations_are_refused_per_cell(population, fragment):
    plan = _read(csv_upload(HEADER + f"A1,Tổ 1,tdp,{population},3\n"))
    assert _errors(plan) == [(2, "population")]
    assert fragment in plan.errors[0].reason


def test_local_codes_are_text_and_keep_their_leading_zeros():
    plan = _read(csv_upload(HEADER + "007,Tổ 7,tdp,1,1\n0010,Tổ 10,tdp,1,1\n"))
    assert [r.local_code for _n, r in plan.rows] == ["007", "0010"]


def test_a_repeated_local_code_is_refused_after_its_first_row():
    plan = _read(csv_upload(HEADER + "A1,Tổ 1,tdp,1,1\nA2,Tổ 2,tdp,1,1\nA1,Tổ 3,tdp,1,1\n"))
    assert [r.name for _n, r in plan.rows] == ["Tổ 1", "Tổ 2"]
    assert _errors(plan) == [(4, "local_code")]
    assert "row 2" in plan.errors[0].reason


def test_a_code_repeated_but_for_leading_zeros_is_refused():
    plan = _read(csv_upload(HEADER + "01,Tổ 1,tdp,1,1\n1,Tổ một,tdp,1,1\n"))
    assert _errors(plan) == [(3, "local_code")]
    assert "leading zeros" in plan.errors[0].reason


def test_a_repeated_name_is_refused_even_with_other_diacritics():
    plan = _read(csv_upload(HEADER + "A1,Tổ 1,tdp,1,1\nA2,TO 1,tdp,1,1\n"))
    assert _errors(plan) == [(3, "name")]


def test_nfd_names_are_normalised():
    nfd = unicodedata.normalize("NFD", "Tổ dân phố Bồ Đề")
    plan = _read(csv_upload(HEADER + f"A1,{nfd},tdp,1,1\n"))
    assert plan.rows[0][1].name == unicodedata.normalize("NFC", "Tổ dân phố Bồ Đề")


def test_empty_rows_are_skipped():
    plan = _read(csv_upload(HEADER + "\n,,,,\nA1,Tổ 1,tdp,1,1\n , \n  ,  ,,,\n"))
    assert [n for n, _r in plan.rows] == [4]
    assert plan.errors == []
    assert plan.blank_rows == 4


def test_empty_xlsx_rows_are_skipped():
    plan = _read(xlsx_upload([VI_HEADER, [None] * 5, ["A1", "Tổ 1", "tdp", 1, 1], [], ["", " ", None]]))
    assert [n for n, _r in plan.rows] == [3]
    assert plan.blank_rows == 3


class _Huge:
    """An upload that declares 50 MB and fails the test if anyone reads it."""

    name = "big.csv"
    size = 50 * 1024 * 1024

    def read(self, size=-1):
        raise AssertionError("an oversized upload must be refused before it is read")


def test_a_file_over_the_limit_is_refused_before_reading_giving_the_limit():
    with pytest.raises(imports.UploadTooLarge) as caught:
        imports.read_area_file(_Huge(), limit=10 * 1024 * 1024)
    assert "10 MB" in str(caught.value.detail)
    assert caught.value.status == 413


def test_a_stream_of_unknown_size_is_cut_at_the_limit():
    class Stream(io.BytesIO):
        name = "s.csv"
        size = None

    with pytest.raises(imports.UploadTooLarge) as caught:
        imports.read_area_file(Stream(HEADER.encode() * 100), limit=1024)
    assert "1 KB" in str(caught.value.detail)


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("report.pdf", b"%PDF-1.7\n...", "“.pdf” files cannot be imported"),
        ("areas.docx", b"PK\x03\x04rest", "“.docx” files cannot be imported"),
        ("areas.csv", b"%PDF-1.7\n...", "not a CSV or Excel"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV or Excel"),
        ("areas.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "“.xls” files cannot be imported"),
        ("areas", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel .xls"),
        ("areas.xlsx", b"local_code,name\n", "not a CSV or Excel"),
        ("areas.xlsx", b"PK\x03\x04garbage", "could not be opened as an Excel workbook"),
        ("areas.csv", b"", "empty"),
        ("areas.csv", b"   \n\n", "empty"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(name, data, fragment):
    with pytest.raises(imports.UnsupportedFile) as caught:
        _read(SimpleUploadedFile(name, data))
    assert fragment in str(caught.value.detail)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(imports, "MAX_DATA_ROWS", 3)
    body = "".join(f"A{n},Tổ {n},tdp,1,1\n" for n in range(4))
    with pytest.raises(imports.TooManyRows):
        _read(csv_upload(HEADER + body))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["a.csv", "a.xlsx", "a", "a.txt"]))
def test_any_bytes_give_rows_or_a_clear_refusal(data, name):
    try:
        plan = _read(SimpleUploadedFile(name, data))
    except imports.ImportFileError as error:
        assert str(error.detail)
    else:
        assert all(e.reason for e in plan.errors)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12),
        min_size=5,
        max_size=5,
    )
)
def test_any_csv_row_is_kept_or_refused_with_a_reason(cells):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["local_code", "name", "kind", "population", "households"])
    writer.writerow(cells)
    plan = _read(csv_upload(buffer.getvalue()))
    assert len(plan.rows) + len({e.row for e in plan.errors}) + plan.blank_rows == 1


# --- writing --------------------------------------------------------------------------------------

MIXED = (
    HEADER
    + "TDP01,Tổ dân phố 1,tổ dân phố,1200,310\n"
    + "TDP02,Tổ dân phố 2,tdp,-4,100\n"  # negative population
    + "\n"
    + "CC01,Chung cư Bồ Đề,chung cư,800,240\n"
    + "TDP01,Trùng mã,tdp,1,1\n"  # repeated code
    + "KCN,Khu công nghiệp,lâu đài,0,0\n"  # unknown kind
)


@pytest.mark.django_db
def test_valid_rows_are_written_beside_the_refused_ones(bo_de, ward_officer_bo_de):
    result = _import(bo_de, ward_officer_bo_de, csv_upload(MIXED))
    assert (result.created, result.updated, result.unchanged, result.blank_rows) == (2, 0, 0, 1)
    assert _errors(result) == [(3, "population"), (6, "local_code"), (7, "kind")]
    assert result.refused_rows == 3
    stored = {a.local_code: (a.code, a.kind, a.population) for a in Area.objects.filter(ward=bo_de)}
    assert stored == {"TDP01": ("00139-TDP01", "to_dan_pho", 1200), "CC01": ("00139-CC01", "chung_cu", 800)}


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(bo_de, ward_officer_bo_de):
    _import(bo_de, ward_officer_bo_de, csv_upload(MIXED))
    before = list(Area.objects.filter(ward=bo_de).values())
    writes = AuditEntry.objects.filter(action__in=["territory.create_area", "territory.update_area"]).count()
    again = _import(bo_de, ward_officer_bo_de, csv_upload(MIXED))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Area.objects.filter(ward=bo_de).values()) == before
    assert (
        AuditEntry.objects.filter(action__in=["territory.create_area", "territory.update_area"]).count()
        == writes
    )


@pytest.mark.django_db
def test_a_known_local_code_updates_its_area(bo_de, ward_officer_bo_de, bo_de_areas):
    result = _import(bo_de, ward_officer_bo_de, csv_upload(HEADER + "TDP01,Tổ dân phố 1,tdp,1300,320\n"))
    assert (result.created, result.updated) == (0, 1)
    assert Area.objects.get(code="00139-TDP01").population == 1300
    assert Area.objects.get(code="00139-CC01").population == 800  # areas not in the file are left alone


@pytest.mark.django_db
def test_importing_a_deactivated_area_brings_it_back(bo_de, ward_officer_bo_de, bo_de_areas):
    services.deactivate_area(area=bo_de_areas[1], by=ward_officer_bo_de)
    result = _import(bo_de, ward_officer_bo_de, csv_upload(HEADER + "CC01,Chung cư Bồ Đề,chung_cu,800,240\n"))
    assert result.updated == 1
    assert Area.objects.get(code="00139-CC01").active


@pytest.mark.django_db
def test_a_code_stripped_of_its_leading_zeros_is_refused_against_stored_areas(bo_de, ward_officer_bo_de):
    _import(bo_de, ward_officer_bo_de, csv_upload(HEADER + "01,Tổ 1,tdp,1,1\n"))
    result = _import(bo_de, ward_officer_bo_de, xlsx_upload([VI_HEADER, [1, "Tổ 1", "tdp", 2, 2]]))
    assert _errors(result) == [(2, "local_code")]
    assert "“01”" in result.errors[0].reason and "Text" in result.errors[0].reason
    assert list(Area.objects.filter(ward=bo_de).values_list("local_code", "population")) == [("01", 1)]


@pytest.mark.django_db
def test_a_name_held_by_an_area_left_out_of_the_file_is_refused(bo_de, ward_officer_bo_de, bo_de_areas):
    result = _import(bo_de, ward_officer_bo_de, csv_upload(HEADER + "NEW,Chung cư Bồ Đề,chung_cu,1,1\n"))
    assert _errors(result) == [(2, "name")]
    assert "CC01" in result.errors[0].reason


@pytest.mark.django_db
def test_names_may_move_between_areas_in_one_file(bo_de, ward_officer_bo_de, bo_de_areas):
    # CC01 gives up its name and TDP09 takes it, in the same file: no clash.
    text = HEADER + "CC01,Chung cư cũ,chung_cu,800,240\nTDP09,Chung cư Bồ Đề,chung_cu,10,5\n"
    result = _import(bo_de, ward_officer_bo_de, csv_upload(text))
    assert (result.created, result.updated, result.errors) == (1, 1, [])


@pytest.mark.django_db
def test_a_clash_found_only_by_the_database_costs_only_its_row(bo_de, ward_officer_bo_de, bo_de_areas):
    # Swapping two names in one file passes the checks but clashes row by row; the third row survives.
    text = (
        HEADER
        + "TDP01,Chung cư Bồ Đề,tdp,1,1\n"
        + "CC01,Tổ dân phố 1,chung_cu,1,1\n"
        + "TDP05,Tổ dân phố 5,tdp,5,5\n"
    )
    result = _import(bo_de, ward_officer_bo_de, csv_upload(text))
    assert result.created == 1
    assert {e.row for e in result.errors} == {2, 3}
    assert Area.objects.filter(code="00139-TDP05").exists()


@pytest.mark.django_db
def test_import_is_scoped_and_needs_the_permission(bo_de, ward_officer_phuc_xa, welfare_officer_bo_de):
    for user in (ward_officer_phuc_xa, welfare_officer_bo_de):
        with pytest.raises(NotPermitted):
            _import(bo_de, user, csv_upload(MIXED))
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_import_is_audited(bo_de, ward_officer_bo_de):
    _import(bo_de, ward_officer_bo_de, csv_upload(MIXED))
    assert AuditEntry.objects.filter(action="territory.create_area", actor_username="ward-00139").count() == 2
    assert AuditEntry.objects.filter(action="territory.import_areas", object_id="00139").count() == 1
