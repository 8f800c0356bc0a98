"""Demo committees, duty roster, hotlines and commendations (S8, S12, S14), written through the services.

- The city's steering committee (head: Bí thư Thành ủy Đinh Tiến Dũng) and command center (chief:
  Chủ tịch UBND TP Chu Ngọc Anh; deputies: the vice-chairs Chử Xuân Dũng, Lê Hồng Sơn, Nguyễn Mạnh
  Quyền) — public facts from the 788-CV/BCSD letter [003]; no phone numbers for real people.
- Long Biên's two bodies, and both bodies in 13 of its 14 wards established 05–07/9/2021; Phúc Lợi
  establishes them on 08/9, a day late for the 07/9 deadline (S8). Ward and district members are
  generated names (never real people), with generated mobile numbers.
- Hotlines (demo numbers 024 3999 xxxx, marked "(demo)"): the city, Long Biên and every ward, 24/7.
- Long Biên's command center on duty in 12-hour shifts from 19:00 05/9 to 07:00 13/9/2021.
- Four published commendations, among them a ward's community COVID team as a model.

Safe to run again: what exists is left as it is.
"""

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from phaodai.command import selectors as command
from phaodai.command import services
from phaodai.core.clock import Clock, hanoi
from phaodai.core.errors import Duplicate
from phaodai.demo import names
from phaodai.territory import selectors as territory

LONG_BIEN = "004"
LATE_WARD = "00136"  # Phường Phúc Lợi: both bodies on 08/9, after the 07/9 deadline
STEERING, COMMAND_CENTER = "steering", "command_center"
SEED = 2021
# Mobile prefixes for generated members (any carrier; the numbers are random).
PREFIXES = ("086", "096", "097", "098", "091", "094", "088", "083", "090", "093", "070", "079", "035")
DEMO = " (demo)"


@dataclass(frozen=True)
class Seat:
    position: str
    title: str
    full_name: str
    phone: str = ""


@dataclass(frozen=True)
class BodyPlan:
    kind: str
    established_on: date
    decision_number: str
    decision_date: date
    seats: tuple[Seat, ...]


def _not_before(clock: Clock, moment: datetime) -> Clock:
    """The demo's clock, but never before the moment a record describes (dates cannot be in the future)."""
    return lambda: max(clock(), moment)


# Generated people -----------------------------------------------------------------------------


class People:
    """Plausible, reproducible names and mobiles for one unit's officials (never real people)."""

    def __init__(self, unit_code: str) -> None:
        self.rng = random.Random(f"{SEED}-bodies-{unit_code}")
        self.families = [name for name, _share in names.FAMILY_NAMES]
        self.weights = [share for _name, share in names.FAMILY_NAMES]

    def name(self) -> str:
        sex = self.rng.choice("MMMF")  # officials of 2021 were mostly men
        family = self.rng.choices(self.families, self.weights)[0]
        middle = (
            names.TRADITIONAL_MIDDLE[sex]
            if self.rng.random() < 0.4
            else self.rng.choice(names.MIDDLE_NAMES[sex])
        )
        given = self.rng.choice(names.GIVEN_NAMES_OLDER[sex])
        return f"{family} {middle} {given}"

    def phone(self) -> str:
        return self.rng.choice(PREFIXES) + "".join(self.rng.choice("0123456789") for _ in range(7))


def _local_plans(unit: Any, day: date, people: People) -> tuple[BodyPlan, BodyPlan]:
    """A district's or ward's two bodies: the party secretary heads one, the People's Committee chair
    commands the other and is deputy head of the first (as the local plans set it up)."""
    ward = unit.level == "ward"
    party = "Đảng ủy phường" if ward else "Quận ủy"
    council = "UBND phường" if ward else "UBND quận"
    secretary, chair, vice_chair, police, health, front = (people.name() for _ in range(6))
    phones = {name: people.phone() for name in (secretary, chair, vice_chair, police, health, front)}
    station = "Trạm trưởng Trạm Y tế phường" if ward else "Giám đốc Trung tâm Y tế quận"
    police_title = "Trưởng Công an phường" if ward else "Trưởng Công an quận"
    steering = BodyPlan(
        kind=STEERING,
        established_on=day,
        decision_number=f"{people.rng.randint(30, 180)}-QĐ/{'ĐU' if ward else 'QU'}",
        decision_date=day,
        seats=(
            Seat("head", f"Bí thư {party}", secretary, phones[secretary]),
            Seat("deputy", f"Phó Bí thư, Chủ tịch {council}", chair, phones[chair]),
            Seat("standing", f"Chủ tịch Ủy ban MTTQ {'phường' if ward else 'quận'}", front, phones[front]),
            Seat("member", police_title, police, phones[police]),
            Seat("member", station, health, phones[health]),
        ),
    )
    center = BodyPlan(
        kind=COMMAND_CENTER,
        established_on=day,
        decision_number=f"{people.rng.randint(200, 900)}/QĐ-UBND",
        decision_date=day,
        seats=(
            Seat("chief", f"Chủ tịch {council}", chair, phones[chair]),
            Seat("deputy", f"Phó Chủ tịch {council}", vice_chair, phones[vice_chair]),
            Seat("deputy", police_title, police, phones[police]),
            Seat("member", station, health, phones[health]),
        ),
    )
    return steering, center


