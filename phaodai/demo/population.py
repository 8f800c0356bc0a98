"""Pure generation of households and their members: names, ages, sex, CCCDs, phones, priority flags."""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from phaodai.demo import names
from phaodai.demo.areas import WardRef, area_street, household_address

# Ages are as of the day Directive 20/CT-UBND zoned the city (06/9/2021), the demo's "today".
REFERENCE_DATE = date(2021, 9, 6)

# Việt Nam's 2021 age pyramid: (lowest age, highest age, share of the population in per cent,
# share of males in the band); boys outnumber girls at birth, women outlive men.
AGE_BANDS: tuple[tuple[int, int, float, float], ...] = (
    (0, 4, 7.9, 0.525), (5, 9, 8.3, 0.525), (10, 14, 7.5, 0.52), (15, 19, 6.6, 0.515),
    (20, 24, 6.9, 0.505), (25, 29, 7.9, 0.50), (30, 34, 8.3, 0.50), (35, 39, 7.8, 0.50),
    (40, 44, 7.2, 0.495), (45, 49, 6.6, 0.49), (50, 54, 6.1, 0.48), (55, 59, 5.4, 0.47),
    (60, 64, 4.5, 0.46), (65, 69, 3.3, 0.44), (70, 74, 2.1, 0.42), (75, 79, 1.4, 0.40),
    (80, 84, 1.0, 0.37), (85, 89, 0.6, 0.33), (90, 99, 0.4, 0.30),
)  # fmt: skip
_BAND_CUMULATIVE = list(accumulate(band[2] for band in AGE_BANDS))
ADULT_AGE = 20

# Household sizes (2019 census, mean about 3.6 persons).
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_SIZE_WEIGHTS = (9, 18, 22, 27, 13, 7, 4)

# Most residents were registered in Hà Nội; the rest came from the provinces around it.
HANOI_PROVINCE = "001"
HANOI_BORN_SHARE = 0.78
OTHER_PROVINCES = ("036", "034", "038", "040", "030", "033", "027", "035", "037", "025", "026", "017",
                   "024", "042", "019", "022", "031", "079")  # fmt: skip

# Mobile prefixes weighted roughly by carrier share (Viettel, Vinaphone, MobiFone, then the small ones).
PHONE_PREFIXES = (
    ("086", 4), ("096", 6), ("097", 7), ("098", 7), ("032", 3), ("033", 3), ("034", 3), ("035", 3),
    ("036", 3), ("037", 3), ("038", 3), ("039", 3), ("088", 3), ("091", 5), ("094", 4), ("081", 1),
    ("082", 1), ("083", 1), ("084", 1), ("085", 1), ("089", 2), ("090", 4), ("093", 4), ("070", 1),
    ("076", 1), ("077", 1), ("078", 1), ("079", 1), ("092", 1), ("056", 1), ("058", 1), ("099", 1),
    ("059", 1), ("087", 1),
)  # fmt: skip
_PREFIXES = [prefix for prefix, _weight in PHONE_PREFIXES]
_PREFIX_CUMULATIVE = list(accumulate(weight for _prefix, weight in PHONE_PREFIXES))
_FAMILY = [name for name, _share in names.FAMILY_NAMES]
_FAMILY_CUMULATIVE = list(accumulate(share for _name, share in names.FAMILY_NAMES))

# Priority groups (S19): shares of the age and sex groups that carry each flag.
CHRONIC_ILLNESS_50_PLUS = 0.10
IMMOBILE_70_PLUS = 0.015
PREGNANT_WOMEN_20_40 = 0.05

# Where people live: the showcase districts hold most of them, a couple of areas per other ward the rest.
SHOWCASE_DISTRICTS = ("004", "001", "268")
FOCUS_WARDS = frozenset({"00139", "00133", "00001", "09542"})  # Bồ Đề, Ngọc Lâm, Phúc Xá, Văn Quán
FOCUS_WEIGHT = 4.0
SHOWCASE_SHARE = 0.7
SAMPLED_AREAS_PER_OTHER_WARD = 2


