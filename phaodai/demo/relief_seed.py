"""The demo's relief in Long Biên, September 2021 (S34, S37), made through the relief services.

- Donations to Bồ Đề (00139) from local donors — the women's union, a pagoda, a food company, a
  resident, an anonymous giver — in goods (rice, noodles, oil, masks, test kits) and money; money to
  Long Biên's Fatherland Front; a little rice to Ngọc Lâm (00133).
- Ngọc Lâm's rice runs low (its alert at 400 kg): the Fatherland Front proposes 500 kg from Bồ Đề on
  12/9, the district approves, Bồ Đề dispatches and Ngọc Lâm receives on 13/9.
- Bồ Đề hands rice and noodles out daily to boarding houses and F1 households (14–20/9).
- Food-aid requests in Bồ Đề: two delivered and closed, one with a team assigned, one from a Korean
  household and one still new on 21/9; those still open after 24 hours are escalated to the district.

Booked in time order (donations 6–10/9, the transfer 12–13/9, then distributions and food aid 14–21/9),
so each movement's balance follows the one before it. The board's days of supply count the 7 days up to
now, when nothing went out in the running demo: it offers the week up to 20/9 (`/relief/?day=2021-09-20`),
whose distributions give Bồ Đề's figures (the summary line gives its rice's).

Safe to run again, and an interrupted run completes: donations, the transfer, distributions and requests
carry idempotency keys, and a transfer step or a food-aid step is only taken from the status before it.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo.context import DemoContext
from phaodai.demo.scenarios import BO_DE, LONG_BIEN, at, official
from phaodai.relief import foodaid, services
from phaodai.relief import selectors as relief
from phaodai.territory import selectors as territory

NGOC_LAM = "00133"
# (key, ward, received, donor or None for anonymous, phone, item or "money", quantity or đồng)
DONATIONS: tuple[tuple[str, str, Any, str | None, str, str, int], ...] = (
    ("d01", BO_DE, hanoi(2021, 9, 6, 9, 0), "Hội Liên hiệp Phụ nữ phường Bồ Đề", "", "rice", 1200),
    ("d02", BO_DE, hanoi(2021, 9, 6, 15, 30), "Chùa Bồ Đề", "", "rice", 800),
    ("d03", BO_DE, hanoi(2021, 9, 7, 10, 0), "Công ty Thực phẩm Gia Lâm", "", "instant_noodles", 150),
    ("d04", BO_DE, hanoi(2021, 9, 7, 10, 5), "Công ty Thực phẩm Gia Lâm", "", "cooking_oil", 200),
    ("d05", BO_DE, hanoi(2021, 9, 8, 8, 30), "Nhà thuốc Minh Châu", "0912 468 135", "masks", 80),
    ("d06", BO_DE, hanoi(2021, 9, 8, 14, 0), None, "", "test_kits", 500),
    ("d07", BO_DE, hanoi(2021, 9, 9, 17, 0), "Anh Nguyễn Văn Hùng, tổ 12", "0983221470", "money", 5_000_000),
    ("d08", BO_DE, hanoi(2021, 9, 10, 9, 0), None, "", "money", 2_000_000),
    ("d09", LONG_BIEN, hanoi(2021, 9, 10, 10, 0), "Hội Doanh nghiệp Long Biên", "", "money", 300_000_000),
    ("d10", NGOC_LAM, hanoi(2021, 9, 8, 9, 0), "Giáo xứ Ngọc Lâm", "", "rice", 300),
)  # fmt: skip
PROPOSED, APPROVED = hanoi(2021, 9, 12, 9, 0), hanoi(2021, 9, 12, 14, 0)
DISPATCHED, RECEIVED = hanoi(2021, 9, 13, 8, 0), hanoi(2021, 9, 13, 10, 30)
DISTRIBUTIONS = ("Khu nhà trọ ngõ 12 Nguyễn Văn Cừ", "Hộ F1 cách ly tại nhà, tổ 5", "Lao động tự do, tổ 9")
# (token, asked, name, phone, address, nationality, people, needs, what happens)
REQUESTS = (
    ("r1", hanoi(2021, 9, 14, 8, 0), "Trần Văn Bình", "0936 112 233", "Nhà trọ 8 ngõ 12 Nguyễn Văn Cừ",
     "Việt Nam", 3, "Gạo, mì tôm", "closed"),
    ("r2", hanoi(2021, 9, 15, 19, 0), "Lê Thị Hạnh", "0978 554 120", "Số 21 ngõ 40 phố Bồ Đề", "Việt Nam", 5,
     "", "closed"),
    ("r3", hanoi(2021, 9, 20, 10, 0), "Phạm Quốc Toàn", "0868 300 911", "Nhà trọ số 3 ngõ 5 Nguyễn Sơn",
     "Việt Nam", 2, "Gạo", "assigned"),
    ("r4", hanoi(2021, 9, 21, 9, 0), "Kim Min-jun", "0901 234 567", "Căn 1205 tòa B, chung cư Bồ Đề",
     "Hàn Quốc", 4, "Không ăn được cay", "new"),
    ("r5", hanoi(2021, 9, 21, 11, 0), "Đỗ Thị Thu", "0945 678 902", "Số 7 ngõ 192 Nguyễn Văn Cừ",
     "Việt Nam", 6, "Có trẻ nhỏ: sữa", "new"),
)  # fmt: skip
ESCALATION_RUN = hanoi(2021, 9, 22, 12, 0)
SUPPLY_DAY = date(2021, 9, 20)  # the last day of the distributions: its 7 days hold a week of use
TRANSFER_KEY = "demo-relief-transfer-1"


Event = tuple[datetime, int, Callable[[], int]]  # (when, tie-break, what books it; returns 1 if new)


def _donation_events(officer: Any, district_officer: Any) -> list[Event]:
    def donate(key: str, code: str, received: datetime, donor: str | None, phone: str, item: str,
               amount: int) -> int:  # fmt: skip
        by = district_officer if code != BO_DE else officer
        goods: dict[str, Any] = {"kind": "money", "amount_vnd": amount} if item == "money" else {
            "kind": "goods", "item": item, "quantity": amount}  # fmt: skip
        _row, created = services.record_donation(
            by=by, unit=territory.unit_by_code(code), donor_name=donor or "", donor_phone=phone,
            anonymous=donor is None, received_at=received, idempotency_key=f"demo-relief-{key}",
            clock=at(received), **goods,
        )  # fmt: skip
        return int(created)

    return [(row[2], n, partial(donate, *row)) for n, row in enumerate(DONATIONS)]


def _transfer_events(
    district_officer: Any, officer: Any, ngoc_lam_officer: Any, seen: dict[str, Any]
) -> list[Event]:
    """Thresholds, then the transfer proposed, approved, dispatched, received (each step taken once)."""
    bo_de, ngoc_lam = territory.unit_by_code(BO_DE), territory.unit_by_code(NGOC_LAM)

    def thresholds() -> int:
        services.set_threshold(by=district_officer, unit=ngoc_lam, item="rice", threshold=400,
                               clock=at(PROPOSED))  # fmt: skip
        services.set_threshold(by=officer, unit=bo_de, item="rice", threshold=300, clock=at(PROPOSED))
        return 0

    def propose() -> int:
        transfer, created = services.propose_transfer(
            by=district_officer, from_unit=bo_de, to_unit=ngoc_lam, item="rice", quantity=500,
            proposer="fatherland_front", reason="Ngọc Lâm còn 300 kg gạo cho hơn 200 hộ khó khăn; Bồ Đề dư",
            idempotency_key=TRANSFER_KEY, clock=at(PROPOSED),
        )  # fmt: skip
        seen["transfer"] = transfer
        return int(created)

    def move(status: str, step: str, by: Any, moment: datetime) -> int:
        transfer = seen["transfer"]  # proposed (or found again) earlier in the timeline
        transfer.refresh_from_db()
        if transfer.status != status:
            return 0
        seen["transfer"] = services.move_transfer(by=by, transfer=transfer, step=step, clock=at(moment))
        return 1

    return [
        (PROPOSED, 0, thresholds), (PROPOSED, 1, propose),
        (APPROVED, 0, partial(move, "proposed", "approve", district_officer, APPROVED)),
        (DISPATCHED, 0, partial(move, "approved", "dispatch", officer, DISPATCHED)),
        (RECEIVED, 0, partial(move, "dispatched", "receive", ngoc_lam_officer, RECEIVED)),
    ]  # fmt: skip


def _distribution_events(officer: Any) -> list[Event]:
    """Bồ Đề hands rice and noodles out each morning, 14–20/9; each keyed, so booked once."""
    bo_de = territory.unit_by_code(BO_DE)

    def hand_out(day: int, item: str, quantity: int, moment: datetime) -> int:
        _movement, created = services.distribute(
            by=officer, unit=bo_de, item=item, quantity=quantity,
            reason=DISTRIBUTIONS[day % len(DISTRIBUTIONS)], idempotency_key=f"demo-relief-dist-{day}-{item}",
            clock=at(moment),
        )  # fmt: skip
        return int(created)

    events: list[Event] = []
    for day in range(7):
        moment = hanoi(2021, 9, 14, 9, 0) + timedelta(days=day)
        events.append((moment, 0, partial(hand_out, day, "rice", 120, moment)))
        events.append((moment, 1, partial(hand_out, day, "instant_noodles", 8, moment)))
    return events


def _request_events(officer: Any, seen: dict[str, Any]) -> list[Event]:
    """Each request asked, then (as its story goes) a team assigned, delivered and closed, in time."""
    events: list[Event] = []
    for token, asked, name, phone, address, nationality, people, needs, outcome in REQUESTS:
        key = f"demo-relief-{token}"
        fields = {"ward_code": BO_DE, "name": name, "phone": phone, "address": address,
                  "nationality": nationality, "people": people, "needs": needs, "token": key}  # fmt: skip

        def ask(fields: dict[str, Any] = fields, asked: datetime = asked) -> int:
            row, created = foodaid.request_food_publicly(**fields, clock=at(asked))
            seen[fields["token"]] = row
            return int(created)

        def step(key: str, status: str, moment: datetime, people: int = people) -> int:
            row = seen[key]  # asked (or found again) earlier in the timeline
            row.refresh_from_db()
            if row.status != status:
                return 0
            if status == "new":
                foodaid.assign_team(by=officer, request=row, team="Tổ Covid cộng đồng số 3", clock=at(moment))
            elif status == "assigned":
                goods = {"rice": 5 * people, "instant_noodles": 1, "cooking_oil": 1}
                foodaid.deliver(by=officer, request=row, goods=goods, clock=at(moment))
            else:
                foodaid.close(by=officer, request=row, clock=at(moment))
            return 0

        events.append((asked, 0, ask))
        steps = {"assigned": ("new",), "closed": ("new", "assigned", "delivered")}.get(outcome, ())
        for status, hours in zip(steps, (2, 6, 8), strict=False):
            moment = asked + timedelta(hours=hours)
            events.append((moment, 0, partial(step, key, status, moment)))
    return events


def _rice_supply(officer: Any) -> str:
    """Bồ Đề's rice days of supply over the 7 days to SUPPLY_DAY, as its board shows them."""
    board = relief.board(officer, unit_code=BO_DE, day=SUPPLY_DAY)
    rice = next((row for row in board.supply if row.item.code == "rice"), None)
    days = "no" if rice is None or rice.days is None else f"{rice.days:.1f}"
    return f"Bồ Đề's rice: {days} days of supply to {SUPPLY_DAY:%d/%m}"


