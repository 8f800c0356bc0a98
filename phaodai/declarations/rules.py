"""Pure policy of a declaration (no Django): its questions, what flags it, which numbers are well formed."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Final

# The 14-day questions of POLICY.md §4 (tokhaiyte.vn): codes stored with each answer.
SYMPTOMS: Final = (
    "fever",
    "cough",
    "breathing",
    "sore_throat",
    "nausea",
    "diarrhoea",
    "taste_smell",
    "fatigue",
)
EXPOSURES: Final = ("close_contact", "contact_symptomatic", "outbreak_area", "animal_market")
QUESTIONS: Final = SYMPTOMS + EXPOSURES

OLDEST_AGE: Final = 120
# The same identity and content again within this many seconds is a double tap, not a new declaration.
DEDUPE_SECONDS: Final = 600

_CMND = re.compile(r"\d{9}")
_PASSPORT = re.compile(r"[A-Z0-9]{6,12}")


def flags(answers: Mapping[str, bool]) -> tuple[bool, bool]:
    """(any symptom, any exposure) of a complete set of answers."""
    return any(answers[code] for code in SYMPTOMS), any(answers[code] for code in EXPOSURES)


def missing_answers(answers: Mapping[str, object]) -> list[str]:
    """The questions not answered with a plain yes or no, in the form's order."""
    return [code for code in QUESTIONS if type(answers.get(code)) is not bool]


def unknown_answers(answers: Mapping[str, object]) -> list[str]:
    return sorted(str(code) for code in answers if code not in QUESTIONS)


def birth_year_in_range(year: int, this_year: int) -> bool:
    """A living person's birth year: not in the future and at most OLDEST_AGE years ago."""
    return this_year - OLDEST_AGE <= year <= this_year


def is_cmnd(number: str) -> bool:
    """The old 9-digit identity card (the 12-digit one follows the CCCD structure)."""
    return bool(_CMND.fullmatch(number))


def is_passport(number: str) -> bool:
    """Letters and digits only, 6 to 12 of them (Vietnamese: one letter and 7 digits)."""
    return bool(_PASSPORT.fullmatch(number))


def mask_number(number: str) -> str:
    """A CCCD as passes show it ("001******234"); other numbers keep only their last three characters."""
    if len(number) == 12:
        return f"{number[:3]}******{number[-3:]}"
    return "*" * (len(number) - 3) + number[-3:]


def dedupe_window(moment: datetime) -> int:
    """The numbered DEDUPE_SECONDS slot a moment falls in (a race inside one slot meets a constraint)."""
    return int(moment.timestamp()) // DEDUPE_SECONDS
