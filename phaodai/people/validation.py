"""Checks of a person's details shared by the form, the API, the service and bulk ingest.

Single registrations raise InvalidInput naming the field; bulk ingest wants short reasons that
carry no personal value (no digits of a CCCD, no birth year), so each check has both forms.
"""

from datetime import date
from functools import lru_cache

from django.utils.translation import gettext, gettext_noop

from phaodai.core.errors import InvalidInput
from phaodai.core.identity import InvalidCCCD, normalize_phone
from phaodai.core.text import search_key
from phaodai.people import rules
from phaodai.people.rules import Problem

# English msgids: translated when shown (gettext), kept as is in bulk rejections.
PROBLEM_MESSAGES: dict[str, str] = {
    Problem.NAME_MISSING: gettext_noop("The full name is missing."),
    Problem.NAME_TOO_LONG: gettext_noop("The full name is longer than 150 characters."),
    Problem.NAME_HAS_DIGITS: gettext_noop("The full name must not contain digits."),
    Problem.NAME_HAS_NO_LETTER: gettext_noop("The full name must contain letters."),
    Problem.BIRTH_DATE_FUTURE: gettext_noop("The birth date is in the future."),
    Problem.BIRTH_DATE_TOO_EARLY: gettext_noop("The birth date is before 1900."),
    Problem.SEX_UNKNOWN: gettext_noop("The sex must be M (male) or F (female)."),
    Problem.PREGNANT_NOT_FEMALE: gettext_noop("Only a woman can be marked as pregnant."),
}
PROBLEM_FIELDS: dict[str, str] = {
    Problem.NAME_MISSING: "full_name",
    Problem.NAME_TOO_LONG: "full_name",
    Problem.NAME_HAS_DIGITS: "full_name",
    Problem.NAME_HAS_NO_LETTER: "full_name",
    Problem.BIRTH_DATE_FUTURE: "birth_date",
    Problem.BIRTH_DATE_TOO_EARLY: "birth_date",
    Problem.SEX_UNKNOWN: "sex",
    Problem.PREGNANT_NOT_FEMALE: "pregnant",
}


class Reason:
    """Value-free reasons for bulk rejections of identifiers and references."""

    CCCD_INVALID = gettext_noop("The citizen ID (CCCD) is not valid.")
    CCCD_MISSING = gettext_noop("The citizen ID (CCCD) is missing.")
    CCCD_NUMBER = gettext_noop(
        "The citizen ID (CCCD) was read as a number, which drops its leading zeros; store it as text."
    )
    CCCD_SCIENTIFIC = gettext_noop("The citizen ID (CCCD) is in scientific notation, so its digits are lost.")
    CCCD_NOT_DIGITS = gettext_noop("The citizen ID (CCCD) must contain digits only.")
    CCCD_LENGTH = gettext_noop("The citizen ID (CCCD) must have exactly 12 digits.")
    CCCD_PROVINCE = gettext_noop("The citizen ID (CCCD) does not start with a province code.")
    CCCD_FUTURE = gettext_noop("The citizen ID (CCCD) encodes a birth year in the future.")
    CCCD_CENTURY = gettext_noop("The century encoded in the citizen ID (CCCD) differs from the birth date.")
    CCCD_BIRTH_YEAR = gettext_noop(
        "The birth year encoded in the citizen ID (CCCD) differs from the birth date."
    )
    CCCD_SEX = gettext_noop("The sex encoded in the citizen ID (CCCD) differs from the sex given.")
    PHONE = gettext_noop("The phone number is not a valid Vietnamese mobile number.")
    BIRTH_DATE_TYPE = gettext_noop("The birth date is not a date.")
    AREA_UNKNOWN = gettext_noop("The residential area does not exist in the ward given.")
    HOUSEHOLD_UNKNOWN = gettext_noop("The household does not belong to the residential area.")


# core.identity labels each CCCD refusal with a stable `problem`; its messages may quote digits.
CCCD_REASONS: dict[str, str] = {
    "missing": Reason.CCCD_MISSING,
    "number": Reason.CCCD_NUMBER,
    "scientific": Reason.CCCD_SCIENTIFIC,
    "not_digits": Reason.CCCD_NOT_DIGITS,
    "length": Reason.CCCD_LENGTH,
    "province": Reason.CCCD_PROVINCE,
    "future": Reason.CCCD_FUTURE,
    "century": Reason.CCCD_CENTURY,
    "birth_year": Reason.CCCD_BIRTH_YEAR,
    "sex": Reason.CCCD_SEX,
}


def raise_problem(problem: str) -> None:
    raise InvalidInput(gettext(PROBLEM_MESSAGES[problem]), field=PROBLEM_FIELDS[problem])


@lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    return search_key(word)


def name_key(full_name: str) -> str:
    """search_key of an NFC name, word by word with a cache: names repeat their words endlessly."""
    return " ".join(key for key in map(_word_key, full_name.split(" ")) if key)


def check_name(full_name: str) -> None:
    problem = rules.name_problem(full_name)
    if problem:
        raise_problem(problem)


def check_birth_date(birth_date: date, today: date) -> None:
    problem = rules.birth_date_problem(birth_date, today)
    if problem:
        raise_problem(problem)


def check_sex(sex: str, pregnant: bool) -> None:
    problem = rules.sex_problem(sex, pregnant)
    if problem:
        raise_problem(problem)


def clean_phone(raw: str | None) -> str:
    """The national form of a mobile number, or "" when none is given (the phone is optional)."""
    if raw is None or not str(raw).strip():
        return ""
    return normalize_phone(raw)


def cccd_reason(error: InvalidCCCD) -> str:
    """A reason for a CCCD refusal that repeats none of its digits nor the birth year."""
    return CCCD_REASONS.get(error.params.get("problem", ""), Reason.CCCD_INVALID)
