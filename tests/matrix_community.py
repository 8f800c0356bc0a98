"""The community rows of the authorization matrix: commitments, party members' households, community
COVID teams, special housing.

Objects (built lazily by `build_community`): Bồ Đề's (00139) Tổ dân phố 41 and 42 with households, the
city's campaign "gdat-2021", a party member login (community-00139) given Tổ 41's first household, the
team of Tổ 41 with one member, and a boarding house in Tổ 41. Whoever keeps community work over Bồ Đề
(the city, Long Biên, Bồ Đề's ward officer) reads and writes them; Phúc Xá's ward officer keeps it
elsewhere, so Bồ Đề's objects are 404 for them while their own lists answer 200. No other persona holds
Perm.MANAGE_COMMUNITY or Perm.VISIT_HOUSEHOLDS: 403 (the party member's own pages are tested in
phaodai/community/tests). Anonymous users are sent to sign in; the API answers them 401.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

BO_DE_KEEPERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}
ELSEWHERE = "ward_officer_phuc_xa"
AREA, OTHER_AREA = "00139-TDP41", "00139-TDP42"


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def bo_de(status: int, *, anon: int) -> dict[str, int]:
    """`status` for Bồ Đề's keepers, 404 for Phúc Xá's officer, 403 for every other role."""
    return statuses({**dict.fromkeys(BO_DE_KEEPERS, status), ELSEWHERE: 404}, anon=anon)


def anywhere(status: int, *, anon: int) -> dict[str, int]:
    """Lists of the user's own units: Phúc Xá's officer gets theirs."""
    return statuses(dict.fromkeys([*BO_DE_KEEPERS, ELSEWHERE], status), anon=anon)


@dataclass
class CommunityObjects:
    world: Any
    team: Any
    member: Any
    housing: Any


def build_community(request: Any) -> CommunityObjects:
    from phaodai.community import services
    from phaodai.community.tests.world import build_world

    city = request.getfixturevalue("city_commander")
    officer = request.getfixturevalue("ward_officer_bo_de")
    world = build_world(city=city, ward_officer=officer, local_codes=("TDP41", "TDP42", "TDP41"))
    services.assign_households(by=officer, member=world.member, households=world.households[:1])
    team, _ = services.create_team(by=officer, area=world.area)
    member, _ = services.add_team_member(
        by=officer, team=team, full_name="Lê Văn Tổ", phone="0912000001", role="leader"
    )
    housing, _ = services.register_housing(
        by=officer, area=world.area, kind="boarding_house", name="Nhà trọ 12", address="Ngõ 12 Bồ Đề"
    )
    return CommunityObjects(world, team, member, housing)


def community_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("community")
            return path.format(household=o.world.households[0].pk, team=o.team.pk, housing=o.housing.pk)

        return url

    campaign_form = {
        "unit": "00139",
        "code": "bo-de-9",
        "name_vi": "Gia đình an toàn",
        "name_en": "",
        "starts_on": "2021-09-01",
    }
    plan = {
        "version": "1",
        "plan": "Cách ly tại phòng riêng",
        "responsible_name": "Chủ trọ",
        "responsible_phone": "0912000003",
        "plan_starts_on": "2021-09-01",
        "plan_ends_on": "2021-09-30",
    }
    housing_form = {"area": AREA, "kind": "old_apartments", "name": "Khu tập thể B", "address": "Ngõ 5"}
    return {
        # pages
        "community:home": [req(w("/community/"), anywhere(200, anon=302))],
        "community:campaigns": [
            req(w("/community/campaigns/"), anywhere(200, anon=302)),
            req(w("/community/campaigns/"), bo_de(302, anon=302), method="post", data=campaign_form),
        ],
        "community:campaign": [req(w("/community/campaigns/gdat-2021/?unit=00139"), bo_de(200, anon=302))],
        "community:campaign_area": [
            req(w(f"/community/campaigns/gdat-2021/area/{AREA}/"), bo_de(200, anon=302))
        ],
        "community:sign": [
            req(
                w(f"/community/campaigns/gdat-2021/area/{AREA}/sign/"),
                bo_de(302, anon=302),
                method="post",
                data={"household": f"{AREA}-000", "signer_name": "Nguyễn Văn An"},
            )
        ],
        "community:members": [
            req(w("/community/members/?ward=00139"), bo_de(200, anon=302)),
            req(
                w("/community/members/"),
                bo_de(302, anon=302),
                method="post",
                data={"ward": "00139", "member": "community-00139", "area": OTHER_AREA, "households": ""},
            ),
        ],
        "community:unassign": [
            req(
                w("/community/members/unassign/"),
                bo_de(302, anon=302),
                method="post",
                data={"ward": "00139", "area": AREA, "household": f"{AREA}-000"},
            )
        ],
        "community:my_households": [req(w("/community/mine/"), statuses({}, anon=302))],
        "community:my_household": [req(w("/community/mine/{household}/"), statuses({}, anon=302))],
        "community:my_visit": [
            req(
                w("/community/mine/{household}/visit/"),
                statuses({}, anon=302),
                method="post",
                data={"kind": "reminder_5k"},
            )
        ],
        "community:my_sign": [
            req(
                w("/community/mine/{household}/sign/"),
                statuses({}, anon=302),
                method="post",
                data={"signer_name": "Nguyễn Văn An"},
            )
        ],
        "community:teams": [
            req(w("/community/teams/"), anywhere(200, anon=302)),
            req(w("/community/teams/"), bo_de(302, anon=302), method="post", data={"area": OTHER_AREA}),
        ],
        "community:team": [req(w("/community/teams/{team}/"), bo_de(200, anon=302))],
        "community:team_member": [
            req(
                w("/community/teams/{team}/members/"),
                bo_de(302, anon=302),
                method="post",
                data={"full_name": "Trần Văn Phó", "phone": "0912000002", "role": "deputy"},
            )
        ],
        "community:team_duty": [
            req(
                w("/community/teams/{team}/duty/"),
                bo_de(302, anon=302),
                method="post",
                data={"member": "0912000001", "day": "2021-09-15"},
            )
        ],
        "community:team_visit": [
            req(
                w("/community/teams/{team}/visit/"),
                bo_de(302, anon=302),
                method="post",
                data={"household": f"{AREA}-000", "kind": "delivery"},
            )
        ],
        "community:housing_list": [
            req(w("/community/housing/"), anywhere(200, anon=302)),
            req(w("/community/housing/"), bo_de(302, anon=302), method="post", data=housing_form),
        ],
        "community:housing": [req(w("/community/housing/{housing}/"), bo_de(200, anon=302))],
        "community:housing_plan": [
            req(w("/community/housing/{housing}/plan/"), bo_de(302, anon=302), method="post", data=plan)
        ],
        "community:housing_tick": [
            req(
                w("/community/housing/{housing}/tick/"),
                bo_de(302, anon=302),
                method="post",
                data={"key": "handwash"},
            )
        ],
        # API
        "api-v1:community_campaigns": [req(w("/api/v1/community/campaigns"), anywhere(200, anon=401))],
        "api-v1:community_campaign_open": [
            req(
                w("/api/v1/community/campaigns"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={**campaign_form, "code": "bo-de-api"},
            )
        ],
        "api-v1:community_coverage": [
            req(w("/api/v1/community/campaigns/gdat-2021/coverage?unit=00139"), bo_de(200, anon=401))
        ],
        "api-v1:community_sign": [
            req(
                w("/api/v1/community/campaigns/gdat-2021/commitments"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={"area": AREA, "household": f"{AREA}-000", "signer_name": "Nguyễn Văn An"},
            )
        ],
        "api-v1:community_my_households": [
            req(w("/api/v1/community/households/mine"), statuses({}, anon=401))
        ],
        "api-v1:community_assign": [
            req(
                w("/api/v1/community/assignments"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"member": "community-00139", "area": OTHER_AREA},
            )
        ],
        "api-v1:community_unassign": [
            req(
                w("/api/v1/community/assignments/remove"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"area": AREA, "household": f"{AREA}-000"},
            )
        ],
        "api-v1:community_teams": [req(w("/api/v1/community/teams"), anywhere(200, anon=401))],
        "api-v1:community_team_create": [
            req(
                w("/api/v1/community/teams"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={"area": OTHER_AREA},
            )
        ],
        "api-v1:community_team": [req(w("/api/v1/community/teams/{team}"), bo_de(200, anon=401))],
        "api-v1:community_team_member": [
            req(
                w("/api/v1/community/teams/{team}/members"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={"full_name": "Trần Văn Phó", "phone": "0912000002", "role": "deputy"},
            )
        ],
        "api-v1:community_team_duty": [
            req(
                w("/api/v1/community/teams/{team}/duties"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={"member": "0912000001", "day": "2021-09-15"},
            )
        ],
        "api-v1:community_visit": [
            req(
                w("/api/v1/community/visits"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data={"area": AREA, "household": f"{AREA}-000", "kind": "delivery"},
            )
        ],
        "api-v1:community_housing_list": [req(w("/api/v1/community/housing"), anywhere(200, anon=401))],
        "api-v1:community_housing_register": [
            req(
                w("/api/v1/community/housing"),
                bo_de(201, anon=401),
                method="post",
                json=True,
                data=housing_form,
            )
        ],
        "api-v1:community_housing": [req(w("/api/v1/community/housing/{housing}"), bo_de(200, anon=401))],
        "api-v1:community_housing_plan": [
            req(
                w("/api/v1/community/housing/{housing}/plan"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={**plan, "version": 1},
            )
        ],
        "api-v1:community_housing_tick": [
            req(
                w("/api/v1/community/housing/{housing}/checklist"),
                bo_de(200, anon=401),
                method="post",
                json=True,
                data={"key": "handwash"},
            )
        ],
    }
