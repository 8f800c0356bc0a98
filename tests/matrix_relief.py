"""The relief rows of the authorization matrix: stocks, donations, money spent, transfers, food aid.

Objects (built lazily by `build_relief`): 500 kg of rice and 1.000.000 đ donated to Bồ Đề (00139), a
transfer of 100 kg from Bồ Đề to Ngọc Lâm (00133) proposed by Long Biên for the Fatherland Front, and a
food-aid request in Bồ Đề with a team assigned. Relief is managed (`relief.manage`) by the city,
Long Biên's district officer, Bồ Đề's ward and welfare officers, and Phúc Xá's ward officer elsewhere
(404 for Bồ Đề's objects, 200 on lists of their own units). A transfer is proposed and approved over
both wards: the district or the city; Bồ Đề's officers see it (one of its wards) but may not approve
it (403), nor propose one to Ngọc Lâm (404, not theirs). Every other role: 403. The public food-aid
form is open to everyone; the rest redirects anonymous users to sign in, the API answers them 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

BO_DE_MANAGERS = {
    "city_commander",
    "district_officer_long_bien",
    "ward_officer_bo_de",
    "welfare_officer_bo_de",
}
OVER_BOTH_WARDS = {"city_commander", "district_officer_long_bien"}
ELSEWHERE = "ward_officer_phuc_xa"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def bo_de(status: int, *, anon: int) -> dict[str, int]:
    """`status` for Bồ Đề's managers, 404 for Phúc Xá's officer, 403 for every other role."""
    return statuses({**dict.fromkeys(BO_DE_MANAGERS, status), ELSEWHERE: 404}, anon=anon)


def district(status: int, *, anon: int, ward: int) -> dict[str, int]:
    """`status` over both wards (district, city), `ward` for Bồ Đề's officers, 404 elsewhere."""
    ok = {**dict.fromkeys(BO_DE_MANAGERS - OVER_BOTH_WARDS, ward), **dict.fromkeys(OVER_BOTH_WARDS, status)}
    return statuses({**ok, ELSEWHERE: 404}, anon=anon)


def anywhere(status: int, *, anon: int) -> dict[str, int]:
    return statuses(dict.fromkeys([*BO_DE_MANAGERS, ELSEWHERE], status), anon=anon)


@dataclass
class ReliefObjects:
    transfer: Any
    request: Any


def build_relief(request: Any) -> ReliefObjects:
    from phaodai.relief import foodaid, services
    from phaodai.relief.catalogue import sync_items
    from phaodai.relief.models import Item

    sync_items(Item)  # a transactional test's flush may have emptied the catalogue
    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    bo_de_ward, ngoc_lam = unit("00139"), unit("00133")
    services.record_donation(
        by=city, unit=bo_de_ward, kind="goods", item="rice", quantity=500, donor_name="Công ty CP Hòa Phát"
    )
    services.record_donation(  # money in Bồ Đề's fund, for the spending rows
        by=city, unit=bo_de_ward, kind="money", amount_vnd=1_000_000, donor_name="Công ty CP Hòa Phát"
    )
    transfer, _ = services.propose_transfer(
        by=city,
        from_unit=bo_de_ward,
        to_unit=ngoc_lam,
        item="rice",
        quantity=100,
        proposer="fatherland_front",
    )
    food, _ = foodaid.request_food_publicly(
        ward_code="00139", name="Nguyễn Thị Mai", phone="0987123456", address="Ngõ 12 Bồ Đề", people=3,
        token="matrix-built",
    )  # fmt: skip
    food = foodaid.assign_team(by=city, request=food, team="Tổ Covid cộng đồng số 1")
    return ReliefObjects(transfer, food)


