"""Pure policy for lab results: outcome and method words, times, sample codes, and how an incoming
result compares with the one stored for the same sample. No Django here.

Words are matched ignoring case, spacing and diacritics ("Dương tính", "duong tinh", "DƯƠNG TÍNH"),
but only whole known words: "neg", "+", "dương" or a misspelling are refused, never guessed.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

NEGATIVE, POSITIVE, INVALID = "negative", "positive", "invalid"
PCR, PCR_POOLED, RAPID_ANTIGEN = "pcr", "pcr_pooled", "rapid_antigen"

# Keys are folded (see fold): lower case, no diacritics, single spaces.
OUTCOME_WORDS: dict[str, str] = {
    "negative": NEGATIVE,
    "am tinh": NEGATIVE,
    "positive": POSITIVE,
    "duong tinh": POSITIVE,
    "invalid": INVALID,
    "khong xac dinh": INVALID,
}
METHOD_WORDS: dict[str, str] = {
    "pcr": PCR,
    "rt-pcr": PCR,
    "rt pcr": PCR,
    "pcr don": PCR,
    "pcr_pooled": PCR_POOLED,
    "pcr pooled": PCR_POOLED,
    "pooled pcr": PCR_POOLED,
    "pcr gop": PCR_POOLED,
    "pcr mau gop": PCR_POOLED,
    "rapid_antigen": RAPID_ANTIGEN,
    "rapid antigen": RAPID_ANTIGEN,
    "test nhanh": RAPID_ANTIGEN,
    "test nhanh khang nguyen": RAPID_ANTIGEN,
}

# A barcode: letters, digits, and - . _ / inside; 4 to 32 characters. Kept exactly as given.
SAMPLE_CODE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._/-]{2,30})[A-Za-z0-9]")
SAMPLE_CODE_MAX = 32

_SLASH_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?")
_ISO_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Results take a day or two; a result stamped more than this ahead of "now" is a typing mistake.
FUTURE_SLACK = timedelta(minutes=10)
FIRST_YEAR = 2019


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without diacritics (đ → d) and with single spaces: the key words are matched on."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def outcome_of(text: str) -> str | None:
    """negative / positive / invalid for a known word in English or Vietnamese, else None."""
    return OUTCOME_WORDS.get(fold(text))


def method_of(text: str) -> str | None:
    """pcr / pcr_pooled / rapid_antigen for a known word, else None."""
    return METHOD_WORDS.get(fold(text))


def sample_code_problem(code: str) -> str | None:
    """None for a well-formed code, else "missing", "too_long" or "format"."""
    if not code:
        return "missing"
    if len(code) > SAMPLE_CODE_MAX:
        return "too_long"
    if not SAMPLE_CODE.fullmatch(code):
        return "format"
    return None


class TimeProblem(Enum):
    MISSING = "missing"
    FORMAT = "format"
    OUT_OF_RANGE = "out_of_range"


def parse_time(value: object) -> datetime | TimeProblem:
    """An aware instant from ISO 8601 (offset or local) or dd/mm/yyyy HH:MM local Hà Nội time.

    A spreadsheet's own date-time cell arrives as a naive datetime, read as local time. A date without
    a time is refused: a result's hour matters for the 24-hour turnaround.
    """
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=HANOI)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return TimeProblem.MISSING
        parsed = _parse_text(text)
        if parsed is None:
            return TimeProblem.FORMAT
        moment = parsed
    elif value is None:
        return TimeProblem.MISSING
    else:
        return TimeProblem.FORMAT
    if moment.year < FIRST_YEAR or moment.year > 2200:
        return TimeProblem.OUT_OF_RANGE
    return moment


def _parse_text(text: str) -> datetime | None:
    if _ISO_LIKE.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=HANOI)
    match = _SLASH_TIME.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=HANOI)
    except ValueError:
        return None


def result_times_problem(collected_at: datetime, resulted_at: datetime, now: datetime) -> str | None:
    """ "before_collection" or "future" when the result's time cannot be right, else None."""
    if resulted_at < collected_at:
        return "before_collection"
    if resulted_at > now + FUTURE_SLACK:
        return "future"
    return None


class Verdict(Enum):
    NEW = "new"  # no sample with this code yet: one is created with the result
    RESULT = "result"  # the sample waits for its result: it gets this one
    DUPLICATE = "duplicate"  # the same outcome is already stored: nothing changes
    CORRECTED = "corrected"  # a different, not older outcome: the sample changes, history keeps the old
    STALE = "stale"  # a different outcome older than the stored one: refused
    BEFORE_COLLECTION = "before_collection"  # resulted before the stored sample was taken: refused
    OTHER_PERSON = "other_person"  # the code belongs to another person's sample: refused
    OUT_OF_SCOPE = "out_of_scope"  # the sample is neither of the uploader's labs nor of their units


@dataclass(frozen=True)
class StoredResult:
    """What is stored for a sample code."""

    person_id: object
    outcome: str  # "pending" while waiting
    resulted_at: datetime | None
    collected_at: datetime | None = None
    # Whether this import may change it: its lab is one of the uploader's, or it lies in their units.
    writable: bool = True
    version: int = 0
    pooled: bool = False  # a member of a pool: its result comes from the pool or an individual retest


@dataclass(frozen=True)
class IncomingResult:
    person_id: object | None  # None when only the sample code identifies the person
    outcome: str
    resulted_at: datetime


def classify(incoming: IncomingResult, stored: StoredResult | None) -> Verdict:
    """How an incoming result relates to the stored one for its sample code."""
    if stored is None:
        return Verdict.NEW
    if not stored.writable:
        return Verdict.OUT_OF_SCOPE
    if incoming.person_id is not None and incoming.person_id != stored.person_id:
        return Verdict.OTHER_PERSON
    if stored.collected_at is not None and incoming.resulted_at < stored.collected_at:
        return Verdict.BEFORE_COLLECTION
    if stored.outcome == "pending" or stored.resulted_at is None:
        return Verdict.RESULT
    if incoming.outcome == stored.outcome:
        return Verdict.DUPLICATE
    if incoming.resulted_at < stored.resulted_at:
        return Verdict.STALE
    return Verdict.CORRECTED
