"""A small market world for the gate and tracing tests (and the browser test and the matrix).

Bồ Đề (00139, Long Biên) with two markets, chợ Bồ Đề (CHO-00139-01) and a supermarket (CHO-00139-02),
and Phúc Xá's market (CHO-00001-01); a single-use scheme "every 3 days" of Bồ Đề with a 15-minute
tolerance; households of Tổ dân phố 1, each with its representative; market passes for tomorrow
08:00–09:00 at chợ Bồ Đề, signed with the content printing.pass_payload gives, and the "markets"
bundle published. Passes are dated tomorrow so they can be signed now.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from phaodai.core.clock import at_local, local_date, now, to_local
from phaodai.core.text import search_key
from phaodai.markets.models import Market, MarketPass, Representative, Scheme
from phaodai.passes import services as passes
from phaodai.passes.payload import PassPayload, PassType
from phaodai.territory.models import Area, Household, Unit

NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang")


def cccd(n: int) -> str:
    return f"001085{200000 + n:06d}"


def masked(text: str) -> str:
    return f"{text[:3]}******{text[-3:]}"


def tomorrow() -> date:
    return local_date(now()) + timedelta(days=1)


def slot(day: date, hour: int, minutes: int = 60) -> tuple[datetime, datetime]:
    start = at_local(day, time(hour, 0))
    return start, start + timedelta(minutes=minutes)


def this_hour() -> datetime:
    """The start of the current Hà Nội clock hour: a slot that is open now."""
    return to_local(now()).replace(minute=0, second=0, microsecond=0)


def make_area(ward: Unit, local_code: str, name: str) -> Area:
    return Area.objects.create(
        ward=ward, code=f"{ward.code}-{local_code}", local_code=local_code, name=name,
        name_key=search_key(name), kind="to_dan_pho", path=ward.path,
    )  # fmt: skip


def make_market(
    ward: Unit, code: str, name: str, *, kind: str = "local_market", capacity: int = 50
) -> Market:
    return Market.objects.create(
        unit=ward, unit_path=ward.path, code=code, name=name, name_key=search_key(name), kind=kind,
        address=f"{name}, {ward.name}", opens_at=time(6), closes_at=time(18), capacity=50,
    )  # fmt: skip


def payload_of(market_pass: MarketPass, cccd_masked: str) -> PassPayload:
    """The agreed content of a market pass: the slot widened by the tolerance is the signed window."""
    scheme = market_pass.scheme
    margin = timedelta(minutes=scheme.tolerance_minutes)
    ward_code = scheme.unit.code
    market = "*" + ward_code if market_pass.market is None else market_pass.market.code
    start, end = to_local(market_pass.slot_start), to_local(market_pass.slot_end)
    return PassPayload(
        type=PassType.MARKET, pass_id=market_pass.pass_id, valid_from=market_pass.slot_start - margin,
        valid_to=market_pass.slot_end + margin, hours=(f"{start:%H:%M}", f"{end:%H:%M}"),
        holder=market_pass.representative.full_name, cccd_masked=cccd_masked,
        market=market, zones=(ward_code, market_pass.area.code),
    )  # fmt: skip


@dataclass
class GateWorld:
    ward: Unit
    area: Area
    bo_de: Market
    supermarket: Market
    phuc_xa: Market
    scheme: Scheme
    households: list[Household]
    people: list[Any]
    passes: list[MarketPass] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)

    def issue(
        self,
        n: int,
        *,
        market: Market | None = None,
        day: date | None = None,
        hour: int = 8,
        any_in_ward: bool = False,
        scheme: Scheme | None = None,
        start_at: datetime | None = None,
    ) -> str:
        """Household n's pass for `day` at `hour` (or from `start_at`; chợ Bồ Đề by default), signed now."""
        if start_at is not None:
            day, start, end = local_date(start_at), start_at, start_at + timedelta(hours=1)
        else:
            day = day or tomorrow()
            start, end = slot(day, hour)
        market_pass = MarketPass.objects.create(
            scheme=scheme or self.scheme, household=self.households[n], area=self.area,
            unit_path=self.area.path, representative=self.people[n],
            market=None if any_in_ward else (market or self.bo_de), day=day, slot_start=start,
            slot_end=end, pass_id=f"MP-{self.ward.code}-{to_local(start):%m%d%H}-{n:04d}",
        )  # fmt: skip
        code = passes.sign_pass(payload=payload_of(market_pass, masked(cccd(n))))
        MarketPass.objects.filter(pk=market_pass.pk).update(pass_code=code, printed_at=now())
        self.passes.append(market_pass)
        self.codes[market_pass.pass_id] = code
        return code


def build_gate_world(*, city: Any, ward_officer: Any, households: int = 6) -> GateWorld:
    """Keys, the markets bundle, the markets and households of Bồ Đề (see the module's docstring)."""
    from phaodai.people import services as people

    passes.rotate_key(by=city, purpose="passes", label="Khóa ký phiếu đi chợ", pass_types=list(PassType))
    passes.rotate_key(by=city, purpose="bundles", label="Khóa ký bộ quy tắc")
    passes.publish_scope(by=city, scope="markets")
    ward = Unit.objects.get(code="00139")
    area = make_area(ward, "TDP01", "Tổ dân phố 1")
    bo_de = make_market(ward, "CHO-00139-01", "Chợ Bồ Đề")
    supermarket = make_market(ward, "CHO-00139-02", "Siêu thị Bồ Đề", kind="supermarket")
    phuc_xa = make_market(Unit.objects.get(code="00001"), "CHO-00001-01", "Chợ Phúc Xá")
    day = tomorrow()
    scheme = Scheme.objects.create(
        unit=ward, unit_path=ward.path, name="Phiếu đi chợ 15 ngày", starts_on=day - timedelta(days=1),
        ends_on=day + timedelta(days=13), pattern={"kind": "every_n_days", "n": 3}, single_use=True,
        tolerance_minutes=15, status=Scheme.Status.ALLOCATED, created_by=city,
    )  # fmt: skip
    homes, persons = [], []
    for n in range(households):
        home = Household.objects.create(
            area=area, code=f"00139-TDP01-{n:03d}", address=f"{n + 1} ngõ 5 Bồ Đề", path=area.path
        )
        person = people.register_person(
            by=ward_officer, cccd=cccd(n), full_name=NAMES[n % len(NAMES)], birth_date=date(1985, 1, 1 + n),
            sex="M", phone=None, residence_area=area, household=home,
        )  # fmt: skip
        Representative.objects.create(household=home, person=person, unit_path=area.path)
        homes.append(home)
        persons.append(person)
    return GateWorld(ward, area, bo_de, supermarket, phuc_xa, scheme, homes, persons)


def at(moment: datetime) -> Any:
    return lambda: moment
