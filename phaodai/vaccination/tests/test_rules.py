"""Dose schedules as pure policy: what may be recorded, when the next dose is due, age bands."""

from datetime import date

import pytest

from phaodai.vaccination import rules
from phaodai.vaccination.rules import GivenDose, Schedule, Step

AZ = Schedule("astrazeneca", 2, {1: Step(1), 2: Step(2, 28, 56, 84)}, frozenset({"pfizer"}))
PFIZER = Schedule("pfizer", 2, {1: Step(1), 2: Step(2, 21, 21, 28)}, frozenset({"moderna"}))
ABDALA = Schedule("abdala", 3, {1: Step(1), 2: Step(2, 14, 14, 28), 3: Step(3, 14, 14, 28)})
SINOPHARM = Schedule("sinopharm", 2, {1: Step(1), 2: Step(2, 21, 21, 28)})
PLAN = {s.code: s for s in (AZ, PFIZER, ABDALA, SINOPHARM)}
TODAY = date(2021, 10, 15)


def problem(product: str, number: int, on: date, *history: GivenDose) -> rules.DoseProblem | None:
    return rules.dose_problem(
        schedules=PLAN, product=product, dose_number=number, given_on=on, today=TODAY, history=history
    )


def test_a_first_dose_needs_nothing_before_it():
    assert problem("astrazeneca", 1, date(2021, 8, 1)) is None


def test_a_dose_beyond_the_series_is_refused_with_the_series_length():
    first, second = GivenDose(1, date(2021, 7, 1), "pfizer"), GivenDose(2, date(2021, 7, 22), "pfizer")
    found = problem("pfizer", 3, date(2021, 9, 1), first, second)
    assert found is not None and (found.code, found.field, found.params["series"]) == (
        "beyond_series", "dose_number", 2,
    )  # fmt: skip


def test_abdala_has_three_doses():
    history = [GivenDose(1, date(2021, 9, 20), "abdala"), GivenDose(2, date(2021, 10, 4), "abdala")]
    assert problem("abdala", 3, date(2021, 10, 18), *history) is not None  # in the future on 15/10
    assert problem("abdala", 3, date(2021, 10, 14), *history) is not None  # 10 days < 14
    later = rules.dose_problem(
        schedules=PLAN, product="abdala", dose_number=3, given_on=date(2021, 10, 18),
        today=date(2021, 10, 18), history=history,
    )  # fmt: skip
    assert later is None


def test_an_interval_shorter_than_the_minimum_names_the_earliest_day():
    found = problem("astrazeneca", 2, date(2021, 8, 20), GivenDose(1, date(2021, 8, 1), "astrazeneca"))
    assert found is not None and found.code == "interval_too_short"
    assert (found.params["min_days"], found.params["earliest"]) == (28, date(2021, 8, 29))


def test_the_minimum_day_itself_is_accepted():
    assert problem("astrazeneca", 2, date(2021, 8, 29), GivenDose(1, date(2021, 8, 1), "astrazeneca")) is None


def test_the_interval_is_the_first_products_when_the_second_differs():
    # Pfizer after AstraZeneca: AstraZeneca's 28 days, not Pfizer's 21.
    first = GivenDose(1, date(2021, 8, 1), "astrazeneca")
    assert problem("pfizer", 2, date(2021, 8, 25), first).code == "interval_too_short"  # type: ignore[union-attr]
    assert problem("pfizer", 2, date(2021, 8, 29), first) is None


def test_products_mix_only_as_the_ministry_allowed():
    found = problem("astrazeneca", 2, date(2021, 9, 1), GivenDose(1, date(2021, 7, 1), "sinopharm"))
    assert found is not None and found.code == "not_interchangeable"


@pytest.mark.parametrize(("number", "code"), [(0, "dose_number_invalid"), (2, "previous_missing")])
def test_a_dose_number_needs_its_predecessor(number, code):
    found = problem("pfizer", number, date(2021, 9, 1))
    assert found is not None and found.code == code


def test_a_dose_in_the_future_is_refused():
    assert problem("pfizer", 1, date(2021, 10, 16)).code == "in_future"  # type: ignore[union-attr]


@pytest.mark.parametrize("given_on", [date(2012, 8, 1), date(2020, 11, 30)])
def test_a_dose_before_any_covid_vaccine_existed_is_refused(given_on):
    found = problem("pfizer", 1, given_on)
    assert found is not None and (found.code, found.field) == ("before_vaccines", "given_on")


def test_the_first_vaccination_day_itself_is_accepted():
    assert problem("pfizer", 1, date(2020, 12, 1)) is None


def test_a_dose_dated_after_a_later_dose_is_refused():
    second = GivenDose(2, date(2021, 8, 1), "pfizer")
    found = problem("pfizer", 1, date(2021, 8, 10), second)
    assert found is not None and found.code == "after_later_dose"


def test_a_mixed_series_completes_with_the_last_doses_product():
    assert rules.completes_series(PLAN, "pfizer", 2)
    assert not rules.completes_series(PLAN, "abdala", 2)


def test_the_next_dose_is_due_in_the_recommended_window_and_overdue_after_it():
    upcoming = rules.next_dose(PLAN, GivenDose(1, date(2021, 8, 1), "astrazeneca"))
    assert upcoming == rules.NextDose(2, date(2021, 8, 29), date(2021, 9, 26), date(2021, 10, 24))
    assert rules.due_status(upcoming, date(2021, 8, 28)) == "waiting"
    assert rules.due_status(upcoming, date(2021, 9, 1)) == "early"
    assert rules.due_status(upcoming, date(2021, 9, 26)) == "due"
    assert rules.due_status(upcoming, date(2021, 10, 25)) == "overdue"
    assert rules.next_dose(PLAN, GivenDose(2, date(2021, 8, 1), "pfizer")) is None


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2003, 10, 15), "18-49"),  # 18 today
        (date(2003, 10, 16), None),  # 18 tomorrow
        (date(1971, 10, 15), "50-64"),
        (date(1971, 10, 16), "18-49"),
        (date(1956, 10, 15), "65+"),
        (date(1956, 10, 16), "50-64"),
    ],
)
def test_age_bands_turn_on_the_birthday(born, band):
    assert rules.age_band(born, TODAY) == band


def test_someone_born_on_29_february_comes_of_age_on_1_march_in_a_common_year():
    assert rules.years_before(date(2022, 2, 28), 18) == date(2004, 2, 28)
    assert rules.age_band(date(2004, 2, 29), date(2022, 2, 28)) is None
    assert rules.age_band(date(2004, 2, 29), date(2022, 3, 1)) == "18-49"


def test_percent_is_none_without_anybody():
    assert rules.percent(1, 3) == 33.3
    assert rules.percent(0, 0) is None


def test_no_dose_follows_a_completed_series():
    # Abdala may not follow anything else, but the complete series is the first refusal.
    history = [GivenDose(1, date(2021, 7, 1), "pfizer"), GivenDose(2, date(2021, 7, 22), "pfizer")]
    plan = {**PLAN, "pfizer": Schedule("pfizer", 2, PFIZER.steps, frozenset({"abdala"}))}
    found = rules.dose_problem(
        schedules=plan,
        product="abdala",
        dose_number=3,
        given_on=date(2021, 9, 1),
        today=TODAY,
        history=history,
    )
    assert found is not None and (found.code, found.params["completed"]) == ("series_complete", 2)
