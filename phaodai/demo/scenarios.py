"""Reproducible scenarios replayed through the real services with the clock of their day.

`long-bien-2021-09` (S2–S5): all Hà Nội under 17/CT-UBND from 06:00 24/7/2021; on 06/9 Long Biên
publishes its criteria table and opens a round; on 07/9 its 14 wards classify their areas and submit
(one late); on 08/9 the district decides, changing one area with a reason, effective 06:00 09/9.
Running it again changes nothing.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import Role
from phaodai.accounts.services import create_user
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.logins import demo_username
from phaodai.demo.seeding import seed_areas
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning
from phaodai.zoning import services as zoning_services

LONG_BIEN, BO_DE, CITY = "004", "00139", "01"
TABLE = "LB-2021-09"
CT17_NUMBER = "17/CT-UBND"
LATE_WARD = "00136"  # Phường Phúc Lợi submits after the deadline
SEED = 2021

CT17_ISSUED, CT17_EFFECTIVE = hanoi(2021, 7, 23, 18, 0), hanoi(2021, 7, 24, 6, 0)
ROUND_OPENED, DEADLINE = hanoi(2021, 9, 6, 14, 0), hanoi(2021, 9, 7, 17, 0)
OBSERVED, CLASSIFIED = hanoi(2021, 9, 6, 18, 0), hanoi(2021, 9, 7, 9, 0)
ON_TIME, LATE = hanoi(2021, 9, 7, 15, 30), hanoi(2021, 9, 7, 20, 15)
DECIDED, EFFECTIVE = hanoi(2021, 9, 8, 10, 0), hanoi(2021, 9, 9, 6, 0)

# Long Biên's 14 wards (GSO codes); their ward officers classify and submit.
LONG_BIEN_WARDS = (
    "00115",
    "00118",
    "00121",
    "00124",
    "00127",
    "00130",
    "00133",
    "00136",
    "00139",
    "00142",
    "00145",
    "00148",
    "00151",
    "00154",
)
# Everyone the scenarios act as: a demo login when there is one, else a login without a password.
OFFICIALS: tuple[tuple[Role, str], ...] = (
    (Role.CITY_COMMANDER, CITY),
    (Role.DISTRICT_OFFICER, LONG_BIEN),
    *((Role.WARD_OFFICER, code) for code in LONG_BIEN_WARDS),
)

WARD_JUSTIFICATION = (
    "Khu nhà trọ đông người, dùng chung công trình vệ sinh (S36); đề nghị áp dụng biện pháp khu vực 2."
)
DISTRICT_REASON = "Giáp ranh khu vực đang phong tỏa, nhiều F1 chưa có kết quả xét nghiệm; nâng lên khu vực 1."


@dataclass
class ScenarioResult:
    steps: list[str] = field(default_factory=list)
    changed_area: str = ""
    ward_changed_area: str = ""

    def say(self, line: str) -> None:
        self.steps.append(line)


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _actor(role: Role, unit_code: str) -> Any:
    """The scenario's official for a unit: the demo login when it exists, else a login without password."""
    username = demo_username(role, unit_code)
    user = accounts.user_by_username(username)
    if user is None:
        unit = territory.unit_by_code(unit_code)
        user = create_user(username=username, password=None, role=role, unit=unit)
    return user


official = _actor


def _regime(code: str) -> Any:
    regime = zoning.regime_by_code(code)
    if regime is None:
        raise LookupError(f"regime {code} is missing from the catalogue")
    return regime


