"""The set-wise path's fast checks accept a row only as LabResultImport.check accepts it, with the same
values; everything else falls back to check itself."""

import random
from typing import Any

import pytest

from phaodai.core.identity import PROVINCE_CODES
from phaodai.core.models import ImportJob
from phaodai.diagnostics import lab_import_sql
from phaodai.diagnostics.lab_import import COLUMNS, LabResultImport, LabRow
from phaodai.diagnostics.tests.conftest import make_lab, resident_cccd
from phaodai.diagnostics.tests.test_import_support import clock

pytestmark = pytest.mark.django_db

CODES = ["HN-0001", "ab1", "a.b/c_d-e1", "X" * 32, "X" * 33, " HN-0001", "HN-0001 ", "-HN1", "HN1.",
         "HN\u00e41", "HN 01", "", "HN\x0001", "１２３４"]  # fmt: skip
TIMES = ["10/09/2021 08:00", "1/9/2021 8:05", "10/09/2021T08:00:30", "2021-09-11T09:30:00+07:00",
         "2021-09-11 09:30", "2021-09-11T09:30:00.5Z", "31/09/2021 08:00", "2021-09-11T24:00",
         " 10/09/2021 08:00", "", "10/09/2018 08:00", "29/02/2021 08:00", "2021-09-20T12:10:00+07:00",
         "2021-09-20T12:11:00+07:00", "٢٠٢١-09-11T09:30"]  # fmt: skip
WORDS = {
    "method": ["pcr", "RT-PCR", " PCR gộp ", "test nhanh", "neg", "", "Test  Nhanh"],
    "result": ["âm tính", "DƯƠNG TÍNH", "khong xac dinh", "positive", "neg", "+", ""],
    "lab": ["CDC-HN", "cdc-hn", " CDC-HN ", "BV-BADINH", "NOPE", ""],
}


def cccds(rng: random.Random) -> list[Any]:
    """12-digit strings over every province code and some that are not, every century digit, birth
    years around this one; Excel's damage; spaces; nothing."""
    provinces = [*PROVINCE_CODES, "000", "003", "999"]
    found = [f"{province}{g}{yy:02d}{rng.randrange(10**6):06d}" for province in provinces for g in range(10)
             for yy in (0, 25, 26, 27, 99)]  # fmt: skip
    return [*found, "1.23457E+11", "10801234567", " 001080123456", "001 080 123 456", "", None, 1080123456]


@pytest.mark.parametrize("unit", ["01", "001"])
def test_the_fast_path_accepts_only_what_check_accepts_and_the_same_values(lab_cdc: Any, unit: str) -> None:
    from conftest import make_persona
    from phaodai.accounts.roles import Role

    make_lab("BV-BADINH", "Bệnh viện Ba Đình", "001")
    user = make_persona("lab-fast", Role.LAB_TECHNICIAN, unit)
    handler = LabResultImport(clock=clock)
    handler.paths = handler.scope_of(ImportJob(uploaded_by=user, unit_path=""))
    checks = lab_import_sql.FastChecks(handler)
    rng = random.Random(20211009)
    numbers = cccds(rng)
    fast = 0
    good = {
        "sample_code": CODES[:4], "cccd": [resident_cccd(n) for n in range(20)],
        "full_name": ["Nguyễn Văn An"], "collected_at": TIMES[:3], "resulted_at": TIMES[3:6],
        **{column: words[:4] for column, words in WORDS.items()},
    }  # fmt: skip
    every = {
        "sample_code": CODES, "cccd": numbers, "full_name": ["Nguyễn Văn An", "A" * 50, "A" * 51, "Tên" * 60,
        None, "Lê\u0301"], "collected_at": TIMES, "resulted_at": TIMES, **WORDS,
    }  # fmt: skip
    for number in range(2, 8000):
        # mostly good cells, so that whole rows are often plain; any cell may be odd or bad
        cells = {
            column: rng.choice(good[column] if rng.random() < 0.9 else every[column]) for column in COLUMNS
        }
        assert set(cells) == set(COLUMNS)
        staged = checks.row(number, cells)
        if staged is None:
            continue
        fast += 1
        checked = handler.check(number, cells)
        assert isinstance(checked, LabRow), (cells, checked)
        assert lab_import_sql._staged(checked) == staged, cells
    assert fast > 1000  # plain rows do take the fast path


def test_every_plain_cccd_gets_the_verdict_of_parse_cccd(lab_cdc: Any) -> None:
    from phaodai.core.identity import InvalidCCCD, parse_cccd

    checks = lab_import_sql.FastChecks(LabResultImport(clock=clock))
    for value in cccds(random.Random(7)) + [resident_cccd(n) for n in range(50)]:
        if not isinstance(value, str) or len(value) != 12 or not value.isdigit():
            continue
        try:
            valid = parse_cccd(value).number == value
        except InvalidCCCD:
            valid = False
        assert checks.plain_cccd(value) is valid, value