def seed_relief(ctx: DemoContext) -> str:
    """Long Biên's donations, Bồ Đề's stocks, a transfer to Ngọc Lâm, and Bồ Đề's food-aid requests,
    booked in the order they happened; every event is keyed, so a rerun (or the rest of an interrupted
    run) books only what is missing."""
    officer = official(Role.WARD_OFFICER, BO_DE)
    ngoc_lam_officer = official(Role.WARD_OFFICER, NGOC_LAM)
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    seen: dict[str, Any] = {}
    kinds = {
        "donations": _donation_events(officer, district_officer),
        "transfer": _transfer_events(district_officer, officer, ngoc_lam_officer, seen),
        "distributions": _distribution_events(officer),
        "requests": _request_events(officer, seen),
    }
    timeline = sorted(
        ((when, tie, kind, run) for kind, events in kinds.items() for when, tie, run in events),
        key=lambda event: (event[0], event[1]),
    )
    made = dict.fromkeys(kinds, 0)
    for _when, _tie, kind, run in timeline:
        made[kind] += run()
    escalated = foodaid.escalate_overdue(clock=at(ESCALATION_RUN))
    transfer = seen["transfer"]
    check = relief.ledger_check()
    return (
        f"{made['donations']} donations, transfer #{transfer.pk} {transfer.status}, "
        f"{made['distributions']} distributions, "
        f"{made['requests']} food-aid requests ({escalated} escalated); "
        f"{_rice_supply(officer)}; ledger {'balanced' if check.balanced else 'OFF'}"
    )
