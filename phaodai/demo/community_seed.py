"""The demo's community work in Bồ Đề (00139) in September 2021 (S35, S36), made through the community
services.

- Long Biên opens the "Gia đình an toàn Covid-19" commitment campaign on 6/9/2021; Bồ Đề's households
  sign between 6/9 and 20/9, about four in five (by a hash of the household's code, so the share differs
  between tổ dân phố), each by its eldest registered member.
- Every tổ dân phố of Bồ Đề has its community COVID team (Tổ Covid cộng đồng): a leader (tổ trưởng), a
  deputy and two members, one of them on duty each day from 20/9 to 26/9, and a few visits and
  reminders logged on 20–22/9.
- One party member (login "community-00139") follows 15 households of the first tổ dân phố (and the
  next ones when it has fewer).
- A boarding house with its plan and most of its checklist ticked, and a row of rooms with shared
  sanitation flagged without a plan yet (the list shows what it lacks).

Safe to run again: the campaign, teams, members and housing are found by their natural keys, a
household signs once, duty and visits are found by day and idempotency key, ticking twice changes
nothing.
"""

import hashlib
from datetime import date, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.community import selectors as community
from phaodai.community import services
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, at, official
from phaodai.people import selectors as people
from phaodai.territory import selectors as territory

START = date(2021, 9, 6)
CAMPAIGN: dict[str, Any] = {
    "code": "gdat-long-bien-2021",
    "name_vi": "Gia đình an toàn Covid-19",
    "name_en": "COVID-19 safe family",
    "starts_on": START,
}
OPENED, RECORDED = hanoi(2021, 9, 6, 8, 0), hanoi(2021, 9, 20, 18, 0)
SIGNED_PER_100 = 80
ROSTER_FROM, ROSTER_DAYS = date(2021, 9, 20), 7
MEMBER_HOUSEHOLDS = 15
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
GIVEN = ("Văn Hùng", "Thị Lan", "Văn Minh", "Thị Hương", "Đức Thắng", "Thị Thu", "Quang Huy", "Thị Hà")
ROLES = ("leader", "deputy", "member", "member")
VISITS = (
    ("reminder_5k", "Nhắc thực hiện 5K, không tụ tập đông người", 20),
    ("delivery", "Chuyển hàng thiết yếu cho hộ đang cách ly tại nhà", 21),
    ("isolation_check", "Kiểm tra việc cách ly tại nhà, dán thông báo", 22),
)
HOUSING: tuple[dict[str, Any], ...] = (
    {
        "kind": "boarding_house",
        "name": "Nhà trọ ngõ 58 phố Bồ Đề",
        "address": "Ngõ 58 phố Bồ Đề, phường Bồ Đề",
        "residents": 36,
        "plan": (
            "Lập danh sách người thuê trọ, khai báo y tế hằng ngày; bố trí phòng cách ly tạm thời ở tầng 1; "
            "điểm rửa tay ở cổng; chủ trọ báo ngay cho tổ Covid cộng đồng khi có người sốt, ho."
        ),
        "responsible_name": "Nguyễn Văn Thành (chủ nhà trọ)",
        "responsible_phone": "0912580058",
        "plan_starts_on": date(2021, 9, 10),
        "plan_ends_on": date(2021, 9, 30),
        "ticks": ("residents_listed", "declarations", "handwash", "contact_posted", "landlord_commitment"),
    },
    {
        "kind": "shared_sanitation",
        "name": "Dãy phòng trọ ven đê Long Biên",
        "address": "Ven đê Long Biên, phường Bồ Đề",
        "residents": 48,
        "ticks": ("residents_listed",),
    },
)


