"""The demo's epidemic of September 2021 (S16, S17, S36): four outbreaks in Long Biên and Hà Đông, traced,
isolated, followed day by day and released, through the real services (toolkit: cases_outbreak.py).

It is written to agree with Long Biên's zoning story (scenarios.py), whose figures the wards entered on
06/9 at 18:00: the first area of Bồ Đề is locked down (its KV1), the area where Bồ Đề counted a
community case of unknown source gets that case, the one with a case of known source gets an F1 of the
lockdown's cluster who tested positive before she could be isolated; no other area of Bồ Đề has a
community case before the classification, and the district raised the market to KV1 because its
vendors were F1 still waiting for their tests. Other wards' first cases come after the classification.
The persons are residents the people phase registered; names of places come from the areas.

- **Chung cư HH1** (the locked-down area of Bồ Đề, from 04/9): the index case's household, neighbours,
  colleagues and market vendors are F1; F1 go to Hà Đông's Phenikaa dormitory (the city places them:
  Long Biên's own sites open on 06/9); a vendor not reached tests positive on 06/9, so her household
  moves from F2 to F1; a neighbour tests positive in quarantine, a housemate of hers by the lockdown's
  screening.
  The lockdown runs 04/9–18/9.
- **Khu đô thị mới** (Bồ Đề, 06/9): a case of unknown source; household and colleagues to Long Biên's
  sites; one colleague's household, isolated at home, stops answering on 19/9: lost to follow-up.
- **Khu công nghiệp** (Sài Đồng, 13/9): screening at the industrial zone finds a worker; co-workers
  from five wards go to the Long Biên school site; one tests positive there on 16/9.
- **Văn Quán** (Hà Đông, 10/9): a household and colleagues, F1 admitted to the Đại Nam dormitory.

Delays to isolation are chosen so the 24-hour KPI is neither perfect nor empty. Each outbreak starts
with its index case, sent with an idempotency key: sent again, it comes back as known, and the outbreak
is not replayed (a rerun adds nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.cases import lockdowns, recording
from phaodai.cases.isolation_selectors import open_order_of
from phaodai.demo.cases_outbreak import Cast, Link, Outbreak, Tally, moment
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, CITY, LONG_BIEN, OBSERVED, at, official
from phaodai.people import selectors as people
from phaodai.quarantine import selectors as quarantine
from phaodai.quarantine import services as quarantine_services
from phaodai.territory import selectors as territory
from phaodai.zoning.indicators import entered_values

HA_DONG = "268"
NGOC_LAM, GIA_THUY, SAI_DONG, THACH_BAN, PHUC_DONG, VIET_HUNG = (
    "00133", "00130", "00142", "00148", "00151", "00127",
)  # fmt: skip
VAN_QUAN, MO_LAO, PHUC_LA = "09542", "09541", "09553"
YEN_NGHIA = "09562"  # where the Phenikaa dormitory stands (quarantine_seed)

PHENIKAA = "Ký túc xá Trường Đại học Phenikaa"
DAI_NAM = "Ký túc xá Trường Đại học Đại Nam"
LB_SITE = "Khu cách ly tập trung quận Long Biên số 1 (demo)"
LB_SCHOOL = "Trường THCS Long Biên (demo)"
# F0 without symptoms were treated at district sites (cơ sở thu dung), not at home, in September 2021.
TREATMENT = "Cơ sở thu dung, điều trị F0 quận Long Biên (demo)"

# The follow-ups reach this day: open the worklists and the lost-to-follow-up list of 20/09/2021.
LAST_DAY = date(2021, 9, 20)
# Below this many residents in a district its outbreaks are not told: a few hundred people carry no
# epidemic (and small runs keep the registry exactly the people phase's plan). Above it, an area short
# of people borrows them from around it (cases_outbreak.Cast). The default demo has thousands in each.
ENOUGH_RESIDENTS = {LONG_BIEN: 1000, HA_DONG: 300}


def day(n: int) -> date:
    return date(2021, 9, n)


def sept(n: int, hour: int, minute: int = 0) -> Any:
    return moment(day(n), hour, minute)


@dataclass(frozen=True)
class Scene:
    """Where the outbreaks happen and the facilities they use."""

    lockdown_area: Any  # the first area of Bồ Đề: in lockdown on 06/9 (scenarios.py)
    market: Any
    known_area: Any  # Bồ Đề's area with a community case of known source on 06/9
    unknown_area: Any  # …and with one of unknown source
    quiet_area: Any  # …and one where nobody falls ill
    industrial_zone: Any
    phenikaa: Any
    dai_nam: Any
    lb_site: Any
    lb_school: Any
    treatment: Any

    def area_of(self, ward_code: str) -> Any:
        """A ward's first area (the cast falls back around it)."""
        ward = territory.unit_by_code(ward_code)
        area = territory.areas_of(ward).order_by("code").first() if ward else None
        if area is None:
            raise LookupError(f"ward {ward_code} has no areas: run the areas phase first")
        return area


