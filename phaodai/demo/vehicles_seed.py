"""The demo's vehicles as of 22/9/2021 (S23, S25), registered by Long Biên through the vehicles services.

- The green lane (luồng xanh): ten trucks of the logistics company of the permits seed, submitted on
  18/9; eight approved with their QR green card, one rejected, one revoked on 21/9.
- Transit trips (S23) through the city's gateways on QL5, QL1A and the Thái Nguyên expressway, their
  entries and exits logged by the gateways' devices (the checkpoints' crossing services): three crossed,
  one entered at 00:40 on the 22nd and was not seen leaving (overdue at 08:00), one is in the city,
  one is expected later that day.
- Shippers (S25): five riders of two delivery companies with their hours and zones, one revoked.

Registered by Long Biên's district officer (district-004), who sees them with the city commander.
Safe to run again: each registration is looked up (idempotency key, plate) before it is made.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.checkpoints import selectors as checkpoints
from phaodai.checkpoints import services as checkpoint_services
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.passes_seed import LOGISTICS, Signer, cccd_of, workers_of_long_bien
from phaodai.demo.scenarios import LONG_BIEN, at, official
from phaodai.passes.payload import PassType
from phaodai.territory import selectors as territory
from phaodai.vehicles import rules, services
from phaodai.vehicles import selectors as vehicles

FLEET_SUBMITTED, FLEET_DECIDED = hanoi(2021, 9, 18, 10, 0), hanoi(2021, 9, 18, 16, 0)
FLEET_VALID = (hanoi(2021, 9, 19), hanoi(2021, 10, 19))
FLEET_REVOKED = hanoi(2021, 9, 21, 9, 0)
FLEET = 10
REJECTED, REVOKED = FLEET - 2, FLEET - 1  # the last two trucks of the list
CARGO = (
    "Lương thực, thực phẩm thiết yếu",
    "Rau, củ, quả tươi",
    "Thuốc, vật tư y tế",
    "Hàng tiêu dùng thiết yếu",
)
ROUTES = (
    "Chợ đầu mối Long Biên – QL5 – Hưng Yên",
    "Kho Bồ Đề – QL1A – Bắc Ninh, Bắc Giang",
    "Kho Bồ Đề – cao tốc Hà Nội – Hải Phòng",
)
REJECTION = "Xe chưa có giấy chứng nhận kiểm định còn hiệu lực (demo)."
REVOCATION = "Lái xe là F1, doanh nghiệp tạm dừng xe trong thời gian cách ly (demo)."


@dataclass(frozen=True)
class Trip:
    """A transit trip and what the gateways logged of it: its entry, and its exit if it left."""

    plate: str
    from_province: str
    to_province: str
    cargo: str
    window: tuple[datetime, datetime]
    gateway: str
    entered: datetime | None = None
    left: tuple[str, datetime] | None = None


TRIPS = (
    Trip("15C-234.56", "Hải Phòng", "Lạng Sơn", "Linh kiện điện tử",
         (hanoi(2021, 9, 21, 6), hanoi(2021, 9, 21, 22)), "CN-20",
         hanoi(2021, 9, 21, 8, 10), ("CN-18", hanoi(2021, 9, 21, 11, 40))),
    Trip("89C-112.34", "Hưng Yên", "Thái Nguyên", "Hàng may mặc xuất khẩu",
         (hanoi(2021, 9, 21, 10), hanoi(2021, 9, 21, 20)), "CN-20",
         hanoi(2021, 9, 21, 13, 5), ("CN-16", hanoi(2021, 9, 21, 16, 20))),
    Trip("12C-456.78", "Lạng Sơn", "Hà Nam", "Nông sản",
         (hanoi(2021, 9, 21, 18), hanoi(2021, 9, 22, 2)), "CN-18",
         hanoi(2021, 9, 21, 20, 30), ("CN-01", hanoi(2021, 9, 22, 1, 10))),
    Trip("15C-998.21", "Hải Phòng", "Phú Thọ", "Vật liệu xây dựng",
         (hanoi(2021, 9, 21, 22), hanoi(2021, 9, 22, 6)), "CN-20", hanoi(2021, 9, 22, 0, 40)),
    Trip("20C-345.67", "Thái Nguyên", "Hải Phòng", "Thép cuộn",
         (hanoi(2021, 9, 22, 5), hanoi(2021, 9, 22, 12)), "CN-16", hanoi(2021, 9, 22, 6, 15)),
    Trip("14C-221.09", "Quảng Ninh", "Hòa Bình", "Than sinh hoạt",
         (hanoi(2021, 9, 22, 10), hanoi(2021, 9, 22, 22)), "CN-20"),
)  # fmt: skip
TRIP_HOURS = 6
TRIP_REGISTERED_BEFORE = timedelta(hours=12)

SHIPPERS_REGISTERED = hanoi(2021, 9, 19, 10, 0)
SHIPPERS_VALID = (hanoi(2021, 9, 20), hanoi(2021, 10, 4))
SHIPPER_REVOKED = hanoi(2021, 9, 21, 19, 0)
# (company, hours, zones): the last rider is revoked.
SHIPPERS = (
    ("Công ty CP Giao vận Phố Xanh (demo)", ("06:00", "18:00"), ("00139", "00133", "00136")),
    ("Công ty CP Giao vận Phố Xanh (demo)", ("06:00", "18:00"), ("00139", "00142")),
    ("Công ty CP Giao vận Phố Xanh (demo)", ("08:00", "17:00"), (LONG_BIEN,)),
    ("Công ty TNHH Dịch vụ Giao hàng Long Biên (demo)", ("06:00", "18:00"), (LONG_BIEN,)),
    ("Công ty TNHH Dịch vụ Giao hàng Long Biên (demo)", ("07:00", "18:00"), ("00139", "00145")),
)
SHIPPER_REVOCATION = "Hoạt động ngoài khung giờ được phép, bị chốt kiểm soát lập biên bản (demo)."


@dataclass
class Tally:
    green_lane: int = 0
    approved: int = 0
    rejected: int = 0
    revoked: int = 0
    trips: int = 0
    crossings: int = 0
    shippers: int = 0


def _green_lane(tally: Tally, signer: Signer, officer: Any, unit: Any, rng: random.Random) -> None:
    for index in range(FLEET):
        plate = f"29C-{rng.randrange(100, 1000)}.{rng.randrange(10, 100)}"
        registration, created = services.register_green_lane(
            by=officer, unit=unit, plate=plate, operator=LOGISTICS, cargo=CARGO[index % len(CARGO)],
            route=ROUTES[index % len(ROUTES)], valid_from=FLEET_VALID[0], valid_to=FLEET_VALID[1],
            idempotency_key=f"demo-2021-09-lx-{index:02d}", batch="demo-2021-09",
            clock=at(FLEET_SUBMITTED),
        )  # fmt: skip
        tally.green_lane += created
        if registration.status == "submitted" and index == REJECTED:
            services.reject_green_lane(
                by=officer, registration=registration, note=REJECTION, clock=at(FLEET_DECIDED)
            )
            tally.rejected += 1
        elif registration.status == "submitted":
            signer()
            registration = services.approve_green_lane(
                by=officer, registration=registration, clock=at(FLEET_DECIDED)
            )
            tally.approved += 1
        if index == REVOKED and registration.status == "approved":
            services.revoke_green_lane(
                by=officer, registration=registration, note=REVOCATION, clock=at(FLEET_REVOKED)
            )
            tally.revoked += 1


def _gateway(code: str) -> Any:
    gateway = checkpoints.checkpoint_by_code(code)
    if gateway is None:
        raise LookupError(f"checkpoint {code} is missing: run the checkpoints phase first")
    return gateway


def _cross(tally: Tally, trip: Any, code: str, moment: datetime, direction: str) -> None:
    """The gateway's device logs the transit pass scanned, synced a few minutes later."""
    gateway = _gateway(code)
    recorder = official(Role.DISTRICT_OFFICER, gateway.unit.code)
    entry = checkpoint_services.CrossingEntry(
        checkpoint_id=gateway.pk, at=moment, direction=direction, decision="allowed",
        local_id=f"transit-{trip.plate}-{direction}", pass_id=trip.reference,
        pass_type=PassType.TRANSIT.value, plate=trip.plate, bundle_version=3,
    )  # fmt: skip
    _crossing, created = checkpoint_services.record_crossing(
        by=recorder, checkpoint=gateway, device_id=f"demo-transit-{code.lower()}", entry=entry,
        clock=at(moment + timedelta(minutes=5)),
    )  # fmt: skip
    tally.crossings += created


