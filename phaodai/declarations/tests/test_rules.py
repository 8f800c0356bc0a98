"""The pure rules: flags, unanswered questions, number shapes, masks, double-tap slots."""

from datetime import UTC, datetime

from phaodai.declarations import rules


def test_flags_read_symptoms_and_exposures_apart():
    answers = dict.fromkeys(rules.QUESTIONS, False)
    assert rules.flags(answers) == (False, False)
    assert rules.flags({**answers, "diarrhoea": True}) == (True, False)
    assert rules.flags({**answers, "animal_market": True}) == (False, True)


def test_only_a_real_boolean_answers_a_question():
    answers = {**dict.fromkeys(rules.QUESTIONS, False), "fever": 1, "cough": None}
    del answers["nausea"]
    assert rules.missing_answers(answers) == ["fever", "cough", "nausea"]
    assert rules.unknown_answers({**answers, "pets": True}) == ["pets"]


def test_birth_years_of_the_living():
    assert rules.birth_year_in_range(1901, 2021) and rules.birth_year_in_range(2021, 2021)
    assert not rules.birth_year_in_range(1900, 2021) and not rules.birth_year_in_range(2022, 2021)


def test_number_shapes_and_masks():
    assert rules.is_cmnd("012345678") and not rules.is_cmnd("01234567") and not rules.is_cmnd("0123456789")
    assert (
        rules.is_passport("B1234567") and not rules.is_passport("B-123") and not rules.is_passport("b1234567")
    )
    assert rules.mask_number("001085012345") == "001******345"
    assert rules.mask_number("012345678") == "******678"


def test_double_tap_slots_are_ten_minutes():
    start = datetime(2021, 9, 9, 0, 0, tzinfo=UTC)
    later = datetime(2021, 9, 9, 0, 9, 59, tzinfo=UTC)
    assert rules.dedupe_window(start) == rules.dedupe_window(later)
    assert rules.dedupe_window(datetime(2021, 9, 9, 0, 10, tzinfo=UTC)) == rules.dedupe_window(start) + 1