def health(ward_code: str) -> Any:
    """The ward's health worker: traces and follows the ward's residents (health-00139 is a demo login)."""
    return official(Role.HEALTH_WORKER, ward_code)


def ward_of(person: Any) -> str:
    return str(person.unit_path.strip("/").split("/")[-1])


# Outbreak 1: Chung cư HH1, Bồ Đề ---------------------------------------------------------------------


def hh1(o: Outbreak, cast: Cast, s: Scene) -> bool:
    """Chung cư HH1 (Bồ Đề), 04/9: locked down to 18/9; an F1 turns positive, her household moves up."""
    city, bd, nl = official(Role.CITY_COMMANDER, CITY), health(BO_DE), health(NGOC_LAM)
    ha_dong = official(Role.DISTRICT_OFFICER, HA_DONG)
    index, *index_family = cast.household(s.lockdown_area, 3)
    neighbour, housemate, *neighbour_family = cast.household(s.lockdown_area, 3)
    flat_neighbours = cast.adults(s.lockdown_area, 2)
    colleague_bd, colleague_bd_family = cast.worker_with_family(s.known_area)
    colleague_nl, colleague_nl_family = cast.worker_with_family(s.area_of(NGOC_LAM))
    vendor, *vendor_family = cast.household(s.known_area, 3)
    vendor_nl, vendor_nl_family = cast.worker_with_family(s.area_of(NGOC_LAM))
    customers = cast.adults(s.known_area, 2)
    market = s.market.name if s.market else "chợ"

    a1, created = o.case("hh1-1", index, sept(4, 8, 30), by=bd, source_known=False)
    if not created:
        return False
    o.contacts(
        index,
        sept(4, 10, 30),
        by=bd,
        links=[
            *(Link(p, day(4), "household") for p in index_family),
            *(
                Link(p, day(3), "neighbour", "Cùng tầng, đi chung thang máy")
                for p in [neighbour, *flat_neighbours]
            ),
            *(Link(p, day(3), "workplace", "Cùng văn phòng") for p in [colleague_bd, colleague_nl]),
            *(Link(p, day(2), "market", f"Bán hàng tại {market}") for p in [vendor, vendor_nl]),
        ],
    )
    hanh = o.unregistered_contact(
        index,
        sept(4, 11),
        by=bd,
        name="Đỗ Thị Hạnh",
        phone="0983412765",
        area=s.known_area,
        link_day=day(2),
        note=f"Bán rau tại {market}; chưa có CCCD trong hồ sơ",
    )
    o.isolate("hh1-a1", index, sept(4, 11), by=bd, setting="hospital")
    # Known only by name and phone, and reached only by phone: isolated at home while the ward finds her.
    hanh_order = o.isolate("hh1-hanh", hanh, sept(4, 16), by=bd, setting="home")
    lockdown, declared = lockdowns.declare_lockdown(
        by=official(Role.WARD_OFFICER, BO_DE),
        area=s.lockdown_area,
        scope="area",
        reason=f"Ổ dịch tại {s.lockdown_area.name}: ca bệnh chưa rõ nguồn lây, nhiều F1 cùng tòa nhà.",
        decision_number="312/QĐ-UBND",
        starts_at=sept(4, 18),
        planned_end_at=sept(18, 18),
        cluster=a1.cluster,
        people_inside=s.lockdown_area.population,
        checkpoints=["Sảnh chính tòa nhà", "Cửa hầm để xe", "Lối thoát hiểm phía sau"],
        clock=at(sept(4, 17)),
    )
    o.tally.lockdowns += int(declared)
    # The city places Long Biên's first F1 at Phenikaa the same evening (the district's sites open on 06/9).
    for n, person in enumerate(index_family):
        o.isolate(
            f"hh1-family-{n}",
            person,
            sept(4, 21),
            by=city,
            setting="facility",
            facility=s.phenikaa,
            room_kind="family",
        )
    for n, person in enumerate([neighbour, *flat_neighbours]):
        o.isolate(f"hh1-neighbour-{n}", person, sept(4, 21), by=city, setting="facility", facility=s.phenikaa)

    # 05/9: the F1's own contacts are F2, isolated at home; the colleagues and a vendor go a day late.
    o.contacts(vendor, sept(5, 9, 30), by=bd, links=[Link(p, day(5), "household") for p in vendor_family])
    o.contacts(
        neighbour,
        sept(5, 9, 35),
        by=bd,
        links=[Link(p, day(4), "household") for p in [housemate, *neighbour_family]],
    )
    o.contacts(
        colleague_bd, sept(5, 9, 40), by=bd, links=[Link(p, day(4), "household") for p in colleague_bd_family]
    )
    o.contacts(
        colleague_nl, sept(5, 9, 45), by=nl, links=[Link(p, day(4), "household") for p in colleague_nl_family]
    )
    o.contacts(
        vendor_nl, sept(5, 9, 50), by=nl, links=[Link(p, day(4), "household") for p in vendor_nl_family]
    )
    late = [
        o.isolate(f"hh1-late-{n}", person, start, by=city, setting="facility", facility=s.phenikaa)
        for n, (person, start) in enumerate(
            [(colleague_bd, sept(5, 10)), (colleague_nl, sept(5, 10)), (vendor_nl, sept(5, 11))]
        )
    ]
    at_home: dict[str, list[tuple[Any, Any]]] = {}
    for group, members, officer in [
        ("vendor", vendor_family, bd),
        ("neighbour", [housemate, *neighbour_family], bd),
        ("colleague", colleague_bd_family, bd),
        ("colleague-nl", colleague_nl_family, nl),
        ("vendor-nl", vendor_nl_family, nl),
    ]:
        at_home[group] = [
            (person, o.isolate(f"hh1-home-{group}-{n}", person, sept(5, 15), by=officer, setting="home"))
            for n, person in enumerate(members)
        ]
        for _person, order in at_home[group]:
            o.follow(order, by=officer, first=day(5), last=day(6 if group == "vendor" else 7))

    # 06/9: the vendor nobody had reached tests positive; her household moves up from F2 to F1.
    o.case(
        "hh1-2", vendor, sept(6, 7, 30), by=bd, source_note="F1 của ổ dịch; chưa liên lạc được để cách ly."
    )
    o.isolate("hh1-a2", vendor, sept(6, 9), by=bd, setting="hospital")
    o.contacts(
        vendor,
        sept(6, 10),
        by=bd,
        links=[Link(p, day(5), "market", f"Mua hàng tại {market}") for p in customers],
    )
    for n, (person, order) in enumerate(at_home["vendor"]):
        o.release(
            order, sept(6, 13), by=bd, reason="Người nhà dương tính: trở thành F1, chuyển cách ly tập trung."
        )
        o.isolate(f"hh1-vendor-f1-{n}", person, sept(6, 14), by=bd, setting="facility", facility=s.lb_site)
    for n, person in enumerate(customers):
        o.isolate(f"hh1-customer-{n}", person, sept(7, 9), by=bd, setting="facility", facility=s.lb_site)

    # 07/9: the neighbour tests positive at Phenikaa: found in Hà Đông, treated in Long Biên.
    o.case(
        "hh1-3",
        neighbour,
        sept(7, 10),
        by=ha_dong,
        detected_in="quarantine",
        severity="asymptomatic",
        care="facility",
        detected_unit=territory.unit_by_code(YEN_NGHIA),
    )
    o.discharge_positive(neighbour, sept(7, 11), by=ha_dong, note="Chuyển cơ sở thu dung quận Long Biên.")
    o.release(
        open_order_of(neighbour), sept(7, 11, 30), by=bd, reason="Dương tính SARS-CoV-2 tại khu cách ly."
    )
    o.isolate("hh1-a3", neighbour, sept(7, 13), by=bd, setting="facility", facility=s.treatment)

    # 08/9: the lockdown's screening finds her housemate; the rest of the household becomes his F1.
    o.case(
        "hh1-4",
        housemate,
        sept(8, 9),
        by=bd,
        detected_in="lockdown",
        severity="asymptomatic",
        care="facility",
    )
    o.contacts(housemate, sept(8, 10), by=bd, links=[Link(p, day(8), "household") for p in neighbour_family])
    for person, order in at_home["neighbour"]:
        positive = person is housemate
        reason = (
            "Dương tính SARS-CoV-2 (sàng lọc khu phong tỏa)."
            if positive
            else "Người nhà dương tính: trở thành F1."
        )
        o.release(order, sept(8, 11), by=bd, reason=reason)
    o.isolate("hh1-a4", housemate, sept(8, 12), by=bd, setting="facility", facility=s.treatment)
    for n, person in enumerate(neighbour_family):
        o.isolate(f"hh1-housemate-f1-{n}", person, sept(8, 14), by=bd, setting="facility", facility=s.lb_site)

    # Home isolation: 7 days, then 7 days monitored, then the certificate.
    for group in ("colleague", "colleague-nl", "vendor-nl"):
        officer = nl if group.endswith("nl") else bd
        for n, (_person, order) in enumerate(at_home[group]):
            unwell = {day(9): (["cough", "sore_throat"], "37.4")} if group == "colleague" and n == 0 else None
            o.follow(order, by=officer, first=day(8), last=day(12), symptoms=unwell)
            o.to_monitoring(order, sept(12, 17), by=officer)
            o.follow(order, by=officer, first=day(13), last=day(19))
            o.release(order, sept(19, 16), by=officer)
    o.follow(hanh_order, by=bd, first=day(5), last=day(18))
    o.to_monitoring(hanh_order, sept(18, 17), by=bd)
    o.follow(hanh_order, by=bd, first=day(19), last=LAST_DAY)

    # 17–20/9: the index case recovers; the lockdown is lifted at its planned end; F1 go home, monitored.
    o.recovered(a1, sept(17, 10), by=bd)
    a1_order = o.to_monitoring(open_order_of(index), sept(18, 11, 30), by=bd)
    o.follow(a1_order, by=bd, first=day(18), last=LAST_DAY)
    lockdowns.lift(
        by=official(Role.WARD_OFFICER, BO_DE),
        lockdown=lockdown,
        ended_at=sept(18, 18),
        clock=at(sept(18, 18, 5)),
    )
    for person in [*index_family, *flat_neighbours]:
        order = o.to_monitoring(open_order_of(person), sept(18, 21, 30), by=city)
        o.follow(order, by=bd, first=day(19), last=LAST_DAY)
    for order in late:
        order = o.to_monitoring(order, sept(19, 12), by=city)
        o.follow(order, by=health(ward_of(order.person)), first=LAST_DAY, last=LAST_DAY)
    for person in vendor_family:
        order = o.to_monitoring(open_order_of(person), sept(20, 15), by=bd)
        o.follow(order, by=bd, first=LAST_DAY, last=LAST_DAY, hour=17)
    return True


