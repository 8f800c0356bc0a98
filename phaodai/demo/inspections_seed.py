"""Demo inspection teams and inspections in Long Biên, September 2021 (S7, S31).

Teams: the city's 15 teams under Decision 1103-QĐ/TU of the city party standing committee (the seeds
give their number and decision only, 003), Hà Đông's district team under 679-QĐ/QU (001) and Long
Biên's interdisciplinary team on firms (003 asks each district for one). Which districts each city team
covers, the decisions' dates, Long Biên's decision number and every member's name are the demo's own:
the seeds do not give them. The demo inspector (inspector-004) is a member of city team 3, which covers
Long Biên and Gia Lâm, and of Long Biên's team.

Inspections, through the inspections services with the clock of their moment:
- 13/9 a surprise visit of city team 3 to the Cự Khối construction site finds no QR check-in and no
  distancing at meals: a fine, the plan suspended; 16/9 its re-inspection passes and the plan is in
  force again;
- 14/9 a planned visit to a Bồ Đề market passes;
- 17/9 at 20:15 Long Biên's team finds the Phúc Đồng takeaway café serving customers at tables: a fine
  and a closure; its re-inspection, due by 24/9, never happened, so the accountability page lists it.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo import names
from phaodai.demo.business_seed import demo_business, unit
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, CITY, LONG_BIEN, SEED, at, official
from phaodai.inspections import selectors as inspections
from phaodai.inspections import services
from phaodai.territory import selectors as territory

CITY_DECISION, CITY_DECISION_DATE = "1103-QĐ/TU", date(2021, 9, 1)  # the date is ours
CITY_TEAM_NAME = "Đoàn kiểm tra số {n}"
# Our assignment of the 30 districts to the 15 city teams: neighbours together, two each.
CITY_TEAM_AREAS: tuple[tuple[str, str], ...] = (
    ("001", "003"), ("002", "007"), ("004", "018"), ("005", "021"), ("006", "009"),
    ("008", "020"), ("019", "274"), ("268", "278"), ("016", "017"), ("250", "273"),
    ("269", "271"), ("272", "276"), ("275", "277"), ("279", "280"), ("281", "282"),
)  # fmt: skip
LONG_BIEN_TEAM = "Đoàn kiểm tra liên ngành quận Long Biên"
LONG_BIEN_DECISION, LONG_BIEN_DECISION_DATE = "2480/QĐ-UBND", date(2021, 9, 10)  # both ours
HA_DONG, HA_DONG_TEAM = "268", "Đoàn kiểm tra của Ban Thường vụ Quận ủy Hà Đông"
HA_DONG_DECISION, HA_DONG_DECISION_DATE = "679-QĐ/QU", date(2021, 8, 2)  # 51-KH/QU cites it undated
INSPECTOR_NAME = "Nguyễn Văn Hùng"  # the demo inspector's name on the teams' decisions


@dataclass(frozen=True)
class TeamSpec:
    name: str
    level: str
    decision: str
    decided_on: date
    home: str
    areas: Sequence[str]
    created_at: datetime
    with_inspector: str = ""  # the demo inspector's title on this team, if a member


def team_specs() -> list[TeamSpec]:
    city = [
        TeamSpec(
            CITY_TEAM_NAME.format(n=number),
            "city",
            CITY_DECISION,
            CITY_DECISION_DATE,
            CITY,
            districts,
            hanoi(2021, 9, 1, 8, 0),
            "Thanh tra viên, Thanh tra quận Long Biên" if LONG_BIEN in districts else "",
        )
        for number, districts in enumerate(CITY_TEAM_AREAS, start=1)
    ]
    return [
        *city,
        TeamSpec(
            HA_DONG_TEAM, "district", HA_DONG_DECISION, HA_DONG_DECISION_DATE, HA_DONG, (HA_DONG,),
            hanoi(2021, 8, 2, 9, 0),
        ),
        TeamSpec(
            LONG_BIEN_TEAM, "interdisciplinary", LONG_BIEN_DECISION, LONG_BIEN_DECISION_DATE, LONG_BIEN,
            (LONG_BIEN,), hanoi(2021, 9, 10, 8, 0), "Phó trưởng đoàn, Thanh tra quận Long Biên",
        ),
    ]  # fmt: skip


def _official_name(rng: random.Random) -> str:
    """A name for a member the decision would list (officials are of the older generation)."""
    family = rng.choices([n for n, _ in names.FAMILY_NAMES], weights=[w for _, w in names.FAMILY_NAMES])[0]
    sex = rng.choice("MF")
    middle = names.TRADITIONAL_MIDDLE[sex] if rng.random() < 0.5 else rng.choice(names.MIDDLE_NAMES[sex])
    return f"{family} {middle} {rng.choice(names.GIVEN_NAMES_OLDER[sex])}"


def _members(spec: TeamSpec, inspector: Any) -> list[services.MemberSpec]:
    rng = random.Random(f"{SEED}:team:{spec.decision}:{spec.name}")
    health, police = (
        ("Sở Y tế", "Công an thành phố") if spec.level == "city" else ("Trung tâm Y tế quận", "Công an quận")
    )
    members = [
        services.MemberSpec(_official_name(rng), "Trưởng đoàn", "leader"),
        services.MemberSpec(_official_name(rng), f"Thành viên, {health}"),
        services.MemberSpec(_official_name(rng), f"Thành viên, {police}"),
    ]
    if spec.with_inspector:
        role = "deputy" if spec.with_inspector.startswith("Phó") else "member"
        members.append(services.MemberSpec(INSPECTOR_NAME, spec.with_inspector, role, user=inspector))
    return members


def _creator(spec: TeamSpec) -> Any:
    return official(Role.CITY_COMMANDER if spec.level == "city" else Role.DISTRICT_OFFICER, spec.home)


def _team(spec: TeamSpec, inspector: Any) -> tuple[Any, bool]:
    creator = _creator(spec)
    existing = inspections.teams_visible_to(creator).filter(decision_number=spec.decision, name=spec.name)
    found = existing.first()
    if found is not None:
        return found, False
    team = services.create_team(
        by=creator,
        name=spec.name,
        level=spec.level,
        decision_number=spec.decision,
        decision_date=spec.decided_on,
        home_unit=unit(spec.home),
        area_units=[unit(code) for code in spec.areas],
        members=_members(spec, inspector),
        active_from=hanoi(spec.decided_on.year, spec.decided_on.month, spec.decided_on.day),
        clock=at(spec.created_at),
    )
    return team, True


def city_team_for(district_code: str) -> str:
    """The name of the city team whose area of work holds the district."""
    number = next(n for n, pair in enumerate(CITY_TEAM_AREAS, start=1) if district_code in pair)
    return CITY_TEAM_NAME.format(n=number)


def seed_inspections(ctx: DemoContext) -> str:
    """The teams, then the inspections of September (each story once; a rerun adds nothing)."""
    inspector = official(Role.INSPECTOR, LONG_BIEN)
    teams: dict[str, Any] = {}
    created = 0
    for spec in team_specs():
        teams[spec.name], fresh = _team(spec, inspector)
        created += fresh
    city_team, district_team = teams[city_team_for(LONG_BIEN)], teams[LONG_BIEN_TEAM]
    stories = (
        _construction_site(city_team, inspector),
        _market(city_team, inspector),
        _cafe(district_team, inspector),
    )
    done = sum(stories)
    if not created and not done:
        return f"nothing to add: all {len(teams)} teams and their inspections are there"
    return f"{created} inspection teams set up, {done} inspection stories replayed"


# Inspections --------------------------------------------------------------------------------------


def _already(team: Any, inspector: Any, moment: datetime) -> bool:
    return inspections.inspections_for(inspector).filter(team=team, scheduled_at=moment).exists()


def _findings(
    target_kind: str, not_ok: dict[str, str] | None = None, ok_notes: dict[str, str] | None = None
) -> list[Any]:
    checklist = inspections.checklist_for(target_kind)
    if checklist is None:
        raise LookupError(f"no checklist for {target_kind}: the inspections reference data is missing")
    wrong, notes = not_ok or {}, ok_notes or {}
    return [
        services.FindingInput(code, code not in wrong, wrong.get(code) or notes.get(code, ""))
        for code in checklist.item_codes
    ]


def _visit(
    team: Any, inspector: Any, moment: datetime, planned_at: datetime | None = None, **target: Any
) -> Any:
    """Plan the visit (a surprise one on the spot) and start it at `moment`."""
    planned = services.plan_inspection(
        by=inspector, team=team, scheduled_at=moment, clock=at(planned_at or moment), **target
    )
    return services.start_inspection(by=inspector, inspection=planned, clock=at(moment))


CONSTRUCTION_VISIT = hanoi(2021, 9, 13, 9, 30)
CONSTRUCTION_REVISIT = hanoi(2021, 9, 16, 9, 0)


def _construction_site(team: Any, inspector: Any) -> bool:
    """Surprise visit, fine and suspension; the re-inspection three days later passes (S31)."""
    if _already(team, inspector, CONSTRUCTION_VISIT):
        return False
    site = demo_business("construction_site")
    visit = _visit(team, inspector, CONSTRUCTION_VISIT, target_kind="business", business=site, surprise=True)
    findings = _findings(
        "business",
        {
            "qr_checkin": "Cổng công trình không có điểm quét mã QR; không có sổ theo dõi người ra vào.",
            "masks_distancing": "Khoảng 20 công nhân ăn trưa chung tại lán, không giữ khoảng cách.",
        },
    )
    services.record_findings(
        by=inspector, inspection=visit, findings=findings, clock=at(hanoi(2021, 9, 13, 10))
    )
    services.record_violation(
        by=inspector,
        inspection=visit,
        kind="business_measures_not_applied",
        offender="organisation",
        offender_name=site.name,
        fine_amount=12_000_000,
        measures=["fine", "suspension"],
        decision_number="15/QĐ-XPHC",
        responsible_person="Vũ Đình Toàn",
        clock=at(hanoi(2021, 9, 13, 10, 30)),
    )
    visit = services.finish_inspection(
        by=inspector,
        inspection=visit,
        summary="Lập biên bản vi phạm; tạm dừng thi công đến khi tái kiểm tra đạt yêu cầu.",
        clock=at(hanoi(2021, 9, 13, 11)),
    )
    again = services.plan_reinspection(
        by=inspector, team=team, of=visit, scheduled_at=CONSTRUCTION_REVISIT, clock=at(hanoi(2021, 9, 15, 16))
    )
    again = services.start_inspection(by=inspector, inspection=again, clock=at(CONSTRUCTION_REVISIT))
    fixed = {
        "qr_checkin": "Đã bố trí điểm quét mã QR và sổ theo dõi tại cổng.",
        "masks_distancing": "Đã chia 3 ca ăn, bàn ăn cách nhau 2 m.",
    }
    services.record_findings(
        by=inspector,
        inspection=again,
        findings=_findings("business", ok_notes=fixed),
        clock=at(hanoi(2021, 9, 16, 9, 40)),
    )
    services.finish_inspection(
        by=inspector,
        inspection=again,
        summary="Đã khắc phục các vi phạm; phương án phòng, chống dịch có hiệu lực trở lại.",
        clock=at(hanoi(2021, 9, 16, 10)),
    )
    return True


MARKET_VISIT = hanoi(2021, 9, 14, 7, 0)


def _market(team: Any, inspector: Any) -> bool:
    """A planned visit to a Bồ Đề market: everything in order."""
    if _already(team, inspector, MARKET_VISIT):
        return False
    ward = unit(BO_DE)
    market = next((a for a in territory.areas_of(ward) if a.kind == "cho_dan_sinh"), None)
    visit = _visit(
        team,
        inspector,
        MARKET_VISIT,
        target_kind="market",
        unit=ward,
        area=market,
        label=market.name if market is not None else "Chợ Bồ Đề",
        planned_at=hanoi(2021, 9, 13, 17, 0),
    )
    services.record_findings(
        by=inspector,
        inspection=visit,
        findings=_findings("market", ok_notes={"market_pass": "Kiểm tra thẻ đi chợ tại cả 2 cổng."}),
        clock=at(hanoi(2021, 9, 14, 7, 45)),
    )
    services.finish_inspection(
        by=inspector, inspection=visit, summary="Đạt yêu cầu.", clock=at(hanoi(2021, 9, 14, 8))
    )
    return True


CAFE_VISIT = hanoi(2021, 9, 17, 20, 15)


def _cafe(team: Any, inspector: Any) -> bool:
    """Customers seated at tables where only takeaway is allowed: a fine and a closure, never re-inspected."""
    if _already(team, inspector, CAFE_VISIT):
        return False
    cafe = demo_business("cafe")
    visit = _visit(team, inspector, CAFE_VISIT, target_kind="business", business=cafe, surprise=True)
    findings = _findings(
        "business",
        {
            "qr_checkin": "Không có điểm quét mã QR khai báo y tế.",
            "masks_distancing": (
                "12 khách ngồi uống tại chỗ, không giãn cách, nhiều người không đeo khẩu trang."
            ),
        },
    )
    services.record_findings(
        by=inspector, inspection=visit, findings=findings, clock=at(hanoi(2021, 9, 17, 20, 40))
    )
    services.record_violation(
        by=inspector,
        inspection=visit,
        kind="operating_while_suspended",
        offender="person",
        offender_name="Trần Minh Đức",
        fine_amount=15_000_000,
        measures=["fine", "closure"],
        decision_number="27/QĐ-XPHC",
        responsible_person="Trần Minh Đức",
        clock=at(hanoi(2021, 9, 17, 21, 0)),
    )
    services.finish_inspection(
        by=inspector,
        inspection=visit,
        summary=(
            "Phục vụ khách tại chỗ khi chỉ được bán mang về; đình chỉ hoạt động đến khi tái kiểm tra đạt."
        ),
        clock=at(hanoi(2021, 9, 17, 21, 15)),
    )
    return True
