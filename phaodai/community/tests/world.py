"""A small Bồ Đề world for the community tests.

Bồ Đề (00139): Tổ dân phố 1 with three households of two registered members each, Tổ dân phố 2 with
two households (no registered members); Phúc Xá (00001, Ba Đình) with one area and one household.
A party member login "community-00139" (Role.COMMUNITY_MEMBER in Bồ Đề) and the city's campaign
"Gia đình an toàn Covid-19" from 1/9/2021.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.community import services
from phaodai.core.clock import hanoi
from phaodai.core.text import search_key
from phaodai.territory.models import Area, Household, Unit

SEPT_15 = hanoi(2021, 9, 15, 9, 0)
NAMES = (
    ("Nguyễn Văn An", "Nguyễn Thị Hoa"),
    ("Trần Văn Bình", "Lê Thị Lan"),
    ("Phạm Văn Cường", "Đỗ Thị Mai"),
)


def fixed(moment: Any) -> Any:
    return lambda: moment


def cccd(n: int, *, female: bool = False, year: int = 1980) -> str:
    return f"001{int(female)}{year % 100:02d}{400000 + n:06d}"


def make_area(ward: Unit, local_code: str, name: str) -> Area:
    return Area.objects.create(
        ward=ward,
        code=f"{ward.code}-{local_code}",
        local_code=local_code,
        name=name,
        name_key=search_key(name),
        kind="to_dan_pho",
        path=ward.path,
    )


def make_household(area: Area, n: int) -> Household:
    return Household.objects.create(
        area=area, code=f"{area.code}-{n:03d}", address=f"Số {n + 1} ngõ 12 {area.name}", path=area.path
    )


@dataclass
class World:
    ward: Unit
    area: Area
    other_area: Area
    households: list[Household]
    other_households: list[Household]
    members: list[list[Any]]
    far_area: Area
    far_household: Household
    member: Any
    campaign: Any


def build_world(
    *, city: Any, ward_officer: Any, local_codes: tuple[str, str, str] = ("TDP01", "TDP02", "TDP01")
) -> World:
    """The world; `local_codes` name Bồ Đề's two areas and Phúc Xá's (the matrix has its own TDP01s)."""
    from phaodai.accounts import services as accounts
    from phaodai.people import services as people

    ward = Unit.objects.get(code="00139")
    area = make_area(ward, local_codes[0], f"Tổ dân phố {local_codes[0][-2:].lstrip('0')}")
    other_area = make_area(ward, local_codes[1], f"Tổ dân phố {local_codes[1][-2:].lstrip('0')}")
    homes, members = [], []
    for n in range(3):
        home = make_household(area, n)
        persons = [
            people.register_person(
                by=ward_officer,
                cccd=cccd(n * 2 + k, female=bool(k), year=1980 + k),
                full_name=NAMES[n][k],
                birth_date=date(1980 + k, 2, 1 + n),
                sex="MF"[k],
                phone=None,
                residence_area=area,
                household=home,
            )
            for k in range(2)
        ]
        homes.append(home)
        members.append(persons)
    others = [make_household(other_area, n) for n in range(2)]
    phuc_xa = Unit.objects.get(code="00001")
    far_area = make_area(phuc_xa, local_codes[2], f"Tổ dân phố {local_codes[2]} Phúc Xá")
    member = accounts.create_user(
        username="community-00139", password="x", role=Role.COMMUNITY_MEMBER, unit=ward
    )
    campaign, _ = services.create_campaign(
        by=city,
        unit=Unit.objects.get(code="01"),
        code="gdat-2021",
        name_vi="Gia đình an toàn Covid-19",
        name_en="COVID-19 safe family",
        starts_on=date(2021, 9, 1),
        clock=fixed(SEPT_15),
    )
    return World(
        ward,
        area,
        other_area,
        homes,
        others,
        members,
        far_area,
        make_household(far_area, 0),
        member,
        campaign,
    )
