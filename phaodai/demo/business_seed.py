"""Demo businesses of Long Biên and their COVID-safety plans, September 2021 (S7, S28–S30, S32).

The city publishes each sector's conditions (S29); ward officers register nine businesses; their
representatives submit plans at moments the regime in force allows their sector, and the approving
unit the delegation names (S30: the ward for a small shop or restaurant, the district otherwise)
approves them with conditions, returns one for changes, or has not decided yet:

- Bồ Đề: a takeaway restaurant in an area the district placed in KV2 (Directive 15+, closing before
  21:00) and a fresh-food shop, both represented by the demo login business-00139; a grocery whose
  plan waits on the ward's desk;
- Ngọc Lâm: a pharmacy; Việt Hưng: a bookshop that reopens under 22/CT-UBND on 21/9 (S32);
  Phúc Đồng: a takeaway café (closed after an inspection, see inspections_seed);
- a garment factory in an industrial park ("3 tại chỗ") and a construction site ("1 cung đường 2 điểm
  đến"), approved with conditions by the district; a mechanical works whose plan the district returned.

Names, tax codes, numbers and people are the demo's own: tax codes are valid in form (check digit) and
were not looked up in the register. Every step goes through the business services with the clock of
its moment; a business already registered is left with its plans as they are, so a rerun adds nothing.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import Role
from phaodai.accounts.services import create_user
from phaodai.business import rules, services
from phaodai.business import selectors as business
from phaodai.core.clock import hanoi
from phaodai.demo.areas import area_street
from phaodai.demo.business_conditions import CONDITIONS
from phaodai.demo.context import DemoContext
from phaodai.demo.logins import demo_username
from phaodai.demo.scenarios import BO_DE, CITY, CT22_EFFECTIVE, CT22_ISSUED, LONG_BIEN, at, official
from phaodai.demo.seeding import ward_ref
from phaodai.territory import selectors as territory
from phaodai.zoning import selectors as zoning

# Area kinds (territory.models.Area.Kind values).
GROUP, CLUSTER, APARTMENTS, INDUSTRIAL = "to_dan_pho", "khu_lien_gia", "chung_cu", "khu_cong_nghiep"
STREET_KINDS = (GROUP, CLUSTER)
KV2, KV3 = "CT15+", "CT15"  # the regimes of table LB-2021-09's levels 2 and 3
# When an area's regime is read to place a business: after Long Biên's decisions took effect (09/9).
ZONED_DAY = hanoi(2021, 9, 10, 12, 0)


def tax_code(first_nine: str) -> str:
    """A 10-digit tax code with its check digit (rules.MST_WEIGHTS); refuses a base that has none."""
    total = sum(weight * int(digit) for weight, digit in zip(rules.MST_WEIGHTS, first_nine, strict=True))
    check = 10 - total % 11
    code = f"{first_nine}{check}"
    if check == 10 or rules.tax_code_problem(code) is not None:
        raise ValueError(f"{first_nine} has no valid check digit")
    return code


@dataclass(frozen=True)
class Place:
    """Where in the ward: the first area (by local code) of a preferred kind under one of the regimes."""

    ward: str
    kinds: tuple[str, ...] = STREET_KINDS
    regimes: frozenset[str] = frozenset()  # empty: any regime
    regime_at: datetime = ZONED_DAY
    house: str = "1"  # the number on the street, or the lot in an industrial park


@dataclass(frozen=True)
class PlanStory:
    """A plan as submitted, and what the approving unit did with it (None: still on its desk)."""

    mode: str
    people_on_site: int
    measures: str
    responsible_person: str
    submitted_at: datetime
    shifts: int = 1
    outcome: str | None = None  # "approve" | "return"
    decided_at: datetime | None = None
    text: str = ""  # the conditions of an approval, or the reason of a return
    valid_from: datetime | None = None
    valid_until: datetime | None = None


@dataclass(frozen=True)
class BusinessSpec:
    key: str  # how tests and the inspections seed refer to it
    first_nine: str
    name: str
    kind: str
    sector: str
    place: Place
    workforce: int
    registered_at: datetime
    plan: PlanStory
    # The representative's login: the demo login of the ward, or a login without password of its own.
    demo_representative: bool = False
    tax: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tax", tax_code(self.first_nine))


BUSINESSES: tuple[BusinessSpec, ...] = (
    BusinessSpec(
        "restaurant", "010876123", "Quán Phở Gà Bồ Đề", "restaurant", "takeaway_food",
        Place(BO_DE, (GROUP, CLUSTER, APARTMENTS), frozenset({KV2}), house="27"),
        workforce=6, registered_at=hanoi(2021, 9, 3, 9, 0), demo_representative=True,
        plan=PlanStory(
            "takeaway", 6,
            "Chỉ bán mang về, khách chờ ngoài cửa cách nhau 2 m; quét mã QR khai báo y tế với mọi khách; "
            "nhân viên đeo khẩu trang, găng tay; khử khuẩn quầy sau mỗi ca.",
            "Nguyễn Thị Thu Hương", submitted_at=hanoi(2021, 9, 9, 6, 45), shifts=2,
            outcome="approve", decided_at=hanoi(2021, 9, 9, 9, 0),
            text="Chỉ bán mang về, đóng cửa trước 21:00; tối đa 6 người tại cơ sở; quét mã QR với mọi khách.",
            valid_from=hanoi(2021, 9, 9, 10, 0), valid_until=hanoi(2021, 10, 9, 0, 0),
        ),
    ),
    BusinessSpec(
        "food_shop", "010876245", "Cửa hàng Thực phẩm sạch Bồ Đề", "shop", "essential_shops",
        Place(BO_DE, (CLUSTER, GROUP), frozenset({KV3}), house="112"),
        workforce=4, registered_at=hanoi(2021, 9, 3, 9, 30), demo_representative=True,
        plan=PlanStory(
            "normal", 4,
            "Tối đa 3 khách trong cửa hàng; quét mã QR khai báo y tế; giữ khoảng cách 2 m; "
            "nhận đặt hàng qua điện thoại, giao tận nhà.",
            "Nguyễn Văn Khánh", submitted_at=hanoi(2021, 9, 6, 15, 0),
            outcome="approve", decided_at=hanoi(2021, 9, 7, 10, 0),
            text="Chỉ kinh doanh hàng thiết yếu; tối đa 3 khách trong cửa hàng cùng lúc.",
            valid_from=hanoi(2021, 9, 7, 12, 0), valid_until=hanoi(2021, 10, 7, 0, 0),
        ),
    ),
    BusinessSpec(
        "grocery", "010876318", "Cửa hàng tạp hóa Thanh Bình", "shop", "essential_shops",
        Place(BO_DE, (APARTMENTS, GROUP, CLUSTER), house="8"),
        workforce=2, registered_at=hanoi(2021, 9, 20, 9, 0),
        plan=PlanStory(
            "normal", 2,
            "Bán hàng qua cửa, khách không vào trong; quét mã QR khai báo y tế; "
            "sát khuẩn tay trước khi nhận hàng.",
            "Lê Thị Bình", submitted_at=hanoi(2021, 9, 20, 16, 0),
        ),
    ),
    BusinessSpec(
        "pharmacy", "010876402", "Nhà thuốc Minh Châu", "shop", "essential_shops",
        Place("00133", house="64"),
        workforce=3, registered_at=hanoi(2021, 9, 3, 10, 0),
        plan=PlanStory(
            "normal", 3,
            "Tối đa 2 khách tại quầy; quét mã QR khai báo y tế; vách ngăn tại quầy; "
            "ghi danh sách người mua thuốc hạ sốt, ho, cảm cúm báo trạm y tế phường.",
            "Phạm Thị Minh Châu", submitted_at=hanoi(2021, 9, 6, 16, 0),
            outcome="approve", decided_at=hanoi(2021, 9, 7, 11, 0),
            text="Báo danh sách người mua thuốc hạ sốt, ho, cảm cúm cho trạm y tế phường hằng ngày.",
            valid_from=hanoi(2021, 9, 7, 12, 0), valid_until=hanoi(2021, 10, 7, 0, 0),
        ),
    ),
    BusinessSpec(
        "bookshop", "010876517", "Nhà sách và Văn phòng phẩm Việt Hưng", "shop", "non_essential_retail",
        Place("00127", house="15"),
        workforce=5, registered_at=hanoi(2021, 9, 20, 10, 0),
        plan=PlanStory(
            "normal", 5,
            "Mở cửa từ 06:00 ngày 21/9/2021 theo Chỉ thị 22/CT-UBND; tối đa 5 khách cùng lúc; "
            "quét mã QR khai báo y tế; giữ khoảng cách 2 m.",
            "Đỗ Quang Vinh", submitted_at=hanoi(2021, 9, 21, 7, 30),
            outcome="approve", decided_at=hanoi(2021, 9, 21, 15, 0),
            text="Tối đa 5 khách trong cửa hàng cùng lúc.",
            valid_from=hanoi(2021, 9, 21, 16, 0), valid_until=hanoi(2021, 10, 21, 0, 0),
        ),
    ),
    BusinessSpec(
        "cafe", "010876633", "Quán cà phê Góc Phố", "restaurant", "takeaway_food",
        Place("00151", (GROUP, CLUSTER, APARTMENTS), frozenset({KV2, KV3}), hanoi(2021, 9, 9, 8, 0), "41"),
        workforce=5, registered_at=hanoi(2021, 9, 3, 14, 0),
        plan=PlanStory(
            "takeaway", 5,
            "Chỉ bán mang về; thu dọn bàn ghế, không để khách ngồi; quét mã QR khai báo y tế.",
            "Trần Minh Đức", submitted_at=hanoi(2021, 9, 9, 8, 0),
            outcome="approve", decided_at=hanoi(2021, 9, 9, 14, 0),
            text="Chỉ bán mang về; không để khách ngồi tại quán.",
            valid_from=hanoi(2021, 9, 9, 15, 0), valid_until=hanoi(2021, 10, 9, 0, 0),
        ),
    ),
    BusinessSpec(
        "garment_factory", "010876819", "Công ty TNHH May xuất khẩu Thạch Bàn", "industrial_park", "factory",
        Place("00148", (INDUSTRIAL, GROUP), house="CN-05"),
        workforce=620, registered_at=hanoi(2021, 9, 1, 9, 0),
        plan=PlanStory(
            "3_tai_cho", 240,
            "Sản xuất theo phương án “3 tại chỗ”: 240 người lao động sản xuất, ăn, nghỉ tại nhà máy, "
            "chia 2 ca; khu lưu trú tách khỏi khu sản xuất; xét nghiệm toàn bộ người lao động trước khi "
            "vào khu lưu trú; giao nhận hàng tại khu vực riêng; có tổ an toàn COVID và phòng cách ly "
            "tạm thời.",
            "Hoàng Văn Thắng", submitted_at=hanoi(2021, 9, 6, 10, 0), shifts=2,
            outcome="approve", decided_at=hanoi(2021, 9, 7, 16, 0),
            text=(
                "Tối đa 240 người làm việc và lưu trú tại chỗ; không đưa thêm người vào khu lưu trú khi "
                "chưa có kết quả xét nghiệm âm tính; báo UBND phường Thạch Bàn danh sách người lao động "
                "và mỗi thay đổi trong 24 giờ."
            ),
            valid_from=hanoi(2021, 9, 8, 0, 0), valid_until=hanoi(2021, 10, 8, 0, 0),
        ),
    ),
    BusinessSpec(
        "construction_site", "010876926", "Công ty CP Xây dựng Sông Đuống – công trình Cự Khối",
        "construction", "construction",
        Place("00154", house="2"),
        workforce=60, registered_at=hanoi(2021, 9, 1, 10, 0),
        plan=PlanStory(
            "1_cung_duong", 45,
            "Người lao động đi theo “1 cung đường 2 điểm đến” bằng xe đưa đón của công ty; "
            "chia ca ăn, giữ khoảng cách 2 m; quét mã QR tại cổng công trình; xét nghiệm trước khi vào làm.",
            "Vũ Đình Toàn", submitted_at=hanoi(2021, 9, 6, 11, 0),
            outcome="approve", decided_at=hanoi(2021, 9, 8, 9, 0),
            text=(
                "Tối đa 45 người trên công trường; chỉ đưa đón bằng xe của công ty theo danh sách đã gửi "
                "UBND phường Cự Khối; không tiếp người ngoài công trình."
            ),
            valid_from=hanoi(2021, 9, 8, 12, 0), valid_until=hanoi(2021, 10, 8, 0, 0),
        ),
    ),
    BusinessSpec(
        "mechanical_works", "010876141", "Công ty TNHH Cơ khí chính xác Giang Biên", "factory", "factory",
        Place("00121", house="88"),
        workforce=140, registered_at=hanoi(2021, 9, 1, 11, 0),
        plan=PlanStory(
            "1_cung_duong", 120,
            "Người lao động đi làm theo “1 cung đường 2 điểm đến”; đo thân nhiệt tại cổng; đeo khẩu trang.",
            "Bùi Quang Lực", submitted_at=hanoi(2021, 9, 8, 14, 0),
            outcome="return", decided_at=hanoi(2021, 9, 9, 10, 0),
            text=(
                "Bổ sung danh sách người lao động và lộ trình đi lại của từng người theo “1 cung đường "
                "2 điểm đến”; nêu rõ cách xử lý khi phát hiện ca nghi nhiễm tại nhà máy."
            ),
        ),
    ),
)  # fmt: skip
BY_KEY = {spec.key: spec for spec in BUSINESSES}


def unit(code: str) -> Any:
    """A unit by its GSO code, which the territory migrations must have loaded."""
    found = territory.unit_by_code(code)
    if found is None:
        raise LookupError(f"unit {code} is missing: run the territory migrations first")
    return found


def demo_business(key: str) -> Any:
    """One of the demo's businesses by its key ("restaurant", "garment_factory", …)."""
    found = business.business_by_tax_code(BY_KEY[key].tax)
    if found is None:
        raise LookupError(f"the demo business {key} is missing: run the businesses phase first")
    return found


