"""The lockdown and KPI rows of the authorization matrix: lockdown pages and API, the KPI board.

Objects (built lazily by `build_cases_lockdowns`): a lane of the world's Bồ Đề area (00139-TDP01) locked
down from 12:00 10/9/2021 to 12:00 24/9/2021, in force.
Readers are those who declare, trace or isolate (city, Long Biên, the two ward officers, Bồ Đề's health
worker); declaring, extending and lifting need `cases.lockdown` (not the health worker: 403). Phúc Xá's
officer has both elsewhere and gets 404 for Bồ Đề's lockdown (and for declaring in Bồ Đề); lists and the
KPI board of their own unit are 200. Roles with none of these get 403; anonymous pages redirect, the
API answers 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

DECLARERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
READERS = DECLARERS | {"health_worker_bo_de"}
OUTSIDE = {"ward_officer_phuc_xa"}
AREA = "00139-TDP01"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no lockdown or tracing capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class LockdownObjects:
    lane: Any


def build_cases_lockdowns(request: Any) -> LockdownObjects:
    from phaodai.cases import lockdowns
    from phaodai.core.clock import hanoi
    from phaodai.territory import selectors as territory

    city = request.getfixturevalue("city_commander")
    lane, _created = lockdowns.declare_lockdown(
        by=city, area=territory.area_by_code(AREA), scope="lane", place="Ngõ 66 phố Bồ Đề",
        reason="Ổ dịch trong ngõ", decision_number="125/QĐ-UBND", starts_at=hanoi(2021, 9, 10, 12),
        planned_end_at=hanoi(2021, 9, 24, 12), people_inside=420, checkpoints=["Đầu ngõ 66"],
    )  # fmt: skip
    return LockdownObjects(lane)


def page_form(**overrides: Any) -> dict[str, Any]:
    fields = {
        "ward": "00139", "area": AREA, "scope": "building", "place": "Nhà B", "reason": "2 ca F0",
        "decision_number": "140/QĐ-UBND", "cluster": "", "starts_at": "2021-09-11T12:00",
        "planned_end_at": "2021-09-25T12:00", "people_inside": "80", "checkpoints": "Cổng nhà B",
    }  # fmt: skip
    fields.update(overrides)
    return fields


def api_body() -> dict[str, Any]:
    return {
        "area": AREA, "scope": "lane", "place": "Ngõ 12 phố Bồ Đề", "reason": "Ổ dịch",
        "decision_number": "141/QĐ-UBND", "starts_at": "2021-09-11T12:00:00+07:00",
        "planned_end_at": "2021-09-25T12:00:00+07:00", "people_inside": 150, "checkpoints": ["Đầu ngõ 12"],
    }  # fmt: skip


def cases_lockdowns_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            return path.format(lane=world.lazy("cases_lockdowns").lane.pk)

        return url

    readers_anywhere = each(READERS | OUTSIDE, 200)
    on_the_lane = {**each(OUTSIDE, 404), **each(READERS, 200)}
    acting = {**each(OUTSIDE, 404), **each(READERS, 403)}
    extend_page = {"planned_end_at": "2021-10-01T12:00"}
    lift_page = {"ended_at": "2021-09-20T18:00"}
    return {
        # pages
        "cases:lockdowns": [
            req("/cases/lockdowns/", statuses(readers_anywhere, anon=302)),
            req("/cases/lockdowns/?status=lifted", statuses(readers_anywhere, anon=302)),
        ],
        "cases:lockdown_new": [
            req("/cases/lockdowns/new/", statuses(each(DECLARERS | OUTSIDE, 200), anon=302)),
            # Phúc Xá's officer declares, but not in Bồ Đề: the ward is not among theirs.
            req(
                "/cases/lockdowns/new/",
                statuses({**each(OUTSIDE, 404), **each(DECLARERS, 302)}, anon=302),
                method="post",
                data=page_form(),
            ),
        ],
        "cases:lockdown": [req(w("/cases/lockdowns/{lane}/"), statuses(on_the_lane, anon=302))],
        "cases:lockdown_extend": [
            req(
                w("/cases/lockdowns/{lane}/extend/"),
                statuses({**acting, **each(DECLARERS, 302)}, anon=302),
                method="post",
                data=extend_page,
            )
        ],
        "cases:lockdown_lift": [
            req(
                w("/cases/lockdowns/{lane}/lift/"),
                statuses({**acting, **each(DECLARERS, 302)}, anon=302),
                method="post",
                data=lift_page,
            )
        ],
        "cases:kpis": [
            req("/cases/kpis/", statuses(readers_anywhere, anon=302)),
            req("/cases/kpis/?unit=00139&day=2021-09-10", statuses(on_the_lane, anon=302)),
        ],
        # API
        "api-v1:lockdowns": [
            req("/api/v1/lockdowns", statuses(readers_anywhere, anon=401)),
            req(
                "/api/v1/lockdowns",
                statuses({**each(OUTSIDE, 404), **each(DECLARERS, 201)}, anon=401),
                method="post",
                data=api_body(),
                json=True,
            ),
        ],
        "api-v1:lockdown": [req(w("/api/v1/lockdowns/{lane}"), statuses(on_the_lane, anon=401))],
        "api-v1:lockdown_extend": [
            req(
                w("/api/v1/lockdowns/{lane}/extend"),
                statuses({**acting, **each(DECLARERS, 200)}, anon=401),
                method="post",
                data={"planned_end_at": "2021-10-01T12:00:00+07:00", "version": 1},
                json=True,
            )
        ],
        "api-v1:lockdown_lift": [
            req(
                w("/api/v1/lockdowns/{lane}/lift"),
                statuses({**acting, **each(DECLARERS, 200)}, anon=401),
                method="post",
                data={"ended_at": "2021-09-20T18:00:00+07:00", "version": 1},
                json=True,
            )
        ],
    }