def relief_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("relief")
            return path.format(transfer=o.transfer.pk, request=o.request.pk)

        return url

    everyone_ok = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    donation = {
        "unit": "00139",
        "kind": "goods",
        "item": "masks",
        "quantity": "10",
        "donor_name": "Hội Chữ thập đỏ",
    }
    transfer = {
        "from_unit": "00139",
        "to_unit": "00133",
        "item": "rice",
        "quantity": "50",
        "proposer": "district",
    }
    food = {"ward": "00139", "name": "Park Ji-hoon", "phone": "0901234567", "address": "Số 5 Bồ Đề",
            "nationality": "Hàn Quốc", "people": "2", "token": "matrix-public"}  # fmt: skip
    movement = {"unit": "00139", "item": "rice", "quantity": 1, "reason": "Tổ 1"}
    spending = {"unit": "00139", "kind": "cash", "amount_vnd": "1000", "payee": "Hộ 1", "reason": "Tiền ăn"}
    return {
        # pages
        "relief:board": [
            req("/relief/", anywhere(200, anon=302)),
            req("/relief/?unit=00139", bo_de(200, anon=302)),
        ],
        "relief:donations": [req("/relief/donations/?unit=00139", bo_de(200, anon=302))],
        "relief:donation_new": [
            req("/relief/donations/new/", anywhere(200, anon=302)),
            req(
                "/relief/donations/new/", bo_de(302, anon=302), method="post", data={**donation, "token": "m"}
            ),
        ],
        "relief:money": [
            req("/relief/money/", anywhere(200, anon=302)),
            req("/relief/money/?unit=00139", bo_de(200, anon=302)),
        ],
        "relief:money_spend": [
            req("/relief/money/spend/", anywhere(200, anon=302)),
            req(  # w(): Bồ Đề's fund must hold the money
                w("/relief/money/spend/"),
                bo_de(302, anon=302),
                method="post",
                data={**spending, "token": "m"},
            ),
        ],
        "relief:stock": [req(w("/relief/stock/00139/rice/"), bo_de(200, anon=302))],
        "relief:stock_action": [
            req(
                w("/relief/stock/00139/rice/distribute/"),
                bo_de(302, anon=302),
                method="post",
                data={"distribute-quantity": "1", "distribute-reason": "Tổ 1"},
            ),
        ],
        "relief:transfers": [req("/relief/transfers/", anywhere(200, anon=302))],
        "relief:transfer_new": [
            req("/relief/transfers/new/", anywhere(200, anon=302)),
            req(  # w(): Bồ Đề's rice must be there, a transfer of more than is held is refused
                w("/relief/transfers/new/"),
                district(302, anon=302, ward=404),
                method="post",
                data={**transfer, "token": "m"},
            ),
        ],
        "relief:transfer": [req(w("/relief/transfers/{transfer}/"), bo_de(200, anon=302))],
        "relief:transfer_move": [
            req(
                w("/relief/transfers/{transfer}/move/"),
                district(302, anon=302, ward=403),
                method="post",
                data={"step": "approve", "version": "1"},
            ),
        ],
        "relief:food_public": [
            req("/relief/food/", everyone_ok),
            req("/relief/food/", everyone_ok, method="post", data=food),
        ],
        "relief:food_list": [req("/relief/food-aid/", anywhere(200, anon=302))],
        "relief:food_detail": [req(w("/relief/food-aid/{request}/"), bo_de(200, anon=302))],
        "relief:food_step": [
            req(
                w("/relief/food-aid/{request}/assign/"),
                bo_de(302, anon=302),
                method="post",
                data={"team": "Tổ 2"},
            ),
        ],
        # API
        "api-v1:relief_items": [req("/api/v1/relief/items", anywhere(200, anon=401))],
        "api-v1:relief_board": [
            req("/api/v1/relief/board", anywhere(200, anon=401)),
            req("/api/v1/relief/board?unit=00139", bo_de(200, anon=401)),
        ],
        "api-v1:relief_donations": [req("/api/v1/relief/donations?unit=00139", bo_de(200, anon=401))],
        "api-v1:relief_spending": [req("/api/v1/relief/spending?unit=00139", bo_de(200, anon=401))],
        "api-v1:relief_spend": [
            req(
                w("/api/v1/relief/spending"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={**spending, "amount_vnd": 1000},
            ),
        ],
        "api-v1:relief_donation_record": [
            req(
                "/api/v1/relief/donations",
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={**donation, "quantity": 10},
            ),
        ],
        "api-v1:relief_distribute": [
            req(
                w("/api/v1/relief/distributions"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data=movement,
            )
        ],
        "api-v1:relief_adjust": [
            req("/api/v1/relief/adjustments", bo_de(201, anon=401), method="post", json=True, data=movement)
        ],
        "api-v1:relief_threshold": [
            req(
                "/api/v1/relief/thresholds",
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"unit": "00139", "item": "rice", "threshold": 50},
            ),
        ],
        "api-v1:relief_transfers": [req("/api/v1/relief/transfers", anywhere(200, anon=401))],
        "api-v1:relief_transfer_propose": [
            req(
                w("/api/v1/relief/transfers"),
                district(201, anon=401, ward=404),
                method="post",
                json=True,
                data={**transfer, "quantity": 50},
            ),
        ],
        "api-v1:relief_transfer": [req(w("/api/v1/relief/transfers/{transfer}"), bo_de(200, anon=401))],
        "api-v1:relief_transfer_move": [
            req(
                w("/api/v1/relief/transfers/{transfer}/move"),
                district(200, anon=401, ward=403),
                method="post",
                json=True,
                data={"step": "approve", "version": 1},
            ),
        ],
        "api-v1:relief_food_worklist": [req("/api/v1/relief/food-requests", anywhere(200, anon=401))],
        "api-v1:relief_food": [req(w("/api/v1/relief/food-requests/{request}"), bo_de(200, anon=401))],
        "api-v1:relief_food_assign": [
            req(
                w("/api/v1/relief/food-requests/{request}/assign"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"team": "Tổ 3"},
            ),
        ],
        "api-v1:relief_food_deliver": [
            req(
                w("/api/v1/relief/food-requests/{request}/deliver"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"goods": {"rice": 5}},
            ),
        ],
        "api-v1:relief_food_close": [
            req(
                w("/api/v1/relief/food-requests/{request}/close"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"note": "Đã chuyển về quê"},
            ),
        ],
    }