def _city_plans() -> tuple[BodyPlan, BodyPlan]:
    # Names and offices are public (788-CV/BCSD, S13); the decisions' numbers and dates are demo values.
    day = date(2021, 7, 23)
    steering = BodyPlan(
        kind=STEERING,
        established_on=day,
        decision_number="",
        decision_date=day,
        seats=(Seat("head", "Ủy viên Bộ Chính trị, Bí thư Thành ủy", "Đinh Tiến Dũng"),),
    )
    center = BodyPlan(
        kind=COMMAND_CENTER,
        established_on=day,
        decision_number="",
        decision_date=day,
        seats=(
            Seat("chief", "Chủ tịch UBND Thành phố", "Chu Ngọc Anh"),
            Seat("deputy", "Phó Chủ tịch Thường trực UBND Thành phố", "Lê Hồng Sơn"),
            Seat("deputy", "Phó Chủ tịch UBND Thành phố", "Chử Xuân Dũng"),
            Seat("deputy", "Phó Chủ tịch UBND Thành phố", "Nguyễn Mạnh Quyền"),
        ),
    )
    return steering, center


# Writing ---------------------------------------------------------------------------------------


def _body(by: Any, unit: Any, plan: BodyPlan, clock: Clock) -> Any:
    """Record a body and seat its members, unless a body of the kind already stands (then keep it)."""
    standing = next(
        (b for b in command.bodies_of(unit) if b.standing and b.committee.kind == plan.kind), None
    )
    if standing is not None:
        return standing.committee
    when = _not_before(
        clock, hanoi(plan.established_on.year, plan.established_on.month, plan.established_on.day, 17)
    )
    committee = services.create_committee(
        by=by,
        unit=unit,
        kind=plan.kind,
        established_on=plan.established_on,
        decision_number=plan.decision_number,
        decision_date=plan.decision_date if plan.decision_number else None,
        clock=when,
    )
    for seat in plan.seats:
        changes = services.MemberChanges(
            full_name=seat.full_name, title=seat.title, position=seat.position, phone=seat.phone
        )
        services.add_member(by=by, committee=committee, changes=changes, clock=when)
    return committee


def _hotline(by: Any, unit: Any, label: str, label_en: str, number: str, clock: Clock) -> None:
    changes = services.HotlineChanges(label=label + DEMO, label_en=label_en + DEMO, number=number)
    with contextlib.suppress(Duplicate):  # already listed
        services.add_hotline(by=by, unit=unit, changes=changes, clock=clock)


def _ward_day(index: int, code: str) -> date:
    if code == LATE_WARD:
        return date(2021, 9, 8)
    return date(2021, 9, 5) + timedelta(days=index % 3)  # 05, 06 or 07/9


def _roster(by: Any, district: Any, center: Any, clock: Clock) -> int:
    """12-hour shifts (07:00–19:00, 19:00–07:00) from 19:00 05/9 to 07:00 13/9, members in turn."""
    members = [m for m in command.members_of(district) if m.committee_id == center.pk]
    if not members or command.shifts_between(district, hanoi(2021, 9, 6), hanoi(2021, 9, 13)):
        return 0
    desk = "02439990004"  # the district's duty desk hotline (demo)
    start, end, added = hanoi(2021, 9, 5, 19), hanoi(2021, 9, 13, 7), 0
    when = _not_before(clock, end)
    while start < end:
        member = members[added % len(members)]
        services.add_duty_shift(
            by=by,
            unit=district,
            member=member,
            phone=desk,
            starts_at=start,
            ends_at=start + timedelta(hours=12),
            clock=when,
        )
        start, added = start + timedelta(hours=12), added + 1
    return added


