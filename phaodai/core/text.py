"""Vietnamese text: one normal form (NFC) for storage, one unaccented key for search."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ is a letter of its own, not D with a combining mark, so decomposing does not strip it.
_FOLD = str.maketrans({"đ": "d"})


def ascii_digits(value: str) -> str:
    """Every decimal digit of any script as its ASCII digit ("０９１２", "٠٩١٢" → "0912"); the rest kept.

    Phones with a Japanese, Chinese or Arabic keyboard type full-width or Arabic-Indic digits. Only
    decimal digits are folded: "²" or "①" stay as they are, to be refused by whoever reads a number.
    """
    return "".join(_digit(ch) for ch in value)


def _digit(ch: str) -> str:
    if ch.isascii():
        return ch
    value = unicodedata.decimal(ch, None)
    return ch if value is None else str(value)


def visible(value: str) -> str:
    """Drop control and format characters (NUL, bidi overrides, zero-width marks), keeping white space.

    A NUL cannot be stored in PostgreSQL, and a right-to-left override makes a name read differently
    in a list than it is spelled.
    """
    return "".join(ch for ch in value if ch.isspace() or unicodedata.category(ch)[0] != "C")


def nfc(value: str) -> str:
    """NFC-normalise, drop invisible characters and collapse white space (phones often type NFD)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", visible(value))).strip()


def search_key(value: str) -> str:
    """Lower-case, diacritics-free form: search_key("Nguyễn Văn Ân") == "nguyen van an"."""
    # Decompose before case folding too (Unicode's canonical caseless match), so NFC and NFD input
    # give the same key; fold đ after case folding so "Đ" is covered as well.
    decomposed = unicodedata.normalize("NFD", visible(value))
    folded = unicodedata.normalize("NFD", decomposed.casefold()).translate(_FOLD)
    # Every mark category (Mn, Mc, Me), not only marks with a combining class: some have class 0.
    stripped = "".join(ch for ch in folded if not unicodedata.category(ch).startswith("M"))
    return _SPACES.sub(" ", stripped).strip()


def mask_name(full_name: str) -> str:
    """Public form of a name: family name and initials ("Nguyễn V. A.")."""
    parts = nfc(full_name).split(" ")
    if not parts[0]:
        return ""
    if len(parts) == 1:
        return parts[0][:1] + "."
    return " ".join([parts[0], *(p[:1] + "." for p in parts[1:])])


def vnd(amount: int) -> str:
    """An amount of đồng with Vietnamese thousands dots, as messages show it: 1.500.000."""
    return f"{int(amount):,}".replace(",", ".")