def long_bien_2021_09(write: Callable[[str], Any] = print) -> ScenarioResult:
    """Replay Long Biên's September 2021 classification; safe to run again."""
    result = ScenarioResult()
    city, district = territory.city(), territory.unit_by_code(LONG_BIEN)
    assert district is not None
    seed_areas(DemoContext(districts=(LONG_BIEN,), write=write))
    _city_under_ct17(city, result)
    table = zoning.table_valid_at(TABLE, EFFECTIVE)
    if table is None:
        raise LookupError(f"criteria table {TABLE} is not published")
    result.say(f"{TABLE} v{table.version} published by {table.issued_by.full_name}")
    round_ = _round(district, table, result)
    for proposal in zoning.proposals_of(round_):  # in ward-code order
        _ward_work(proposal, result)
    _district_decides(round_, result)
    for line in result.steps:
        write(line)
    return result


def _city_under_ct17(city: Any, result: ScenarioResult) -> None:
    if zoning.decisions().filter(number=CT17_NUMBER, issued_by=city).exists():
        result.say("17/CT-UBND already in force")
        return
    regime = _regime("CT17-HN")
    zoning_services.place_units_under_regime(
        by=_actor(Role.CITY_COMMANDER, CITY),
        issuer=city,
        units=[city],
        regime=regime,
        number=CT17_NUMBER,
        signatory="Chủ tịch UBND thành phố Hà Nội",
        title="Chỉ thị 17/CT-UBND về giãn cách xã hội trên địa bàn thành phố Hà Nội",
        effective_at=CT17_EFFECTIVE,
        clock=at(CT17_ISSUED),
    )
    result.say("city placed under 17/CT-UBND from 06:00 24/07/2021")


def _round(district: Any, table: Any, result: ScenarioResult) -> Any:
    existing = zoning.rounds_for_district(district).filter(table=table, effective_at=EFFECTIVE).first()
    if existing is not None:
        return existing
    round_ = zoning_services.open_round(
        by=_actor(Role.DISTRICT_OFFICER, LONG_BIEN),
        district=district,
        table=table,
        deadline=DEADLINE,
        effective_at=EFFECTIVE,
        title="Phân loại khu vực nguy cơ quận Long Biên, áp dụng từ 06:00 ngày 09/9/2021",
        clock=at(ROUND_OPENED),
    )
    result.say(f"round opened for {round_.proposals.count()} wards, deadline 17:00 07/09")
    return round_


def _observations(area: Any, *, first: bool) -> dict[str, Any]:
    """Plausible indicators for one area as of 06/9 18:00 (seeded by its code: reproducible)."""
    rng = random.Random(f"{SEED}:{area.code}")
    cases_14d = rng.choices([0, 1, 2, 4, 7], weights=[72, 14, 7, 5, 2])[0]
    cases_7d = min(cases_14d, rng.choice([0, 1, 2, 3, 5])) if cases_14d else 0
    unknown = rng.choice([0, 0, 1]) if cases_14d else 0
    # The first area of Bồ Đề is under lockdown, so the showcase ward has every level.
    lockdown = first or (cases_7d >= 3 and rng.random() < 0.5)
    return {
        "community_cases_14d": cases_14d,
        "community_cases_7d": cases_7d,
        "unknown_source_cases_14d": unknown,
        "lockdown_active": lockdown,
        "days_since_last_community_case": 0 if cases_7d else rng.randint(8, 60),
    }


def _ward_work(proposal: Any, result: ScenarioResult) -> None:
    if proposal.status != proposal.Status.DRAFT:
        return
    ward = proposal.ward
    officer = _actor(Role.WARD_OFFICER, ward.code)
    areas = list(territory.areas_of(ward))
    entries = [
        zoning_services.IndicatorEntry(area, name, value)
        for index, area in enumerate(areas)
        for name, value in _observations(area, first=ward.code == BO_DE and index == 0).items()
    ]
    zoning_services.enter_indicators(by=officer, entries=entries, as_of=OBSERVED, clock=at(CLASSIFIED))
    proposal = zoning_services.classify_proposal(
        proposal=proposal, by=officer, at=OBSERVED, clock=at(CLASSIFIED)
    )
    if ward.code == BO_DE:
        _ward_raises_one_area(proposal, officer, result)
    moment = LATE if ward.code == LATE_WARD else ON_TIME
    proposal = zoning_services.submit_proposal(proposal=proposal, by=officer, clock=at(moment))
    result.say(
        f"{ward.full_name}: {len(areas)} areas classified, submitted{' late' if proposal.late else ''}"
    )


