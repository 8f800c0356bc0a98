"""The inspection pages' rows of the authorization matrix: inspections, teams, planning, accountability.

Objects (built lazily by `build_inspections_pages`):
- the city's team 3 (1103-QĐ/TU), working in Long Biên, led by inspector_team_3;
- in Bồ Đề: a planned inspection of a factory (version 1), one in progress with every item recorded and a
  photo (version 3), and a market inspection that failed (done);
- the city's team 5, working in Ba Đình, active in September 2021 only, and its inspection of a Phúc Xá
  market: outside Long Biên, so Long Biên's officer and inspector get 404 for it.
Readers are those who inspect or set up teams (the city, Long Biên's officer, the inspector); every other
role gets 403. The city's team acts through its members and the city's inspectors: Long Biên's officer
reads its inspections but may not act on them (403). Teams are set up by the city and districts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

READERS = {"city_commander", "district_officer_long_bien", "inspector_team_3"}
ACTORS = {"city_commander", "inspector_team_3"}  # for the city's team 3
TEAM_MAKERS = {"city_commander", "district_officer_long_bien"}
LONG_BIEN_ONLY = {"district_officer_long_bien", "inspector_team_3"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ITEMS = [
    "plan_approved",
    "onsite_within_plan",
    "qr_checkin",
    "masks_distancing",
    "disinfection",
    "staff_testing",
    "responsible_person",
]


def statuses(ok: dict[str, int], *, anon: int = 302, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`, `other` (403: no inspection capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class InspectionPageObjects:
    team: Any
    ba_dinh_team: Any
    planned: Any
    in_progress: Any
    failed: Any
    phuc_xa: Any


def build_inspections_pages(request: Any) -> InspectionPageObjects:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from phaodai.business import services as business_services
    from phaodai.core.clock import hanoi
    from phaodai.inspections import services

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    inspector = request.getfixturevalue("inspector_team_3")
    ward = request.getfixturevalue("ward_officer_bo_de")
    team = services.create_team(
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
    factory = business_services.register_business(
        by=ward,
        tax_code="0101243150",
        name="Công ty May Bồ Đề",
        kind="factory",
        sector="factory",
        address="Số 1 phố Bồ Đề",
        unit=unit("00139"),
    )
    on_factory = {"by": inspector, "team": team, "target_kind": "business", "business": factory}
    planned = services.plan_inspection(**on_factory)
    in_progress = services.start_inspection(by=inspector, inspection=services.plan_inspection(**on_factory))
    findings = [services.FindingInput(code, True) for code in ITEMS if code != "qr_checkin"]
    photo = SimpleUploadedFile("qr.png", PNG)
    findings.append(services.FindingInput("qr_checkin", False, photo=photo))
    services.record_findings(by=inspector, inspection=in_progress, findings=findings)
    in_progress.refresh_from_db()
    market = services.plan_inspection(
        by=inspector, team=team, target_kind="market", unit=unit("00139"), label="Chợ Bồ Đề"
    )
    market = services.start_inspection(by=inspector, inspection=market)
    market_items = ["market_pass", "masks_distancing", "qr_checkin", "goods_prices", "disinfection"]
    services.record_findings(
        by=inspector,
        inspection=market,
        findings=[services.FindingInput(code, code != "market_pass") for code in market_items],
    )
    failed = services.finish_inspection(by=inspector, inspection=market)
    # Ended before today: the city acts for team 3 only now, so a form may leave the team empty.
    ba_dinh_team = services.create_team(
        by=city,
        name="Tổ công tác số 5",
        level="city",
        decision_number="1103-QĐ/TU",
        decision_date=hanoi(2021, 9, 1).date(),
        home_unit=unit("01"),
        area_units=[unit("001")],
        active_from=hanoi(2021, 9, 1),
        active_until=hanoi(2021, 10, 1),
    )
    phuc_xa = services.plan_inspection(
        by=city,
        team=ba_dinh_team,
        target_kind="market",
        unit=unit("00001"),
        label="Chợ Châu Long",
        scheduled_at=hanoi(2021, 9, 10, 9),
        clock=lambda: hanoi(2021, 9, 5),
    )
    return InspectionPageObjects(team, ba_dinh_team, planned, in_progress, failed, phuc_xa)


def inspections_pages_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("inspections_pages")
            return path.format(
                team=o.team.pk,
                ba_dinh_team=o.ba_dinh_team.pk,
                planned=o.planned.pk,
                in_progress=o.in_progress.pk,
                failed=o.failed.pk,
                phuc_xa=o.phuc_xa.pk,
            )

        return url

    readers = statuses(each(READERS, 200))
    acting = statuses({**each(READERS, 403), **each(ACTORS, 302)})
    in_ba_dinh = statuses({**each(READERS, 200), **each(LONG_BIEN_ONLY, 404)})
    market = {
        "team": "",
        "mode": "surprise",
        "scheduled_at": "",
        "target_kind": "market",
        "tax_code": "",
        "business": "",
        "unit": "00139",
        "area": "",
        "target_label": "Chợ Bồ Đề",
        "token": "matrix-plan",
    }
    team = {
        "name": "Đoàn liên ngành số 2",
        "level": "interdisciplinary",
        "home_unit": "004",
        "decision_number": "679-QĐ/QU",
        "decision_date": "05/09/2021",
        "area_units": ["00139"],
        "active_from": "05/09/2021 07:00",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }
    violation = {
        "kind": "no_mask_public",
        "offender": "person",
        "offender_name": "Người vi phạm",
        "fine_amount": "2.000.000",
        "measures": ["fine"],
        "decision_number": "1/QĐ-XPHC",
    }
    return {
        "inspections:home": [
            req(w("/inspections/"), readers),
            req(w("/inspections/?status=planned&kind=business"), readers),
        ],
        # Long Biên's officer has no team of their own: they are told so (200) and may not plan (403).
        "inspections:plan": [
            req(w("/inspections/plan/"), readers),
            req(
                w("/inspections/plan/"),
                statuses({**each(READERS, 403), **each(ACTORS, 302)}),
                method="post",
                data=market,
            ),
        ],
        "inspections:accountability": [
            req(w("/inspections/accountability/"), readers),
            req(w("/inspections/accountability/?unit=001&start=01/09/2021&end=30/09/2021"), in_ba_dinh),
        ],
        "inspections:teams": [req(w("/inspections/teams/"), readers)],
        # The city's form offers the city only: Long Biên's team is refused there (422), set up by Long Biên.
        "inspections:team_add": [
            req(w("/inspections/teams/add/"), statuses(each(TEAM_MAKERS, 200))),
            req(
                w("/inspections/teams/add/"),
                statuses({"district_officer_long_bien": 302, "city_commander": 422}),
                method="post",
                data=team,
            ),
        ],
        "inspections:team": [
            req(w("/inspections/teams/{team}/"), readers),
            req(w("/inspections/teams/{ba_dinh_team}/"), in_ba_dinh),
        ],
        # Only the city changes its team; the edit sent without the version the page carries is refused (422).
        "inspections:team_edit": [
            req(
                w("/inspections/teams/{team}/edit/"), statuses({**each(READERS, 403), "city_commander": 200})
            ),
            req(
                w("/inspections/teams/{team}/edit/"),
                statuses({**each(READERS, 403), "city_commander": 422}),
                method="post",
                data={**team, "level": "city", "home_unit": "01", "area_units": ["004"]},
            ),
        ],
        "inspections:inspection": [
            req(w("/inspections/{planned}/"), readers),
            req(w("/inspections/{in_progress}/"), readers),
            req(w("/inspections/{phuc_xa}/"), in_ba_dinh),
        ],
        "inspections:start": [
            req(w("/inspections/{planned}/start/"), acting, method="post", data={"version": 1})
        ],
        "inspections:cancel": [
            req(
                w("/inspections/{planned}/cancel/"),
                acting,
                method="post",
                data={"version": 1, "reason": "Đoàn đổi lịch"},
            )
        ],
        "inspections:findings": [
            req(
                w("/inspections/{in_progress}/findings/"),
                acting,
                method="post",
                data={"qr_checkin-ok": "yes"},
            )
        ],
        "inspections:finding_photo": [
            req(w("/inspections/{in_progress}/findings/qr_checkin/photo/"), readers)
        ],
        "inspections:violation_add": [
            req(w("/inspections/{in_progress}/violations/"), acting, method="post", data=violation)
        ],
        "inspections:finish": [
            req(w("/inspections/{in_progress}/finish/"), acting, method="post", data={"version": 3})
        ],
        "inspections:reinspect": [
            req(
                w("/inspections/{failed}/reinspect/"),
                acting,
                method="post",
                data={"team": "", "mode": "planned", "scheduled_at": "", "token": "matrix-again"},
            )
        ],
    }