def _share(code: str) -> int:
    """A stable number 0–99 from a household's code: which households have signed in the demo."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16) % 100


def _eldest(members: list[Any]) -> Any:
    dated = [p for p in members if p.birth_date]
    return min(dated, key=lambda p: p.birth_date) if dated else members[0]


def _commitments(officer: Any, campaign: Any, areas: list[Any]) -> tuple[int, int]:
    signed = total = 0
    for area in areas:
        households = list(territory.households_of(area).order_by("code"))
        members: dict[int, list[Any]] = {}
        persons = people.persons_visible_to(officer).filter(household_id__in=[h.pk for h in households])
        for person in persons.defer("cccd_ciphertext").order_by("household_id", "pk"):
            members.setdefault(person.household_id or 0, []).append(person)
        for household in households:
            total += 1
            share = _share(household.code)
            if share >= SIGNED_PER_100 or household.pk not in members:
                continue
            _row, created = services.sign_commitment(
                by=officer,
                campaign=campaign,
                household=household,
                signer=_eldest(members[household.pk]),
                signed_on=START + timedelta(days=share % 15),
                clock=at(RECORDED),
            )
            signed += created
    return signed, total


def _phone(area_index: int, n: int) -> str:
    return f"09{139:03d}{area_index:03d}{n:02d}"


def _teams(officer: Any, areas: list[Any]) -> tuple[int, int]:
    teams = visits = 0
    for index, area in enumerate(areas, start=1):
        team, created = services.create_team(by=officer, area=area, clock=at(OPENED))
        teams += created
        members = []
        for n, role in enumerate(ROLES):
            name = f"{FAMILY[(index + n) % len(FAMILY)]} {GIVEN[(index * 3 + n) % len(GIVEN)]}"
            member, _ = services.add_team_member(
                by=officer, team=team, full_name=name, phone=_phone(index, n), role=role, clock=at(OPENED)
            )
            members.append(member)
        for day in range(ROSTER_DAYS):
            services.put_on_duty(
                by=officer,
                member=members[day % len(members)],
                day=ROSTER_FROM + timedelta(days=day),
                clock=at(OPENED),
            )
        households = list(territory.households_of(area).order_by("code")[: len(VISITS)])
        for n, (household, (kind, note, day_of_month)) in enumerate(zip(households, VISITS, strict=False)):
            _visit, made = services.log_visit(
                by=officer,
                household=household,
                team=team,
                kind=kind,
                note=note,
                visited_at=hanoi(2021, 9, day_of_month, 9, 30),
                idempotency_key=f"demo-community-{area.code}-{n}",
                clock=at(hanoi(2021, 9, 22, 20, 0)),
            )
            visits += made
    return teams, visits


def _housing(officer: Any, area: Any) -> int:
    made = 0
    for spec in HOUSING:
        data = {key: value for key, value in spec.items() if key != "ticks"}
        row, created = services.register_housing(by=officer, area=area, clock=at(OPENED), **data)
        made += created
        for key in spec["ticks"]:
            services.tick(by=officer, housing=row, key=key, clock=at(RECORDED))
    return made


def seed_community(ctx: DemoContext) -> str:
    """Bồ Đề's commitments, its tổ dân phố's COVID teams, a party member's households, special housing."""
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    officer = official(Role.WARD_OFFICER, BO_DE)
    ward = territory.unit_by_code(BO_DE)
    district = territory.unit_by_code(LONG_BIEN)
    if ward is None or district is None:
        raise LookupError(f"unit {BO_DE} is missing: run the territory migrations first")
    campaign, _ = services.create_campaign(by=district_officer, unit=district, clock=at(OPENED), **CAMPAIGN)
    areas = list(territory.areas_of(ward).order_by("local_code"))
    groups = [area for area in areas if area.kind == "to_dan_pho"] or areas
    signed, households = _commitments(officer, campaign, areas)
    teams, visits = _teams(officer, groups)
    member = official(Role.COMMUNITY_MEMBER, BO_DE)
    assigned = 0
    first: list[Any] = []
    for area in groups:  # the member's neighbourhood: the first tổ dân phố, then the next ones
        first.extend(territory.households_of(area).order_by("code")[: MEMBER_HOUSEHOLDS - len(first)])
        if len(first) >= MEMBER_HOUSEHOLDS:
            break
    if first:
        assigned = services.assign_households(by=officer, member=member, households=first, clock=at(OPENED))
    housing = _housing(officer, next((a for a in areas if a.shared_sanitation), groups[0])) if groups else 0
    _rows, coverage = community.coverage_board(campaign, ward)
    return (
        f"“{campaign.name_vi}”: {signed} new signatures, Bồ Đề at {coverage.signed}/{coverage.households} "
        f"households ({coverage.percent} %) of {households}; {teams} teams set up, {visits} visits logged; "
        f"{assigned} households given to {member.username}; {housing} special housing flagged"
    )