def representative_username(spec: BusinessSpec) -> str:
    if spec.demo_representative:
        return demo_username(Role.BUSINESS_REPRESENTATIVE, spec.place.ward)
    return f"{demo_username(Role.BUSINESS_REPRESENTATIVE, spec.place.ward)}-{spec.tax}"


# The representatives' logins the seed creates besides the published demo logins (no password).
OWN_REPRESENTATIVES: frozenset[str] = frozenset(
    representative_username(spec) for spec in BUSINESSES if not spec.demo_representative
)


def seed_businesses(ctx: DemoContext) -> str:
    """Sector conditions, the nine businesses with their representatives and plans, and the notices of
    21/9 (22/CT-UBND ends the areas' levels)."""
    published = _publish_conditions()
    made = [spec for spec in BUSINESSES if _business(ctx, spec)]
    for spec in made:
        ctx.progress(f"businesses: {spec.name} ({_plan_line(demo_business(spec.key))})")
    notices = services.notify_businesses_of_level_change(
        place=unit(LONG_BIEN),
        effective_at=CT22_EFFECTIVE,
        clock=at(CT22_ISSUED.replace(minute=30)),
    )
    if not made and not published:
        return (
            f"nothing to add: all {len(BUSINESSES)} businesses and {len(CONDITIONS)} sector conditions "
            "are there"
        )
    return (
        f"{published} sector conditions published, {len(made)} businesses registered with their plans, "
        f"{len(notices)} notices of the change on 21/09"
    )


