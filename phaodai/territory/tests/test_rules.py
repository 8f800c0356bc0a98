"""The pure vocabulary of area files: counts, headers, kinds."""

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.territory import rules
from phaodai.territory.models import Area
from phaodai.territory.rules import COUNT_MAX, CountProblem, fold, header_field, kind_code, parse_count


def test_rules_module_imports_no_django():
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in ([a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""])
    }
    assert "django" not in imported
    assert "phaodai" not in imported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("1500", 1500),
        (" 42 ", 42),
        ("+7", 7),
        ("1.500", 1500),
        ("1,500", 1500),
        ("12 345", 12345),
        ("1\u00a0234\u00a0567", 1234567),
        ("", CountProblem.EMPTY),
        ("1.5E+3", CountProblem.SCIENTIFIC),
        ("1,5E+3", CountProblem.SCIENTIFIC),
        ("2E3", CountProblem.SCIENTIFIC),
        ("-3", CountProblem.NEGATIVE),
        ("-1.500", CountProblem.NEGATIVE),
        ("12.5", CountProblem.FRACTION),
        ("12,75", CountProblem.FRACTION),
        ("1.50", CountProblem.FRACTION),
        ("1.500,5", CountProblem.NOT_A_NUMBER),
        ("1.500,000", CountProblem.NOT_A_NUMBER),  # mixed separators: refuse rather than guess
        ("abc", CountProblem.NOT_A_NUMBER),
        ("3 người", CountProblem.NOT_A_NUMBER),
        (str(COUNT_MAX + 1), CountProblem.TOO_LARGE),
    ],
)
def test_parse_count(text, expected):
    assert parse_count(text) == expected


@given(st.integers(min_value=0, max_value=COUNT_MAX))
def test_any_written_count_reads_back(number):
    assert parse_count(str(number)) == number
    assert parse_count(f"{number:,}") == number
    assert parse_count(f"{number:,}".replace(",", ".")) == number


@given(st.text(max_size=30))
def test_parse_count_never_crashes(text):
    result = parse_count(text)
    assert isinstance(result, str) or 0 <= result <= COUNT_MAX


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("local_code", "local_code"),
        ("Local Code", "local_code"),
        ("Mã", "local_code"),
        ("MÃ KHU VỰC", "local_code"),
        ("Tên", "name"),
        ("name", "name"),
        ("Loại", "kind"),
        ("Dân số", "population"),
        ("Dân số (người)", "population"),
        ("dan so", "population"),
        ("Số hộ", "households"),
        ("SO HO", "households"),
        ("households", "households"),
        ("STT", None),
        ("Ghi chú", None),
    ],
)
def test_headers_are_recognised_without_case_or_diacritics(header, field):
    assert header_field(header) == field


def test_nfd_headers_are_recognised():
    import unicodedata

    assert header_field(unicodedata.normalize("NFD", "Dân số")) == "population"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("to_dan_pho", "to_dan_pho"),
        ("Tổ dân phố", "to_dan_pho"),
        ("TỔ DÂN PHỐ", "to_dan_pho"),
        ("chung cư", "chung_cu"),
        ("Chung_cu", "chung_cu"),
        ("Khu liên gia", "khu_lien_gia"),
        ("Chợ dân sinh", "cho_dan_sinh"),
        ("Khu công nghiệp", "khu_cong_nghiep"),
        ("Thôn/xóm", "thon_xom"),
        ("thôn", "thon_xom"),
        ("Khu đô thị", "khu_do_thi"),
        ("Khác", "other"),
        ("apartment building", "chung_cu"),
        ("lâu đài", None),
    ],
)
def test_kinds_by_code_or_vietnamese_name(text, code):
    assert kind_code(text) == code


def test_every_kind_has_aliases_and_no_alias_is_shared():
    assert set(rules.KIND_ALIASES) == set(Area.Kind.values)
    aliases = [a for values in rules.KIND_ALIASES.values() for a in values]
    assert len(aliases) == len(set(aliases))


def test_fold_removes_case_diacritics_and_punctuation():
    assert fold("  Đường   Bồ Đề (cũ)!") == "duong bo de"
