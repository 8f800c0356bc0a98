from datetime import date

import pytest

from phaodai.people import rules
from phaodai.people.rules import PriorityGroup, Problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Nguyễn Văn An", None),
        ("Lò Thị Ngọc-Ánh", None),
        ("", Problem.NAME_MISSING),
        ("A" * 151, Problem.NAME_TOO_LONG),
        ("Nguyễn Văn 2", Problem.NAME_HAS_DIGITS),
        ("-- . --", Problem.NAME_HAS_NO_LETTER),
    ],
)
def test_name_problems(name, problem):
    assert rules.name_problem(name) == problem


def test_birth_dates_in_the_future_or_before_1900_are_refused():
    today = date(2021, 9, 6)
    assert rules.birth_date_problem(date(2021, 9, 6), today) is None
    assert rules.birth_date_problem(date(2021, 9, 7), today) == Problem.BIRTH_DATE_FUTURE
    assert rules.birth_date_problem(date(1899, 12, 31), today) == Problem.BIRTH_DATE_TOO_EARLY


def test_only_women_may_be_marked_pregnant():
    assert rules.sex_problem("F", True) is None
    assert rules.sex_problem("M", True) == Problem.PREGNANT_NOT_FEMALE
    assert rules.sex_problem("?", False) == Problem.SEX_UNKNOWN


def test_age_counts_completed_years():
    assert rules.age_on(date(1956, 9, 7), date(2021, 9, 6)) == 64
    assert rules.age_on(date(1956, 9, 6), date(2021, 9, 6)) == 65
    assert rules.age_on(date(2000, 2, 29), date(2021, 2, 28)) == 20


def test_priority_groups_derive_the_elderly_from_the_birth_date():
    def groups(born, **flags):
        values = {"chronic_illness": False, "disability_immobile": False, "pregnant": False, **flags}
        return rules.priority_groups(birth_date=born, today=date(2021, 9, 6), **values)

    assert groups(date(1956, 9, 6)) == (PriorityGroup.ELDERLY,)
    assert groups(date(1956, 9, 7)) == ()
    assert groups(date(1990, 1, 1), chronic_illness=True, disability_immobile=True, pregnant=True) == (
        PriorityGroup.CHRONIC_ILLNESS,
        PriorityGroup.DISABILITY_IMMOBILE,
        PriorityGroup.PREGNANT,
    )


def test_a_masked_cccd_shows_only_its_last_three_digits():
    assert rules.mask_cccd("001085123456") == "*********456"
