"""Structure checks for Vietnamese identifiers: the 12-digit CCCD and mobile phone numbers.

A CCCD (căn cước công dân, Circular 07/2016/TT-BCA, now 59/2021/TT-BCA) is
  PPP  province of birth registration (the 3-digit code below),
  G    century and sex: 0/1 = 20th century male/female, 2/3 = 21st, 4/5 = 22nd, 6/7 = 23rd, 8/9 = 24th,
  YY   last two digits of the birth year,
  NNNNNN a random serial.
There is no check digit, so a structurally valid number may still not exist.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phaodai.core.clock import local_date, now
from phaodai.core.errors import InvalidInput
from phaodai.core.text import ascii_digits

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh",
    "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

FEMALE, MALE = "F", "M"
_CCCD = re.compile(r"\d{12}")
# What a spreadsheet shows for a long number it no longer holds exactly: "1.23E+11", "9,12e8".
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+")
_NUMBER_TYPES = (int, float, Decimal)


class InvalidCCCD(InvalidInput):
    code = "invalid_cccd"
    message = _("The citizen ID (CCCD) is not valid.")


class InvalidPhone(InvalidInput):
    code = "invalid_phone"
    message = _("The phone number is not a valid Vietnamese mobile number.")


@dataclass(frozen=True)
class CCCDFacts:
    """What the structure of a CCCD says about its holder."""

    number: str
    province_code: str
    sex: str
    birth_year: int


def _compact(raw: object) -> str:
    """The text of an input with all white space (including Excel's non-breaking spaces) removed."""
    return "".join(str(raw).split()) if raw is not None else ""


def _is_number(raw: object) -> bool:
    return isinstance(raw, _NUMBER_TYPES) and not isinstance(raw, bool)


def _cccd_error(problem: str, message: str) -> InvalidCCCD:
    # `problem` is a stable code (params["problem"]) so importers can label rows without parsing text.
    return InvalidCCCD(message, field="cccd", problem=problem)


def parse_cccd(raw: object) -> CCCDFacts:
    """Check a CCCD's structure and return what it encodes; raise InvalidCCCD saying what is wrong."""
    # Every province code starts with 0, so a CCCD that arrives as a number has already lost digits.
    if _is_number(raw):
        raise _cccd_error(
            "number",
            gettext(
                "The citizen ID (CCCD) was read as a number, which drops its leading zeros; "
                "format the column as Text and enter all 12 digits."
            ),
        )
    value = _compact(raw)
    if not value:
        raise _cccd_error("missing", gettext("The citizen ID (CCCD) is missing."))
    if _SCIENTIFIC.fullmatch(value):
        raise _cccd_error(
            "scientific",
            gettext(
                "The citizen ID (CCCD) is written in scientific notation (like 1.23E+11), so its digits "
                "are lost; format the column as Text and enter all 12 digits."
            ),
        )
    value = value.replace(".", "").replace("-", "")  # digit groups: "001.099.012.345"
    if not value.isascii() or not value.isdigit():
        raise _cccd_error("not_digits", gettext("The citizen ID (CCCD) must contain digits only."))
    if not _CCCD.fullmatch(value):
        message = gettext("The citizen ID (CCCD) must have exactly 12 digits; this one has %(n)d.")
        raise _cccd_error("length", message % {"n": len(value)})
    province = value[:3]
    if province not in PROVINCE_CODES:
        raise _cccd_error(
            "province",
            gettext("The citizen ID (CCCD) starts with %(code)s, which is not a province code.")
            % {"code": province},
        )
    gender_century = int(value[3])
    birth_year = 1900 + 100 * (gender_century // 2) + int(value[4:6])
    # Digits 4-6 of a real holder's CCCD never point past the current year.
    if birth_year > local_date(now()).year:
        raise _cccd_error(
            "future",
            gettext(
                "The citizen ID (CCCD) encodes birth year %(year)d, which is in the future "
                "(the 4th digit gives the century, the 5th and 6th the year)."
            )
            % {"year": birth_year},
        )
    return CCCDFacts(
        number=value,
        province_code=province,
        sex=MALE if gender_century % 2 == 0 else FEMALE,
        birth_year=birth_year,
    )


def validate_cccd(raw: object, *, birth_date: date | None = None, sex: str | None = None) -> str:
    """The normalised CCCD, checked against the holder's birth year and sex when they are known."""
    if sex not in (None, "", MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r}, {FEMALE!r} or None, not {sex!r}")
    facts = parse_cccd(raw)
    if birth_date is not None and birth_date.year != facts.birth_year:
        problem = "century" if birth_date.year % 100 == facts.birth_year % 100 else "birth_year"
        if problem == "century":
            message = gettext(
                "The citizen ID (CCCD) encodes birth year %(encoded)d, a different century from the birth "
                "date's %(given)d (the 4th digit gives the century and sex)."
            )
        else:
            message = gettext(
                "The citizen ID (CCCD) encodes birth year %(encoded)d, but the birth date is in %(given)d "
                "(the 4th digit gives the century, the 5th and 6th the year)."
            )
        raise _cccd_error(problem, message % {"encoded": facts.birth_year, "given": birth_date.year})
    if sex and sex != facts.sex:
        raise _cccd_error(
            "sex", gettext("The citizen ID (CCCD) encodes a different sex from the one given (4th digit).")
        )
    return facts.number


# Mobile prefixes in use since the 2018 switch to 10 digits (Viettel, Vinaphone, MobiFone, Vietnamobile,
# Gmobile, iTel, Reddi).
MOBILE_PREFIXES = frozenset(
    ["032", "033", "034", "035", "036", "037", "038", "039", "052", "055", "056", "058", "059",
     "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "087", "088", "089",
     "090", "091", "092", "093", "094", "096", "097", "098", "099"]
)  # fmt: skip


def _phone_error(problem: str, message: str) -> InvalidPhone:
    return InvalidPhone(message, field="phone", problem=problem)


def _phone_text(raw: object) -> str:
    """The digits (and a leading +) of a phone number as typed, pasted or read from a spreadsheet."""
    if _is_number(raw):
        number = Decimal(str(raw))
        if number != number.to_integral_value() or number < 0:
            raise _phone_error("decimals", gettext("The phone number was read as a number with decimals."))
        return str(int(number))
    value = ascii_digits(_compact(raw))  # full-width and Arabic-Indic digits too
    if _SCIENTIFIC.fullmatch(value):
        raise _phone_error(
            "scientific",
            gettext(
                "The phone number is written in scientific notation (like 9.12E+08), so its digits are "
                "lost; format the column as Text and enter the number again."
            ),
        )
    return re.sub(r"[.\-()]", "", value)


def normalize_phone(raw: object) -> str:
    """The national form 0XXXXXXXXX of a Vietnamese mobile number written in any usual way."""
    value = _phone_text(raw)
    if not value:
        raise _phone_error("missing", gettext("The phone number is missing."))
    # International forms: +84 912…, 0084 912…, 84 912…, and the common "+84 (0) 912…".
    for country in ("+84", "0084"):
        if value.startswith(country):
            value = value[len(country) :]
            value = value if value.startswith("0") else "0" + value
            break
    else:
        if value.startswith("84") and len(value) == 11:
            value = "0" + value[2:]
        elif len(value) == 9 and value.isdigit() and not value.startswith("0"):
            value = "0" + value  # Excel drops the leading zero of a number stored as a number
    if not value.isascii() or not value.isdigit() or len(value) != 10:
        raise _phone_error("length", gettext("A mobile number has 10 digits, starting with 0 (or +84)."))
    if value[:3] not in MOBILE_PREFIXES:
        raise _phone_error(
            "prefix", gettext("%(prefix)s is not a Vietnamese mobile prefix.") % {"prefix": value[:3]}
        )
    return value
