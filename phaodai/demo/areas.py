"""Pure generation of a ward's residential areas and of household addresses in them (S1)."""

import random
from dataclasses import dataclass

from phaodai.core.text import search_key
from phaodai.demo import placenames

# Area kinds, as the values of territory.models.Area.Kind (kept as strings so this module stays pure).
RESIDENTIAL_GROUP = "to_dan_pho"
INTER_FAMILY_CLUSTER = "khu_lien_gia"
APARTMENT_BUILDING = "chung_cu"
LOCAL_MARKET = "cho_dan_sinh"
INDUSTRIAL_PARK = "khu_cong_nghiep"
VILLAGE = "thon_xom"
URBAN_AREA = "khu_do_thi"

URBAN_WARD, TOWN, COMMUNE = "Phường", "Thị trấn", "Xã"
MIN_AREAS, MAX_AREAS = 10, 40

# Districts grown since the 2000s (many apartment blocks and urban areas) and the old core.
NEW_URBAN_DISTRICTS = frozenset({"003", "004", "005", "008", "009", "019", "021", "268"})
OLD_CORE_DISTRICTS = frozenset({"001", "002", "006", "007"})
# Suburban districts where communes already hold new urban areas (e.g. Gia Lâm, Đông Anh).
SUBURBAN_DISTRICTS = frozenset({"017", "018", "020", "274"})

# Residents per area: (low, high) by kind; villages depend on how finely the commune is divided.
POPULATION = {
    RESIDENTIAL_GROUP: (300, 1500),
    INTER_FAMILY_CLUSTER: (150, 600),
    APARTMENT_BUILDING: (300, 2500),
    LOCAL_MARKET: (40, 300),
    INDUSTRIAL_PARK: (200, 2000),
    URBAN_AREA: (1500, 6000),
}
THON_POPULATION = (300, 1300)
SMALL_THON_POPULATION = (150, 650)
XOM_POPULATION = (100, 500)


@dataclass(frozen=True)
class WardRef:
    """What generation needs to know about a ward."""

    code: str
    name: str
    unit_type: str
    district_code: str


@dataclass(frozen=True)
class AreaPlan:
    """One generated area; the fields of territory.rules.AreaRow."""

    local_code: str
    name: str
    kind: str
    population: int
    households: int


