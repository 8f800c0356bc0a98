"""A small Bồ Đề world for the registry, scheme and printing tests.

Bồ Đề (00139) with Tổ dân phố 1 and 2; households of Tổ 1 with two members each, the first member
their representative except the last household, which has none; chợ Bồ Đề; a draft scheme "every 3
days" from tomorrow; and, for printing, unsigned passes of Tổ 1 tomorrow at 08:00 as the allocation
writes them (no code yet). The pass keys are rotated so printing can sign.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from phaodai.core.clock import at_local, local_date, now
from phaodai.core.text import search_key
from phaodai.markets.models import Market, MarketPass, Representative, Scheme
from phaodai.passes import services as passes
from phaodai.passes.payload import PassType
from phaodai.territory.models import Area, Household, Unit

NAMES = (
    ("Nguyễn Văn An", "Nguyễn Thị Hoa"),
    ("Trần Văn Bình", "Lê Thị Lan"),
    ("Phạm Văn Cường", "Đỗ Thị Mai"),
)


def cccd(n: int, *, female: bool = False, year: int = 1980) -> str:
    """A CCCD of Hà Nội (001) that encodes the holder's sex and birth year, as real ones do."""
    return f"001{int(female)}{year % 100:02d}{300000 + n:06d}"


def tomorrow() -> date:
    return local_date(now()) + timedelta(days=1)


def make_area(ward: Unit, local_code: str, name: str) -> Area:
    return Area.objects.create(
        ward=ward, code=f"{ward.code}-{local_code}", local_code=local_code, name=name,
        name_key=search_key(name), kind="to_dan_pho", path=ward.path,
    )  # fmt: skip


@dataclass
class RegistryWorld:
    ward: Unit
    area: Area
    other_area: Area
    market: Market
    scheme: Scheme
    households: list[Household]
    members: list[list[Any]]
    passes: list[MarketPass] = field(default_factory=list)

    def add_pass(
        self,
        n: int,
        *,
        day: date | None = None,
        hour: int = 8,
        market: Market | None = None,
        any_in_ward: bool = False,
    ) -> MarketPass:
        """An unsigned pass of household n, as an allocation run leaves it."""
        day = day or tomorrow()
        start = at_local(day, time(hour))
        market_pass = MarketPass.objects.create(
            scheme=self.scheme, household=self.households[n], area=self.area, unit_path=self.area.path,
            representative=self.members[n][0], market=None if any_in_ward else (market or self.market),
            day=day, slot_start=start, slot_end=start + timedelta(hours=1),
            pass_id=f"MP-T-{day:%m%d}-{hour:02d}-{n:04d}",
        )  # fmt: skip
        self.passes.append(market_pass)
        return market_pass


def build_registry_world(*, city: Any, ward_officer: Any, households: int = 3) -> RegistryWorld:
    from phaodai.people import services as people

    passes.rotate_key(by=city, purpose="passes", label="Khóa ký phiếu đi chợ", pass_types=list(PassType))
    ward = Unit.objects.get(code="00139")
    area = make_area(ward, "TDP01", "Tổ dân phố 1")
    other_area = make_area(ward, "TDP02", "Tổ dân phố 2")
    market = Market.objects.create(
        unit=ward, unit_path=ward.path, code="CHO-00139-01", name="Chợ Bồ Đề",
        name_key=search_key("Chợ Bồ Đề"), kind="local_market", address="Phố Bồ Đề, Long Biên",
        opens_at=time(6), closes_at=time(18), capacity=40,
    )  # fmt: skip
    day = tomorrow()
    scheme = Scheme.objects.create(
        unit=ward, unit_path=ward.path, name="Phiếu đi chợ 15 ngày", starts_on=day,
        ends_on=day + timedelta(days=14), pattern={"kind": "every_n_days", "n": 3}, created_by=city,
    )  # fmt: skip
    homes, members = [], []
    for n in range(households):
        home = Household.objects.create(
            area=area, code=f"00139-TDP01-{n:03d}", address=f"Số {n + 1} ngõ 12 Bồ Đề", path=area.path
        )
        names = NAMES[n % len(NAMES)]
        persons = [
            people.register_person(
                by=ward_officer,
                cccd=cccd(n * 2 + k, female=bool(k), year=1980 + k),
                full_name=names[k],
                birth_date=date(1980 + k, 2, 1 + n),
                sex="MF"[k],
                phone=None,
                residence_area=area,
                household=home,
            )
            for k in range(2)
        ]
        if n < households - 1:  # the last household has no representative yet
            Representative.objects.create(household=home, person=persons[0], unit_path=area.path)
        homes.append(home)
        members.append(persons)
    return RegistryWorld(ward, area, other_area, market, scheme, homes, members)


def fixed(moment: datetime) -> Any:
    return lambda: moment
