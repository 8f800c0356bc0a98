"""Pure policy about persons: row shapes for bulk ingest, detail checks and priority groups (no Django)."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

MAX_NAME_LENGTH = 150
ELDERLY_AGE = 65
# CCCD century digits start at 1900 (0/1); nobody alive was registered earlier.
EARLIEST_BIRTH_YEAR = 1900

MALE, FEMALE = "M", "F"
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")  # a word character that is neither a digit nor "_"


class Problem:
    """Stable codes for what is wrong with a person's details (mapped to messages by the caller)."""

    NAME_MISSING = "name_missing"
    NAME_TOO_LONG = "name_too_long"
    NAME_HAS_DIGITS = "name_has_digits"
    NAME_HAS_NO_LETTER = "name_has_no_letter"
    BIRTH_DATE_FUTURE = "birth_date_future"
    BIRTH_DATE_TOO_EARLY = "birth_date_too_early"
    SEX_UNKNOWN = "sex_unknown"
    PREGNANT_NOT_FEMALE = "pregnant_not_female"


class PriorityGroup:
    """Groups served first by home care, vaccination at home and food aid."""

    ELDERLY = "elderly_65"
    CHRONIC_ILLNESS = "chronic_illness"
    DISABILITY_IMMOBILE = "disability_immobile"
    PREGNANT = "pregnant"


@dataclass(frozen=True, slots=True)
class PersonRow:
    """One person to register in bulk, as a demo generator or an import produces it."""

    cccd: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    residence_area_id: int
    unit_path: str
    household_id: int | None = None
    chronic_illness: bool = False
    disability_immobile: bool = False
    pregnant: bool = False


class Rejection(NamedTuple):
    """A row left out of a bulk ingest: 1-based row number, field and a reason free of personal values."""

    row: int
    field: str
    reason: str


@dataclass
class BulkResult:
    """What a bulk ingest did: rows inserted, valid rows already present, and rejected rows."""

    inserted: int = 0
    skipped: int = 0
    rejections: list[Rejection] = field(default_factory=list)


def name_problem(full_name: str) -> str | None:
    """What is wrong with an (already NFC-normalised) full name, or None."""
    if not full_name:
        return Problem.NAME_MISSING
    if len(full_name) > MAX_NAME_LENGTH:
        return Problem.NAME_TOO_LONG
    if _DIGIT.search(full_name):
        return Problem.NAME_HAS_DIGITS
    if not _LETTER.search(full_name):
        return Problem.NAME_HAS_NO_LETTER
    return None


def birth_date_problem(birth_date: date, today: date) -> str | None:
    """What is wrong with a birth date seen on `today`, or None."""
    if birth_date > today:
        return Problem.BIRTH_DATE_FUTURE
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        return Problem.BIRTH_DATE_TOO_EARLY
    return None


def sex_problem(sex: str, pregnant: bool) -> str | None:
    """What is wrong with the sex and pregnancy flag together, or None."""
    if sex not in (MALE, FEMALE):
        return Problem.SEX_UNKNOWN
    if pregnant and sex != FEMALE:
        return Problem.PREGNANT_NOT_FEMALE
    return None


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on `day`."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def priority_groups(
    *, birth_date: date, today: date, chronic_illness: bool, disability_immobile: bool, pregnant: bool
) -> tuple[str, ...]:
    """The priority groups a person belongs to; age 65+ is derived from the birth date."""
    groups: list[str] = []
    if age_on(birth_date, today) >= ELDERLY_AGE:
        groups.append(PriorityGroup.ELDERLY)
    if chronic_illness:
        groups.append(PriorityGroup.CHRONIC_ILLNESS)
    if disability_immobile:
        groups.append(PriorityGroup.DISABILITY_IMMOBILE)
    if pregnant:
        groups.append(PriorityGroup.PREGNANT)
    return tuple(groups)


def mask_cccd(cccd: str, visible: int = 3) -> str:
    """A CCCD with all but its last digits hidden, for screens and API answers."""
    return "*" * (len(cccd) - visible) + cccd[-visible:]