@dataclass(frozen=True)
class AreaSlot:
    """An existing area that households can be placed in."""

    code: str
    kind: str
    name: str
    population: int
    ward: WardRef


@dataclass(frozen=True)
class PersonPlan:
    """One generated resident; the personal fields of people.rules.PersonRow."""

    cccd: str
    full_name: str
    birth_date: date
    sex: str
    phone: str
    chronic_illness: bool
    disability_immobile: bool
    pregnant: bool


@dataclass(frozen=True)
class HouseholdPlan:
    """One generated household: its area, code, address and members (head first)."""

    area_code: str
    code: str
    address: str
    members: tuple[PersonPlan, ...]


@dataclass
class _Member:
    age: int
    sex: str
    family: str = ""


class _Registry:
    """Draws the identity details of one person at a time, keeping CCCDs unique within the run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.cccds: set[str] = set()

    def age_and_sex(self) -> tuple[int, str]:
        low, high, _share, male = AGE_BANDS[self._band()]
        return self.rng.randint(low, high), "M" if self.rng.random() < male else "F"

    def adult_age(self) -> int:
        band = self._band()
        while AGE_BANDS[band][0] < ADULT_AGE:
            band = self._band()
        return self.rng.randint(AGE_BANDS[band][0], AGE_BANDS[band][1])

    def _band(self) -> int:
        return self.rng.choices(range(len(AGE_BANDS)), cum_weights=_BAND_CUMULATIVE)[0]

    def family_name(self) -> str:
        return self.rng.choices(_FAMILY, cum_weights=_FAMILY_CUMULATIVE)[0]

    def birth_date(self, age: int) -> date:
        return REFERENCE_DATE - timedelta(days=age * 365 + self.rng.randint(1, 364) + age // 4)

    def full_name(self, family: str, sex: str, birth_year: int) -> str:
        # Văn/Thị are the norm for those born before 1970 and a minority for those born after 2000.
        traditional = 0.7 if birth_year < 1970 else (0.4 if birth_year < 2000 else 0.12)
        if self.rng.random() < traditional:
            middle = names.TRADITIONAL_MIDDLE[sex]
        else:
            middle = self.rng.choice(names.MIDDLE_NAMES[sex])
        younger = self.rng.random() < (0.15 if birth_year < 1975 else 0.85)
        given = self.rng.choice((names.GIVEN_NAMES_YOUNGER if younger else names.GIVEN_NAMES_OLDER)[sex])
        if given == middle:
            middle = names.TRADITIONAL_MIDDLE[sex]
        return f"{family} {middle} {given}"

    def cccd(self, birth: date, sex: str) -> str:
        """PPP province, century-and-sex digit, two-digit birth year, six-digit serial (core.identity)."""
        province = (
            HANOI_PROVINCE if self.rng.random() < HANOI_BORN_SHARE else self.rng.choice(OTHER_PROVINCES)
        )
        century = 2 * ((birth.year - 1900) // 100) + (0 if sex == "M" else 1)
        while True:
            number = f"{province}{century}{birth.year % 100:02d}{self.rng.randrange(1_000_000):06d}"
            if number not in self.cccds:
                self.cccds.add(number)
                return number

    def phone(self, age: int) -> str:
        # Children have no phone of their own; most of the very old share the family's.
        if age < 15 or self.rng.random() > (0.95 if age < 70 else 0.6):
            return ""
        prefix = self.rng.choices(_PREFIXES, cum_weights=_PREFIX_CUMULATIVE)[0]
        return f"{prefix}{self.rng.randrange(10_000_000):07d}"

    def person(self, member: _Member) -> PersonPlan:
        birth = self.birth_date(member.age)
        rng = self.rng
        return PersonPlan(
            cccd=self.cccd(birth, member.sex),
            full_name=self.full_name(member.family, member.sex, birth.year),
            birth_date=birth,
            sex=member.sex,
            phone=self.phone(member.age),
            chronic_illness=member.age >= 50 and rng.random() < CHRONIC_ILLNESS_50_PLUS,
            disability_immobile=member.age >= 70 and rng.random() < IMMOBILE_70_PLUS,
            pregnant=member.sex == "F" and 20 <= member.age <= 40 and rng.random() < PREGNANT_WOMEN_20_40,
        )


def _family_members(registry: _Registry, size: int) -> list[_Member]:
    """Ages drawn from the pyramid (so the whole keeps its shape), then family names by relationship."""
    members = [_Member(*registry.age_and_sex()) for _ in range(size)]
    members.sort(key=lambda m: -m.age)
    adults = [m for m in members if m.age >= ADULT_AGE]
    if not adults:
        members[0].age = registry.adult_age()
        adults = [members[0]]
    head = next((m for m in adults if m.age <= 75), adults[0])
    head.family = registry.family_name()
    spouse: _Member | None = None
    for member in members:
        if member is head:
            continue
        gap = member.age - head.age
        if spouse is None and abs(gap) <= 15 and member.sex != head.sex:
            # A wife keeps her own family name; children take their father's.
            spouse, member.family = member, registry.family_name()
        elif gap >= 15 and member.sex == "F":
            member.family = registry.family_name()
        else:
            father = spouse if spouse is not None and spouse.sex == "M" and gap < -15 else head
            member.family = father.family
    return [head, *(m for m in members if m is not head)]


def _area_picker(
    areas: Sequence[AreaSlot], seed: int
) -> tuple[list[AreaSlot], list[float], list[AreaSlot], list[float]]:
    """Cumulative weights over showcase areas and over a small sample of every other ward's areas."""
    showcase: list[AreaSlot] = []
    others_by_ward: dict[str, list[AreaSlot]] = {}
    for area in sorted(areas, key=lambda a: a.code):
        if area.ward.district_code in SHOWCASE_DISTRICTS:
            showcase.append(area)
        else:
            others_by_ward.setdefault(area.ward.code, []).append(area)
    others: list[AreaSlot] = []
    for ward_code, ward_areas in sorted(others_by_ward.items()):
        rng = random.Random(f"{seed}:sample:{ward_code}")
        others.extend(rng.sample(ward_areas, min(SAMPLED_AREAS_PER_OTHER_WARD, len(ward_areas))))
    weights = [a.population * (FOCUS_WEIGHT if a.ward.code in FOCUS_WARDS else 1.0) for a in showcase]
    return showcase, list(accumulate(weights)), others, list(accumulate(a.population for a in others))