# Outbreak 2: Khu đô thị mới, Bồ Đề -------------------------------------------------------------------


def new_town(o: Outbreak, cast: Cast, s: Scene) -> bool:
    """Khu đô thị mới (Bồ Đề), 06/9: a case of unknown source; one household lost to follow-up."""
    bd = health(BO_DE)
    index, *family = cast.household(s.unknown_area, 3)
    colleagues = [
        cast.worker_with_family(s.quiet_area),
        cast.worker_with_family(s.area_of(PHUC_DONG)),
        cast.worker_with_family(s.area_of(GIA_THUY)),
    ]
    _b1, created = o.case("new-town-1", index, sept(6, 9, 45), by=bd, source_known=False, severity="moderate")
    if not created:
        return False
    o.isolate("new-town-b1", index, sept(6, 11), by=bd, setting="hospital")
    o.contacts(
        index,
        sept(6, 12),
        by=bd,
        links=[
            *(Link(p, day(6), "household") for p in family),
            *(Link(p, day(5), "workplace", "Cùng phòng làm việc") for p, _family in colleagues),
        ],
    )
    for n, person in enumerate(family):
        o.isolate(f"new-town-family-{n}", person, sept(6, 15), by=bd, setting="facility", facility=s.lb_site)
    # Within 24 hours of the confirmation for two of the colleagues, 27 hours for the third.
    for n, ((person, _family), start) in enumerate(
        zip(colleagues, [sept(7, 8), sept(7, 8, 30), sept(7, 13)], strict=True)
    ):
        officer = health(ward_of(person))
        o.isolate(
            f"new-town-colleague-{n}", person, start, by=officer, setting="facility", facility=s.lb_school
        )
    at_home = []
    for n, (person, members) in enumerate(colleagues):
        officer = health(ward_of(person))
        o.contacts(person, sept(7, 10), by=officer, links=[Link(p, day(6), "household") for p in members])
        for m, member in enumerate(members):
            order = o.isolate(f"new-town-home-{n}-{m}", member, sept(7, 15), by=officer, setting="home")
            at_home.append((n, m, order, officer))
    for n, m, order, officer in at_home:
        # The Bồ Đề colleague's household answers no more from 19/9: lost to follow-up on 20/9.
        lost = (n, m) == (0, 0)
        unwell = {day(11): (["fever", "cough"], "37.8")} if (n, m) == (1, 0) else None
        o.follow(order, by=officer, first=day(7), last=day(14), symptoms=unwell)
        o.to_monitoring(order, sept(14, 17), by=officer)
        o.follow(
            order, by=officer, first=day(15), last=LAST_DAY, unreachable=[day(19), day(20)] if lost else ()
        )
    for person in family:
        order = o.to_monitoring(open_order_of(person), sept(20, 16), by=bd)
        o.follow(order, by=bd, first=LAST_DAY, last=LAST_DAY, hour=17)
    return True


