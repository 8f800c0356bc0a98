"""The pure rules: the six groups as data, plates, zones, validity windows, birth years."""

from datetime import date

import pytest

from phaodai.permits import rules


def test_six_groups_each_with_its_issuing_authority():
    assert sorted(rules.GROUPS) == [1, 2, 3, 4, 5, 6]
    authority = {code: g.authority for code, g in rules.GROUPS.items()}
    assert authority == {
        1: rules.Authority.UNIT_HEAD, 2: rules.Authority.TRAFFIC_POLICE, 3: rules.Authority.UNIT_HEAD,
        4: rules.Authority.UNIT_HEAD, 5: rules.Authority.WARD_COMMITTEE, 6: rules.Authority.WARD_POLICE,
    }  # fmt: skip
    assert rules.GROUPS[2].authority_vi == "Phòng Cảnh sát giao thông (PC08)"
    assert rules.RESIDENT_GROUPS == (5,)
    assert rules.ORGANISATION_GROUPS == (1, 2, 3, 4, 6)


@pytest.mark.parametrize("raw", ["0", "7", "", "two", "2.0", " -1"])
def test_an_unknown_group_is_refused(raw):
    with pytest.raises(rules.RuleError) as error:
        rules.group(raw)
    assert error.value.problem == "unknown_group"


def test_a_group_given_as_text_or_number():
    assert rules.group(" 6 ").code == rules.group(6).code == 6


@pytest.mark.parametrize(("raw", "plate"), [("29c-123.45", "29C-123.45"), ("30A-12345", "30A-12345"),
                                             ("29LD-12345", "29LD-12345"),
                                             ("", "")])  # fmt: skip
def test_plates_are_upper_case(raw, plate):
    assert rules.normal_plate(raw) == plate


@pytest.mark.parametrize("raw", ["ABC", "29-12345", "2C-123.45", "29C_123.45", "29C-1"])
def test_a_malformed_plate_is_refused_not_guessed(raw):
    with pytest.raises(rules.RuleError):
        rules.normal_plate(raw)


def test_zones_split_on_spaces_commas_and_semicolons_without_repeats():
    assert rules.split_zones("00139, 004;004  001") == ("00139", "004", "001")
    with pytest.raises(rules.RuleError):
        rules.split_zones("00139 Bồ-Đề")
    with pytest.raises(rules.RuleError):
        rules.split_zones(" ".join(str(n) for n in range(100, 100 + rules.MAX_ZONES + 1)))


TODAY = date(2021, 9, 6)


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (date(2021, 9, 10), date(2021, 9, 9), "ends_before_start"),
        (date(2021, 9, 1), date(2021, 9, 5), "already_ended"),
        (date(2021, 9, 6), date(2021, 10, 7), "too_long"),
        (date(2021, 12, 1), date(2021, 12, 2), "starts_too_late"),
    ],
)
def test_validity_windows_that_cannot_be_issued(start, end, problem):
    with pytest.raises(rules.RuleError) as error:
        rules.check_validity(start, end, TODAY)
    assert error.value.problem == problem


def test_a_window_of_a_month_from_today_is_fine():
    rules.check_validity(TODAY, date(2021, 10, 5), TODAY)


def test_the_birth_year_must_be_the_one_the_cccd_encodes():
    rules.check_birth_year(1985, 1985, TODAY)
    with pytest.raises(rules.RuleError) as error:
        rules.check_birth_year(1986, 1985, TODAY)
    assert error.value.params == {"encoded": 1985, "given": 1986}


def test_only_food_and_medicine_go_without_a_paper():
    assert rules.ResidentPurpose.FOOD_MEDICINE not in rules.NEEDS_PAPER
    assert rules.ResidentPurpose.AIRPORT in rules.NEEDS_PAPER
