"""The markets (gate) rows of the authorization matrix: the offline gate page, its worker and manifest, the
tracing page, and the gate API (check, sync, inside, exposures).

Objects (built lazily by `build_markets_gate`): the pass and bundle keys, the published "markets"
bundle and chợ Bồ Đề (CHO-00139-01). The gate needs markets.gate over Bồ Đề: the city, Long Biên's
district officer and Bồ Đề's ward officer; Phúc Xá's ward officer and Hà Đông's checkpoint officer
check gates elsewhere (404). Tracing needs cases.trace or markets.manage: the officials and Bồ Đề's
health worker; Phúc Xá's ward officer traces elsewhere (404 for the market, 200 for the empty form).
Other roles: 403; anonymous pages redirect, the API answers 401. The worker and manifest are public.
"""

from collections.abc import Callable
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

GATE_KEEPERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
GATES_ELSEWHERE = {"ward_officer_phuc_xa", "checkpoint_officer_ql6"}
TRACERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
TRACER_ELSEWHERE = "ward_officer_phuc_xa"
MARKET = "CHO-00139-01"
API = f"/api/v1/markets/{MARKET}"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def build_markets_gate(request: Any) -> Any:
    from phaodai.markets.tests.gate_world import make_market
    from phaodai.passes import services as passes
    from phaodai.passes.payload import PassType
    from phaodai.territory.models import Unit

    city = request.getfixturevalue("city_commander")
    passes.rotate_key(by=city, purpose="passes", label="Khóa ký phiếu đi chợ", pass_types=list(PassType))
    passes.rotate_key(by=city, purpose="bundles", label="Khóa ký bộ quy tắc")
    passes.publish_scope(by=city, scope="markets")
    return make_market(Unit.objects.get(code="00139"), MARKET, "Chợ Bồ Đề")


def markets_gate_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            world.lazy("markets_gate")
            return path

        return url

    from datetime import date

    today = date.today()
    gate_page = statuses({**each(GATE_KEEPERS, 200), **each(GATES_ELSEWHERE, 404)}, anon=302)
    gate_api = statuses({**each(GATE_KEEPERS, 200), **each(GATES_ELSEWHERE, 404)}, anon=401)
    tracing_form = statuses(each(TRACERS | {TRACER_ELSEWHERE}, 200), anon=302)
    tracing_post = statuses({**each(TRACERS, 200), TRACER_ELSEWHERE: 404}, anon=302)
    exposures = statuses({**each(TRACERS, 200), TRACER_ELSEWHERE: 404}, anon=401)
    public = {ANON: 200, **dict.fromkeys(PERSONAS, 200)}
    visit_form = {"case": "", "market_0": MARKET, "day_0": f"{today:%d/%m/%Y}", "action": "list"}
    visit_api = {"visits": [{"market": MARKET, "day": today.isoformat()}]}
    return {
        "markets:gate": [req(w(f"/markets/market/{MARKET}/gate/"), gate_page)],
        "markets:gate_worker": [req("/markets/gate/sw.js", public)],
        "markets:gate_manifest": [req(f"/markets/gate/manifest.webmanifest?market={MARKET}", public)],
        "markets:tracing": [
            req("/markets/tracing/", tracing_form),
            req(w("/markets/tracing/"), tracing_post, method="post", data=visit_form),
        ],
        "api-v1:markets_gate_check": [
            req(w(f"{API}/gate"), gate_api, method="post", json=True, data={"code": "PD1:X"})
        ],
        "api-v1:markets_gate_sync": [
            req(w(f"{API}/gate/sync"), gate_api, method="post", json=True, data={"entries": []})
        ],
        "api-v1:markets_inside": [req(w(f"/api/v1/markets/{MARKET}/inside"), gate_api)],
        "api-v1:markets_exposures": [
            req(w("/api/v1/markets/exposures"), exposures, method="post", json=True, data=visit_api)
        ],
    }