# Outbreak 3: the industrial zone, Sài Đồng -----------------------------------------------------------


def industrial_zone(o: Outbreak, cast: Cast, s: Scene) -> bool:
    """Industrial zone (Sài Đồng), 13/9: screening finds a worker; a co-worker positive in quarantine."""
    district = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    index, *family = cast.household(s.area_of(SAI_DONG), 2)
    with_families = [cast.worker_with_family(s.area_of(code)) for code in (THACH_BAN, VIET_HUNG, SAI_DONG)]
    others = [
        p
        for code in (SAI_DONG, THACH_BAN, PHUC_DONG, VIET_HUNG, NGOC_LAM)
        for p in cast.adults(s.area_of(code), 1)
    ]
    co_workers = [person for person, _family in with_families] + others
    zone = s.industrial_zone.name if s.industrial_zone else "khu công nghiệp"
    _c1, created = o.case(
        "zone-1",
        index,
        sept(13, 8),
        by=district,
        detected_in="screening",
        source_known=False,
        severity="asymptomatic",
        care="facility",
        source_note=f"Xét nghiệm sàng lọc định kỳ người lao động tại {zone}.",
    )
    if not created:
        return False
    o.isolate("zone-c1", index, sept(13, 9, 30), by=district, setting="facility", facility=s.treatment)
    o.contacts(
        index,
        sept(13, 10),
        by=district,
        links=[
            *(Link(p, day(13), "household") for p in family),
            *(
                Link(p, day(11 + n % 3), "workplace", f"Cùng dây chuyền tại {zone}")
                for n, p in enumerate(co_workers)
            ),
        ],
    )
    # Ten hours for most; the last two, reached the next morning, 26 hours.
    for n, person in enumerate([*family, *co_workers]):
        start = sept(14, 10, 30) if n >= len(family) + len(co_workers) - 2 else sept(13, 18)
        o.isolate(f"zone-f1-{n}", person, start, by=district, setting="facility", facility=s.lb_school)
    at_home = []
    for n, (person, members) in enumerate(with_families):
        o.contacts(person, sept(14, 9), by=district, links=[Link(p, day(13), "household") for p in members])
        for m, member in enumerate(members):
            officer = health(ward_of(member))
            at_home.append(
                (o.isolate(f"zone-home-{n}-{m}", member, sept(14, 14), by=officer, setting="home"), officer)
            )
    for order, officer in at_home:
        o.follow(order, by=officer, first=day(14), last=LAST_DAY)

    # 16/9: a co-worker tests positive at the school site (in Bồ Đề), three days into his quarantine.
    positive = others[1]
    o.case(
        "zone-2",
        positive,
        sept(16, 7),
        by=district,
        detected_in="quarantine",
        detected_unit=territory.unit_by_code(BO_DE),
        source_note="F1 của ổ dịch, đang cách ly tập trung.",
    )
    o.discharge_positive(positive, sept(16, 8), by=district, note="Chuyển bệnh viện.")
    o.release(
        open_order_of(positive), sept(16, 8, 30), by=district, reason="Dương tính SARS-CoV-2 tại khu cách ly."
    )
    o.isolate("zone-c2", positive, sept(16, 9), by=district, setting="hospital")
    return True


