"""CCCD and phone structure checks: what is accepted, and the precise reason for what is not."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.clock import local_date, now
from phaodai.core.identity import (
    FEMALE,
    MALE,
    MOBILE_PREFIXES,
    PROVINCE_CODES,
    CCCDFacts,
    InvalidCCCD,
    InvalidPhone,
    normalize_phone,
    parse_cccd,
    validate_cccd,
)

DIGITS = "0123456789"
THIS_YEAR = local_date(now()).year


def make_cccd(province: str = "001", year: int = 1990, sex: str = MALE, serial: str = "012345") -> str:
    """A CCCD built from its parts the way the Ministry of Public Security assigns them."""
    century_digit = 2 * ((year - 1900) // 100) + (1 if sex == FEMALE else 0)
    return f"{province}{century_digit}{year % 100:02d}{serial}"


def cccd_problem(raw: object, **context: object) -> InvalidCCCD:
    with pytest.raises(InvalidCCCD) as refused:
        validate_cccd(raw, **context)  # type: ignore[arg-type]
    assert refused.value.code == "invalid_cccd"
    assert refused.value.field == "cccd"
    return refused.value


# --- CCCD: good numbers -------------------------------------------------------------------------


def test_a_hanoi_man_born_in_1990():
    facts = parse_cccd("001090012345")
    assert facts == CCCDFacts(number="001090012345", province_code="001", sex=MALE, birth_year=1990)
    assert PROVINCE_CODES[facts.province_code] == "Hà Nội"


def test_a_woman_born_in_2001_in_ho_chi_minh_city():
    assert parse_cccd("079301000001") == CCCDFacts("079301000001", "079", FEMALE, 2001)


def test_spaces_and_digit_groups_are_removed():
    assert validate_cccd(" 001 090\u00a0012 345 ") == "001090012345"
    assert validate_cccd("001.090.012.345") == "001090012345"


def test_a_cccd_consistent_with_birth_date_and_sex_is_returned_normalised():
    number = make_cccd(year=2003, sex=FEMALE)
    assert validate_cccd(number, birth_date=date(2003, 2, 1), sex=FEMALE) == number


# --- CCCD: bad numbers, each with its own reason ---------------------------------------------------


@pytest.mark.parametrize("raw", ["00109001234", "0010900123456"], ids=["11 digits", "13 digits"])
def test_a_cccd_must_have_exactly_twelve_digits(raw):
    refused = cccd_problem(raw)
    assert refused.params["problem"] == "length"
    assert f"this one has {len(raw)}" in str(refused)


@pytest.mark.parametrize("raw", ["00109001234A", "OO1090012345", "001090\u0661\u0662345", "001090-012/45"])
def test_a_cccd_must_contain_digits_only(raw):
    assert cccd_problem(raw).params["problem"] == "not_digits"


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_a_missing_cccd_says_so(raw):
    assert cccd_problem(raw).params["problem"] == "missing"


@pytest.mark.parametrize("province", ["000", "003", "097", "100", "999"])
def test_a_cccd_must_start_with_a_real_province_code(province):
    refused = cccd_problem(make_cccd(province=province))
    assert refused.params["problem"] == "province"
    assert province in str(refused)


def test_the_century_digit_must_agree_with_the_birth_year():
    # 4th digit 0 says "male, born 19xx"; a man born in 2001 has a 2 there.
    number = "001001012345"
    refused = cccd_problem(number, birth_date=date(2001, 5, 1), sex=MALE)
    assert refused.params["problem"] == "century"
    assert "century" in str(refused)
    assert validate_cccd("001201012345", birth_date=date(2001, 5, 1), sex=MALE) == "001201012345"


def test_the_year_digits_must_agree_with_the_birth_year():
    refused = cccd_problem(make_cccd(year=1990), birth_date=date(1991, 1, 1))
    assert refused.params["problem"] == "birth_year"
    assert "1990" in str(refused) and "1991" in str(refused)


@pytest.mark.parametrize(("number", "given"), [("001090012345", FEMALE), ("001190012345", MALE)])
def test_the_sex_digit_must_agree_with_the_holder(number, given):
    refused = cccd_problem(number, birth_date=date(1990, 1, 1), sex=given)
    assert refused.params["problem"] == "sex"


def test_a_cccd_cannot_encode_a_birth_year_in_the_future():
    # 4th digit 4 means the 22nd century.
    refused = cccd_problem("001401012345")
    assert refused.params["problem"] == "future"
    assert "2101" in str(refused)


def test_an_unknown_sex_value_is_a_programming_error_not_a_user_error():
    with pytest.raises(ValueError, match="sex must be"):
        validate_cccd("001090012345", sex="male")


# --- CCCD: what spreadsheets do to it --------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1.23E+11", "1,23E+11", "1.23e11", " 1.00109E+11 "])
def test_scientific_notation_is_rejected_with_a_clear_message(raw):
    refused = cccd_problem(raw)
    assert refused.params["problem"] == "scientific"
    assert "scientific notation" in str(refused)


@pytest.mark.parametrize("raw", [1090012345, 1.090012345e9, 123000000000.0, Decimal("1090012345")])
def test_a_cccd_read_as_a_number_has_lost_its_leading_zeros(raw):
    refused = cccd_problem(raw)
    assert refused.params["problem"] == "number"
    assert "leading zeros" in str(refused)


# --- CCCD: properties ----------------------------------------------------------------------------

serials = st.text(DIGITS, min_size=6, max_size=6)


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    year=st.integers(1900, THIS_YEAR),
    sex=st.sampled_from([MALE, FEMALE]),
    serial=serials,
    month=st.integers(1, 12),
    day=st.integers(1, 28),
)
def test_any_structurally_valid_cccd_parses_and_round_trips_its_facts(
    province, year, sex, serial, month, day
):
    number = make_cccd(province, year, sex, serial)
    facts = parse_cccd(number)
    assert facts == CCCDFacts(number=number, province_code=province, sex=sex, birth_year=year)
    assert make_cccd(facts.province_code, facts.birth_year, facts.sex, number[6:]) == number
    assert validate_cccd(number, birth_date=date(year, month, day), sex=sex) == number


unknown_provinces = st.integers(0, 999).map("{:03d}".format).filter(lambda code: code not in PROVINCE_CODES)


@given(province=unknown_provinces, rest=st.text(DIGITS, min_size=9, max_size=9))
def test_any_twelve_digits_with_an_unknown_province_are_rejected(province, rest):
    with pytest.raises(InvalidCCCD) as refused:
        parse_cccd(province + rest)
    assert refused.value.params["problem"] == "province"


# --- Phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "091 234 5678",
        "0912.345.678",
        "(091) 234-5678",
        "+84912345678",
        "+84 91 234 5678",
        "+84 (0) 912 345 678",
        "84912345678",
        "0084912345678",
        "912345678",  # Excel dropped the leading zero, then the cell was exported as text
        912345678,  # ... or read from the spreadsheet as a number
        912345678.0,
        84912345678,
    ],
)
def test_usual_ways_of_writing_a_mobile_number_give_the_national_form(raw):
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "０９１２ ３４５ ６７８",  # full-width digits (a Japanese or Chinese keyboard)
        "０９１２３４５６７８",
        "٠٩١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "+84 ٩١٢ ٣٤٥ ٦٧٨",
        "۰۹۱۲-۳۴۵-۶۷۸",  # extended Arabic-Indic (Persian)
    ],
)
def test_digits_of_other_scripts_are_read_as_digits(raw):
    assert normalize_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["091234567²", "０９１２３４５６７①", "0912 345 67x8"])
def test_characters_that_only_look_like_digits_are_refused(raw):
    assert phone_problem(raw) == "length"


def phone_problem(raw: object) -> str:
    with pytest.raises(InvalidPhone) as refused:
        normalize_phone(raw)
    assert refused.value.code == "invalid_phone"
    assert refused.value.field == "phone"
    return refused.value.params["problem"]


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (None, "missing"),
        ("  ", "missing"),
        ("091234567", "length"),
        ("09123456789", "length"),
        ("02438253531", "length"),  # a Hà Nội landline
        ("0912abc678", "length"),
        ("0123456789", "prefix"),
        ("0212345678", "prefix"),
        ("+1 212 555 0100", "length"),
        ("9.12345678E+8", "scientific"),
        ("1.23E+11", "scientific"),
        (912345678.5, "decimals"),
    ],
)
def test_bad_phone_numbers_are_rejected_with_a_reason(raw, problem):
    assert phone_problem(raw) == problem


def test_scientific_notation_phone_message_says_what_to_do():
    with pytest.raises(InvalidPhone, match="scientific notation"):
        normalize_phone("9.12E+08")


@given(prefix=st.sampled_from(sorted(MOBILE_PREFIXES)), rest=st.text(DIGITS, min_size=7, max_size=7))
def test_any_mobile_number_normalises_the_same_from_every_usual_form(prefix, rest):
    national = prefix + rest
    subscriber = national[1:]
    for form in (national, f"+84{subscriber}", f"84{subscriber}", subscriber, int(subscriber)):
        assert normalize_phone(form) == national
