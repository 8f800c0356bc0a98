"""The vaccination rows of the authorization matrix: coverage, vaccines, doses, adverse events, due lists.

Objects (built lazily by `build_vaccination`): a Bồ Đề resident with a first Pfizer dose on 01/08/2021.
Vaccinators (`vaccination.vaccinate`) are the city, Long Biên, Bồ Đề's ward officer and health worker;
Phúc Xá's ward officer vaccinates only in Phúc Xá, so Bồ Đề's person, dose and ward are 404 to them.
Roles without the capability get 403; anonymous pages redirect to sign-in, the API answers 401. The
vaccines (reference data) are open to anyone signed in. Coverage of Long Biên is 404 to the ward-bound
personas; coverage without a unit is each vaccinator's own unit.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

IN_BO_DE = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
ELSEWHERE = {"ward_officer_phuc_xa"}
PERSON_CCCD = "001075011111"
IMMOBILE_CCCD = "001180022222"
FAR_DAY = date(2099, 1, 2)  # the matrix runs on today's clock: plans lie in the future
PLANNERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de"}


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no vaccination capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class VaccinationObjects:
    person: Any
    dose: Any
    visit: Any  # the person's home visit, requested
    scheduled: Any  # another Bồ Đề resident's home visit, scheduled
    team: Any
    site: Any
    booking: Any


def build_vaccination(request: Any) -> VaccinationObjects:
    from phaodai.people import services as people
    from phaodai.territory import selectors as territory
    from phaodai.vaccination import selectors, services

    city = request.getfixturevalue("city_commander")
    person = people.register_person(
        by=city, cccd=PERSON_CCCD, full_name="Lê Văn Bảy", birth_date=date(1975, 4, 30), sex="M",
        phone=None, residence_area=territory.area_by_code("00139-TDP01"),
    )  # fmt: skip
    dose, _created = services.record_dose(
        by=city, person=person, product=selectors.product_by_code("pfizer"), dose_number=1,
        given_on=date(2021, 8, 1), lot="FF-1", site="Trạm Y tế phường Bồ Đề", vaccinator="Lê Thị Hoa",
    )  # fmt: skip
    from phaodai.core.clock import hanoi
    from phaodai.vaccination import home, sites

    ward = territory.unit_by_code("00139")
    visit, _created = home.request_home_visit(by=city, person=person, reason="ward")
    team = home.register_team(by=city, unit=ward, name="Tổ lưu động matrix", daily_capacity=5)
    immobile = people.register_person(
        by=city, cccd=IMMOBILE_CCCD, full_name="Trần Thị Tám", birth_date=date(1980, 1, 8), sex="F",
        phone=None, residence_area=territory.area_by_code("00139-TDP01"), disability_immobile=True,
    )  # fmt: skip
    waiting, _created = home.request_home_visit(by=city, person=immobile)
    scheduled = home.schedule_home_visit(by=city, visit=waiting, team=team, day=FAR_DAY)
    site = sites.register_site(
        by=city, unit=ward, name="Trường THCS Bồ Đề", address="Phố Nguyễn Văn Cừ", hourly_capacity=5,
        opens_at=time(7), closes_at=time(17), incident_contact="BS. Lan", incident_phone="0912345678",
        nearest_hospital="Bệnh viện Đức Giang", severe_reaction_plan="Xử trí phản vệ; gọi 115.",
    )  # fmt: skip
    booking, _created = sites.book_hour(by=city, site=site, person=immobile, starts_at=hanoi(2099, 1, 5, 9))
    return VaccinationObjects(person, dose, visit, scheduled, team, site, booking)


def vaccination_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("vaccination")
            return path.format(
                person=o.person.pk, dose=o.dose.pk, visit=o.visit.pk, scheduled=o.scheduled.pk,
                site=o.site.pk, booking=o.booking.pk, team=o.team.pk,
            )  # fmt: skip

        return url

    vaccinators = IN_BO_DE | ELSEWHERE
    pages_bo_de = statuses({**each(IN_BO_DE, 200), **each(ELSEWHERE, 404)}, anon=302)
    api_bo_de = statuses({**each(IN_BO_DE, 200), **each(ELSEWHERE, 404)}, anon=401)
    posted = statuses({**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}, anon=302)
    created = statuses({**each(IN_BO_DE, 201), **each(ELSEWHERE, 404)}, anon=401)
    long_bien = {"city_commander": 200, "district_officer_long_bien": 200}
    ward_bound = {"ward_officer_bo_de", "health_worker_bo_de", "ward_officer_phuc_xa"}
    dose_form = {
        "product": "pfizer", "dose_number": "2", "given_on": "22/08/2021", "lot": "FF-2",
        "site": "Trạm Y tế phường Bồ Đề", "vaccinator": "Lê Thị Hoa",
    }  # fmt: skip
    event_form = {
        "severity": "mild", "onset_at": "2021-08-01T10:00", "outcome": "recovered",
        "description": "Đau tại chỗ tiêm", "token": "matrix-1",
    }  # fmt: skip
    return {
        # pages
        "vaccination:home": [
            req("/vaccination/", statuses(each(vaccinators, 200), anon=302)),
            req(
                "/vaccination/?unit=004&on=15/10/2021",
                statuses({**long_bien, **each(ward_bound, 404)}, anon=302),
            ),
        ],
        "vaccination:products": [req("/vaccination/vaccines/", statuses(each(set(PERSONAS), 200), anon=302))],
        "vaccination:find": [
            req("/vaccination/people/find/", statuses(each(vaccinators, 200), anon=302)),
            req(
                w("/vaccination/people/find/"),  # through the world: its person must exist
                statuses({**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}, anon=302),
                method="post",
                data={"cccd": PERSON_CCCD},
            ),
        ],
        "vaccination:person": [
            req(w("/vaccination/people/{person}/"), pages_bo_de),
            req(w("/vaccination/people/{person}/"), posted, method="post", data=dose_form),
        ],
        "vaccination:dose": [
            req(w("/vaccination/doses/{dose}/"), pages_bo_de),
            req(w("/vaccination/doses/{dose}/"), posted, method="post", data=event_form),
        ],
        "vaccination:due": [
            req("/vaccination/due/", statuses(each(vaccinators, 200), anon=302)),
            req("/vaccination/due/?ward=00139&on=15/10/2021", pages_bo_de),
        ],
        # API
        "api-v1:vaccination_products": [
            req("/api/v1/vaccination/products", statuses(each(set(PERSONAS), 200), anon=401))
        ],
        "api-v1:vaccination_person_doses": [
            req(w("/api/v1/vaccination/people/{person}/doses"), api_bo_de),
            req(
                w("/api/v1/vaccination/people/{person}/doses"),
                created,
                method="post",
                json=True,
                data={k: v for k, v in dose_form.items()} | {"dose_number": 2, "given_on": "2021-08-22"},
            ),
        ],
        "api-v1:vaccination_adverse_events": [
            req(
                w("/api/v1/vaccination/doses/{dose}/adverse-events"),
                created,
                method="post",
                json=True,
                data={"severity": "mild", "onset_at": "2021-08-01T10:00", "description": "Sốt nhẹ"},
            )
        ],
        "api-v1:vaccination_coverage": [
            req("/api/v1/vaccination/coverage", statuses(each(vaccinators, 200), anon=401)),
            req(
                "/api/v1/vaccination/coverage?unit=004",
                statuses({**long_bien, **each(ward_bound, 404)}, anon=401),
            ),
        ],
        "api-v1:vaccination_due": [req("/api/v1/vaccination/due?ward=00139&on=2021-10-15", api_bo_de)],
        **outreach_rows(req, w),
    }


def outreach_rows(req: Callable[..., Any], w: Callable[[str], Callable[[Any], str]]) -> dict[str, list[Any]]:
    """Home visits, teams, sites, bookings: planning needs `vaccination.plan` (403 for the health worker)."""
    vaccinators = IN_BO_DE | ELSEWHERE
    planners_everywhere = PLANNERS | ELSEWHERE
    bo_de = {**each(IN_BO_DE, 200), **each(ELSEWHERE, 404)}
    planning = {**each(PLANNERS, 302), **each(ELSEWHERE, 404)}
    api_planning = {**each(PLANNERS, 200), **each(ELSEWHERE, 404)}
    created = {**each(PLANNERS, 201), **each(ELSEWHERE, 404)}
    site_post = {
        "name": "Nhà văn hóa Bồ Đề", "address": "Ngõ 1 Bồ Đề", "hourly_capacity": 10, "opens_at": "07:00",
        "closes_at": "17:00", "incident_contact": "BS. Lan", "incident_phone": "0912345678",
        "nearest_hospital": "Bệnh viện Đức Giang", "severe_reaction_plan": "Xử trí phản vệ; gọi 115.",
    }  # fmt: skip
    book = {"cccd": PERSON_CCCD, "starts_at": "2099-01-05T08:00"}
    return {
        "vaccination:home_visit_request": [
            req(
                w("/vaccination/people/{person}/home-visit/"),
                statuses({**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}, anon=302),
                method="post",
                data={"reason": ""},
            ),
        ],
        "vaccination:home_visits": [
            req("/vaccination/home-visits/", statuses(each(vaccinators, 200), anon=302)),
            req(w("/vaccination/home-visits/?ward=00139"), statuses(bo_de, anon=302)),
        ],
        "vaccination:home_visit_schedule": [
            req(
                w("/vaccination/home-visits/{visit}/schedule/"),
                statuses(planning, anon=302),
                method="post",
                data={"team": "", "visit_on": "2099-01-02", "version": "1"},
            ),
        ],
        "vaccination:teams": [
            req("/vaccination/teams/", statuses(each(planners_everywhere, 200), anon=302)),
            req(
                "/vaccination/teams/",
                statuses({**each(PLANNERS, 302), **each(ELSEWHERE, 422)}, anon=302),
                method="post",
                data={"unit": "00139", "name": "Tổ lưu động 2", "daily_capacity": "6"},
            ),
        ],
        "vaccination:sites": [
            req("/vaccination/sites/", statuses(each(vaccinators, 200), anon=302)),
            req(
                "/vaccination/sites/",
                statuses({**each(PLANNERS, 302), **each(ELSEWHERE, 422)}, anon=302),
                method="post",
                data={**site_post, "unit": "00139"},
            ),
        ],
        "vaccination:site": [req(w("/vaccination/sites/{site}/"), statuses(bo_de, anon=302))],
        "vaccination:site_invite": [
            req(
                w("/vaccination/sites/{site}/invite/"),
                statuses(planning, anon=302),
                method="post",
                data={"group": "elderly_65", "day": "2099-01-05", "limit": "10"},
            ),
        ],
        "vaccination:site_book": [
            req(
                w("/vaccination/sites/{site}/book/"),
                statuses({**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}, anon=302),
                method="post",
                data=book,
            ),
        ],
        "vaccination:check_in": [
            req(
                w("/vaccination/bookings/{booking}/check-in/"),
                statuses({**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}, anon=302),
                method="post",
            ),
        ],
        "api-v1:vaccination_home_visit_request": [
            req(
                w("/api/v1/vaccination/people/{person}/home-visit"),
                statuses(bo_de, anon=401),
                method="post",
                json=True,
                data={},
            ),
        ],
        "api-v1:vaccination_home_visits": [
            req("/api/v1/vaccination/home-visits?ward=00139", statuses(bo_de, anon=401)),
        ],
        "api-v1:vaccination_home_visit_schedule": [
            req(
                w("/api/v1/vaccination/home-visits/{visit}/schedule"),
                statuses(api_planning, anon=401),
                method="post",
                json=True,
                data={"day": "2099-01-02"},
            ),
        ],
        "api-v1:vaccination_home_visit_dose": [
            req(
                w("/api/v1/vaccination/home-visits/{scheduled}/dose"),
                statuses(bo_de, anon=401),
                method="post",
                json=True,
                data={"product": "pfizer", "dose_number": 1, "lot": "FF-3", "vaccinator": "Lê Thị Hoa"},
            ),
        ],
        "api-v1:vaccination_teams": [
            req("/api/v1/vaccination/teams", statuses(each(planners_everywhere, 200), anon=401)),
            req(
                "/api/v1/vaccination/teams",
                statuses(created, anon=401),
                method="post",
                json=True,
                data={"unit": "00139", "name": "Tổ lưu động 3", "daily_capacity": 6},
            ),
        ],
        "api-v1:vaccination_sites": [
            req(
                "/api/v1/vaccination/sites",
                statuses(created, anon=401),
                method="post",
                json=True,
                data={**site_post, "unit": "00139"},
            ),
        ],
        "api-v1:vaccination_site": [
            req(w("/api/v1/vaccination/sites/{site}"), statuses(bo_de, anon=401)),
            req(
                w("/api/v1/vaccination/sites/{site}"),
                statuses(api_planning, anon=401),
                method="patch",
                json=True,
                data={"hourly_capacity": 6},
            ),
        ],
        "api-v1:vaccination_site_invitations": [
            req(
                w("/api/v1/vaccination/sites/{site}/invitations"),
                statuses(api_planning, anon=401),
                method="post",
                json=True,
                data={"group": "elderly_65", "day": "2099-01-05"},
            ),
        ],
        "api-v1:vaccination_site_bookings": [
            req(
                w("/api/v1/vaccination/sites/{site}/bookings"),
                statuses({**each(IN_BO_DE, 201), **each(ELSEWHERE, 404)}, anon=401),
                method="post",
                json=True,
                data={"cccd": PERSON_CCCD, "starts_at": "2099-01-05T10:00"},
            ),
        ],
        "api-v1:vaccination_check_in": [
            # The matrix's booking is for 05/01/2099: the check-in is refused on any other day (422).
            req(
                w("/api/v1/vaccination/bookings/{booking}/check-in"),
                statuses({**each(IN_BO_DE, 422), **each(ELSEWHERE, 404)}, anon=401),
                method="post",
            ),
        ],
        **change_rows(req, w, site_post),
    }


def change_rows(
    req: Callable[..., Any], w: Callable[[str], Callable[[Any], str]], site_post: dict[str, Any]
) -> dict[str, list[Any]]:
    """Cancelling bookings and visits (`vaccination.vaccinate`), editing teams and sites (planning). A
    ward's health worker sees Bồ Đề's site but does not plan it: 403 on its edit."""
    planning_page = {**each(PLANNERS, 200), **each(ELSEWHERE, 404)}
    planned = {**each(PLANNERS, 302), **each(ELSEWHERE, 404)}
    api_planned = {**each(PLANNERS, 200), **each(ELSEWHERE, 404)}
    cancelled = {**each(IN_BO_DE, 302), **each(ELSEWHERE, 404)}
    api_cancelled = {**each(IN_BO_DE, 200), **each(ELSEWHERE, 404)}
    reason = {"reason": "Đã tiêm ở nơi khác"}
    team_form = {"name": "Tổ lưu động matrix", "daily_capacity": "6", "active": "on", "version": "1"}
    return {
        "vaccination:booking_cancel": [
            req(
                w("/vaccination/bookings/{booking}/cancel/"),
                statuses(cancelled, anon=302),
                method="post",
                data=reason,
            ),
        ],
        "vaccination:home_visit_cancel": [
            req(
                w("/vaccination/home-visits/{visit}/cancel/"),
                statuses(cancelled, anon=302),
                method="post",
                data={**reason, "version": "1"},
            ),
        ],
        "vaccination:team_edit": [
            req(w("/vaccination/teams/{team}/"), statuses(planning_page, anon=302)),
            req(w("/vaccination/teams/{team}/"), statuses(planned, anon=302), method="post", data=team_form),
        ],
        "vaccination:site_edit": [
            req(w("/vaccination/sites/{site}/edit/"), statuses(planning_page, anon=302)),
            req(
                w("/vaccination/sites/{site}/edit/"),
                statuses(planned, anon=302),
                method="post",
                data={**site_post, "version": "1"},
            ),
        ],
        "api-v1:vaccination_booking_cancel": [
            req(
                w("/api/v1/vaccination/bookings/{booking}/cancel"),
                statuses(api_cancelled, anon=401),
                method="post",
                json=True,
                data=reason,
            ),
        ],
        "api-v1:vaccination_home_visit_cancel": [
            req(
                w("/api/v1/vaccination/home-visits/{visit}/cancel"),
                statuses(api_cancelled, anon=401),
                method="post",
                json=True,
                data=reason,
            ),
        ],
        "api-v1:vaccination_team": [
            req(
                w("/api/v1/vaccination/teams/{team}"),
                statuses(api_planned, anon=401),
                method="patch",
                json=True,
                data={"daily_capacity": 6},
            ),
        ],
    }