# Outbreak 4: Văn Quán, Hà Đông -----------------------------------------------------------------------


def van_quan(o: Outbreak, cast: Cast, s: Scene) -> bool:
    """Văn Quán (Hà Đông), 10/9: a household and colleagues, F1 at the Đại Nam dormitory (S17)."""
    district, vq = official(Role.DISTRICT_OFFICER, HA_DONG), health(VAN_QUAN)
    index, *family = cast.household(s.area_of(VAN_QUAN), 3)
    colleagues = [cast.worker_with_family(s.area_of(code)) for code in (VAN_QUAN, MO_LAO, PHUC_LA)]
    _d1, created = o.case(
        "van-quan-1", index, sept(10, 7, 45), by=vq, source_known=False, severity="moderate"
    )
    if not created:
        return False
    o.isolate("van-quan-d1", index, sept(10, 9), by=vq, setting="hospital")
    o.contacts(
        index,
        sept(10, 10),
        by=vq,
        links=[
            *(Link(p, day(10), "household") for p in family),
            *(Link(p, day(9), "workplace", "Cùng cơ quan") for p, _members in colleagues),
        ],
    )
    for n, person in enumerate([*family, *(p for p, _members in colleagues)]):
        o.isolate(
            f"van-quan-f1-{n}", person, sept(10, 16), by=district, setting="facility", facility=s.dai_nam
        )
    for n, (person, members) in enumerate(colleagues):
        officer = health(ward_of(person))
        o.contacts(person, sept(11, 9), by=officer, links=[Link(p, day(10), "household") for p in members])
        for m, member in enumerate(members):
            order = o.isolate(f"van-quan-home-{n}-{m}", member, sept(11, 14), by=officer, setting="home")
            o.follow(order, by=officer, first=day(11), last=day(18))
            o.to_monitoring(order, sept(18, 16), by=officer)
            o.follow(order, by=officer, first=day(19), last=LAST_DAY)
    return True


