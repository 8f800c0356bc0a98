"""A small welfare world: Bồ Đề residents (Tổ dân phố 1), one Phúc Xá resident, the shipped programmes.

Used by the welfare tests (and usable by the page tests): `build_world(ward_officer=...)`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from phaodai.core.text import search_key
from phaodai.territory.models import Area, Household, Unit
from phaodai.welfare import services
from phaodai.welfare.reference import ensure_programmes

# A moment inside the 3642 programme (in force from 21/7/2021): 10:00 in Hà Nội on 6 September 2021.
SEPT_6 = datetime(2021, 9, 6, 3, 0, tzinfo=UTC)
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
INFORMAL = {"job": {"labour_contract": False, "lost_work_on": "2021-07-24", "occupation": "street_vendor"}}


def cccd(n: int, *, year: int = 1978, female: bool = False) -> str:
    """A Hà Nội CCCD encoding the holder's sex and birth year, as real ones do."""
    return f"001{int(female)}{year % 100:02d}{400000 + n:06d}"


def pdf(name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%welfare test\n", content_type="application/pdf")


def clock_at(moment: datetime) -> Any:
    return lambda: moment


def later(days: float) -> Any:
    return clock_at(SEPT_6 + timedelta(days=days))


def make_area(ward: Unit, local_code: str, name: str) -> Area:
    return Area.objects.get_or_create(
        code=f"{ward.code}-{local_code}",
        defaults=dict(
            ward=ward,
            local_code=local_code,
            name=name,
            name_key=search_key(name),
            kind="to_dan_pho",
            path=ward.path,
        ),
    )[0]


@dataclass
class World:
    ward: Unit
    area: Area
    residents: list[Any]
    outsider: Any  # registered in Phúc Xá (Ba Đình)


def build_world(*, ward_officer: Any, outsider_officer: Any | None = None, residents: int = 4) -> World:
    from phaodai.people import services as people

    ensure_programmes()
    ward = Unit.objects.get(code="00139")
    area = make_area(ward, "TDP01", "Tổ dân phố 1")
    home = Household.objects.get_or_create(
        code="00139-TDP01-W01", defaults=dict(area=area, address="Số 5 ngõ 12 Bồ Đề", path=area.path)
    )[0]
    persons = [
        people.register_person(
            by=ward_officer,
            cccd=cccd(n, year=1978 + n, female=bool(n % 2)),
            full_name=NAMES[n % len(NAMES)],
            birth_date=date(1978 + n, 3, 1 + n),
            sex="MF"[n % 2],
            phone=None,
            residence_area=area,
            household=home,
        )
        for n in range(residents)
    ]
    outsider = None
    if outsider_officer is not None:
        phuc_xa = Unit.objects.get(code="00001")
        far = make_area(phuc_xa, "TDP01", "Tổ dân phố 1")
        outsider = people.register_person(
            by=outsider_officer,
            cccd=cccd(90, year=1985),
            full_name="Hoàng Văn Em",
            birth_date=date(1985, 5, 5),
            sex="M",
            phone=None,
            residence_area=far,
            household=None,
        )
    return World(ward, area, persons, outsider)


def file(
    by: Any,
    world: World,
    n: int = 0,
    *,
    code: str = "HN-3642",
    facts: dict[str, Any] = INFORMAL,
    document: str = "application_form",
) -> Any:
    """Resident n's application to a programme (QĐ 3642 as an informal worker by default), filed on 6/9."""
    return services.file_application(
        by=by,
        ward=world.ward,
        person_id=world.residents[n].pk,
        programme_code=code,
        facts=facts,
        documents=[(document, pdf())],
        clock=clock_at(SEPT_6),
    )[0]