def _transit(tally: Tally, signer: Signer, officer: Any, unit: Any) -> None:
    for plan in TRIPS:
        opens, closes = plan.window
        registered = opens - TRIP_REGISTERED_BEFORE
        states, _next = vehicles.transit_page(officer, registered, query=plan.plate)
        trip = next((s.trip for s in states if s.trip.valid_from == opens), None)
        if trip is None:
            signer()
            trip, created = services.register_transit(
                by=officer, unit=unit, plate=plan.plate, from_province=plan.from_province,
                to_province=plan.to_province, valid_from=opens, valid_to=closes,
                entry_checkpoint=_gateway(plan.gateway), expected_hours=TRIP_HOURS, cargo=plan.cargo,
                idempotency_key=f"demo-2021-09-qc-{rules.normal_plate(plan.plate)}", clock=at(registered),
            )  # fmt: skip
            tally.trips += created
        if plan.entered is not None:
            _cross(tally, trip, plan.gateway, plan.entered, "in")
        if plan.left is not None:
            _cross(tally, trip, plan.left[0], plan.left[1], "out")


def _shippers(
    tally: Tally, signer: Signer, officer: Any, unit: Any, riders: list[Any], rng: random.Random
) -> None:
    for index, (person, (company, hours, zones)) in enumerate(zip(riders, SHIPPERS, strict=False)):
        series = rng.choice("BEFHKX")
        plate = f"29{series}{rng.randrange(1, 10)}-{rng.randrange(100, 1000)}.{rng.randrange(10, 100)}"
        found = vehicles.search_shippers(officer, query=plate).items
        shipper = found[0] if found else None
        if shipper is None:
            signer()
            shipper, created = services.register_shipper(
                by=officer, unit=unit, full_name=person.full_name, company=company, cccd=cccd_of(person),
                plate=plate, hours_start=hours[0], hours_end=hours[1], zones=list(zones),
                valid_from=SHIPPERS_VALID[0], valid_to=SHIPPERS_VALID[1], clock=at(SHIPPERS_REGISTERED),
            )  # fmt: skip
            tally.shippers += created
        if index == len(SHIPPERS) - 1 and shipper.status == "approved":
            services.revoke_shipper(
                by=officer, shipper=shipper, note=SHIPPER_REVOCATION, clock=at(SHIPPER_REVOKED)
            )
            tally.revoked += 1


def seed_vehicles(ctx: DemoContext) -> str:
    """Long Biên's green-lane fleet, transit trips with their gateway crossings, and shippers."""
    signer, tally = Signer(), Tally()
    officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    unit = territory.unit_by_code(LONG_BIEN)
    rng = random.Random(f"{ctx.seed}:vehicles")
    _green_lane(tally, signer, officer, unit, rng)
    _transit(tally, signer, officer, unit)
    riders = workers_of_long_bien(ctx.seed)[::-1][: len(SHIPPERS)]
    _shippers(tally, signer, officer, unit, riders, rng)
    return (
        f"{signer.made} signing keys made; {tally.green_lane} green-lane trucks ({tally.approved} approved, "
        f"{tally.rejected} rejected), {tally.trips} transit trips with {tally.crossings} gateway crossings, "
        f"{tally.shippers} shippers; {tally.revoked} revoked"
    )