OUTBREAKS: tuple[tuple[str, Callable[[Outbreak, Cast, Scene], bool]], ...] = (
    (LONG_BIEN, hh1),
    (LONG_BIEN, new_town),
    (HA_DONG, van_quan),
    (LONG_BIEN, industrial_zone),
)


# Which wards keep their cases here (recording.py): Bồ Đề from 15/8, so that by 06/9 its 14-day counts
# come wholly from the cases kept here and its areas classify from them as they did from the figures it
# typed in; the other wards of the outbreaks from the day after the classification (their figures of
# 06/9 were typed in and stand until their own days cover each count).
RECORDING = (
    (LONG_BIEN, (BO_DE,), date(2021, 8, 15)),
    (LONG_BIEN, (NGOC_LAM, GIA_THUY, SAI_DONG, THACH_BAN, PHUC_DONG, VIET_HUNG), day(7)),
    (HA_DONG, (VAN_QUAN, MO_LAO, PHUC_LA), day(7)),
)


def _record_cases_here(ready: set[str]) -> None:
    """Switch recording on for the wards of the outbreaks told, as their ward (Bồ Đề) or district would."""
    for district, wards, since in RECORDING:
        if district not in ready:
            continue
        for code in wards:
            ward = territory.unit_by_code(code)
            if ward is None or recording.recordings_of_ward(ward) is not None:
                continue
            by = (
                official(Role.WARD_OFFICER, code)
                if code == BO_DE
                else official(Role.DISTRICT_OFFICER, district)
            )
            recording.start_recording(by=by, ward=ward, since=since, clock=at(moment(since, 7)))


# The scene and the phase -----------------------------------------------------------------------------


def _facility(district: str, name: str) -> Any:
    unit = territory.unit_by_code(district)
    found = quarantine.facility_by_name(unit, name) if unit else None
    if found is None:
        raise LookupError(f"facility {name!r} is missing: run the quarantine phase first")
    return found


