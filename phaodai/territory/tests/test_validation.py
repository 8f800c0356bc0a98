"""Field and row checks shared by forms, the API and imports."""

import unicodedata
from datetime import datetime

import pytest

from phaodai.core.errors import InvalidInput
from phaodai.territory.rules import AreaRow
from phaodai.territory.validation import (
    Cell,
    clean_count,
    clean_kind,
    clean_local_code,
    clean_name,
    is_blank,
    validate_row,
)


@pytest.mark.parametrize("code", ["TDP01", "01", "007", "A", "khu-3.b", "X_1"])
def test_local_codes_are_kept_as_given(code):
    assert clean_local_code(code) == code


@pytest.mark.parametrize(("value", "expected"), [(12, "12"), (12.0, "12"), (" TDP01 ", "TDP01")])
def test_numeric_local_codes_become_text(value, expected):
    assert clean_local_code(value) == expected


@pytest.mark.parametrize("code", ["", None, "Tổ 1", "TDP 01", "a/b", "-1", "X" * 33])
def test_bad_local_codes_are_refused_naming_the_field(code):
    with pytest.raises(InvalidInput) as caught:
        clean_local_code(code)
    assert caught.value.field == "local_code"


def test_names_are_stored_in_nfc_with_single_spaces():
    nfd = unicodedata.normalize("NFD", "Tổ  dân phố   Bồ Đề")
    assert clean_name(nfd) == "Tổ dân phố Bồ Đề"
    assert unicodedata.is_normalized("NFC", clean_name(nfd))


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 151])
def test_bad_names_are_refused(name):
    with pytest.raises(InvalidInput) as caught:
        clean_name(name)
    assert caught.value.field == "name"


def test_unknown_kind_lists_the_choices():
    with pytest.raises(InvalidInput) as caught:
        clean_kind("lâu đài")
    assert "lâu đài" in str(caught.value.detail)
    assert "to_dan_pho" in str(caught.value.detail)
    assert clean_kind("Tổ dân phố") == "to_dan_pho"


@pytest.mark.parametrize(("value", "expected"), [(5, 5), (1500.0, 1500), ("1.500", 1500), ("0", 0)])
def test_counts(value, expected):
    assert clean_count(value, field="population") == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "negative"),
        (-1.0, "negative"),
        ("-3", "negative"),
        (12.5, "whole number"),
        ("12.5", "whole number"),
        ("1.5E+3", "scientific notation"),
        ("", "required"),
        (None, "required"),
        (True, "whole number"),
        (datetime(2021, 9, 6), "whole number"),
        ("many", "whole number"),
    ],
)
def test_bad_counts_say_why(value, fragment):
    with pytest.raises(InvalidInput) as caught:
        clean_count(value, field="households")
    assert fragment in str(caught.value.detail)
    assert caught.value.field == "households"


def test_a_row_reports_every_bad_cell():
    checked = validate_row(
        7, {"local_code": "Tổ 1", "name": "", "kind": "x", "population": "-1", "households": "2"}
    )
    assert isinstance(checked, list)
    assert [(e.row, e.column) for e in checked] == [
        (7, "local_code"), (7, "name"), (7, "kind"), (7, "population"),
    ]  # fmt: skip


def test_a_good_row_becomes_an_area_row():
    cells: dict[str, Cell] = {
        "local_code": "01",
        "name": "Tổ 1",
        "kind": "chung cư",
        "population": 1200.0,
        "households": "300",
    }
    assert validate_row(2, cells) == AreaRow("01", "Tổ 1", "chung_cu", 1200, 300)


def test_blank_rows():
    assert is_blank({"local_code": None, "name": "  ", "kind": ""})
    assert not is_blank({"local_code": None, "name": "x"})