def _publish_conditions() -> int:
    city_commander = official(Role.CITY_COMMANDER, CITY)
    published = 0
    for spec in CONDITIONS:  # in order of validity: a later version ends the earlier one
        if business.conditions_of(spec.sector).filter(valid_from=spec.valid_from).exists():
            continue
        services.publish_sector_condition(
            by=city_commander,
            sector=spec.sector,
            title=spec.title,
            title_en=spec.title_en,
            criteria=spec.criteria,
            criteria_en=spec.criteria_en,
            requirements=dict(spec.requirements),
            plan_required=spec.plan_required,
            basis=spec.basis,
            valid_from=spec.valid_from,
            clock=at(spec.published_at),
        )
        published += 1
    return published


def _business(ctx: DemoContext, spec: BusinessSpec) -> bool:
    """Register the business with its representative and replay its plan; False when it is there."""
    if business.business_by_tax_code(spec.tax) is not None:
        return False
    ward = unit(spec.place.ward)
    officer = official(Role.WARD_OFFICER, ward.code)
    area = _area(spec.place, ward)
    registered = services.register_business(
        by=officer,
        tax_code=spec.tax,
        name=spec.name,
        kind=spec.kind,
        sector=spec.sector,
        address=_address(ctx, spec.place, area),
        unit=ward,
        area=area,
        workforce=spec.workforce,
        clock=at(spec.registered_at),
    )
    representative = _representative(spec, ward)
    services.add_representative(
        by=officer, business=registered, user=representative, clock=at(spec.registered_at)
    )
    _replay_plan(registered, spec.plan, representative)
    return True


