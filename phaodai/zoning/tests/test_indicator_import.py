"""Indicator sheets: CSV/XLSX reading, Vietnamese headers, per-row checks and writing by observation time."""

from datetime import date, datetime

import pytest
from django.http import Http404

from phaodai.core.clock import hanoi
from phaodai.core.errors import NotPermitted, OutOfScope
from phaodai.territory.imports import MissingColumns, UnsupportedFile, UploadTooLarge
from phaodai.territory.rules import AreaRow, fold
from phaodai.territory.services import bulk_create_areas
from phaodai.territory.tests.files import cp1258, csv_upload, xlsx_upload
from phaodai.zoning import indicator_import
from phaodai.zoning.indicator_import import (
    COLUMN_ALIASES,
    HEADER_KEYS,
    header_column,
    import_indicator_file,
    parse_as_of,
)
from phaodai.zoning.models import IndicatorValue
from phaodai.zoning.selectors import ward_for_indicators

NOON = hanoi(2021, 9, 7, 12)


def clock() -> datetime:
    return NOON


# Pure parts -----------------------------------------------------------------------------------


def test_no_two_columns_share_a_header_alias():
    folded = [fold(name) for column, aliases in COLUMN_ALIASES.items() for name in (column, *aliases)]
    assert len(folded) == len(set(folded))
    assert all(
        HEADER_KEYS[fold(alias)] == column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
    )


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Mã khu vực", "area"),
        ("MA KHU VUC", "area"),
        ("area_code", "area"),
        ("Số ca cộng đồng 7 ngày", "community_cases_7d"),
        ("so ca cong dong 14 ngay", "community_cases_14d"),
        ("community_cases_7d", "community_cases_7d"),
        ("Community cases, last 7 days", "community_cases_7d"),
        ("Đang phong tỏa", "lockdown_active"),
        ("Tỷ lệ tiêm mũi 1 (%)", "first_dose_18plus_pct"),
        ("Thời điểm", "as_of"),
        ("as_of", "as_of"),
        ("Ghi chú", None),
    ],
)
def test_headers_in_vietnamese_or_english(header, column):
    assert header_column(header) == column


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("07/09/2021 06:00", hanoi(2021, 9, 7, 6)),
        ("07/09/2021", hanoi(2021, 9, 7)),
        ("2021-09-07 06:30", hanoi(2021, 9, 7, 6, 30)),
        ("2021-09-06T23:00:00+00:00", hanoi(2021, 9, 7, 6)),
        (datetime(2021, 9, 7, 6), hanoi(2021, 9, 7, 6)),
        (date(2021, 9, 7), hanoi(2021, 9, 7)),
    ],
)
def test_observation_times_are_read_on_the_hanoi_clock(cell, expected):
    assert parse_as_of(cell) == expected


def test_a_time_that_is_not_one_is_refused():
    with pytest.raises(ValueError):
        parse_as_of("7 tháng 9")


# With the database ----------------------------------------------------------------------------


@pytest.fixture
def bo_de(unit):
    return unit("00139")


@pytest.fixture
def areas(bo_de):
    return bulk_create_areas(
        ward=bo_de,
        rows=[
            AreaRow("TDP01", "Tổ dân phố 1", "to_dan_pho", 1200, 310),
            AreaRow("TDP02", "Tổ dân phố 2", "to_dan_pho", 900, 250),
            AreaRow("CC01", "Chung cư", "chung_cu", 800, 240),
        ],
    )


def values() -> dict[tuple[str, str, datetime], float]:
    return {
        (v.area.local_code, v.indicator, v.as_of): v.value
        for v in IndicatorValue.objects.select_related("area")
    }


def run(ward, by, upload, default_as_of=None):
    return import_indicator_file(ward=ward, by=by, upload=upload, default_as_of=default_as_of, clock=clock)