def _ward_raises_one_area(proposal: Any, officer: Any, result: ScenarioResult) -> None:
    """Bồ Đề proposes KV2 for one area the table put at KV3, with a written justification."""
    levels = {lv.code: lv for lv in zoning.levels_of(proposal.round.table)}
    item = next((i for i in zoning.items_of(proposal) if i.suggested_level.code == "KV3"), None)
    if item is None:
        return
    zoning_services.propose_level(
        item=item, by=officer, level=levels["KV2"], justification=WARD_JUSTIFICATION, clock=at(CLASSIFIED)
    )
    result.ward_changed_area = item.area.code


def _district_decides(round_: Any, result: ScenarioResult) -> None:
    officer = _actor(Role.DISTRICT_OFFICER, LONG_BIEN)
    for number, proposal in enumerate(zoning.proposals_of(round_), start=2451):
        if proposal.status != proposal.Status.SUBMITTED:
            continue
        changes = []
        if proposal.ward.code == BO_DE:
            items = [i for i in zoning.items_of(proposal) if i.proposed_level.code == "KV2"]
            # Prefer an area the ward itself did not change.
            item = next((i for i in items if not i.justification), items[0] if items else None)
            if item is not None:
                changes.append(zoning_services.Change(item.area.code, "KV1", DISTRICT_REASON))
                result.changed_area = item.area.code
        zoning_services.decide_proposal(
            proposal=proposal,
            by=officer,
            number=f"{number}/QĐ-UBND",
            signatory="Chủ tịch UBND quận Long Biên",
            changes=changes,
            clock=at(DECIDED),
        )
    result.say("district decisions issued, effective 06:00 09/09/2021")


CT22_NUMBER = "22/CT-UBND"
CT22_ISSUED, CT22_EFFECTIVE = hanoi(2021, 9, 20, 20, 0), hanoi(2021, 9, 21, 6, 0)


def hanoi_2021_autumn(write: Callable[[str], Any] = print) -> ScenarioResult:
    """Long Biên's September, then 22/CT-UBND from 06:00 21/9/2021: no more zoning, city-wide (the demo)."""
    result = long_bien_2021_09(write)
    city = territory.city()
    if zoning.decisions().filter(number=CT22_NUMBER, issued_by=city).exists():
        write("22/CT-UBND already in force")
        return result
    zoning_services.place_units_under_regime(
        by=_actor(Role.CITY_COMMANDER, CITY),
        issuer=city,
        units=[city],
        regime=_regime("CT22-HN"),
        number=CT22_NUMBER,
        signatory="Chủ tịch UBND thành phố Hà Nội",
        title="Chỉ thị 22/CT-UBND: thực hiện Chỉ thị 15/CT-TTg với một số biện pháp cao hơn",
        effective_at=CT22_EFFECTIVE,
        # "No zoning" from 21/9: the districts' area decisions end when the directive takes effect.
        supersedes_within=True,
        clock=at(CT22_ISSUED),
    )
    write("city placed under 22/CT-UBND from 06:00 21/09/2021; area decisions end then")
    return result


SCENARIOS: dict[str, Callable[..., ScenarioResult]] = {
    "long-bien-2021-09": long_bien_2021_09,
    "hanoi-2021-autumn": hanoi_2021_autumn,
}


def seed_zoning(ctx: DemoContext) -> str:
    """The demo's epidemic calendar: 17/CT-UBND, Long Biên's classification, then 22/CT-UBND."""
    hanoi_2021_autumn(write=lambda line: ctx.progress(f"zoning: {line}"))
    return f"{zoning.decisions().count()} decisions in force over time"
