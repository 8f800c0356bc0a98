"""The inspections API rows of the authorization matrix: teams, inspections and their steps, accountability.

Objects (built lazily by `build_inspections_api`), set up by the city commander:
- city team 3 (1103-QĐ/TU), its area of work Long Biên, led by inspector_team_3; in Bồ Đề a planned
  market inspection, an open one with every checklist item recorded (version 3), and in Ngọc Lâm a
  finished one that failed;
- a Ba Đình district team with a planned inspection of Chợ Châu Long (Phúc Xá).
Inspectors and those who set up teams read within their units (city, Long Biên, inspector_team_3) and
get 404 for Ba Đình's; only the team's members and inspectors of its home unit (the city) act for team 3,
so Long Biên's officer reads its work but gets 403 acting on it (`not_on_team`). Roles that neither
inspect nor set up teams get 403; the violation kinds are reference data for anyone signed in; the
API answers 401 without credentials.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

API = "/api/v1/inspections"
READERS = {"city_commander", "district_officer_long_bien", "inspector_team_3"}
ACTORS = {"city_commander", "inspector_team_3"}  # act for team 3
CITY = {"city_commander"}
OUTSIDE_BA_DINH = {"district_officer_long_bien", "inspector_team_3"}  # inspect, but not in Ba Đình
TEAM_SETTERS = {"city_commander", "district_officer_long_bien"}
MARKET_ITEMS = ["market_pass", "masks_distancing", "qr_checkin", "goods_prices", "disinfection"]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class FreshPhoto:
    """A PNG the test client reads afresh on every request (a shared file object would be read once)."""

    name = "qr.png"
    content_type = "image/png"

    def read(self) -> bytes:
        return PNG


def statuses(ok: dict[str, int], *, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`, `other` (403: neither inspects nor sets up teams) else."""
    return {ANON: 401, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class InspectionObjects:
    team_3: Any
    ba_dinh_team: Any
    planned: Any  # Chợ Bồ Đề, planned (version 1)
    open: Any  # Chợ Long Biên, in progress with every item recorded (version 3)
    failed: Any  # Chợ Ngọc Lâm, done and failed
    ba_dinh: Any  # Chợ Châu Long, planned by the Ba Đình team


def build_inspections_api(request: Any) -> InspectionObjects:
    from phaodai.core.clock import hanoi
    from phaodai.inspections import services

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    inspector = request.getfixturevalue("inspector_team_3")
    team_3 = services.create_team(
        by=city,
        name="Tổ công tác số 3",
        level="city",
        decision_number="1103-QĐ/TU",
        decision_date=hanoi(2021, 9, 1).date(),
        home_unit=unit("01"),
        area_units=[unit("004")],
        members=[services.MemberSpec("Nguyễn Văn Hùng", "Phó Giám đốc Sở Y tế", "leader", user=inspector)],
        active_from=hanoi(2021, 9, 1),
    )
    ba_dinh_team = services.create_team(
        by=city,
        name="Đoàn kiểm tra quận Ba Đình",
        level="district",
        decision_number="215/QĐ-UBND",
        decision_date=hanoi(2021, 9, 2).date(),
        home_unit=unit("001"),
        area_units=[unit("001")],
        active_from=hanoi(2021, 9, 2),
    )

    def market(team: Any, by: Any, ward: str, label: str) -> Any:
        return services.plan_inspection(by=by, team=team, target_kind="market", unit=unit(ward), label=label)

    def visited(ward: str, label: str, *, ok: bool) -> Any:
        started = services.start_inspection(by=inspector, inspection=market(team_3, inspector, ward, label))
        found = [services.FindingInput(code, ok or i > 0) for i, code in enumerate(MARKET_ITEMS)]
        services.record_findings(by=inspector, inspection=started, findings=found)
        return started

    planned = market(team_3, inspector, "00139", "Chợ Bồ Đề")
    open_ = visited("00139", "Chợ Long Biên", ok=True)
    failed = services.finish_inspection(
        by=inspector, inspection=visited("00133", "Chợ Ngọc Lâm", ok=False), summary="Không kiểm soát thẻ"
    )
    ba_dinh = market(ba_dinh_team, city, "00001", "Chợ Châu Long")
    return InspectionObjects(team_3, ba_dinh_team, planned, open_, failed, ba_dinh)


def inspections_api_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("inspections_api")
            return API + path.format(
                team_3=o.team_3.pk,
                ba_dinh_team=o.ba_dinh_team.pk,
                planned=o.planned.pk,
                open=o.open.pk,
                failed=o.failed.pk,
                ba_dinh=o.ba_dinh.pk,
            )

        return url

    acting = statuses(each(ACTORS, 200))
    in_ba_dinh = statuses({**each(CITY, 200), **each(OUTSIDE_BA_DINH, 404)})
    new_team = {
        "name": "Đoàn kiểm tra số 5",
        "level": "district",
        "decision_number": "680-QĐ/QU",
        "decision_date": "2021-09-05",
        "active_from": "2021-09-05T08:00",
    }
    violation = {
        "kind": "no_mask_public",
        "offender": "person",
        "offender_name": "Người vi phạm",
        "fine_amount": 2_000_000,
        "measures": ["fine"],
        "decision_number": "27/QĐ-XPHC",
    }
    return {
        "api-v1:inspections_violation_kinds": [
            req(f"{API}/violation-kinds", {ANON: 401, **dict.fromkeys(PERSONAS, 200)})
        ],
        "api-v1:inspections_teams": [
            req(f"{API}/teams", statuses(each(READERS, 200))),
            req(
                f"{API}/teams",
                statuses(each(TEAM_SETTERS, 201)),
                method="post",
                json=True,
                data={**new_team, "home_unit": "004", "area_units": ["00139"]},
            ),
            # Ba Đình's team is outside Long Biên's units.
            req(
                f"{API}/teams",
                statuses({**each(CITY, 201), "district_officer_long_bien": 404}),
                method="post",
                json=True,
                data={**new_team, "home_unit": "001", "area_units": ["00001"]},
            ),
        ],
        "api-v1:inspections_team": [
            req(w("/teams/{team_3}"), statuses(each(READERS, 200))),
            req(w("/teams/{ba_dinh_team}"), in_ba_dinh),
        ],
        "api-v1:inspections_list": [
            req(f"{API}?status=planned&kind=market", statuses(each(READERS, 200))),
        ],
        "api-v1:inspections_plan": [
            # Long Biên reads team 3's work but does not act for the city's team.
            req(
                w("/teams/{team_3}/inspections"),
                statuses(each(ACTORS, 201)),
                method="post",
                json=True,
                data={"target_kind": "market", "unit": "00139", "label": "Chợ Gia Thụy", "surprise": True},
            ),
            req(
                w("/teams/{ba_dinh_team}/inspections"),
                statuses({**each(CITY, 201), **each(OUTSIDE_BA_DINH, 404)}),
                method="post",
                json=True,
                data={"target_kind": "market", "unit": "00001", "label": "Chợ Phúc Xá"},
            ),
        ],
        "api-v1:inspections_detail": [
            req(w("/{planned}"), statuses(each(READERS, 200))),
            req(w("/{ba_dinh}"), in_ba_dinh),
        ],
        "api-v1:inspections_start": [
            req(w("/{planned}/start"), acting, method="post", json=True, data={"version": 1}),
            req(w("/{ba_dinh}/start"), in_ba_dinh, method="post", json=True, data={"version": 1}),
        ],
        "api-v1:inspections_cancel": [
            req(
                w("/{planned}/cancel"),
                acting,
                method="post",
                json=True,
                data={"version": 1, "reason": "Đoàn đổi lịch"},
            ),
        ],
        "api-v1:inspections_findings": [
            req(
                w("/{open}/findings"),
                acting,
                method="post",
                json=True,
                data={"findings": [{"item_code": "qr_checkin", "ok": False, "note": "Không quét mã"}]},
            ),
        ],
        "api-v1:inspections_finding_photo": [
            req(
                w("/{open}/findings/photo"),
                acting,
                method="post",
                data={"item_code": "qr_checkin", "ok": "false", "photo": FreshPhoto()},
            ),
        ],
        "api-v1:inspections_violations": [
            req(
                w("/{open}/violations"), statuses(each(ACTORS, 201)), method="post", json=True, data=violation
            ),
        ],
        "api-v1:inspections_finish": [
            req(w("/{open}/finish"), acting, method="post", json=True, data={"version": 3}),
        ],
        "api-v1:inspections_reinspect": [
            req(w("/{failed}/reinspections"), statuses(each(ACTORS, 201)), method="post", json=True, data={}),
        ],
        "api-v1:inspections_overdue": [req(f"{API}/overdue", statuses(each(READERS, 200)))],
        "api-v1:inspections_accountability": [
            req(f"{API}/accountability?unit=004&from=2021-09-01&to=2021-09-30", statuses(each(READERS, 200))),
            req(f"{API}/accountability?unit=001&from=2021-09-01&to=2021-09-30", in_ba_dinh),
        ],
    }
