"""Demo checkpoints (S22, S24): Hà Nội's 22 gateways and 33 district checkpoints, rosters and crossings.

- The checkpoints come from `phaodai/checkpoints/data/hanoi_checkpoints_2021.csv` (the counts are
  S22's; names, roads and placements are plausible, see its SOURCES.md), registered by the city
  commander with the district each stands in as its one focal unit.
- A week of shifts (Monday 13 to Sunday 19/9/2021, three 8-hour shifts a day) at three checkpoints:
  Hà Đông's QL6 Yên Nghĩa (with the demo login checkpoint-268), the QL6 Xuân Mai gateway, and Long
  Biên's Chương Dương bridge head (with checkpoint-004); the other staff are named people of the ward
  police, militia, health and youth union, with demo mobile numbers (0900 000 xxx).
- Two days of crossings (15 and 16/9/2021) at the same three: busier at the morning and evening peaks,
  about one in twelve denied with the rules it failed, synced as a device would.

Safe to run again: existing checkpoints are left as they are; shifts and crossings are idempotent.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.checkpoints import rules, selectors, services
from phaodai.checkpoints.reference import CheckpointRow, shipped_checkpoints
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import at, official
from phaodai.territory import selectors as territory

WEEK = date(2021, 9, 13)  # a Monday
ROSTER_PLANNED = hanoi(2021, 9, 12, 18, 0)  # the Sunday evening before
CROSSING_DAYS = (date(2021, 9, 15), date(2021, 9, 16))
SHIFT_STARTS = (6, 14, 22)
GATEWAY_PROCEDURE = (
    "1. Phân luồng, dừng phương tiện, nhắc người qua chốt giữ khoảng cách.\n"
    "2. Quét mã QR giấy đi đường, khai báo y tế; đối chiếu CCCD với người xuất trình.\n"
    "3. Chỉ cho qua người đi công vụ, phòng, chống dịch, vận chuyển hàng hóa đã tiêm 2 mũi vắc xin, "
    "có khai báo y tế bắt buộc và mã QR hợp lệ (788-CV/BCSD).\n"
    "4. Xe luồng xanh được ra, vào; xe trung chuyển hàng hóa được đi qua nhưng không dừng tại Thành phố.\n"
    "5. Ghi kết quả từng lượt vào thiết bị; báo cáo chỉ huy khi có trường hợp bất thường."
)
DISTRICT_PROCEDURE = (
    "1. Phân luồng, dừng phương tiện, nhắc người qua chốt giữ khoảng cách.\n"
    "2. Kiểm tra giấy đi đường, khai báo y tế; đối chiếu CCCD với người xuất trình.\n"
    "3. Hướng dẫn người không đủ điều kiện quay lại; lập biên bản trường hợp vi phạm.\n"
    "4. Ghi kết quả từng lượt vào thiết bị; phối hợp với đơn vị giáp ranh khi cần."
)
# (rule id, description) as the rule bundle names them; the demo's denials pick among them.
DENIAL_RULES = (
    ("PD-ALL-0001", "Giấy còn hiệu lực tại thời điểm kiểm tra."),
    ("PD-PERMIT-0001", "Đã tiêm đủ 2 mũi vắc xin."),
    ("PD-PERMIT-0002", "Mục đích được phép qua chốt."),
    ("PD-DECL-0001", "Khai báo y tế còn hiệu lực (72 giờ)."),
)
# Relative traffic per local hour: the morning and evening peaks S24 asks to reinforce.
HOURLY_WEIGHT = (1, 1, 1, 1, 2, 4, 8, 12, 10, 6, 5, 5, 5, 5, 5, 6, 8, 11, 9, 5, 3, 2, 1, 1)


@dataclass(frozen=True)
class Roster:
    code: str
    login: tuple[Role, str] | None  # a demo login on the morning shifts, Monday to Friday
    crew: tuple[tuple[str, str], ...]  # (full name, organisation): three per shift, rotating


ROSTERS = (
    Roster(
        "268-01",
        (Role.CHECKPOINT_OFFICER, "268"),
        (
            ("Nguyễn Văn Hùng", "police"), ("Trần Minh Đức", "militia"), ("Lê Thị Hoa", "health"),
            ("Phạm Quốc Tuấn", "police"), ("Đỗ Văn Nam", "militia"), ("Vũ Thị Lan", "youth_union"),
            ("Hoàng Văn Sơn", "police"), ("Bùi Đức Thắng", "army"), ("Ngô Thị Mai", "health"),
        ),
    ),
    Roster(
        "CN-05",
        None,
        (
            ("Nguyễn Đình Long", "police"), ("Trịnh Văn Quang", "army"), ("Đặng Thị Thu", "health"),
            ("Lương Văn Tâm", "police"), ("Cao Minh Khoa", "army"), ("Phan Thị Hằng", "youth_union"),
            ("Tạ Quang Huy", "police"), ("Kiều Văn Bình", "militia"), ("Đinh Thị Yến", "health"),
        ),
    ),
    Roster(
        "004-01",
        (Role.CHECKPOINT_OFFICER, "004"),
        (
            ("Nguyễn Thanh Tùng", "police"), ("Lê Văn Kiên", "civil_defence"), ("Trần Thị Ngọc", "health"),
            ("Phạm Văn Dũng", "police"), ("Hà Minh Châu", "youth_union"), ("Vũ Văn Lợi", "civil_defence"),
            ("Đỗ Đức Anh", "police"), ("Nguyễn Thị Hạnh", "health"), ("Lê Quang Vinh", "militia"),
        ),
    ),
)  # fmt: skip
CROSSINGS_PER_DAY = {"268-01": 180, "CN-05": 240, "004-01": 150}


def _location(row: CheckpointRow) -> str:
    ward = territory.unit_by_code(row.ward_code)
    district = territory.unit_by_code(row.unit_code)
    if ward is None or district is None:
        raise LookupError(f"unit {row.ward_code} or {row.unit_code} is missing: run the territory migrations")
    return f"{ward.full_name}, {district.full_name}"


def _register(row: CheckpointRow, by: Any) -> bool:
    if selectors.checkpoint_by_code(row.code) is not None:
        return False
    unit = territory.unit_by_code(row.unit_code)
    other_side = territory.unit_by_code(row.other_side_code) if row.other_side_code else None
    services.register_checkpoint(
        by=by, unit=unit, code=row.code, name=row.name, name_en=row.name_en, kind=row.kind, road=row.road,
        location=_location(row), other_side=other_side, neighbouring_province=row.neighbouring_province,
        active_from=row.active_from,
        procedure=GATEWAY_PROCEDURE if row.kind == rules.CITY_GATEWAY else DISTRICT_PROCEDURE,
        clock=at(row.active_from - timedelta(days=1)),
    )  # fmt: skip
    return True


def _phone(roster_index: int, person_index: int) -> str:
    return f"0900000{roster_index * 100 + person_index + 1:03d}"


def _staff_week(roster_index: int, roster: Roster) -> int:
    """Three shifts a day for the week; person p of shift s is crew[3*s + p], logins on weekday mornings."""
    checkpoint = selectors.checkpoint_by_code(roster.code)
    assert checkpoint is not None
    district = checkpoint.unit.code
    manager = official(Role.DISTRICT_OFFICER, district)
    login = official(*roster.login) if roster.login else None
    made = 0
    for offset in range(7):
        day = WEEK + timedelta(days=offset)
        for index, hour in enumerate(SHIFT_STARTS):
            start = hanoi(day.year, day.month, day.day, hour)
            crew = roster.crew[index * 3 : index * 3 + 3]
            staff = [
                services.StaffRef(full_name=name, organisation=org, phone=_phone(roster_index, index * 3 + n))
                for n, (name, org) in enumerate(crew)
            ]
            if login is not None and index == 0 and offset < 5:
                staff.append(services.StaffRef(user=login))
            services.add_shift(
                by=manager, checkpoint=checkpoint, starts_at=start, ends_at=start + timedelta(hours=8),
                staff=staff, clock=at(ROSTER_PLANNED),
            )  # fmt: skip
            made += 1
    return made


def _crossings(code: str, rng: random.Random) -> int:
    """A device's log of CROSSING_DAYS at the checkpoint, synced once per day (idempotent by local id)."""
    checkpoint = selectors.checkpoint_by_code(code)
    assert checkpoint is not None
    # The roster's demo login logs the crossings; elsewhere the district's officer (no extra accounts).
    roster = next(r for r in ROSTERS if r.code == code)
    officer = (
        official(*roster.login) if roster.login else official(Role.DISTRICT_OFFICER, checkpoint.unit.code)
    )
    device = f"demo-{code.lower()}"
    created = 0
    for day in CROSSING_DAYS:
        entries = []
        hours = rng.choices(range(24), weights=HOURLY_WEIGHT, k=CROSSINGS_PER_DAY[code])
        for n, hour in enumerate(sorted(hours)):
            moment = hanoi(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60))
            denied = rng.random() < 0.08
            failed = rng.sample(DENIAL_RULES, k=1 if rng.random() < 0.8 else 2) if denied else []
            vehicle = rng.random() < 0.2
            entries.append(
                services.CrossingEntry(
                    checkpoint_id=checkpoint.pk, at=moment, direction="in" if rng.random() < 0.55 else "out",
                    decision="denied" if denied else "allowed", local_id=f"{day:%Y%m%d}-{n:05d}",
                    pass_id="" if vehicle else f"GDD-{rng.randrange(10**8):08d}",
                    pass_type="" if vehicle else ("permit" if rng.random() < 0.7 else "declaration"),
                    plate=f"29C-{rng.randrange(100, 999)}.{rng.randrange(10, 99)}" if vehicle else "",
                    failed_rules=[{"id": rule_id, "description": text} for rule_id, text in failed],
                    bundle_version=3,
                )
            )  # fmt: skip
        synced_at = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(
            tzinfo=moment.tzinfo
        )
        results = services.sync_crossings(by=officer, device_id=device, entries=entries, clock=at(synced_at))
        created += sum(result.status == "created" for result in results)
    return created


def seed_checkpoints(ctx: DemoContext) -> str:
    """The 55 checkpoints, a week of rosters at three and two days of crossings; a one-line summary."""
    city = official(Role.CITY_COMMANDER, "01")
    shipped = shipped_checkpoints()
    made = sum(_register(row, city) for row in shipped)
    shifts = sum(_staff_week(index, roster) for index, roster in enumerate(ROSTERS))
    rng = random.Random(ctx.seed)
    crossings = sum(_crossings(roster.code, rng) for roster in ROSTERS)
    gateways = sum(row.kind == rules.CITY_GATEWAY for row in shipped)
    return (
        f"{made} checkpoints registered ({len(shipped) - made} already there; {gateways} gateways, "
        f"{len(shipped) - gateways} district); {shifts} shifts; {crossings} crossings recorded"
    )
