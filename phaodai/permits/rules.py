"""Pure policy of travel permits: the six groups (POLICY.md §4), plates, zones and validity windows.

No Django here: the groups are data that pages, the API, the PDF and the decision record all read.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

# A permit is asked for a stretch of days; the longest stretch Hà Nội issued was about two weeks,
# and a signed pass may not outlive 90 days (passes.selectors.MAX_PASS_LIFETIME).
MAX_VALIDITY_DAYS: Final = 31
MAX_ZONES: Final = 16
MAX_START_AHEAD_DAYS: Final = 60
MAX_TEXT: Final = 120  # a PD1 payload's text limit


class Authority(StrEnum):
    """Who approves and issues a group's permits (POLICY.md §4)."""

    UNIT_HEAD = "unit_head"
    TRAFFIC_POLICE = "traffic_police"
    WARD_COMMITTEE = "ward_committee"
    WARD_POLICE = "ward_police"


AUTHORITY_NAMES: Final[dict[Authority, tuple[str, str]]] = {
    Authority.UNIT_HEAD: ("Thủ trưởng cơ quan, đơn vị", "Head of the agency or unit"),
    Authority.TRAFFIC_POLICE: ("Phòng Cảnh sát giao thông (PC08)", "Traffic Police Department (PC08)"),
    Authority.WARD_COMMITTEE: ("UBND phường, xã, thị trấn", "Ward or commune People's Committee"),
    Authority.WARD_POLICE: ("Công an phường, xã, thị trấn", "Ward or commune police"),
}


@dataclass(frozen=True)
class Group:
    """One of the six permit groups of Hà Nội's September 2021 QR travel permit."""

    code: int
    name_vi: str
    name_en: str
    authority: Authority
    # Group 5 is for residents applying at their ward; every other group comes on an organisation's list.
    for_residents: bool = False

    @property
    def authority_vi(self) -> str:
        return AUTHORITY_NAMES[self.authority][0]

    @property
    def authority_en(self) -> str:
        return AUTHORITY_NAMES[self.authority][1]


GROUPS: Final[dict[int, Group]] = {
    g.code: g
    for g in (
        Group(
            1,
            "Cán bộ cơ quan Đảng, Nhà nước, Mặt trận, đoàn thể",
            "Staff of Party, State, Fatherland Front and mass organisations",
            Authority.UNIT_HEAD,
        ),
        Group(
            2,
            "Cơ quan, doanh nghiệp cung cấp dịch vụ công ích thiết yếu",
            "Agencies and businesses providing essential public-utility services",
            Authority.TRAFFIC_POLICE,
        ),
        Group(
            3,
            "Đơn vị sự nghiệp công lập",
            "Public-service bodies",
            Authority.UNIT_HEAD,
        ),
        Group(
            4,
            "Cơ quan đại diện ngoại giao, tổ chức quốc tế",
            "Diplomatic missions and international organisations",
            Authority.UNIT_HEAD,
        ),
        Group(
            5,
            "Người dân ra đường mua lương thực, thực phẩm, thuốc và trường hợp cần thiết",
            "Residents going out for food, medicine and other necessities",
            Authority.WARD_COMMITTEE,
            for_residents=True,
        ),
        Group(
            6,
            "Người lao động khác, trường hợp khẩn cấp phục vụ công vụ, dịch vụ thiết yếu",
            "Other workers and urgent cases serving official duty or essential services",
            Authority.WARD_POLICE,
        ),
    )
}

ORGANISATION_GROUPS: Final = tuple(code for code, g in GROUPS.items() if not g.for_residents)
RESIDENT_GROUPS: Final = tuple(code for code, g in GROUPS.items() if g.for_residents)


class ResidentPurpose(StrEnum):
    """Why a group-5 resident leaves home; all but food/medicine need a supporting paper (POLICY.md §4)."""

    FOOD_MEDICINE = "food_medicine"
    MEDICAL = "medical"
    REGULAR_MEDICINE = "regular_medicine"
    VACCINATION = "vaccination"
    TESTING = "testing"
    HOSPITAL_DISCHARGE = "hospital_discharge"
    CARE_FOR_SICK = "care_for_sick"
    EMERGENCY = "emergency"
    AIRPORT = "airport"
    EMBASSY = "embassy"


