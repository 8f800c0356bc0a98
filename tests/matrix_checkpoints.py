"""The checkpoints rows of the authorization matrix: the registry, rosters, the crossing log and its stats.

Objects (built lazily by `build_checkpoints`): Hà Đông's QL6 Yên Nghĩa checkpoint (268-01, Chương Mỹ
across the boundary) with a shift a month ahead and a crossing; Long Biên's Chương Dương bridge head
(004-01). Readers are the managers (city, Long Biên's district officer) and the checkpoint officer of
Hà Đông (verifies, does not manage: 403 on every change). Hà Đông's checkpoint is 404 for Long Biên's
officer, Long Biên's for the checkpoint officer. Other roles: 403; anonymous pages redirect, the API 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

MANAGERS = {"city_commander", "district_officer_long_bien"}
READERS = MANAGERS | {"checkpoint_officer_ql6"}
CHECKPOINT_OFFICER = "checkpoint_officer_ql6"
LONG_BIEN = "district_officer_long_bien"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no checkpoint capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class CheckpointsObjects:
    ql6: Any
    bridge: Any
    shift: Any
    week: str


def build_checkpoints(request: Any) -> CheckpointsObjects:
    from phaodai.checkpoints import services
    from phaodai.core.clock import hanoi, local_date, now

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")
    ql6 = services.register_checkpoint(
        by=city, unit=unit("268"), other_side=unit("277"), code="268-01", name="Chốt QL6 Yên Nghĩa",
        kind="district", road="QL6", location="Phường Yên Nghĩa, Quận Hà Đông",
        active_from=hanoi(2021, 8, 23, 6),
    )  # fmt: skip
    bridge = services.register_checkpoint(
        by=city, unit=unit("004"), code="004-01", name="Chốt đầu cầu Chương Dương", kind="district",
        road="Nguyễn Văn Cừ", location="Phường Ngọc Lâm, Quận Long Biên", active_from=hanoi(2021, 8, 23, 6),
    )  # fmt: skip
    ahead = local_date(now()) + timedelta(days=30)
    start = hanoi(ahead.year, ahead.month, ahead.day, 6)
    shift = services.add_shift(
        by=city, checkpoint=ql6, starts_at=start, ends_at=start + timedelta(hours=8),
        staff=[services.StaffRef(full_name="Vũ Thị Lan", organisation="youth_union", phone="0987654321")],
    )  # fmt: skip
    services.record_crossing(
        by=city, checkpoint=ql6, device_id="matrix", entry=services.CrossingEntry(
            checkpoint_id=ql6.pk, at=hanoi(2021, 9, 14, 8, 30), direction="in", decision="allowed",
            local_id="m1", pass_id="GDD-1", pass_type="permit",
        ),
    )  # fmt: skip
    return CheckpointsObjects(ql6, bridge, shift, ahead.isoformat())


def checkpoint_form(**overrides: Any) -> dict[str, Any]:
    values = {
        "code": "004-02", "name": "Chốt đầu cầu Vĩnh Tuy", "name_en": "", "kind": "district", "unit": "004",
        "other_side": "", "road": "Cầu Vĩnh Tuy", "location": "Phường Phúc Đồng", "latitude": "",
        "longitude": "", "neighbouring_province": "", "active_from": "2021-08-23T06:00", "active_until": "",
        "procedure": "", "status": "active",
    }  # fmt: skip
    values.update(overrides)
    return values


# A device's batch; its checkpoint id names none (ids are not known before the world is built), so the
# entry comes back "rejected" inside a 200: the matrix checks who may sync at all.
SYNC_BODY = {
    "device_id": "phone-1",
    "entries": [{"local_id": "x1", "checkpoint": 0, "at": "2021-09-14T08:40:00+07:00", "direction": "out",
                 "decision": "allowed", "pass_id": "GDD-2", "pass_type": "permit"}],
}  # fmt: skip


def checkpoints_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("checkpoints")
            return path.format(ql6=o.ql6.pk, bridge=o.bridge.pk, shift=o.shift.pk, week=o.week)

        return url

    readers = statuses(each(READERS, 200), anon=302)
    api_readers = statuses(each(READERS, 200), anon=401)
    # Hà Đông's checkpoint: the city and Hà Đông's checkpoint officer read it; Long Biên does not reach it.
    ha_dong = statuses({**each(READERS, 200), LONG_BIEN: 404}, anon=302)
    api_ha_dong = statuses({**each(READERS, 200), LONG_BIEN: 404}, anon=401)
    long_bien = statuses({**each(READERS, 200), CHECKPOINT_OFFICER: 404}, anon=302)
    # Changes at Hà Đông: the city; Long Biên's officer manages elsewhere (404); the checkpoint officer
    # verifies only (403).
    change_ha_dong = statuses({"city_commander": 302, LONG_BIEN: 404}, anon=302)
    managers_get = statuses(each(MANAGERS, 200), anon=302)
    edit_form = {**checkpoint_form(code="004-01", name="Chốt đầu cầu Chương Dương"), "version": "1"}
    edit_form.pop("unit")
    shift_form = {
        "week": "2021-09-13", "starts_at": "2021-09-15T06:00", "ends_at": "2021-09-15T14:00",
        "full_name": "Nguyễn Văn Hùng", "organisation": "police", "phone": "0912345678",
    }  # fmt: skip
    person = {"full_name": "Nguyễn Văn Hùng", "organisation": "police", "phone": "0912345678"}
    return {
        # pages
        "checkpoints:list": [req("/checkpoints/?kind=district&q=ql6", readers)],
        "checkpoints:create": [
            req("/checkpoints/new/", managers_get),
            req(
                "/checkpoints/new/",
                statuses(each(MANAGERS, 302), anon=302),
                method="post",
                data=checkpoint_form(),
            ),
        ],
        "checkpoints:district_stats": [
            req("/checkpoints/stats/?day=2021-09-14", readers),
            req("/checkpoints/stats/?district=268", ha_dong),
        ],
        "checkpoints:detail": [
            req(w("/checkpoints/{ql6}/"), ha_dong),
            req(w("/checkpoints/{bridge}/"), long_bien),
        ],
        "checkpoints:edit": [
            req(w("/checkpoints/{ql6}/edit/"), statuses({"city_commander": 200, LONG_BIEN: 404}, anon=302)),
            req(
                w("/checkpoints/{bridge}/edit/"),
                statuses(each(MANAGERS, 302), anon=302),
                method="post",
                data=edit_form,
            ),
        ],
        "checkpoints:roster": [req(w("/checkpoints/{ql6}/roster/?week={week}"), ha_dong)],
        "checkpoints:shift_add": [
            req(w("/checkpoints/{ql6}/roster/shifts/"), change_ha_dong, method="post", data=shift_form)
        ],
        "checkpoints:roster_copy": [
            req(
                w("/checkpoints/{ql6}/roster/copy/"),
                change_ha_dong,
                method="post",
                data={"week": "2021-09-13"},
            )
        ],
        "checkpoints:shift_staff_add": [
            req(w("/checkpoints/shifts/{shift}/staff/"), change_ha_dong, method="post", data=person)
        ],
        "checkpoints:shift_remove": [
            req(w("/checkpoints/shifts/{shift}/remove/"), change_ha_dong, method="post")
        ],
        "checkpoints:crossings": [
            req(w("/checkpoints/{ql6}/crossings/?decision=denied"), ha_dong),
            req(w("/checkpoints/{bridge}/crossings/"), long_bien),
        ],
        "checkpoints:stats": [req(w("/checkpoints/{ql6}/stats/?day=2021-09-14"), ha_dong)],
        # API
        "api-v1:checkpoints_list": [req("/api/v1/checkpoints?kind=district", api_readers)],
        "api-v1:checkpoints_district_stats": [
            req("/api/v1/checkpoints/stats?day=2021-09-14", api_readers),
            req("/api/v1/checkpoints/stats?district=268", api_ha_dong),
        ],
        "api-v1:checkpoints_detail": [req(w("/api/v1/checkpoints/{ql6}"), api_ha_dong)],
        "api-v1:checkpoints_stats": [req(w("/api/v1/checkpoints/{ql6}/stats?day=2021-09-14"), api_ha_dong)],
        "api-v1:checkpoints_sync": [
            req("/api/v1/checkpoints/crossings/sync", api_readers, method="post", json=True, data=SYNC_BODY),
        ],
    }
