"""Vietnamese text: one normal form (NFC) for storage, one unaccented key for search."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Đ/đ is a letter of its own, not D with a combining mark, so NFD does not strip it.
_FOLD = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """NFC-normalise and collapse runs of white space (names typed on phones often carry NFD)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def search_key(value: str) -> str:
    """Lower-case, diacritics-free form: search_key("Nguyễn Văn Ân") == "nguyen van an"."""
    decomposed = unicodedata.normalize("NFD", value.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def mask_name(full_name: str) -> str:
    """Public form of a name: family name and initials ("Nguyễn V. A.")."""
    parts = nfc(full_name).split(" ")
    if len(parts) == 1:
        return parts[0][:1] + "."
    return " ".join([parts[0], *(p[:1] + "." for p in parts[1:])])