def _treatment_site() -> Any:
    """Long Biên's site for F0 without symptoms, registered (once) on 05/9."""
    unit = territory.unit_by_code(LONG_BIEN)
    found = quarantine.facility_by_name(unit, TREATMENT)
    if found is not None:
        return found
    by, clock = official(Role.DISTRICT_OFFICER, LONG_BIEN), at(sept(5, 9))
    site = quarantine_services.register_facility(
        by=by,
        unit=unit,
        name=TREATMENT,
        name_en="Long Biên treatment site for F0 (demo)",
        address="Phường Phúc Đồng, quận Long Biên",
        kind="other",
        beds_male=40,
        beds_female=40,
        notes="Thu dung, điều trị người nhiễm không triệu chứng hoặc triệu chứng nhẹ (demo).",
        clock=clock,
    )
    return quarantine_services.set_readiness(by=by, facility=site, readiness="ready", clock=clock)


def _scene() -> Scene:
    """Bồ Đề's areas as the zoning story has them (the figures its ward entered for 06/9 18:00)."""
    ward = territory.unit_by_code(BO_DE)
    areas = list(territory.areas_of(ward).order_by("code")) if ward else []
    if not areas:
        raise LookupError("Bồ Đề has no areas: run the areas phase first")
    entered = entered_values([a.id for a in areas], OBSERVED)
    others = areas[1:] or areas

    def first(wanted: Callable[[dict[str, Any]], bool], kind: str) -> Any:
        found = next((a for a in others if wanted(entered.get(a.id, {}))), None)
        return found or next((a for a in others if a.kind == kind), others[0])

    known = first(
        lambda v: bool(v.get("community_cases_14d")) and not v.get("unknown_source_cases_14d"), "to_dan_pho"
    )
    unknown = first(lambda v: bool(v.get("unknown_source_cases_14d")), "khu_do_thi")
    zone_ward = territory.unit_by_code(SAI_DONG)
    zone = territory.areas_of(zone_ward).filter(kind="khu_cong_nghiep").first() if zone_ward else None
    return Scene(
        lockdown_area=areas[0],  # the scenario's "first area of Bồ Đề"
        market=next((a for a in areas if a.kind == "cho_dan_sinh"), None),
        known_area=known,
        unknown_area=unknown,
        quiet_area=next((a for a in reversed(others) if a not in (known, unknown)), others[-1]),
        industrial_zone=zone,
        phenikaa=_facility(HA_DONG, PHENIKAA),
        dai_nam=_facility(HA_DONG, DAI_NAM),
        lb_site=_facility(LONG_BIEN, LB_SITE),
        lb_school=_facility(LONG_BIEN, LB_SCHOOL),
        treatment=_treatment_site(),
    )


def _residents(district_code: str) -> int:
    district = territory.unit_by_code(district_code)
    if district is None:
        return 0
    reader = official(Role.CITY_COMMANDER, CITY)
    return (
        people.persons_visible_to(reader)
        .filter(unit_path__startswith=district.path, provisional=False)
        .count()
    )


def seed_cases(ctx: DemoContext) -> str:
    """The outbreaks of September 2021 that are not there yet; returns a one-line summary."""
    ready = {code for code, enough in ENOUGH_RESIDENTS.items() if _residents(code) >= enough}
    if LONG_BIEN not in ready:  # the scene is Bồ Đề's; Hà Đông's outbreak is told beside it
        return "skipped: too few residents in Long Biên (run the demo with more --persons)"
    _record_cases_here(ready)
    tally, scene = Tally(), _scene()
    cast = Cast(official(Role.CITY_COMMANDER, CITY))
    outbreak = Outbreak(tally, ctx.seed)
    told = skipped = 0
    for district, story in OUTBREAKS:
        if district not in ready:
            skipped += 1
            continue
        if story(outbreak, cast, scene):
            told += 1
            ctx.progress(f"cases: {story.__doc__.splitlines()[0] if story.__doc__ else story.__name__}")
    too_few = f"; {skipped} skipped for want of residents" if skipped else ""
    if not told:
        return f"nothing to add: the outbreaks of September 2021 are there{too_few}"
    return (
        f"{told} outbreaks: {tally.cases} cases in {len(tally.clusters)} clusters, "
        f"{tally.links} contact links, {tally.orders} isolation orders ({tally.in_facility} to facilities), "
        f"{tally.checks} follow-ups, {tally.releases} releases, {tally.lockdowns} lockdown{too_few}"
    )
