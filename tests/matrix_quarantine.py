"""The quarantine rows of the authorization matrix: the board, facilities, admissions, discharges, transfers.

Objects (built lazily by `build_quarantine`):
- Long Biên's ready dormitory with one Bồ Đề resident inside (the stay, moved to a family room by the
  transfer rows), a second ready Long Biên school, and a Long Biên school still preparing (to make ready);
- Hà Đông's Phenikaa dormitory, outside Long Biên.
Readers are the managers (city, Long Biên) and the admitters (those two and Bồ Đề's health worker,
who reaches Long Biên's and the city's facilities from below). Managing needs `quarantine.manage`: the
health worker gets 403 there. Hà Đông's facility is 404 for Long Biên's officer and Bồ Đề's health
worker. Roles without a quarantine capability get 403; anonymous pages redirect, the API answers 401.
The world's Bồ Đề person (CCCD in the POST body, never in the URL) is the one admitted by the matrix.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

MANAGERS = {"city_commander", "district_officer_long_bien"}
ADMITTERS = MANAGERS | {"health_worker_bo_de"}
NOT_REACHING_HA_DONG = {"district_officer_long_bien", "health_worker_bo_de"}
BO_DE_CCCD = "001085012345"  # the matrix world's Bồ Đề person
DORM_VERSION, PREPARING_VERSION = 2, 1


def statuses(ok: dict[str, int], *, anon: int, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no quarantine capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


@dataclass
class QuarantineObjects:
    dorm: Any
    school: Any
    preparing: Any
    phenikaa: Any
    stay: Any


def build_quarantine(request: Any) -> QuarantineObjects:
    from phaodai.people import services as people
    from phaodai.quarantine import services
    from phaodai.territory import selectors as territory

    unit = request.getfixturevalue("unit")
    city = request.getfixturevalue("city_commander")

    def facility(name: str, code: str, beds: tuple[int, int, int], *, ready: bool = True) -> Any:
        male, female, family = beds
        made = services.register_facility(
            by=city, unit=unit(code), name=name, address=f"Địa chỉ {name}", kind="dormitory",
            beds_male=male, beds_female=female, beds_family=family,
        )  # fmt: skip
        return services.set_readiness(by=city, facility=made, readiness="ready") if ready else made

    dorm = facility("Ký túc xá Long Biên", "004", (5, 5, 2))
    school = facility("Trường THPT Long Biên", "004", (5, 5, 0))
    preparing = facility("Trường THCS Ngọc Lâm", "004", (10, 0, 0), ready=False)
    phenikaa = facility("Ký túc xá Trường Đại học Phenikaa", "268", (300, 250, 0))
    resident = people.register_person(
        by=city, cccd="001190054321", full_name="Trần Thị Bình", birth_date=date(1990, 7, 15), sex="F",
        phone=None, residence_area=territory.area_by_code("00139-TDP01"),
    )  # fmt: skip
    stay, _created = services.admit(by=city, facility=dorm, person=resident, order_ref="QĐ 1")
    return QuarantineObjects(dorm, school, preparing, phenikaa, stay)


def facility_post(**overrides: Any) -> dict[str, Any]:
    fields = {
        "name": "Khách sạn Long Biên", "name_en": "", "address": "Phố Nguyễn Văn Cừ", "kind": "hotel",
        "beds_male": 20, "beds_female": 20, "beds_family": 4, "notes": "",
    }  # fmt: skip
    fields.update(overrides)
    return fields


def quarantine_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("quarantine")
            return path.format(
                dorm=o.dorm.pk,
                school=o.school.pk,
                preparing=o.preparing.pk,
                phenikaa=o.phenikaa.pk,
                stay=o.stay.pk,
            )

        return url

    readers = statuses(each(ADMITTERS, 200), anon=302)
    api_readers = statuses(each(ADMITTERS, 200), anon=401)
    # Hà Đông's facility: the city reads it; Long Biên's officer and Bồ Đề's health worker do not reach it.
    ha_dong = statuses({**each(NOT_REACHING_HA_DONG, 404), "city_commander": 200}, anon=302)
    api_ha_dong = statuses({**each(NOT_REACHING_HA_DONG, 404), "city_commander": 200}, anon=401)
    admit_form = {
        "cccd": BO_DE_CCCD,
        "room_kind": "",
        "admitted_at": "",
        "planned_release": "",
        "order_ref": "QĐ 2",
    }
    discharge_form = {"reason": "released", "discharged_at": "", "note": ""}
    api_edit = {**facility_post(name="Ký túc xá Long Biên", kind="dormitory"), "version": DORM_VERSION}
    return {
        # pages
        "quarantine:home": [req("/quarantine/", readers), req("/quarantine/?day=2021-09-08", readers)],
        "quarantine:facilities": [req("/quarantine/facilities/?q=ky+tuc+xa&readiness=active", readers)],
        "quarantine:facility_add": [
            req("/quarantine/facilities/add/", statuses(each(MANAGERS, 200), anon=302)),
            req(
                "/quarantine/facilities/add/",
                statuses(each(MANAGERS, 302), anon=302),
                method="post",
                data={**facility_post(), "unit": "004"},
            ),
        ],
        "quarantine:facility": [
            req(w("/quarantine/facilities/{dorm}/"), readers),
            req(w("/quarantine/facilities/{phenikaa}/"), ha_dong),
        ],
        "quarantine:facility_edit": [
            req(w("/quarantine/facilities/{dorm}/edit/"), statuses(each(MANAGERS, 200), anon=302)),
            req(
                w("/quarantine/facilities/{phenikaa}/edit/"),
                statuses({"city_commander": 200, "district_officer_long_bien": 404}, anon=302),
            ),
            req(
                w("/quarantine/facilities/{dorm}/edit/"),
                statuses(each(MANAGERS, 302), anon=302),
                method="post",
                data={**facility_post(name="Ký túc xá Long Biên", kind="dormitory"), "version": DORM_VERSION},
            ),
        ],
        "quarantine:facility_readiness": [
            req(
                w("/quarantine/facilities/{preparing}/readiness/"),
                statuses(each(MANAGERS, 302), anon=302),
                method="post",
                data={"readiness": "ready", "version": PREPARING_VERSION},
            )
        ],
        "quarantine:admit": [
            req(w("/quarantine/facilities/{dorm}/admit/"), readers),
            req(
                w("/quarantine/facilities/{dorm}/admit/"),
                statuses(each(ADMITTERS, 302), anon=302),
                method="post",
                data=admit_form,
            ),
            req(w("/quarantine/facilities/{phenikaa}/admit/"), ha_dong),
        ],
        "quarantine:admission": [req(w("/quarantine/admissions/{stay}/"), readers)],
        "quarantine:discharge": [
            req(
                w("/quarantine/admissions/{stay}/discharge/"),
                statuses(each(ADMITTERS, 302), anon=302),
                method="post",
                data=discharge_form,
            )
        ],
        "quarantine:transfer": [
            req(
                w("/quarantine/admissions/{stay}/transfer/"),
                statuses(each(ADMITTERS, 302), anon=302),
                method="post",
                # Without a facility, a move to another room kind of the same facility.
                data={"facility": "", "room_kind": "family", "at": "", "note": ""},
            )
        ],
        # API
        "api-v1:quarantine_facilities": [
            req("/api/v1/quarantine/facilities?q=ky+tuc", api_readers),
            req(
                "/api/v1/quarantine/facilities",
                statuses(each(MANAGERS, 201), anon=401),
                method="post",
                json=True,
                data={**facility_post(), "unit": "004"},
            ),
        ],
        "api-v1:quarantine_facility": [
            req(w("/api/v1/quarantine/facilities/{dorm}"), api_readers),
            req(w("/api/v1/quarantine/facilities/{phenikaa}"), api_ha_dong),
            req(
                w("/api/v1/quarantine/facilities/{dorm}"),
                statuses(each(MANAGERS, 200), anon=401),
                method="put",
                json=True,
                data=api_edit,
            ),
        ],
        "api-v1:quarantine_facility_readiness": [
            req(
                w("/api/v1/quarantine/facilities/{preparing}/readiness"),
                statuses(each(MANAGERS, 200), anon=401),
                method="post",
                json=True,
                data={"readiness": "ready", "version": PREPARING_VERSION},
            )
        ],
        "api-v1:quarantine_admissions": [
            req(w("/api/v1/quarantine/facilities/{dorm}/admissions"), api_readers),
            req(
                w("/api/v1/quarantine/facilities/{dorm}/admissions"),
                statuses(each(ADMITTERS, 201), anon=401),
                method="post",
                json=True,
                data={"cccd": BO_DE_CCCD, "order_ref": "QĐ 2"},
            ),
            req(
                w("/api/v1/quarantine/facilities/{phenikaa}/admissions"),
                statuses({**each(NOT_REACHING_HA_DONG, 404), "city_commander": 201}, anon=401),
                method="post",
                json=True,
                data={"cccd": BO_DE_CCCD},
            ),
        ],
        "api-v1:quarantine_admission": [req(w("/api/v1/quarantine/admissions/{stay}"), api_readers)],
        "api-v1:quarantine_discharge": [
            req(
                w("/api/v1/quarantine/admissions/{stay}/discharge"),
                statuses(each(ADMITTERS, 200), anon=401),
                method="post",
                json=True,
                data={"reason": "released"},
            )
        ],
        "api-v1:quarantine_transfer": [
            req(
                w("/api/v1/quarantine/admissions/{stay}/transfer"),
                statuses(each(ADMITTERS, 201), anon=401),
                method="post",
                json=True,
                data={"room_kind": "family"},
            )
        ],
        "api-v1:quarantine_occupancy": [req("/api/v1/quarantine/occupancy", api_readers)],
    }