def plan_households(*, seed: int, areas: Sequence[AreaSlot], persons: int) -> Iterator[HouseholdPlan]:
    """Households holding exactly `persons` people; a smaller count yields a prefix of a larger one."""
    rng = random.Random(f"{seed}:people")
    registry = _Registry(rng)
    showcase, showcase_cumulative, others, others_cumulative = _area_picker(areas, seed)
    if not showcase and not others:
        return
    per_area: dict[str, int] = {}
    streets: dict[str, str] = {}
    remaining = persons
    while remaining > 0:
        use_showcase = bool(showcase) and (not others or rng.random() < SHOWCASE_SHARE)
        pool, cumulative = (showcase, showcase_cumulative) if use_showcase else (others, others_cumulative)
        area = rng.choices(pool, cum_weights=cumulative)[0]
        size = min(remaining, rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_SIZE_WEIGHTS)[0])
        members = tuple(registry.person(m) for m in _family_members(registry, size))
        if area.code not in streets:
            streets[area.code] = area_street(seed, area.code, area.ward)
        per_area[area.code] = per_area.get(area.code, 0) + 1
        yield HouseholdPlan(
            area_code=area.code,
            code=f"{area.code}-H{per_area[area.code]:03d}",
            address=household_address(rng, kind=area.kind, area_name=area.name, street=streets[area.code]),
            members=members,
        )
        remaining -= size
