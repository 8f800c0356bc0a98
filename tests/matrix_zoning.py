"""The zoning rows of the authorization matrix (officials' desk, authoring, workflow).

Objects are built lazily by `ZoningObjects`, so only the zoning cases pay for a round and a draft.
Groups: AUTHORS (district and city) author tables, open rounds and decide; the ward officer of Bồ Đề
classifies and submits; indicator enterers are officials and health workers of the ward.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

AUTHORS = {"city_commander", "district_officer_long_bien"}
WARD_BO_DE = {"ward_officer_bo_de"}
ENTERERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
NEXT_YEAR = date.today().year + 1


def statuses(
    allowed: set[str],
    ok: int,
    *,
    anon: int,
    elsewhere: frozenset[str] | set[str] = frozenset(),
    other: int = 403,
) -> dict[str, int]:
    """`ok` for `allowed`, 404 for those acting only elsewhere, `other` for the rest."""
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = ok if persona in allowed else 404 if persona in elsewhere else other
    return result


@dataclass
class ZoningObjects:
    round: Any
    bo_de_proposal: Any
    ngoc_lam_proposal: Any
    lb_table: Any
    draft_table: Any
    decision: Any


def build_zoning(request: Any) -> ZoningObjects:
    """A Long Biên round (Bồ Đề classified, Ngọc Lâm submitted), the shipped table and a draft."""
    from phaodai.core.clock import hanoi
    from phaodai.zoning import selectors, services
    from phaodai.zoning.tests.test_authoring_services import draft_kwargs
    from phaodai.zoning.tests.test_services import matrix_workflow

    unit = request.getfixturevalue("unit")
    district = request.getfixturevalue("district_officer_long_bien")
    round_, bo_de, ngoc_lam = matrix_workflow(
        unit, district, request.getfixturevalue("ward_officer_bo_de"),
        request.getfixturevalue("ward_officer_ngoc_lam"),
    )  # fmt: skip
    draft = services.save_draft_table(by=district, **draft_kwargs(unit("004")))
    city = unit("01")
    decision = services.place_units_under_regime(
        by=request.getfixturevalue("city_commander"),
        issuer=city,
        units=[city],
        regime=selectors.regime_by_code("CT17-HN") or _missing("CT17-HN"),
        number="17/CT-UBND",
        signatory="Chủ tịch UBND thành phố",
        title="Chỉ thị 17/CT-UBND",
        effective_at=hanoi(2021, 7, 24, 6),
        clock=lambda: hanoi(2021, 7, 23, 18),
    )
    return ZoningObjects(round_, bo_de, ngoc_lam, selectors.published_table("LB-2021-09"), draft, decision)


def _missing(code: str) -> Any:
    raise LookupError(code)


def table_form(code: str = "LB-TEST", valid_from: str = "20/09/2021 06:00") -> dict[str, Any]:
    from phaodai.zoning.tests.test_authoring_views import table_post

    return table_post(code=code, valid_from=valid_from)


def table_json(**fields: Any) -> dict[str, Any]:
    from phaodai.zoning.tests.test_authoring_api import table_json as body

    return body(**fields)


def public_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The public portal: everyone, signed in or not, gets the same answers."""
    ok = dict.fromkeys([ANON, *PERSONAS], 200)
    missing = dict.fromkeys([ANON, *PERSONAS], 404)

    def decision(path: str) -> Callable[[Any], str]:
        return lambda world: path.format(pk=world.zoning.decision.pk)

    return {
        "portal:index": [req("/public/", ok), req("/public/?q=bo+de", ok)],
        "portal:area": [
            req("/public/areas/00139-TDP01/?at=2021-09-10", ok),
            req("/public/areas/00139-NOPE/", missing),
        ],
        "portal:unit": [req("/public/units/00139/", ok), req("/public/units/99999/", missing)],
        "portal:criteria": [req("/public/criteria/", ok)],
        "portal:criteria_detail": [req("/public/criteria/LB-2021-09/", ok)],
        "portal:criteria_evaluate": [
            req("/public/criteria/LB-2021-09/evaluate/", ok, method="post", data={"lockdown_active": "true"}),
        ],
        "portal:decisions": [req("/public/decisions/", ok)],
        "portal:decision": [req(decision("/public/decisions/{pk}/"), ok)],
        "portal:regimes": [req("/public/regimes/", ok)],
        "portal:regime": [req("/public/regimes/CT15+/", ok)],
        "portal:map": [req("/public/map/", ok), req("/public/map/?at=2021-09-10", ok)],
        "api-v1:public_area_regime": [
            req("/api/v1/public/areas/00139-TDP01/regime?at=2021-09-10", ok),
            req("/api/v1/public/areas/00139-NOPE/regime", missing),
        ],
        "api-v1:public_unit_regime": [req("/api/v1/public/units/00139/regime", ok)],
        "api-v1:public_search_places": [req("/api/v1/public/places?q=bo+de", ok)],
        "api-v1:public_criteria": [req("/api/v1/public/criteria/", ok)],
        "api-v1:public_criteria_table": [req("/api/v1/public/criteria/LB-2021-09", ok)],
        "api-v1:public_evaluate_criteria": [
            req("/api/v1/public/criteria/LB-2021-09/evaluate", ok, method="post", json=True,
                data={"indicators": {"lockdown_active": True}}),
        ],
        "api-v1:public_decisions": [req("/api/v1/public/decisions/", ok)],
        "api-v1:public_decision": [
            req(decision("/api/v1/public/decisions/{pk}"), ok),
            req("/api/v1/public/decisions/999999", missing),
        ],
        "api-v1:public_regimes": [req("/api/v1/public/regimes/", ok)],
        "api-v1:public_regime": [req("/api/v1/public/regimes/CT15+", ok)],
    }  # fmt: skip


