"""The markets (prices) rows of the authorization matrix: vending reports, prices, shortages, the board.

Objects (built lazily by `build_markets_prices`): a market of Bồ Đề (00139, Long Biên), a resident's
vending report in Bồ Đề and an open shortage at the market. Vending reports are handled by whoever
manages markets over Bồ Đề (the city, Long Biên, Bồ Đề's ward officer); Phúc Xá's ward officer manages
markets elsewhere, so Bồ Đề's objects are 404 for them. Prices and shortages: whoever reports prices
over the ward (the same officials; market keepers too). The checkpoint officer checks market gates but
neither handles reports nor reads prices: 403. The public report page is open to everyone, anonymous
included; the rest redirects anonymous users to sign in, and the API answers them 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

BO_DE_MANAGERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
ELSEWHERE = "ward_officer_phuc_xa"
MARKET_CODE = "CHO-00139-P1"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def bo_de(status: int, *, anon: int) -> dict[str, int]:
    """`status` for Bồ Đề's managers, 404 for Phúc Xá's officer, 403 for every other role."""
    return statuses({**dict.fromkeys(BO_DE_MANAGERS, status), ELSEWHERE: 404}, anon=anon)


@dataclass
class PricesObjects:
    market: Any
    report: Any
    shortage: Any


def build_markets_prices(request: Any) -> PricesObjects:
    from datetime import time

    from phaodai.core.text import search_key
    from phaodai.markets import prices, reports
    from phaodai.markets.models import Market

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    ward = unit("00139")
    name = "Chợ Bồ Đề (giá cả)"
    market = Market.objects.create(
        unit=ward, unit_path=ward.path, code=MARKET_CODE, name=name, name_key=search_key(name),
        kind="local_market", address="Chợ Bồ Đề, Long Biên", opens_at=time(6), closes_at=time(18),
        capacity=80,
    )  # fmt: skip
    report, _ = reports.report_vending_publicly(
        ward_code="00139", data=reports.VendingInput(**_sighting()), token="matrix-built"
    )
    shortage, _ = prices.report_shortage(by=city, market=market, good="eggs")
    return PricesObjects(market, report, shortage)


def _now_local() -> datetime:
    from phaodai.core.clock import HANOI

    return datetime.now(HANOI)


def _sighting() -> dict[str, Any]:
    return {
        "kind": "street_vending",
        "place": "Ngõ 12 Nguyễn Văn Cừ",
        "seen_at": _now_local() - timedelta(hours=1),
    }


def _bodies() -> dict[str, dict[str, Any]]:
    seen = (_now_local() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    day = _now_local().date().isoformat()
    return {
        "public_form": {
            "ward": "00139", "kind": "street_vending", "place": "Vỉa hè Ngọc Lâm", "seen_at": seen,
            "token": "matrix-public",
        },
        "officer_form": {
            "ward": "00139", "kind": "temporary_market", "place": "Bãi đất trống", "seen_at": seen,
            "token": "matrix-officer",
        },
        "vending_api": {
            "ward": "00139", "kind": "temporary_market", "place": "Bãi đất trống",
            "seen_at": (_now_local() - timedelta(hours=1)).isoformat(),
        },
        "prices_form": {"day": day, "price_rice": "18000", "price_pork": "140000"},
        "prices_api": {"market": MARKET_CODE, "day": day, "prices": [{"good": "rice", "price": 18000}]},
        "shortage_api": {"market": MARKET_CODE, "good": "cooking_oil"},
    }  # fmt: skip


def markets_prices_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("markets_prices")
            return path.format(market=o.market.code, report=o.report.pk, shortage=o.shortage.pk)

        return url

    bodies = _bodies()
    everyone_ok = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    # Lists are about the user's own units: Phúc Xá's officer gets theirs.
    managers_anywhere = statuses(dict.fromkeys([*BO_DE_MANAGERS, ELSEWHERE], 200), anon=302)
    api_managers_anywhere = statuses(dict.fromkeys([*BO_DE_MANAGERS, ELSEWHERE], 200), anon=401)
    move = {"status": "handling", "version": "1"}
    return {
        # pages
        "markets:vending_public": [
            req("/markets/report/", everyone_ok),
            req("/markets/report/", everyone_ok, method="post", data=bodies["public_form"]),
        ],
        "markets:vending_list": [req("/markets/vending/", managers_anywhere)],
        "markets:vending_new": [
            req("/markets/vending/new/", managers_anywhere),
            req("/markets/vending/new/", bo_de(302, anon=302), method="post", data=bodies["officer_form"]),
        ],
        "markets:vending_detail": [req(w("/markets/vending/{report}/"), bo_de(200, anon=302))],
        "markets:vending_move": [
            req(w("/markets/vending/{report}/move/"), bo_de(302, anon=302), method="post", data=move)
        ],
        "markets:prices_board": [
            req("/markets/prices/", managers_anywhere),
            req(w("/markets/prices/?unit=00139"), bo_de(200, anon=302)),
        ],
        "markets:prices_report": [
            req(w("/markets/prices/{market}/"), bo_de(200, anon=302)),
            req(
                w("/markets/prices/{market}/"),
                bo_de(302, anon=302),
                method="post",
                data=bodies["prices_form"],
            ),
        ],
        "markets:shortage_report": [
            req(
                w("/markets/prices/{market}/shortage/"),
                bo_de(302, anon=302),
                method="post",
                data={"good": "rice"},
            )
        ],
        "markets:shortage_resolve": [
            req(w("/markets/shortages/{shortage}/resolve/"), bo_de(302, anon=302), method="post")
        ],
        # API
        "api-v1:markets_vending_open": [req("/api/v1/markets/vending", api_managers_anywhere)],
        "api-v1:markets_vending_record": [
            req(
                "/api/v1/markets/vending",
                bo_de(201, anon=401),
                method="post",
                json=True,
                data=bodies["vending_api"],
            )
        ],
        "api-v1:markets_vending": [req(w("/api/v1/markets/vending/{report}"), bo_de(200, anon=401))],
        "api-v1:markets_vending_move": [
            req(
                w("/api/v1/markets/vending/{report}/move"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"status": "handling", "version": 1},
            )
        ],
        "api-v1:markets_prices_report": [
            req(
                w("/api/v1/markets/prices"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data=bodies["prices_api"],
            )
        ],
        "api-v1:markets_board": [req(w("/api/v1/markets/board?unit=00139"), bo_de(200, anon=401))],
        "api-v1:markets_shortage_report": [
            req(
                w("/api/v1/markets/shortages"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data=bodies["shortage_api"],
            )
        ],
        "api-v1:markets_shortage_resolve": [
            req(
                w("/api/v1/markets/shortages/{shortage}/resolve"),
                bo_de(200, anon=401),
                method="post",
                json=True,
            )
        ],
    }