class _Namer:
    """Hands out local codes per prefix and refuses names already used in the ward."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.keys: set[str] = set()

    def taken(self, name: str) -> bool:
        return search_key(name) in self.keys

    def add(
        self, rng: random.Random, prefix: str, name: str, kind: str, sizes: tuple[int, int] | None = None
    ) -> AreaPlan:
        """Record a new area named `name`, with a population drawn from `sizes` (the kind's by default)."""
        low, high = sizes or POPULATION[kind]
        population = rng.randint(low // 10, high // 10) * 10
        self.keys.add(search_key(name))
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        # Apartments are smaller households; dormitories of industrial parks smaller still.
        per_household = 2.0 if kind == INDUSTRIAL_PARK else rng.uniform(3.0, 3.9)
        return AreaPlan(
            local_code=f"{prefix}{self.counters[prefix]:02d}",
            name=name,
            kind=kind,
            population=population,
            households=max(1, round(population / per_household)),
        )


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def plan_areas(seed: int, ward: WardRef) -> list[AreaPlan]:
    """The ward's areas: 10–40, of kinds fitting a Phường, Thị trấn or Xã; the same for the same seed."""
    rng = random.Random(f"{seed}:areas:{ward.code}")
    count = rng.randint(MIN_AREAS, MAX_AREAS)
    namer = _Namer()
    special = _special_areas(rng, ward, namer, limit=count // 2)
    rest = count - len(special)
    if ward.unit_type == URBAN_WARD:
        filler = _residential_groups(rng, namer, rest)
    elif ward.unit_type == TOWN:
        groups = rng.randint(rest // 3, rest - rest // 4)
        filler = _residential_groups(rng, namer, groups) + _villages(rng, ward, namer, rest - groups)
    else:
        filler = _villages(rng, ward, namer, rest)
    return filler + special


def _special_areas(rng: random.Random, ward: WardRef, namer: _Namer, *, limit: int) -> list[AreaPlan]:
    """Markets, industrial parks, urban areas, apartment blocks and clusters, at most `limit` of them."""
    key = (ward.district_code, ward.name)
    urban = ward.unit_type == URBAN_WARD
    new_urban = ward.district_code in NEW_URBAN_DISTRICTS
    plans: list[AreaPlan] = []

    markets = rng.choices((0, 1, 2), weights=(1, 6, 2) if urban else (3, 7, 0))[0]
    for index in range(markets):
        name = (
            f"Chợ {ward.name}" if index == 0 else f"Chợ {ward.name} {rng.choice(('mới', 'cũ', 'Bắc', 'Nam'))}"
        )
        if not namer.taken(name):
            plans.append(namer.add(rng, "CHO", name, LOCAL_MARKET))

    industrial = placenames.INDUSTRIAL_PARKS.get(key)
    if industrial is None and not urban and rng.random() < 0.12:
        industrial = f"Cụm công nghiệp {ward.name}"
    if industrial:
        plans.append(namer.add(rng, "KCN", industrial, INDUSTRIAL_PARK))

    for name in _urban_area_names(rng, ward, new_urban=new_urban):
        plans.append(namer.add(rng, "KDT", name, URBAN_AREA))

    for name in _apartment_names(rng, ward, new_urban=new_urban):
        if not namer.taken(name):
            plans.append(namer.add(rng, "CC", name, APARTMENT_BUILDING))

    # Long Biên organised its wards into inter-family clusters (khu liên gia) in 2021 (S1).
    clusters = (
        rng.randint(2, 6) if ward.district_code == "004" else rng.choices((0, 1, 2, 3), (5, 2, 2, 1))[0]
    )
    for index in range(1, (clusters if urban else 0) + 1):
        plans.append(namer.add(rng, "KLG", f"Khu liên gia số {index}", INTER_FAMILY_CLUSTER))
    return plans[:limit]


def _urban_area_names(rng: random.Random, ward: WardRef, *, new_urban: bool) -> list[str]:
    known = placenames.URBAN_AREAS.get((ward.district_code, ward.name))
    if ward.unit_type == URBAN_WARD:
        wanted = rng.choices((0, 1, 2), weights=(4, 4, 2) if new_urban else (9, 1, 0))[0]
    elif ward.district_code in SUBURBAN_DISTRICTS or ward.unit_type == TOWN:
        wanted = 1 if rng.random() < 0.2 else 0
    else:
        wanted = 0
    names = [known] if known else []
    candidates = [f"Khu đô thị mới {ward.name}", f"Khu nhà ở {ward.name}"]
    while len(names) < wanted:
        names.append(candidates.pop(0))
    return names


def _apartment_names(rng: random.Random, ward: WardRef, *, new_urban: bool) -> list[str]:
    """Apartment blocks, named after the ward or after its well-known urban area ("Chung cư CT1 Văn Quán")."""
    known = placenames.URBAN_AREAS.get((ward.district_code, ward.name))
    if ward.unit_type == COMMUNE:
        return []
    if ward.unit_type == TOWN:
        count = rng.randint(0, 1)
    elif new_urban:
        count = rng.randint(1, 6)
    elif ward.district_code in OLD_CORE_DISTRICTS:
        count = rng.randint(0, 4)
    else:
        count = rng.randint(0, 1)
    names = []
    for code in rng.sample(placenames.BUILDING_CODES, count):
        if ward.district_code in OLD_CORE_DISTRICTS and rng.random() < 0.5:
            names.append(f"Khu tập thể {ward.name} nhà {rng.choice(placenames.OLD_BLOCK_CODES)}")
        elif known and rng.random() < 0.5:
            names.append(f"Chung cư {code} {known.removeprefix('Khu đô thị ')}")
        else:
            names.append(f"Chung cư {code} {ward.name}")
    return names


def _residential_groups(rng: random.Random, namer: _Namer, count: int) -> list[AreaPlan]:
    return [
        namer.add(rng, "TDP", f"Tổ dân phố số {index}", RESIDENTIAL_GROUP) for index in range(1, count + 1)
    ]


def _villages(rng: random.Random, ward: WardRef, namer: _Namer, count: int) -> list[AreaPlan]:
    """Thôn and xóm, named the way the commune names them: by place, by number, or both."""
    style = rng.choices(("named", "numbered", "xom", "mixed"), weights=(5, 2, 2, 3))[0]
    thon_size = THON_POPULATION if count <= 20 else SMALL_THON_POPULATION
    plans: list[AreaPlan] = []
    named = count if style == "named" else (count // 2 if style == "mixed" else 0)
    pool = list(placenames.VILLAGE_NAMES[:7]) + rng.sample(placenames.VILLAGE_NAMES[7:], 30)
    for village in pool:
        if len(plans) >= named:
            break
        name = f"Thôn {village}"
        if not namer.taken(name):
            plans.append(namer.add(rng, "THON", name, VILLAGE, thon_size))
    number = 0
    while len(plans) < count:
        number += 1
        if style == "numbered":
            plans.append(namer.add(rng, "THON", f"Thôn {number}", VILLAGE, thon_size))
        else:
            plans.append(namer.add(rng, "XOM", f"Xóm {number}", VILLAGE, XOM_POPULATION))
    return plans


def area_street(seed: int, area_code: str, ward: WardRef) -> str:
    """The street a residential group lies on, with its kind: "phố Ngọc Lâm", "đường Nguyễn Văn Cừ"."""
    rng = random.Random(f"{seed}:street:{area_code}")
    local = placenames.DISTRICT_STREETS.get(ward.district_code)
    if local and rng.random() < 0.85:
        street = rng.choice(local)
    elif not ward.name[-1].isdigit() and rng.random() < 0.5:
        street = ward.name  # many wards share their name with their main street
    else:
        street = rng.choice(placenames.COMMON_STREETS)
    return f"{'đường' if street in placenames.ROADS else 'phố'} {street}"


def household_address(rng: random.Random, *, kind: str, area_name: str, street: str) -> str:
    """A plausible address in the area: "Số 12, ngõ 34 phố Ngọc Lâm", "Xóm 2, thôn Đông", …"""
    number = rng.randint(1, 120)
    if kind in (RESIDENTIAL_GROUP, INTER_FAMILY_CLUSTER):
        lane = rng.randint(2, 250)
        form = rng.random()
        if form < 0.3:
            return f"Số {rng.randint(1, 400)} {street}"
        if form < 0.8:
            return f"Số {number}, ngõ {lane} {street}"
        return f"Số {number}, ngách {lane}/{rng.randint(1, 60)} {street}"
    if kind == APARTMENT_BUILDING:
        floors = 5 if area_name.startswith("Khu tập thể") else 25
        prefix = "Phòng" if floors == 5 else "Căn hộ"
        return f"{prefix} {rng.randint(1, floors)}{rng.randint(1, 20):02d}, {area_name}"
    if kind == URBAN_AREA:
        lot = rng.choice(("Liền kề LK", "Biệt thự BT"))
        return f"{lot}{rng.randint(1, 30)}-{rng.randint(1, 40):02d}, {area_name}"
    if kind == LOCAL_MARKET:
        return f"Ki-ốt {number}, {area_name}"
    if kind == INDUSTRIAL_PARK:
        return f"Phòng {rng.randint(1, 40)}, nhà trọ công nhân số {rng.randint(1, 12)}, {area_name}"
    if area_name.startswith("Thôn") and rng.random() < 0.6:
        return f"Xóm {rng.randint(1, 6)}, {_lower_first(area_name)}"
    return f"Số nhà {number}, {_lower_first(area_name)}"