def _area(place: Place, ward: Any) -> Any:
    """The first area of the most preferred kind whose regime (at `regime_at`) is one of those asked."""
    areas = list(territory.areas_of(ward))
    placements = zoning.placements_of_areas(areas, place.regime_at)

    def fits(area: Any) -> bool:
        placement = placements.get(area.id)
        return not place.regimes or (placement is not None and placement.regime.code in place.regimes)

    for kind in place.kinds:
        found = next((a for a in areas if a.kind == kind and fits(a)), None)
        if found is not None:
            return found
    raise LookupError(
        f"no area of {ward.full_name} of kind {'/'.join(place.kinds)} under {'/'.join(sorted(place.regimes))}"
    )


def _address(ctx: DemoContext, place: Place, area: Any) -> str:
    """A street address on the area's street (as its households'), or a lot in an industrial park."""
    if area.kind == INDUSTRIAL:
        return f"Lô {place.house}, {area.name}"
    if area.kind == APARTMENTS:
        return f"Ki-ốt {place.house}, tầng 1, {area.name}"
    street = area_street(ctx.seed, area.code, ward_ref(area.ward))
    return f"Số {place.house} {street}, {area.name}"


def _representative(spec: BusinessSpec, ward: Any) -> Any:
    username = representative_username(spec)
    user = accounts.user_by_username(username)
    if user is None:
        # Without a password, like the scenarios' officials: only the demo login is published.
        user = create_user(username=username, password=None, role=Role.BUSINESS_REPRESENTATIVE, unit=ward)
    return user


