"""The authorization-matrix rows of the report pages (/reports/) and the notification inbox.

Who is who here: READERS submit or receive reports somewhere (the city receives, Long Biên both, the
wards of Bồ Đề and Phúc Xá submit); everyone else is refused with 403. Phúc Xá (Ba Đình) is outside
Long Biên, so it gets 404 for Bồ Đề's objects. Dates are fixed in 2021: past slots are readable.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

READERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "ward_officer_phuc_xa"}
SUBMITTERS = {"district_officer_long_bien", "ward_officer_bo_de", "ward_officer_phuc_xa"}
REVIEWERS = {"city_commander", "district_officer_long_bien"}
BO_DE = {"ward_officer_bo_de"}
PHUC_XA = {"ward_officer_phuc_xa"}
SLOT = "2021-09-08T16:30"
WARD_DAILY = "/reports/ward-daily-1630"


def answers(
    ok: int, allowed: set[str], *, anon: int = 302, other: int = 403, **special: int
) -> dict[str, int]:
    """`ok` for `allowed`, `other` for the rest; `special` names personas with their own answer."""
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = special.get(persona, ok if persona in allowed else other)
    return result


@dataclass
class SitrepsPagesObjects:
    bo_de: Any  # Bồ Đề's report of 08/9 16:30, corrected once
    ngoc_lam: Any  # Ngọc Lâm's report of the same slot, accepted by Long Biên
    urgent: Any  # an urgent report from Bồ Đề to Long Biên
    notification: Any  # a notification to Bồ Đề's reporters


def report_values(**overrides: Any) -> dict[str, Any]:
    from phaodai.sitreps.tests.conftest import report

    return report(**overrides)


def build_sitreps_pages(request: Any) -> SitrepsPagesObjects:
    from phaodai.accounts.roles import Perm
    from phaodai.core.clock import hanoi
    from phaodai.notifications.services import notify
    from phaodai.sitreps import selectors, services

    unit = request.getfixturevalue("unit")
    bo_de_officer = request.getfixturevalue("ward_officer_bo_de")
    district = request.getfixturevalue("district_officer_long_bien")
    schedule = selectors.schedule_by_code("ward-daily-1630")
    instance = selectors.parse_slot(schedule, SLOT)
    bo_de, _ = services.submit_report(
        by=bo_de_officer, schedule=schedule, unit=unit("00139"), instance=instance, values=report_values(),
        idempotency_key="matrix-submit", clock=lambda: hanoi(2021, 9, 8, 15),
    )  # fmt: skip
    bo_de, _ = services.correct_report(
        by=bo_de_officer, submission=bo_de, values=report_values(f1_traced=15), reason="Sót 1 F1",
        idempotency_key="matrix-correct", clock=lambda: hanoi(2021, 9, 8, 16),
    )  # fmt: skip
    ngoc_lam, _ = services.submit_report(
        by=request.getfixturevalue("ward_officer_ngoc_lam"), schedule=schedule, unit=unit("00133"),
        instance=instance, values=report_values(), clock=lambda: hanoi(2021, 9, 8, 15),
    )  # fmt: skip
    ngoc_lam = services.accept_report(by=district, submission=ngoc_lam, clock=lambda: hanoi(2021, 9, 8, 17))
    urgent, _ = services.report_urgent(
        by=bo_de_officer, unit=unit("00139"), severity="critical", subject="Ổ dịch mới tại chợ",
        body="12 ca dương tính", idempotency_key="matrix-urgent", clock=lambda: hanoi(2021, 9, 8, 11),
    )  # fmt: skip
    notification = notify(
        unit("00139"), kind="sitreps.reminder", subject="Nhắc báo cáo", url="/reports/",
        perm=Perm.SUBMIT_REPORTS, email=False, clock=lambda: hanoi(2021, 9, 8, 15, 30),
    )  # fmt: skip
    return SitrepsPagesObjects(bo_de=bo_de, ngoc_lam=ngoc_lam, urgent=urgent, notification=notification)


def sitreps_pages_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; paths are callables of the world when they name an object built above."""

    def obj(path: Callable[[SitrepsPagesObjects], str]) -> Callable[[Any], str]:
        return lambda world: path(world.lazy("sitreps_pages"))

    reading = answers(200, READERS)
    form = {f"v_{code}": str(value) for code, value in report_values().items()}
    correction = {f"v_{code}": str(value) for code, value in report_values(f1_traced=15).items()}
    urgent_form = {
        "token": "matrix-new",
        "severity": "high",
        "subject": "Thiếu sinh phẩm",
        "body": "Cần 500 kit",
    }
    return {
        "sitreps:home": [req("/reports/", reading)],
        "sitreps:submit": [
            # Bồ Đề sees its report of that slot; Phúc Xá its own ward's closed slot; districts and the
            # city do not report on the ward schedule.
            req(f"{WARD_DAILY}/submit/?slot={SLOT}", answers(200, BO_DE | PHUC_XA)),
            req(f"{WARD_DAILY}/submit/?slot={SLOT}&unit=00139",
                answers(200, BO_DE, ward_officer_phuc_xa=404)),
            # The same form sent again (same token) is the same report; Phúc Xá's slot is closed.
            req(obj(lambda o: f"{WARD_DAILY}/submit/"), answers(302, BO_DE, ward_officer_phuc_xa=409),
                method="post", data={**form, "token": "matrix-submit", "slot": SLOT}),
        ],
        "sitreps:submission": [
            req(obj(lambda o: f"/reports/submissions/{o.bo_de.pk}/"),
                answers(200, READERS, ward_officer_phuc_xa=404)),
        ],
        "sitreps:correct": [
            req(obj(lambda o: f"/reports/submissions/{o.bo_de.pk}/correct/"),
                answers(302, BO_DE, ward_officer_phuc_xa=404), method="post",
                data={**correction, "token": "matrix-correct", "reason": "Sót 1 F1"}),
        ],
        "sitreps:accept": [
            req(obj(lambda o: f"/reports/submissions/{o.bo_de.pk}/accept/"),
                answers(302, REVIEWERS, ward_officer_phuc_xa=404), method="post"),
        ],
        "sitreps:reopen": [
            req(obj(lambda o: f"/reports/submissions/{o.ngoc_lam.pk}/reopen/"),
                answers(302, REVIEWERS, ward_officer_bo_de=404, ward_officer_phuc_xa=404), method="post",
                data={"reason": "Số liệu chưa khớp"}),
        ],
        "sitreps:timeliness": [
            req(f"{WARD_DAILY}/timeliness/?date=2021-09-08", reading),
            req(f"{WARD_DAILY}/timeliness/?date=2021-09-08&unit=00139",
                answers(200, READERS, ward_officer_phuc_xa=404)),
            req(f"{WARD_DAILY}/timeliness/?date=hôm-qua", answers(422, READERS)),
        ],
        "sitreps:slot": [
            req(f"{WARD_DAILY}/slots/{SLOT}/", reading),
            # A ward officer does not read the district's table (it holds the other wards' figures).
            req(f"{WARD_DAILY}/slots/{SLOT}/?unit=004",
                answers(200, READERS, ward_officer_phuc_xa=404, ward_officer_bo_de=404)),
            req(f"{WARD_DAILY}/slots/2021-09-08T17:00/", answers(422, READERS)),
        ],
        "sitreps:slot_xlsx": [req(f"{WARD_DAILY}/slots/{SLOT}/xlsx/", reading)],
        "sitreps:charts": [
            req(f"{WARD_DAILY}/charts/?unit=004",
                answers(200, READERS, ward_officer_phuc_xa=404, ward_officer_bo_de=404)),
            req(f"{WARD_DAILY}/charts/?unit=00139&days=14", answers(200, READERS, ward_officer_phuc_xa=404)),
        ],
        "sitreps:urgent_new": [
            req("/reports/urgent/new/", answers(200, SUBMITTERS)),
            req("/reports/urgent/new/", answers(302, SUBMITTERS), method="post", data=urgent_form),
        ],
        "sitreps:urgent": [
            req(obj(lambda o: f"/reports/urgent/{o.urgent.pk}/"),
                answers(200, READERS, ward_officer_phuc_xa=404)),
        ],
        "sitreps:urgent_ack": [
            req(obj(lambda o: f"/reports/urgent/{o.urgent.pk}/acknowledge/"),
                answers(302, REVIEWERS, ward_officer_phuc_xa=404), method="post"),
        ],
        "sitreps:urgent_list": [req("/reports/urgent/", reading)],
        # Everyone signed in has an inbox (most are empty); a notification is only its addressees'.
        "notifications:inbox": [req("/notifications/", answers(200, set(PERSONAS)))],
        "notifications:read": [
            req(obj(lambda o: f"/notifications/{o.notification.pk}/read/"), answers(302, BO_DE, other=404),
                method="post"),
        ],
        "notifications:read_all": [
            req("/notifications/read-all/", answers(302, set(PERSONAS)), method="post"),
        ],
    }  # fmt: skip