PURPOSE_NAMES: Final[dict[ResidentPurpose, tuple[str, str]]] = {
    ResidentPurpose.FOOD_MEDICINE: ("Mua lương thực, thực phẩm, thuốc", "Buying food or medicine"),
    ResidentPurpose.MEDICAL: ("Khám, chữa bệnh", "Medical examination or treatment"),
    ResidentPurpose.REGULAR_MEDICINE: ("Lấy thuốc định kỳ", "Collecting regular medicine"),
    ResidentPurpose.VACCINATION: ("Tiêm chủng", "Vaccination"),
    ResidentPurpose.TESTING: ("Xét nghiệm", "Testing"),
    ResidentPurpose.HOSPITAL_DISCHARGE: ("Ra viện", "Hospital discharge"),
    ResidentPurpose.CARE_FOR_SICK: ("Chăm sóc người bệnh", "Caring for the sick"),
    ResidentPurpose.EMERGENCY: ("Cấp cứu, việc khẩn cấp", "Emergency"),
    ResidentPurpose.AIRPORT: ("Ra sân bay (có vé)", "Airport trip (with a ticket)"),
    ResidentPurpose.EMBASSY: ("Đến cơ quan ngoại giao (có lịch hẹn)", "Embassy visit (with an appointment)"),
}

# Only food and medicine go without a paper; an airport trip needs the ticket, an embassy the appointment.
NEEDS_PAPER: Final = frozenset(set(ResidentPurpose) - {ResidentPurpose.FOOD_MEDICINE})

# Vietnamese plates: "29C-123.45", "30A-12345", "29LD-12345", "29C1-123.45".
_PLATE: Final = re.compile(r"\d{2}[A-Z]{1,2}\d?-\d{3}\.?\d{1,2}")
_ZONE: Final = re.compile(r"[0-9A-Za-z._-]{1,16}")
_ZONE_SPLIT: Final = re.compile(r"[\s,;]+")


class RuleError(ValueError):
    """A value a permit cannot carry: `field` names it, `problem` is a stable code (errors.py words it)."""

    def __init__(self, field: str, problem: str, **params: int) -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem
        self.params = params


def group(code: object) -> Group:
    """The group with this code (1-6, given as a number or text)."""
    text = str(code).strip()
    if not text.isdigit() or int(text) not in GROUPS:
        raise RuleError("group", "unknown_group")
    return GROUPS[int(text)]


def normal_plate(raw: str) -> str:
    """The plate in upper case without spaces ("" for none); a malformed plate is refused, never guessed."""
    plate = "".join(raw.split()).upper()
    if plate and not _PLATE.fullmatch(plate):
        raise RuleError("plate", "bad_plate")
    return plate


def split_zones(raw: str) -> tuple[str, ...]:
    """Unit codes written with spaces, commas or semicolons between them, in order, without repeats."""
    codes: list[str] = []
    for code in _ZONE_SPLIT.split(raw.strip()):
        if not code:
            continue
        if not _ZONE.fullmatch(code):
            raise RuleError("zones", "bad_zone")
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_ZONES:
        raise RuleError("zones", "too_many_zones", limit=MAX_ZONES)
    return tuple(codes)


def check_validity(valid_from: date, valid_to: date, today: date) -> None:
    """A stretch of whole days that has not ended, at most MAX_VALIDITY_DAYS long."""
    if valid_to < valid_from:
        raise RuleError("valid_to", "ends_before_start")
    if valid_to < today:
        raise RuleError("valid_to", "already_ended")
    if (valid_to - valid_from) >= timedelta(days=MAX_VALIDITY_DAYS):
        raise RuleError("valid_to", "too_long", limit=MAX_VALIDITY_DAYS)
    if valid_from > today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise RuleError("valid_from", "starts_too_late", limit=MAX_START_AHEAD_DAYS)


def check_birth_year(birth_year: int, encoded: int, today: date) -> None:
    """The birth year given must be the one the CCCD encodes (digits 4-6)."""
    if not 1900 <= birth_year <= today.year:
        raise RuleError("birth_year", "bad_birth_year")
    if birth_year != encoded:
        raise RuleError("birth_year", "birth_year_mismatch", encoded=encoded, given=birth_year)