def zoning_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def z(path: Callable[[Any], str]) -> Callable[[Any], str]:
        return lambda world: path(world.zoning)

    pages_a = statuses(AUTHORS, 200, anon=302)
    desk_readers = AUTHORS | WARD_BO_DE | {"ward_officer_phuc_xa"}
    round_form = {
        "district": "004", "table": "LB-2021-09:1", "wards": ["00139", "00133"],
        "deadline": f"{NEXT_YEAR}-01-10T17:00", "effective_date": f"{NEXT_YEAR}-01-11",
        "effective_time": "06:00", "title": "",
    }  # fmt: skip
    indicators_form = {"as_of": "07/09/2021 06:00", "v_TDP01_community_cases_7d": "2"}
    indicators_json = {
        "as_of": "2021-09-07T06:00:00+07:00",
        "values": [{"area": "00139-TDP01", "indicator": "community_cases_7d", "value": 2}],
    }
    return {
        # The zoning desk: proposers and deciders.
        "zoning:home": [req("/zoning/", statuses(desk_readers, 200, anon=302))],
        "zoning:round_new": [
            req("/zoning/rounds/new/", pages_a),
            req("/zoning/rounds/new/", statuses(AUTHORS, 302, anon=302), method="post", data=round_form),
        ],
        "zoning:round_detail": [
            req(z(lambda o: f"/zoning/rounds/{o.round.pk}/"),
                statuses(AUTHORS | WARD_BO_DE, 200, anon=302, elsewhere={"ward_officer_phuc_xa"})),
        ],
        "zoning:proposal": [
            req(z(lambda o: f"/zoning/proposals/{o.bo_de_proposal.pk}/"),
                statuses(AUTHORS | WARD_BO_DE, 200, anon=302, elsewhere={"ward_officer_phuc_xa"})),
        ],
        "zoning:proposal_classify": [
            req(z(lambda o: f"/zoning/proposals/{o.bo_de_proposal.pk}/classify/"),
                statuses(WARD_BO_DE, 302, anon=302, elsewhere={"ward_officer_phuc_xa"}), method="post"),
        ],
        "zoning:proposal_item": [
            req(z(lambda o: f"/zoning/proposals/{o.bo_de_proposal.pk}/items/00139-TDP01/"),
                statuses(WARD_BO_DE, 302, anon=302, elsewhere={"ward_officer_phuc_xa"}), method="post",
                data={"00139-TDP01-level": "KV2", "00139-TDP01-justification": "x"}),
        ],
        "zoning:proposal_submit": [
            req(z(lambda o: f"/zoning/proposals/{o.bo_de_proposal.pk}/submit/"),
                statuses(WARD_BO_DE, 302, anon=302, elsewhere={"ward_officer_phuc_xa"}), method="post"),
        ],
        "zoning:proposal_return": [
            req(z(lambda o: f"/zoning/proposals/{o.ngoc_lam_proposal.pk}/return/"),
                statuses(AUTHORS, 302, anon=302), method="post", data={"reason": "x"}),
        ],
        "zoning:proposal_decide": [
            req(z(lambda o: f"/zoning/proposals/{o.ngoc_lam_proposal.pk}/decide/"),
                statuses(AUTHORS, 302, anon=302), method="post",
                data={"number": "2451/QĐ-UBND", "signatory": "x"}),
        ],
        # Criteria tables: districts and the city.
        "zoning:tables": [req("/zoning/tables/", pages_a)],
        "zoning:table_new": [
            req("/zoning/tables/new/", pages_a),
            req("/zoning/tables/new/", statuses(AUTHORS, 302, anon=302), method="post",
                data=table_form(code="TEST-1")),
        ],
        "zoning:table_detail": [req(z(lambda o: f"/zoning/tables/{o.lb_table.pk}/"), pages_a)],
        "zoning:table_edit": [
            req(z(lambda o: f"/zoning/tables/{o.draft_table.pk}/edit/"), pages_a),
            req(z(lambda o: f"/zoning/tables/{o.draft_table.pk}/edit/"), statuses(AUTHORS, 302, anon=302),
                method="post", data=table_form(code="LB-TEST")),
        ],
        "zoning:table_publish": [
            req(z(lambda o: f"/zoning/tables/{o.draft_table.pk}/publish/"), statuses(AUTHORS, 302, anon=302),
                method="post"),
        ],
        "zoning:table_new_version": [
            req(z(lambda o: f"/zoning/tables/{o.lb_table.pk}/new-version/"), pages_a),
            req(z(lambda o: f"/zoning/tables/{o.lb_table.pk}/new-version/"), statuses(AUTHORS, 302, anon=302),
                method="post", data=table_form(valid_from="15/09/2021 06:00")),
        ],
        # Indicators of Bồ Đề: its officials and health worker.
        "zoning:indicators": [
            req("/zoning/indicators/00139/",
                statuses(ENTERERS, 200, anon=302, elsewhere={"ward_officer_phuc_xa"})),
            req("/zoning/indicators/00139/",
                statuses(ENTERERS, 302, anon=302, elsewhere={"ward_officer_phuc_xa"}), method="post",
                data=indicators_form),
        ],
        "zoning:indicators_import": [
            req("/zoning/indicators/00139/import/",
                statuses(ENTERERS, 200, anon=302, elsewhere={"ward_officer_phuc_xa"})),
        ],
        "zoning:indicators_template": [
            req("/zoning/indicators/00139/template.csv",
                statuses(ENTERERS, 200, anon=302, elsewhere={"ward_officer_phuc_xa"})),
        ],
        # API: the same rules, 401 without credentials.
        "api-v1:zoning_rounds": [
            req("/api/v1/zoning/rounds", statuses(desk_readers, 200, anon=401)),
            req("/api/v1/zoning/rounds", statuses(AUTHORS, 201, anon=401), method="post", json=True,
                data={"district": "004", "table": "LB-2021-09",
                      "deadline": f"{NEXT_YEAR}-01-10T17:00:00+07:00"}),
        ],
        "api-v1:zoning_round": [
            req(z(lambda o: f"/api/v1/zoning/rounds/{o.round.pk}"),
                statuses(AUTHORS | WARD_BO_DE, 200, anon=401, elsewhere={"ward_officer_phuc_xa"})),
        ],
        "api-v1:zoning_proposal": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.bo_de_proposal.pk}"),
                statuses(AUTHORS | WARD_BO_DE, 200, anon=401, elsewhere={"ward_officer_phuc_xa"})),
        ],
        "api-v1:zoning_classify": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.bo_de_proposal.pk}/classify"),
                statuses(WARD_BO_DE, 200, anon=401, elsewhere={"ward_officer_phuc_xa"}), method="post",
                json=True, data={}),
        ],
        "api-v1:zoning_propose_level": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.bo_de_proposal.pk}/items/00139-TDP01/level"),
                statuses(WARD_BO_DE, 200, anon=401, elsewhere={"ward_officer_phuc_xa"}), method="post",
                json=True, data={"level": "KV2", "justification": "x"}),
        ],
        "api-v1:zoning_submit": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.bo_de_proposal.pk}/submit"),
                statuses(WARD_BO_DE, 200, anon=401, elsewhere={"ward_officer_phuc_xa"}), method="post",
                json=True, data={}),
        ],
        "api-v1:zoning_return": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.ngoc_lam_proposal.pk}/return"),
                statuses(AUTHORS, 200, anon=401), method="post", json=True, data={"reason": "x"}),
        ],
        "api-v1:zoning_decision": [
            req(z(lambda o: f"/api/v1/zoning/proposals/{o.ngoc_lam_proposal.pk}/decision"),
                statuses(AUTHORS, 201, anon=401), method="post", json=True,
                data={"number": "2451/QĐ-UBND", "signatory": "x"}),
        ],
        "api-v1:list_criteria_tables": [req("/api/v1/zoning/tables", statuses(AUTHORS, 200, anon=401))],
        "api-v1:create_criteria_table": [
            req("/api/v1/zoning/tables", statuses(AUTHORS, 201, anon=401), method="post", json=True,
                data=table_json(code="TEST-API")),
        ],
        "api-v1:get_criteria_table": [
            req(z(lambda o: f"/api/v1/zoning/tables/{o.lb_table.pk}"), statuses(AUTHORS, 200, anon=401)),
        ],
        "api-v1:update_criteria_table": [
            req(z(lambda o: f"/api/v1/zoning/tables/{o.draft_table.pk}"), statuses(AUTHORS, 200, anon=401),
                method="put", json=True, data=table_json()),
        ],
        "api-v1:publish_criteria_table": [
            req(z(lambda o: f"/api/v1/zoning/tables/{o.draft_table.pk}/publish"),
                statuses(AUTHORS, 200, anon=401), method="post", json=True, data={}),
        ],
        "api-v1:enter_indicator_values": [
            req("/api/v1/zoning/indicators",
                statuses(ENTERERS, 201, anon=401, elsewhere={"ward_officer_phuc_xa"}), method="post",
                json=True, data=indicators_json),
        ],
    }  # fmt: skip
