"""The committees, duty, hotlines and commendations rows of the authorization matrix (S8, S12, S14).

Objects belong to Bồ Đề (ward 00139, Long Biên 004). Reading and changing a unit's bodies, members
(with their phones), duty roster and commendation register need MANAGE_COMMAND over the unit (ward and
district officers, the city commander): 403 for a role without it, 404 (logged) for an officer of
another unit. The public pages and the
public API answer everyone alike.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

# Who keeps Bồ Đề's bodies, roster, hotlines and commendations.
MANAGERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
# Officers with MANAGE_COMMAND elsewhere only: Bồ Đề is not found for them.
MANAGERS_ELSEWHERE = {"ward_officer_phuc_xa"}


def reading(ok: int, *, anon: int) -> dict[str, int]:
    """Reading is for the officers who keep the unit's command work: the same answers as changing."""
    return managing(ok, anon=anon)


def managing(ok: int, *, anon: int) -> dict[str, int]:
    """`ok` for Bồ Đề's officers, 404 for officers elsewhere, 403 for roles without MANAGE_COMMAND."""
    return {
        ANON: anon,
        **{p: ok if p in MANAGERS else 404 if p in MANAGERS_ELSEWHERE else 403 for p in PERSONAS},
    }


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys([ANON, *PERSONAS], status)


@dataclass
class CommandBodies:
    steering: Any
    head: Any
    hotline: Any
    commendation: Any


def build_command_bodies(request: Any) -> CommandBodies:
    """Bồ Đề's steering committee with its head, a hotline, a duty shift and an unpublished commendation."""
    from phaodai.command import services
    from phaodai.command.tests.test_bodies_services import commend, hotline, new_body, seat
    from phaodai.core.clock import hanoi

    unit = request.getfixturevalue("unit")
    officer = request.getfixturevalue("ward_officer_bo_de")
    bo_de = unit("00139")
    steering = new_body(officer, bo_de, "steering", date(2021, 9, 6))
    head = seat(officer, steering, "head")
    line = hotline(officer, bo_de, number="024 3999 0139")
    services.add_duty_shift(
        by=officer, unit=bo_de, full_name="Lê Thị Duyên", phone="024 3999 0139",
        starts_at=hanoi(2021, 9, 6, 7), ends_at=hanoi(2021, 9, 6, 19),
    )  # fmt: skip
    return CommandBodies(steering, head, line, commend(officer, bo_de))


