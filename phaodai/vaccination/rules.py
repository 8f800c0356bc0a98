"""Pure vaccination policy: dose schedules, what makes a dose acceptable, when the next is due, age bands.

No Django here: frozen dataclasses in, a decision out (STYLE §2).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# Age bands of the coverage figures. 18 is NQ128/4800's adult threshold; 65 is its "elderly" (the 65+
# fully vaccinated criterion); 50 splits the adults because the Sept-2021 draft read "over 50 fully
# vaccinated" and the MoH's priority list put 50–64 with chronic illness next after the elderly.
ADULT_AGE, MIDDLE_AGE, ELDERLY_AGE = 18, 50, 65
BAND_18_49, BAND_50_64, BAND_65_PLUS = "18-49", "50-64", "65+"
BANDS = (BAND_18_49, BAND_50_64, BAND_65_PLUS)
# People the ward may put on the home-visit list by age alone (S19 "very old").
VERY_OLD_AGE = 80
# No COVID-19 vaccine was given before December 2020 (the first outside trials, 8/12/2020; Việt Nam's
# first, 8/3/2021): an earlier date is a typing error (2012 for 2021), never a dose to count.
FIRST_VACCINATION_DAY = date(2020, 12, 1)


@dataclass(frozen=True)
class Step:
    """A dose of a product's primary series and its interval after the previous dose (days)."""

    dose_number: int
    min_days: int | None = None
    recommended_days: int | None = None
    latest_days: int | None = None


@dataclass(frozen=True)
class Schedule:
    code: str
    series_doses: int
    steps: Mapping[int, Step]
    # Products whose dose may follow a dose of this one (MoH's mixing rules of 2021).
    interchangeable_with: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GivenDose:
    dose_number: int
    given_on: date
    product: str


@dataclass(frozen=True)
class DoseProblem:
    """Why a dose cannot be recorded: a stable code, the field it concerns and the values to explain it."""

    code: str
    field: str
    params: Mapping[str, object]


@dataclass(frozen=True)
class NextDose:
    dose_number: int
    earliest_on: date  # the minimum interval is over
    due_on: date  # the recommended window opens
    overdue_after: date | None  # the window closed (None: no end)


def _problem(code: str, field: str, **params: object) -> DoseProblem:
    return DoseProblem(code, field, params)


def dose_problem(
    *,
    schedules: Mapping[str, Schedule],
    product: str,
    dose_number: int,
    given_on: date,
    today: date,
    history: Sequence[GivenDose],
) -> DoseProblem | None:
    """What is wrong with recording dose `dose_number` of `product` on `given_on`, given the person's
    other doses, or None. The interval is the previous dose's product's: MoH counted the time to dose 2
    from the vaccine of dose 1 even when dose 2 was another product."""
    schedule = schedules.get(product)
    if schedule is None:
        return _problem("unknown_product", "product")
    if dose_number < 1:
        return _problem("dose_number_invalid", "dose_number")
    if dose_number > schedule.series_doses:
        return _problem("beyond_series", "dose_number", series=schedule.series_doses)
    if given_on > today:
        return _problem("in_future", "given_on")
    if given_on < FIRST_VACCINATION_DAY:
        return _problem("before_vaccines", "given_on", earliest=FIRST_VACCINATION_DAY)
    others = {dose.dose_number: dose for dose in history if dose.dose_number != dose_number}
    done = [
        d
        for d in others.values()
        if d.dose_number < dose_number and completes_series(schedules, d.product, d.dose_number)
    ]
    if done:
        return _problem("series_complete", "dose_number", completed=done[0].dose_number)
    later = [dose for number, dose in others.items() if number > dose_number and dose.given_on < given_on]
    if later:
        first = min(later, key=lambda dose: dose.dose_number)
        return _problem("after_later_dose", "given_on", later=first.dose_number, later_on=first.given_on)
    if dose_number == 1:
        return None
    previous = others.get(dose_number - 1)
    if previous is None:
        return _problem("previous_missing", "dose_number", previous=dose_number - 1)
    before = schedules.get(previous.product)
    if before is not None and product != previous.product and product not in before.interchangeable_with:
        return _problem("not_interchangeable", "product", previous=previous.product)
    step = before.steps.get(dose_number) if before is not None else None
    minimum = step.min_days if step and step.min_days is not None else 0
    earliest = previous.given_on + timedelta(days=minimum)
    if given_on < earliest:
        return _problem(
            "interval_too_short",
            "given_on",
            min_days=minimum,
            previous=previous.dose_number,
            previous_on=previous.given_on,
            earliest=earliest,
        )
    return None


def completes_series(schedules: Mapping[str, Schedule], product: str, dose_number: int) -> bool:
    """Whether this dose completes a primary series: a mixed series completes with the last dose's product."""
    schedule = schedules.get(product)
    return schedule is not None and dose_number >= schedule.series_doses


def next_dose(schedules: Mapping[str, Schedule], last: GivenDose) -> NextDose | None:
    """When the dose after `last` is acceptable, due and overdue; None once the series is complete."""
    schedule = schedules.get(last.product)
    if schedule is None or last.dose_number >= schedule.series_doses:
        return None
    number = last.dose_number + 1
    step = schedule.steps.get(number, Step(number))
    earliest = last.given_on + timedelta(days=step.min_days or 0)
    due = last.given_on + timedelta(days=step.recommended_days or step.min_days or 0)
    overdue = last.given_on + timedelta(days=step.latest_days) if step.latest_days is not None else None
    return NextDose(number, earliest, max(due, earliest), overdue)


def due_status(upcoming: NextDose, on: date) -> str:
    """Overdue after the window, due within it, early when acceptable but not yet due, else waiting."""
    if upcoming.overdue_after is not None and on > upcoming.overdue_after:
        return "overdue"
    if on >= upcoming.due_on:
        return "due"
    if on >= upcoming.earliest_on:
        return "early"
    return "waiting"


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def band_cutoffs(as_of: date) -> tuple[date, date, date]:
    """Latest birth dates of an 18-, 50- and 65-year-old on `as_of` (born on or before: that age or older)."""
    return years_before(as_of, ADULT_AGE), years_before(as_of, MIDDLE_AGE), years_before(as_of, ELDERLY_AGE)


def age_band(birth_date: date, as_of: date) -> str | None:
    """The coverage age band of someone born on `birth_date`, on `as_of` (None under 18)."""
    adult, middle, elderly = band_cutoffs(as_of)
    if birth_date <= elderly:
        return BAND_65_PLUS
    if birth_date <= middle:
        return BAND_50_64
    if birth_date <= adult:
        return BAND_18_49
    return None


def percent(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent to one decimal; None when there is nobody to count."""
    if whole <= 0:
        return None
    return round(part * 100 / whole, 1)


def capacity_problem(capacity: int, booked: int) -> str | None:
    """Why one more booking cannot be taken ("full"), or None."""
    if capacity <= 0 or booked >= capacity:
        return "full"
    return None
