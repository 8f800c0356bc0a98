"""The markets registry rows of the authorization matrix: markets, representatives, schemes, printing.

Objects (built lazily by `build_markets_registry`): a pass key; in Bồ Đề (00139) chợ Bồ Đề
(CHO-00139-01), a household of the matrix world's Tổ dân phố 1 with its representative, a scheme
"every 3 days" from tomorrow and one pass of that household, signed (for the phone link).

Readers of markets are whoever manages markets, checks a gate or reports prices: the city, Long Biên,
the wards of Bồ Đề and Phúc Xá, and Hà Đông's checkpoint officer (gate checks), who reaches no Bồ Đề
market (404). Managing is Perm.MANAGE_MARKETS: the city, Long Biên, the two wards; Phúc Xá's ward
does not reach Bồ Đề (404; on a creation form Bồ Đề is not among its wards: 422). The checkpoint
officer manages nothing (403). Everyone else 403; anonymous pages redirect. The phone page of a pass
is public through its unguessable link.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

BO_DE_MANAGERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
PHUC_XA = "ward_officer_phuc_xa"
GATE_OFFICER = "checkpoint_officer_ql6"
MANAGERS = BO_DE_MANAGERS | {PHUC_XA}
READERS = MANAGERS | {GATE_OFFICER}


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class RegistryObjects:
    scheme: Any
    household: Any
    person: Any
    market_pass: Any
    token: str


def build_markets_registry(request: Any) -> RegistryObjects:
    from phaodai.core.clock import at_local, local_date, now
    from phaodai.core.text import search_key
    from phaodai.markets import printing
    from phaodai.markets.models import Market, MarketPass, Representative, Scheme
    from phaodai.passes import services as passes
    from phaodai.people import services as people
    from phaodai.territory.models import Household

    world = request.getfixturevalue("world")
    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    passes.rotate_key(
        by=city, purpose="passes", label="Khóa ký phiếu đi chợ",
        pass_types=["vehicle", "transit", "shipper", "permit", "declaration", "market"],
    )  # fmt: skip
    ward, area = unit("00139"), world.bo_de_area
    market = Market.objects.create(
        unit=ward, unit_path=ward.path, code="CHO-00139-01", name="Chợ Bồ Đề",
        name_key=search_key("Chợ Bồ Đề"), kind="local_market", address="Phố Bồ Đề",
        opens_at=time(6), closes_at=time(18), capacity=40,
    )  # fmt: skip
    household = Household.objects.create(
        area=area, code="00139-TDP01-M01", address="Số 9 ngõ 1", path=area.path
    )
    person = people.register_person(
        by=city, cccd="001190077001", full_name="Lê Thị Thu", birth_date=date(1990, 5, 6), sex="F",
        phone=None, residence_area=area, household=household,
    )  # fmt: skip
    Representative.objects.create(household=household, person=person, unit_path=area.path)
    day = local_date(now()) + timedelta(days=1)
    scheme = Scheme.objects.create(
        unit=ward, unit_path=ward.path, name="Phiếu đi chợ 15 ngày", starts_on=day,
        ends_on=day + timedelta(days=14), pattern={"kind": "every_n_days", "n": 3}, created_by=city,
    )  # fmt: skip
    start = at_local(day, time(8))
    market_pass = MarketPass.objects.create(
        scheme=scheme, household=household, area=area, unit_path=area.path, representative=person,
        market=market, day=day, slot_start=start, slot_end=start + timedelta(hours=1), pass_id="MP-MATRIX-1",
    )  # fmt: skip
    printing.sheet_pdf(by=city, scheme=scheme, area=area)
    market_pass.refresh_from_db()
    return RegistryObjects(scheme, household, person, market_pass, printing.pass_link_token(market_pass))


def _forms() -> dict[str, dict[str, Any]]:
    from datetime import datetime

    from phaodai.core.clock import HANOI

    day = (datetime.now(HANOI) + timedelta(days=2)).date()
    return {
        "market": {
            "unit": "00139", "name": "Siêu thị Bồ Đề", "kind": "supermarket", "code": "",
            "address": "Phố Bồ Đề", "area": "", "opens_at": "07:00", "closes_at": "21:00", "capacity": "25",
        },
        "market_edit": {
            "name": "Chợ Bồ Đề", "kind": "local_market", "address": "Phố Bồ Đề", "area": "",
            "opens_at": "06:00", "closes_at": "19:00", "capacity": "45", "version": "1",
        },
        "scheme": {
            "unit": "00139", "name": "Phiếu đi chợ đợt 2", "starts_on": day.isoformat(),
            "ends_on": (day + timedelta(days=14)).isoformat(), "pattern": "every_3_days",
            "slot_minutes": "60", "market_choice": "nearest", "single_use": "on", "tolerance_minutes": "15",
        },
    }  # fmt: skip


def markets_registry_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("markets_registry")
            return path.format(
                scheme=o.scheme.pk, pass_id=o.market_pass.pass_id, token=o.token, household=o.household.pk
            )

        return url

    forms = _forms()
    readers = statuses(each(READERS, 200), anon=302)
    bo_de_page = statuses({**each(BO_DE_MANAGERS, 200), PHUC_XA: 404, GATE_OFFICER: 404}, anon=302)
    managers_get = statuses(each(MANAGERS, 200), anon=302)
    # Bồ Đề is not among Phúc Xá's wards: its creation form answers 422.
    create_in_bo_de = statuses({**each(BO_DE_MANAGERS, 302), PHUC_XA: 422}, anon=302)
    bo_de_get = statuses({**each(BO_DE_MANAGERS, 200), PHUC_XA: 404}, anon=302)
    bo_de_post = statuses({**each(BO_DE_MANAGERS, 302), PHUC_XA: 404}, anon=302)
    sheet = statuses({**each(BO_DE_MANAGERS, 200), PHUC_XA: 404}, anon=302)
    return {
        "markets:markets": [req("/markets/?ward=00139&status=open", readers)],
        "markets:market_new": [
            req("/markets/market/new/", managers_get),
            req("/markets/market/new/", create_in_bo_de, method="post", data=forms["market"]),
        ],
        "markets:market": [req(w("/markets/market/CHO-00139-01/"), bo_de_page)],
        "markets:market_edit": [
            req(w("/markets/market/CHO-00139-01/edit/"), bo_de_get),
            req(
                w("/markets/market/CHO-00139-01/edit/"), bo_de_post, method="post", data=forms["market_edit"]
            ),
        ],
        "markets:market_status": [
            req(
                w("/markets/market/CHO-00139-01/status/"),
                bo_de_post,
                method="post",
                data={"status": "closed_regime", "status_note": "", "version": "1"},
            )
        ],
        "markets:representative_areas": [req("/markets/representatives/", managers_get)],
        "markets:representatives": [req(w("/markets/representatives/00139-TDP01/"), bo_de_get)],
        "markets:pass_phone": [
            req(w("/markets/pass/{pass_id}/{token}/"), statuses({}, anon=200, other=200)),
            req(w("/markets/pass/{pass_id}/" + "0" * 32 + "/"), statuses({}, anon=404, other=404)),
        ],
        "markets:schemes": [req("/markets/schemes/", managers_get)],
        "markets:scheme_new": [
            req("/markets/schemes/new/", managers_get),
            req("/markets/schemes/new/", create_in_bo_de, method="post", data=forms["scheme"]),
        ],
        "markets:scheme": [req(w("/markets/schemes/{scheme}/"), bo_de_get)],
        "markets:scheme_edit": [req(w("/markets/schemes/{scheme}/edit/"), bo_de_get)],
        "markets:scheme_withdraw": [
            req(w("/markets/schemes/{scheme}/withdraw/"), bo_de_post, method="post", data={"version": "1"})
        ],
        "markets:scheme_allocate": [req(w("/markets/schemes/{scheme}/allocate/"), bo_de_post, method="post")],
        "markets:scheme_area": [req(w("/markets/schemes/{scheme}/areas/00139-TDP01/"), bo_de_get)],
        "markets:scheme_sheet": [
            req(w("/markets/schemes/{scheme}/areas/00139-TDP01/sheet.pdf"), sheet, method="post")
        ],
    }