def command_bodies_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def o(path: Callable[[CommandBodies], str]) -> Callable[[Any], str]:
        return lambda world: path(world.lazy("command_bodies"))

    # Signed in with no unit named: the user's own widest unit (business representatives: not officials).
    # Without a unit, the page shows the officer's own unit (Phúc Xá's officer sees Phúc Xá).
    own_unit = {ANON: 302, **{p: 200 if p in MANAGERS | MANAGERS_ELSEWHERE else 403 for p in PERSONAS}}
    committee_form = {
        "kind": "command_center", "decision_number": "345/QĐ-UBND", "decision_date": "06/09/2021",
        "established_on": "06/09/2021",
    }  # fmt: skip
    member_form = {
        "full_name": "Trần Văn Bình",
        "title": "Phó Bí thư",
        "position": "deputy",
        "phone": "0987654321",
    }
    shift_form = {"full_name": "Phạm Văn Cường", "phone": "024 3999 0139", "starts_at": "07/09/2021 07:00",
                  "ends_at": "07/09/2021 19:00"}  # fmt: skip
    hotline_form = {
        "label": "Tổng đài hỗ trợ",
        "number": "024 3999 0140",
        "always_open": "on",
        "published": "on",
    }
    commendation_form = {
        "recipient_kind": "collective", "recipient": "Trạm Y tế phường Bồ Đề", "reason": "Tiêm chủng.",
        "decision_number": "4121/QĐ-UBND", "decision_date": "30/09/2021",
    }  # fmt: skip
    committee = o(lambda b: f"/command/committees/{b.steering.pk}/")
    hotline_page = o(lambda b: f"/command/hotlines/{b.hotline.pk}/edit/")
    hotline_api = o(lambda b: f"/api/v1/command/hotlines/{b.hotline.pk}")
    publish_api = o(lambda b: f"/api/v1/command/commendations/{b.commendation.pk}/publish")
    hotline_json = {"label": "Tổng đài hỗ trợ", "number": "024 3999 0140"}
    return {
        # Pages: reading is for officials covering the unit; changing for its officers.
        "command:committees": [
            req("/command/committees/?unit=00139", reading(200, anon=302)),
            req("/command/committees/?unit=004&by=07/09/2021",
                {**reading(200, anon=302), "ward_officer_bo_de": 404}),
            req("/command/committees/", own_unit),
        ],
        "command:committee": [req(committee, reading(200, anon=302))],
        "command:committee_add": [
            req("/command/committees/add/?unit=00139", managing(200, anon=302)),
            req("/command/committees/add/?unit=00139", managing(302, anon=302), method="post",
                data=committee_form),
        ],
        "command:member_add": [
            req(o(lambda b: f"/command/committees/{b.steering.pk}/members/add/"), managing(200, anon=302)),
            req(o(lambda b: f"/command/committees/{b.steering.pk}/members/add/"), managing(302, anon=302),
                method="post", data=member_form),
        ],
        "command:member_edit": [
            req(o(lambda b: f"/command/members/{b.head.pk}/edit/"), managing(200, anon=302)),
            req(o(lambda b: f"/command/members/{b.head.pk}/edit/"), managing(302, anon=302), method="post",
                data={**member_form, "position": "head"}),
        ],
        "command:member_remove": [
            req(o(lambda b: f"/command/members/{b.head.pk}/remove/"), managing(302, anon=302), method="post"),
        ],
        "command:duty": [req("/command/duty/?unit=00139&day=06/09/2021", reading(200, anon=302))],
        "command:duty_add": [
            req("/command/duty/add/?unit=00139", managing(200, anon=302)),
            req("/command/duty/add/?unit=00139", managing(302, anon=302), method="post", data=shift_form),
        ],
        "command:hotlines": [req("/command/hotlines/?unit=00139", reading(200, anon=302))],
        "command:hotline_add": [
            req("/command/hotlines/add/?unit=00139", managing(200, anon=302)),
            req("/command/hotlines/add/?unit=00139", managing(302, anon=302), method="post",
                data=hotline_form),
        ],
        "command:hotline_edit": [
            req(hotline_page, managing(200, anon=302)),
            req(hotline_page, managing(302, anon=302), method="post",
                data=hotline_form),
        ],
        "command:commendations": [req("/command/commendations/?unit=00139", reading(200, anon=302))],
        "command:commendation_add": [
            req("/command/commendations/add/?unit=00139", managing(200, anon=302)),
            req("/command/commendations/add/?unit=00139", managing(302, anon=302), method="post",
                data=commendation_form),
        ],
        "command:commendation_publish": [
            req(o(lambda b: f"/command/commendations/{b.commendation.pk}/publish/"), managing(302, anon=302),
                method="post", data={"published": "1"}),
        ],
        # API: the same rules, 401 without credentials.
        "api-v1:command_committees": [
            req("/api/v1/command/units/00139/committees", reading(200, anon=401)),
            req("/api/v1/command/units/00139/committees", managing(201, anon=401), method="post", json=True,
                data={"kind": "command_center", "established_on": "2021-09-06"}),
        ],
        "api-v1:command_committee_members": [
            req(o(lambda b: f"/api/v1/command/committees/{b.steering.pk}/members"), managing(201, anon=401),
                method="post", json=True, data=member_form),
        ],
        "api-v1:command_duty": [
            req("/api/v1/command/units/00139/duty?at=2021-09-06T12:00:00%2B07:00", reading(200, anon=401)),
            req("/api/v1/command/units/00139/duty", managing(201, anon=401), method="post", json=True,
                data={"full_name": "Phạm Văn Cường", "starts_at": "2021-09-07T07:00:00+07:00",
                      "ends_at": "2021-09-07T19:00:00+07:00"}),
        ],
        "api-v1:command_hotlines": [
            req("/api/v1/command/units/00139/hotlines", reading(200, anon=401)),
            req("/api/v1/command/units/00139/hotlines", managing(201, anon=401), method="post", json=True,
                data=hotline_json),
        ],
        "api-v1:command_hotline": [
            req(hotline_api, managing(200, anon=401), method="put",
                json=True, data=hotline_json),
            req(hotline_api, managing(204, anon=401), method="delete"),
        ],
        "api-v1:command_commendations": [
            req("/api/v1/command/commendations?unit=00139", reading(200, anon=401)),
            req("/api/v1/command/commendations", managing(201, anon=401), method="post", json=True,
                data={**commendation_form, "unit": "00139", "decision_date": "2021-09-30"}),
        ],
        "api-v1:command_commendation_publish": [
            req(publish_api, managing(200, anon=401),
                method="post", json=True, data={"published": True}),
        ],
        # The public portal: no sign-in, the same answer for everyone.
        "portal:hotlines": [
            req("/public/hotlines/", everyone(200)),
            req("/public/hotlines/?q=bo+de", everyone(200)),
            req("/public/hotlines/?district=004", everyone(200)),
        ],
        "portal:commendations": [req("/public/commendations/?district=004&year=2021", everyone(200))],
        "api-v1:public_hotlines": [
            req("/api/v1/public/hotlines?unit=00139", everyone(200)),
            req("/api/v1/public/hotlines?unit=99999", everyone(404)),
        ],
        "api-v1:public_commendations": [req("/api/v1/public/commendations?district=004", everyone(200))],
    }  # fmt: skip