def _commendations(by: Any, units: dict[str, Any], clock: Clock) -> int:
    people = People("commendations")
    rows = [
        ("00139", "model", "Tổ Covid cộng đồng tổ dân phố 5, phường Bồ Đề",
         "Mô hình tiêu biểu: giám sát người về từ vùng dịch, hỗ trợ F0 điều trị tại nhà và tiếp tế "
         "cho các hộ trong khu phong tỏa suốt đợt giãn cách thứ 3.",
         "Giấy khen của Chủ tịch UBND quận Long Biên"),
        ("00133", "collective", "Trạm Y tế phường Ngọc Lâm",
         "Hoàn thành xuất sắc nhiệm vụ lấy mẫu xét nghiệm diện rộng và tiêm chủng vắc-xin phòng Covid-19.",
         "Giấy khen của Chủ tịch UBND quận Long Biên"),
        ("00142", "collective", "Công an phường Phúc Đồng",
         "Tổ chức tốt các chốt kiểm soát, xử lý nghiêm các trường hợp ra đường không có lý do chính đáng.",
         "Giấy khen của Chủ tịch UBND quận Long Biên"),
        ("00139", "individual", f"Ông {people.name()}, Tổ trưởng tổ dân phố 5, phường Bồ Đề",
         "Gương người tốt, việc tốt: vận động Nhân dân ủng hộ lương thực, thực phẩm cho người gặp khó khăn "
         "do dịch bệnh.",
         "Giấy khen của Chủ tịch UBND quận Long Biên"),
    ]  # fmt: skip
    decided = date(2021, 9, 30)
    when = _not_before(clock, hanoi(2021, 10, 1, 9))
    added = 0
    for index, (code, kind, recipient, reason, award) in enumerate(rows):
        try:
            services.record_commendation(
                by=by,
                unit=units[code],
                recipient_kind=kind,
                recipient=recipient,
                reason=reason,
                decision_number=f"{4120 + index}/QĐ-UBND",
                decision_date=decided,
                award=award,
                published=True,
                clock=when,
            )
        except Duplicate:
            continue
        added += 1
    return added


def seed_committees_and_hotlines(*, by_city: Any, by_district: Any, clock: Clock) -> list[str]:
    """Write the demo's bodies, roster, hotlines and commendations; returns what was done, line by line."""
    said: list[str] = []
    say: Callable[[str], None] = said.append
    city, district = territory.city(), territory.unit_by_code(LONG_BIEN)
    if district is None:
        raise LookupError(f"district {LONG_BIEN} is missing")
    for plan in _city_plans():
        _body(by_city, city, plan, clock)
    _hotline(by_city, city, "Đường dây nóng phòng, chống dịch Covid-19 Thành phố",
             "City COVID-19 hotline", "02439990001", clock)  # fmt: skip
    _hotline(by_city, city, "Tư vấn y tế Covid-19, Sở Y tế Hà Nội",
             "COVID-19 medical advice, Hà Nội Department of Health", "02439991115", clock)  # fmt: skip
    say(f"{city.full_name}: Ban Chỉ đạo and Sở Chỉ huy, 2 hotlines")

    steering, center = _local_plans(district, date(2021, 9, 6), People(district.code))
    _body(by_district, district, steering, clock)
    center_body = _body(by_district, district, center, clock)
    _hotline(by_district, district, "Đường dây nóng Sở Chỉ huy phòng, chống dịch quận Long Biên",
             "Long Biên command center hotline", "02439990004", clock)  # fmt: skip
    shifts = _roster(by_district, district, center_body, clock)
    say(f"{district.full_name}: Ban Chỉ đạo and Sở Chỉ huy, hotline, {shifts} duty shifts 05/9–13/9")

    wards = list(territory.children_of(district))
    for index, ward in enumerate(wards):
        day = _ward_day(index, ward.code)
        for plan in _local_plans(ward, day, People(ward.code)):
            _body(by_district, ward, plan, clock)
        where = ward.full_name[:1].lower() + ward.full_name[1:]
        _hotline(by_district, ward, f"Đường dây nóng phòng, chống dịch {where}",
                 f"{ward.full_name_en} COVID-19 hotline", f"0243999{ward.code[-4:]}", clock)  # fmt: skip
    late = next((w.full_name for w in wards if w.code == LATE_WARD), LATE_WARD)
    say(f"{len(wards)} wards: both bodies and a hotline each; {late} established them on 08/9 (late)")

    added = _commendations(by_district, {w.code: w for w in wards}, clock)
    say(f"{added} commendations published")
    return said