@pytest.mark.django_db
def test_a_csv_with_vietnamese_headers_keeps_the_good_rows_and_reports_the_bad(
    bo_de, areas, ward_officer_bo_de
):
    text = (
        "Mã khu vực,Tên,Số ca cộng đồng 7 ngày,Đang phong tỏa,Tỷ lệ tiêm mũi 1,Thời điểm\n"
        "TDP01,Tổ 1,3,có,85%,07/09/2021 06:00\n"
        "00139-TDP02,Tổ 2,ba,không,90,07/09/2021 06:00\n"  # a bad count: the rest of the row is kept
        "TDP99,?,1,,,07/09/2021 06:00\n"  # no such area
        "00001-TDP01,Phúc Xá,1,,,07/09/2021 06:00\n"  # another ward's area
        "CC01,,2,,,08/09/2021 06:00\n"  # in the future
        "CC01,,2,,,hôm qua\n"  # not a time
        ",,,,,\n"
        "TDP01,Tổ 1,4,,,07/09/2021 06:00\n"  # the same area and time again
        "CC01,,,,,07/09/2021 06:00\n"  # no value at all
        "CC01,,1,,,06/09/2021\n"  # another observation time in the same file
    )
    report = run(bo_de, ward_officer_bo_de, csv_upload(text, "chi-so.csv"))
    assert values() == {
        ("TDP01", "community_cases_7d", hanoi(2021, 9, 7, 6)): 3.0,
        ("TDP01", "lockdown_active", hanoi(2021, 9, 7, 6)): 1.0,
        ("TDP01", "first_dose_18plus_pct", hanoi(2021, 9, 7, 6)): 85.0,
        ("TDP02", "lockdown_active", hanoi(2021, 9, 7, 6)): 0.0,
        ("TDP02", "first_dose_18plus_pct", hanoi(2021, 9, 7, 6)): 90.0,
        ("CC01", "community_cases_7d", hanoi(2021, 9, 6)): 1.0,
    }
    assert report.values_saved == 6
    assert report.observed == [hanoi(2021, 9, 6), hanoi(2021, 9, 7, 6)]
    assert report.blank_rows == 1 and report.rows_read == 9
    problems = [(e.row, e.column) for e in report.errors]
    assert problems == [
        (3, "community_cases_7d"),
        (4, "area"),
        (5, "area"),
        (6, "as_of"),
        (7, "as_of"),
        (9, "area"),
        (10, ""),
    ]
    reasons = {e.row: e.reason for e in report.errors}
    assert "“ba” is not a number" in reasons[3]
    assert "No active area of Bồ Đề has the code TDP99" in reasons[4]
    assert "belongs to another ward" in reasons[5]
    assert "future" in reasons[6]
    assert "already given by row 2" in reasons[9]
    assert report.refused_rows == 7


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(bo_de, areas, ward_officer_bo_de):
    text = "area,community_cases_7d,as_of\nTDP01,2,07/09/2021 06:00\n"
    run(bo_de, ward_officer_bo_de, csv_upload(text))
    first = list(IndicatorValue.objects.values_list("pk", "updated_at"))
    report = run(bo_de, ward_officer_bo_de, csv_upload(text))
    assert list(IndicatorValue.objects.values_list("pk", "updated_at")) == first
    assert report.errors == []


@pytest.mark.django_db
def test_rows_without_an_as_of_take_the_forms_time(bo_de, areas, ward_officer_bo_de):
    text = "Mã khu vực;Số ca cộng đồng 14 ngày;Số ca không rõ nguồn lây 14 ngày\nTDP01;1;1\nTDP02;0;0\n"
    report = run(bo_de, ward_officer_bo_de, csv_upload(text), default_as_of=hanoi(2021, 9, 7, 6))
    assert report.values_saved == 4 and report.errors == []
    assert {v.as_of for v in IndicatorValue.objects.all()} == {hanoi(2021, 9, 7, 6)}
    report = run(bo_de, ward_officer_bo_de, csv_upload(text))
    assert [(e.row, e.column) for e in report.errors] == [(2, "as_of"), (3, "as_of")]


