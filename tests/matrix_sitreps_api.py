"""The authorization-matrix rows of the situation-report API (/api/v1/sitreps) and notifications API.

READERS submit or receive reports somewhere (the city receives, Long Biên both, the wards of Bồ Đề and
Phúc Xá submit); every other role gets 403, anonymous callers 401. Phúc Xá (Ba Đình) is outside Long
Biên, so it gets 404 for Bồ Đề's objects. Writes are retries of what the builder already did (same
Idempotency-Key), so the allowed answer is 200 whatever today's date: the 2021 slots are closed by now.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

READERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "ward_officer_phuc_xa"}
REVIEWERS = {"city_commander", "district_officer_long_bien"}
SLOT = "2021-09-08T16:30"
API = "/api/v1/sitreps"
SUBMIT_KEY, CORRECT_KEY, URGENT_KEY = "matrix-api-submit", "matrix-api-correct", "matrix-api-urgent"
URGENT = {"unit": "00139", "severity": "high", "subject": "Ổ dịch tại chợ Bồ Đề", "body": "5 F0 trong ngày."}


def answers(
    ok: int, allowed: set[str], *, anon: int = 401, other: int = 403, **special: int
) -> dict[str, int]:
    """`ok` for `allowed`, `other` for the rest; `special` names personas with their own answer."""
    result = {ANON: anon}
    for persona in PERSONAS:
        result[persona] = special.get(persona, ok if persona in allowed else other)
    return result


@dataclass
class SitrepsApiObjects:
    bo_de: Any  # Bồ Đề's report of 08/9 16:30, corrected once (with CORRECT_KEY)
    ngoc_lam: Any  # Ngọc Lâm's report of the same slot, accepted by Long Biên
    urgent: Any  # Bồ Đề's urgent report to Long Biên (with URGENT_KEY)
    notification: Any  # a notification to everyone bound to Long Biên


def report_values(**overrides: Any) -> dict[str, Any]:
    from phaodai.sitreps.tests.conftest import report

    return report(**overrides)


def build_sitreps_api(request: Any) -> SitrepsApiObjects:
    from phaodai.core.clock import hanoi
    from phaodai.notifications.services import notify
    from phaodai.sitreps import selectors, services

    unit = request.getfixturevalue("unit")
    bo_de_officer = request.getfixturevalue("ward_officer_bo_de")
    ngoc_lam_officer = request.getfixturevalue("ward_officer_ngoc_lam")
    district = request.getfixturevalue("district_officer_long_bien")
    schedule = selectors.schedule_by_code("ward-daily-1630")
    instance = selectors.parse_slot(schedule, SLOT)

    def at(hour: int, minute: int = 0) -> Callable[[], Any]:
        return lambda: hanoi(2021, 9, 8, hour, minute)

    bo_de, _ = services.submit_report(
        by=bo_de_officer, schedule=schedule, unit=unit("00139"), instance=instance, values=report_values(),
        idempotency_key=SUBMIT_KEY, clock=at(15),
    )  # fmt: skip
    bo_de, _ = services.correct_report(
        by=bo_de_officer, submission=bo_de, values=report_values(f1_traced=20), reason="Bổ sung F1",
        idempotency_key=CORRECT_KEY, clock=at(15, 10),
    )  # fmt: skip
    ngoc_lam, _ = services.submit_report(
        by=ngoc_lam_officer, schedule=schedule, unit=unit("00133"), instance=instance, values=report_values(),
        clock=at(15, 5),
    )  # fmt: skip
    ngoc_lam = services.accept_report(by=district, submission=ngoc_lam, clock=at(16, 40))
    urgent, _ = services.report_urgent(by=bo_de_officer, idempotency_key=URGENT_KEY, clock=at(10), **{
        **URGENT, "unit": unit("00139"),
    })  # fmt: skip
    notification = notify(unit("004"), kind="matrix", subject="Giao ban 17:00", email=False, clock=at(9))
    return SitrepsApiObjects(bo_de=bo_de, ngoc_lam=ngoc_lam, urgent=urgent, notification=notification)


def sitreps_api_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def o(path: Callable[[SitrepsApiObjects], str]) -> Callable[[Any], str]:
        return lambda world: path(world.lazy("sitreps_api"))

    readers = answers(200, READERS)
    outside_bo_de = {"ward_officer_phuc_xa": 404}
    submit_body = {"schedule": "ward-daily-1630", "unit": "00139", "slot": SLOT, "values": report_values()}
    correction = {"values": report_values(f1_traced=20), "reason": "Bổ sung F1"}
    rollup = f"{API}/schedules/district-3x-daily/rollup?unit=004&slot=2021-09-08T18:00"
    return {
        "api-v1:sitreps_submissions": [
            req(f"{API}/submissions", readers),
            req(f"{API}/submissions?schedule=ward-daily-1630&unit=00139&date=2021-09-08",
                answers(200, READERS, **outside_bo_de)),
            # Only the ward's own officials submit; the district above it is refused, the city never reports.
            req(o(lambda _: f"{API}/submissions"), answers(200, {"ward_officer_bo_de"}, **outside_bo_de),
                method="post", json=True, data=submit_body, headers={"Idempotency-Key": SUBMIT_KEY}),
        ],
        "api-v1:sitreps_submission": [
            req(o(lambda x: f"{API}/submissions/{x.bo_de.pk}"), answers(200, READERS, **outside_bo_de)),
        ],
        "api-v1:sitreps_correct": [
            req(o(lambda x: f"{API}/submissions/{x.bo_de.pk}/revisions"),
                answers(200, {"ward_officer_bo_de"}, **outside_bo_de), method="post", json=True,
                data=correction, headers={"Idempotency-Key": CORRECT_KEY}),
        ],
        "api-v1:sitreps_accept": [
            req(o(lambda x: f"{API}/submissions/{x.bo_de.pk}/accept"),
                answers(200, REVIEWERS, **outside_bo_de), method="post", json=True, data={}),
        ],
        "api-v1:sitreps_reopen": [
            # Ngọc Lâm's report is not Bồ Đề's: its ward officer does not even see it.
            req(o(lambda x: f"{API}/submissions/{x.ngoc_lam.pk}/reopen"),
                answers(200, REVIEWERS, ward_officer_bo_de=404, **outside_bo_de), method="post", json=True,
                data={"reason": "Số F1 chưa khớp"}),
        ],
        "api-v1:sitreps_schedules": [req(f"{API}/schedules", readers)],
        "api-v1:sitreps_timeliness": [
            req(f"{API}/schedules/ward-daily-1630/timeliness?date=2021-09-08", readers),
            # Narrowing to a unit above one's own is refused, as for every read of a unit's reports.
            req(f"{API}/schedules/ward-daily-1630/timeliness?date=2021-09-08&unit=004",
                answers(200, READERS, ward_officer_bo_de=404, **outside_bo_de)),
            req(f"{API}/schedules/ward-daily-1630/timeliness?date=2021-09-08&unit=00139",
                answers(200, READERS, **outside_bo_de)),
        ],
        "api-v1:sitreps_slot": [req(f"{API}/schedules/ward-daily-1630/slots/{SLOT}", readers)],
        "api-v1:sitreps_rollup": [
            # A ward sits under its district but may not read the district's other wards.
            req(rollup, answers(200, REVIEWERS, ward_officer_bo_de=404, **outside_bo_de)),
        ],
        "api-v1:sitreps_trend": [req(f"{API}/schedules/ward-daily-1630/trend?weeks=2", readers)],
        "api-v1:sitreps_urgent": [
            req(f"{API}/urgent", readers),
            req(o(lambda _: f"{API}/urgent"), answers(200, {"ward_officer_bo_de"}, **outside_bo_de),
                method="post", json=True, data=URGENT, headers={"Idempotency-Key": URGENT_KEY}),
        ],
        "api-v1:sitreps_acknowledge_urgent": [
            req(o(lambda x: f"{API}/urgent/{x.urgent.pk}/acknowledge"),
                answers(200, REVIEWERS, **outside_bo_de), method="post", json=True, data={}),
        ],
        # Notifications: everyone signed in has an inbox; one notification is only for those bound to 004.
        "api-v1:notifications_inbox": [
            req("/api/v1/notifications", answers(200, set(PERSONAS))),
            req("/api/v1/notifications?unread=true&limit=10", answers(200, set(PERSONAS))),
        ],
        "api-v1:notifications_read": [
            req(o(lambda x: f"/api/v1/notifications/{x.notification.pk}/read"),
                answers(200, {"district_officer_long_bien", "inspector_team_3"}, other=404), method="post"),
        ],
        "api-v1:notifications_read_all": [
            req("/api/v1/notifications/read-all", answers(200, set(PERSONAS)), method="post"),
        ],
    }  # fmt: skip