def _replay_plan(registered: Any, story: PlanStory, representative: Any) -> None:
    # Drafted within the hour before it is submitted; submitting is what the regime in force must allow.
    plan = services.draft_plan(
        by=representative,
        business=registered,
        mode=story.mode,
        people_on_site=story.people_on_site,
        shifts=story.shifts,
        measures=story.measures,
        responsible_person=story.responsible_person,
        clock=at(story.submitted_at.replace(minute=0)),
    )
    plan = services.submit_plan(by=representative, plan=plan, clock=at(story.submitted_at))
    if story.outcome is None or story.decided_at is None:
        return
    approving = plan.approving_unit
    role = Role.WARD_OFFICER if approving.level == "ward" else Role.DISTRICT_OFFICER
    approver = official(role, approving.code)
    if story.outcome == "approve":
        services.approve_plan(
            by=approver,
            plan=plan,
            conditions=story.text,
            valid_from=story.valid_from,
            valid_until=story.valid_until,
            clock=at(story.decided_at),
        )
    else:
        services.return_plan(by=approver, plan=plan, reason=story.text, clock=at(story.decided_at))


def _plan_line(found: Any) -> str:
    plan = business.latest_plan(found)
    if plan is None:
        return "no plan"
    verb = "awaiting" if plan.status == plan.Status.SUBMITTED else "decided by"
    return f"plan {plan.status}, {verb} {plan.approving_unit.full_name}"
