"""The markets (allocation) rows of the authorization matrix: running a scheme's allocation and
reading its latest run.

Objects (built lazily by `build_markets_allocation`): in Bồ Đề (00139) one tổ dân phố with a market and
two households, and a scheme already allocated once. Only those who manage markets over Bồ Đề run and
read it (the city, Long Biên's district officer, Bồ Đề's ward officer); Phúc Xá's ward officer manages
markets elsewhere (404); every other role is 403 (the gate's checkpoint officer included); anonymous 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

MANAGERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
ELSEWHERE = "ward_officer_phuc_xa"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


@dataclass
class AllocationObjects:
    scheme: Any


def build_markets_allocation(request: Any) -> AllocationObjects:
    from phaodai.core.text import search_key
    from phaodai.markets.allocation import run_allocation
    from phaodai.markets.models import Market, Scheme
    from phaodai.territory.models import Area, Household, Unit

    city = request.getfixturevalue("city_commander")
    ward = Unit.objects.get(code="00139")
    area = Area.objects.create(
        ward=ward, code="00139-MX01", local_code="MX01", name="Tổ dân phố ma trận",
        name_key=search_key("Tổ dân phố ma trận"), kind="to_dan_pho", path=ward.path,
    )  # fmt: skip
    Market.objects.create(
        unit=ward, unit_path=ward.path, area=area, code="CHO-MX-01", name="Chợ ma trận",
        name_key=search_key("Chợ ma trận"), kind="local_market", address="Bồ Đề", opens_at=time(7),
        closes_at=time(11), capacity=5,
    )  # fmt: skip
    for n in range(2):
        Household.objects.create(
            area=area, code=f"00139-MX01-{n:03d}", address=f"{n + 1} ngõ ma trận", path=area.path
        )
    scheme = Scheme.objects.create(
        unit=ward, unit_path=ward.path, name="Phiếu đi chợ ma trận", starts_on=date(2021, 7, 26),
        ends_on=date(2021, 8, 9), pattern={"kind": "every_n_days", "n": 3}, created_by=city,
    )  # fmt: skip
    run_allocation(by=city, scheme=scheme)
    return AllocationObjects(scheme)


def markets_allocation_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            return path.format(scheme=world.lazy("markets_allocation").scheme.pk)

        return url

    managers = statuses({**dict.fromkeys(MANAGERS, 200), ELSEWHERE: 404}, anon=401)
    return {
        "api-v1:markets_scheme_allocate": [
            req(w("/api/v1/markets/schemes/{scheme}/allocate"), managers, method="post", json=True, data={})
        ],
        "api-v1:markets_scheme_latest_run": [
            req(w("/api/v1/markets/schemes/{scheme}/runs/latest"), managers)
        ],
    }
