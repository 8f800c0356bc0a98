"""Pure territory policy: the row shapes that bulk writes take, and the vocabulary of area files.

No Django import here: this module is data and small pure functions, shared by the import parser,
the services and the demo generator.
"""

import re
import unicodedata
from dataclasses import dataclass

# Local codes go into URLs and into Area.code ("00139-TDP01", at most 40 characters).
LOCAL_CODE_MAX = 32
LOCAL_CODE_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
NAME_MAX = 150
# PositiveIntegerField's upper bound on every database Django supports.
COUNT_MAX = 2_147_483_647

AREA_COLUMNS = ("local_code", "name", "kind", "population", "households")


@dataclass(frozen=True)
class AreaRow:
    """One residential area to create in a ward."""

    local_code: str
    name: str
    kind: str
    population: int
    households: int


@dataclass(frozen=True)
class HouseholdRow:
    """One household to create in an area; `code` is unique city-wide."""

    code: str
    address: str


@dataclass(frozen=True)
class CellError:
    """Why one cell (or, with column "", one row or the file) was refused."""

    row: int
    column: str
    reason: str
    value: str = ""


def fold(value: str) -> str:
    """Lower-case, diacritics-free, punctuation-free form used to match headers and kind labels."""
    value = value.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    stripped = re.sub(r"\(.*?\)", " ", stripped)  # "Dân số (người)" is "dân số"
    stripped = re.sub(r"[^0-9a-z/]+", " ", stripped)
    return " ".join(stripped.split())


# Header names (folded) each column is recognised by, Vietnamese first.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "local_code": ("ma", "ma khu vuc", "ma kv", "ma so", "ma to", "local code", "code"),
    "name": ("ten", "ten khu vuc", "ten kv", "ten to dan pho", "name"),
    "kind": ("loai", "loai khu vuc", "loai hinh", "kind", "type"),
    "population": ("dan so", "so dan", "so nhan khau", "nhan khau", "so nguoi", "population"),
    "households": ("so ho", "ho", "so ho gia dinh", "ho gia dinh", "so ho dan", "households", "household"),
}

# Folded words accepted for each Area.Kind code, besides the code itself.
KIND_ALIASES: dict[str, tuple[str, ...]] = {
    "to_dan_pho": ("to dan pho", "tdp", "to", "residential group"),
    "khu_lien_gia": ("khu lien gia", "lien gia", "inter family cluster"),
    "chung_cu": ("chung cu", "toa nha chung cu", "apartment building", "apartment"),
    "cho_dan_sinh": ("cho dan sinh", "cho", "local market", "market"),
    "khu_cong_nghiep": ("khu cong nghiep", "kcn", "industrial park"),
    "thon_xom": ("thon xom", "thon/xom", "thon", "xom", "ban", "village", "hamlet", "village or hamlet"),
    "khu_do_thi": ("khu do thi", "kdt", "urban area"),
    "other": ("khac", "other"),
}


def header_field(header: str) -> str | None:
    """The column a header names ("Dân số" -> "population"), or None when it names none."""
    folded = fold(header)
    for field, aliases in HEADER_ALIASES.items():
        if folded in aliases or folded == fold(field):
            return field
    return None


def kind_code(value: str) -> str | None:
    """The Area.Kind code a cell names ("Tổ dân phố", "to_dan_pho", "TDP"), or None."""
    folded = fold(value)
    for code, aliases in KIND_ALIASES.items():
        if folded == fold(code) or folded in aliases:
            return code
    return None


_DIGITS = re.compile(r"^\+?\d+$")
# Thousands grouped with one separator used throughout: "1.500", "12 345", "1,234,567".
_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[., \u00a0\u202f])\d{3}(?:(?P=sep)\d{3})*$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_NEGATIVE = re.compile(r"^-\s*\d+(?:[.,]\d+)*$")
_DECIMAL = re.compile(r"^\d+[.,]\d+$")


class CountProblem:
    """Why a text is not a count: the keys the interface turns into messages."""

    EMPTY = "empty"
    SCIENTIFIC = "scientific"
    NEGATIVE = "negative"
    FRACTION = "fraction"
    NOT_A_NUMBER = "not_a_number"
    TOO_LARGE = "too_large"


def parse_count(text: str) -> int | str:
    """A non-negative whole number from spreadsheet text, or the CountProblem key saying why not.

    Scientific notation ("1.5E+3") is always refused: it is what Excel *displays*, possibly rounded,
    so the true value cannot be known from the text, even when the displayed one is whole.
    """
    text = text.strip()
    if not text:
        return CountProblem.EMPTY
    if _DIGITS.match(text):
        number = int(text)
    elif _GROUPED.match(text):
        number = int(re.sub(r"\D", "", text))
    elif _SCIENTIFIC.match(text):
        return CountProblem.SCIENTIFIC
    elif _NEGATIVE.match(text):
        return CountProblem.NEGATIVE
    elif _DECIMAL.match(text):
        return CountProblem.FRACTION
    else:
        return CountProblem.NOT_A_NUMBER
    return CountProblem.TOO_LARGE if number > COUNT_MAX else number


def zero_stripped(code: str) -> str:
    """A code without leading zeros ("007" -> "7"): how Excel rewrites a code it takes for a number."""
    return code.lstrip("0") or "0"
