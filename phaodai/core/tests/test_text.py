"""Vietnamese text: NFC for storage, an unaccented key so "nguyen" finds "Nguyễn"."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from phaodai.core.text import ascii_digits, mask_name, nfc, search_key

TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # ngang, huyền, sắc, hỏi, ngã, nặng
VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
CONSONANTS = [*"bcdghklmnpqrstvx", "đ"]
LETTERS = sorted(
    {unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES} | set(CONSONANTS)
    | {unicodedata.normalize("NFC", (v + t).upper()) for v in VOWELS for t in TONES}
    | {c.upper() for c in CONSONANTS}
)  # fmt: skip
vietnamese = st.text(st.sampled_from([*LETTERS, " "]), max_size=40)
any_text = st.text(max_size=40)


def is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def test_search_key_drops_tones_and_vowel_marks():
    assert search_key("Nguyễn Văn Ân") == "nguyen van an"
    assert search_key("Phường Bồ Đề") == "phuong bo de"
    assert search_key("ĐẶNG THỊ ƯNG") == "dang thi ung"
    assert search_key("đường Ngọc Lâm") == "duong ngoc lam"


def test_nguyen_finds_nguyen_with_its_marks_however_it_was_typed():
    typed = search_key("nguyen")
    stored_nfc = unicodedata.normalize("NFC", "Nguyễn Thị Hoa")
    stored_nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoa")
    assert typed in search_key(stored_nfc)
    assert typed in search_key(stored_nfd)
    assert search_key("NGUYỄN") == typed


def test_search_key_collapses_white_space():
    assert search_key("  Trần\t\u00a0Hưng   Đạo ") == "tran hung dao"


def test_nfc_recomposes_and_collapses_white_space():
    decomposed = unicodedata.normalize("NFD", "Lê  Thị\u00a0Hồng ")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert nfc(decomposed) == unicodedata.normalize("NFC", "Lê Thị Hồng")


def test_mask_name_keeps_the_family_name_and_initials():
    assert mask_name("Nguyễn Văn Ân") == "Nguyễn V. Â."
    assert mask_name(unicodedata.normalize("NFD", "Ân")) == "Â."
    assert mask_name("  ") == ""


@given(any_text)
def test_search_key_is_idempotent(value):
    key = search_key(value)
    assert search_key(key) == key


@given(any_text)
def test_nfc_and_nfd_input_give_the_same_key(value):
    assert search_key(unicodedata.normalize("NFD", value)) == search_key(unicodedata.normalize("NFC", value))


@given(any_text)
def test_search_key_strips_every_combining_mark(value):
    assert not any(is_mark(ch) for ch in search_key(value))


@given(vietnamese)
def test_vietnamese_text_becomes_plain_lower_case_ascii(value):
    key = search_key(value)
    assert key.isascii()
    assert key == key.lower()
    assert len(key.replace(" ", "")) == len(value.replace(" ", ""))


@given(vietnamese)
def test_nfc_is_idempotent_and_canonical(value):
    assert nfc(nfc(value)) == nfc(value)
    assert unicodedata.is_normalized("NFC", nfc(unicodedata.normalize("NFD", value)))


def test_invisible_characters_are_dropped_from_stored_names_and_search_keys():
    spoof = "Nguyễn\u0000 Văn\u202e An\u200b"
    assert nfc(spoof) == "Nguyễn Văn An"
    assert search_key(spoof) == "nguyen van an"
    assert nfc("Trần\tThị\nBình") == "Trần Thị Bình"


def test_decimal_digits_of_any_script_become_ascii_and_nothing_else_changes():
    assert ascii_digits("０９１２ ３４５ ６７８") == "0912 345 678"  # full-width
    assert ascii_digits("٠٩١٢٣٤٥٦٧٨") == "0912345678"  # Arabic-Indic
    assert ascii_digits("۰۹۱۲") == "0912"  # extended Arabic-Indic (Persian)
    assert ascii_digits("०९१२") == "0912"  # Devanagari
    assert ascii_digits("+84 (0) 912-345") == "+84 (0) 912-345"
    # digits that are not decimal (superscripts, circled) and letters are kept, for the reader to refuse
    assert ascii_digits("091234567² ① x") == "091234567² ① x"


@given(st.text())
def test_folding_digits_keeps_the_length_and_is_idempotent(value):
    folded = ascii_digits(value)
    assert len(folded) == len(value) and ascii_digits(folded) == folded
    assert all(ch.isascii() or unicodedata.decimal(ch, None) is None for ch in folded)


def test_amounts_of_dong_take_vietnamese_thousands_dots():
    from phaodai.core.text import vnd

    assert (vnd(0), vnd(80_000), vnd(1_500_000)) == ("0", "80.000", "1.500.000")