@pytest.mark.django_db
def test_an_xlsx_with_excel_types_and_a_title_row(bo_de, areas, ward_officer_bo_de):
    upload = xlsx_upload(
        [
            ["Chỉ số dịch tễ phường Bồ Đề"],
            [
                "Mã KV",
                "Số ca cộng đồng 7 ngày",
                "Đang phong tỏa",
                "Đáp ứng năng lực điều trị",
                "Ngày giờ",
                "Ghi chú",
            ],
            ["TDP01", 3.0, 1, True, datetime(2021, 9, 7, 6), "x"],
            ["TDP02", 0, 0, False, datetime(2021, 9, 7, 6), ""],
        ],
        name="chi-so.xlsx",
    )
    report = run(bo_de, ward_officer_bo_de, upload)
    assert report.errors == [] and report.values_saved == 6
    assert values()[("TDP01", "lockdown_active", hanoi(2021, 9, 7, 6))] == 1.0
    assert values()[("TDP02", "treatment_capacity_met", hanoi(2021, 9, 7, 6))] == 0.0
    assert any("Ghi chú" in note for note in report.notes)


@pytest.mark.django_db
def test_a_windows_1258_csv_is_read(bo_de, areas, ward_officer_bo_de):
    data = cp1258("Mã khu vực,Số ca cộng đồng 7 ngày,Thời điểm\nTDP01,2,07/09/2021 06:00\n")
    assert run(bo_de, ward_officer_bo_de, csv_upload(data)).values_saved == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (csv_upload("Tên,Dân số\nTổ 1,100\n"), MissingColumns),
        (csv_upload("Mã khu vực,Ghi chú\nTDP01,x\n"), MissingColumns),  # no indicator column
        (csv_upload(b"%PDF-1.4 ...", "chi-so.csv"), UnsupportedFile),
        (csv_upload("a,b\n", "chi-so.docx"), UnsupportedFile),
        (csv_upload(b"PK\x03\x04 not a workbook", "chi-so.xlsx"), UnsupportedFile),
        (csv_upload("   \n"), UnsupportedFile),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(bo_de, areas, ward_officer_bo_de, upload, error):
    with pytest.raises(error):
        run(bo_de, ward_officer_bo_de, upload)
    assert not IndicatorValue.objects.exists()


@pytest.mark.django_db
def test_an_oversized_file_is_refused(bo_de, areas, ward_officer_bo_de, settings):
    settings.PHAODAI_MAX_UPLOAD_BYTES = 100
    with pytest.raises(UploadTooLarge):
        run(bo_de, ward_officer_bo_de, csv_upload("area,community_cases_7d\n" + "TDP01,1\n" * 50))


@pytest.mark.django_db
def test_too_many_rows_are_refused(bo_de, areas, ward_officer_bo_de, monkeypatch):
    monkeypatch.setattr(indicator_import, "MAX_DATA_ROWS", 3)
    with pytest.raises(indicator_import.TooManyRows):
        run(bo_de, ward_officer_bo_de, csv_upload("area,community_cases_7d\n" + "TDP01,1\n" * 5))


@pytest.mark.django_db
def test_only_those_who_enter_indicators_for_the_ward_may_import(
    bo_de, areas, ward_officer_phuc_xa, welfare_officer_bo_de, unit
):
    upload = csv_upload("area,community_cases_7d,as_of\nTDP01,1,07/09/2021\n")
    with pytest.raises(OutOfScope):
        run(bo_de, ward_officer_phuc_xa, upload)
    with pytest.raises(NotPermitted):
        ward_for_indicators(welfare_officer_bo_de, "00139")
    with pytest.raises(Http404):
        ward_for_indicators(ward_officer_phuc_xa, "004")  # a district, not a ward
    assert ward_for_indicators(ward_officer_phuc_xa, "00001") == unit("00001")


@pytest.mark.django_db
def test_the_template_lists_the_wards_areas(areas):
    lines = list(indicator_import.template_rows(areas, hanoi(2021, 9, 7, 6)))
    assert lines[0][0] == "area" and lines[0][-1] == "as_of" and "community_cases_7d" in lines[0]
    assert "population" not in lines[0]
    assert lines[1][:2] == ["TDP01", "Tổ dân phố 1"] and lines[1][-1] == "07/09/2021 06:00"
    assert all(header_column(h) is not None or h == "name" for h in lines[0])
