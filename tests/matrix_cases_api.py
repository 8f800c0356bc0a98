"""The cases API rows of the authorization matrix: cases, outcomes, contacts, tracing status, clusters.

Objects (built lazily by `build_cases_api`), all in Bồ Đề: the world's person (Nguyễn Văn An) is an F0
confirmed a day before the matrix module was imported, with one F1 (Lê Văn Cường), which makes a
cluster; two more residents are registered without any link (one to become a case, one a contact).
Officials who trace in Bồ Đề (city, Long Biên, Bồ Đề's ward officer and health worker) get answers;
Phúc Xá's officer traces elsewhere and gets 404 for Bồ Đề's objects (an empty page for the lists);
roles that do not trace get 403; the API answers 401 without credentials. CCCDs go in bodies only.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tests.matrix_personas import ANON, PERSONAS

TRACERS = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
TRACING_ELSEWHERE = {"ward_officer_phuc_xa"}
BO_DE_CCCD = "001085012345"  # the matrix world's Bồ Đề person, the F0
F1_CCCD = "001080200001"  # Lê Văn Cường, the F0's contact
NEW_CASE_CCCD = "001080200002"  # Phạm Văn Dũng, registered, no case yet
NEW_CONTACT_CCCD = "001080200003"  # Hoàng Văn Sơn, registered, no link yet


def _moments() -> tuple[Any, Any, date]:
    # Fixed when the module is imported, so the rows' bodies stay valid however long the suite runs.
    from phaodai.core.clock import local_date, now

    confirmed = now() - timedelta(days=1)
    return confirmed, confirmed + timedelta(hours=2), local_date(confirmed)


CONFIRMED_AT, OUTCOME_AT, EXPOSED_ON = _moments()


@dataclass
class CasesApiObjects:
    case: Any
    cluster: Any


def build_cases_api(request: Any) -> CasesApiObjects:
    from phaodai.cases import selectors, services
    from phaodai.people import selectors as people
    from phaodai.people import services as people_services
    from phaodai.territory import selectors as territory

    city = request.getfixturevalue("city_commander")
    area = territory.area_by_code("00139-TDP01")

    def register(cccd: str, name: str, born: int) -> Any:
        return people_services.register_person(
            by=city, cccd=cccd, full_name=name, birth_date=date(born, 1, 1), sex="M", phone=None,
            residence_area=area,
        )  # fmt: skip

    f1 = register(F1_CCCD, "Lê Văn Cường", 1980)
    register(NEW_CASE_CCCD, "Phạm Văn Dũng", 1980)
    register(NEW_CONTACT_CCCD, "Hoàng Văn Sơn", 1980)
    case, _created = services.record_case(
        by=city,
        person=people.person_for_tracing(BO_DE_CCCD),
        confirmed_at=CONFIRMED_AT,
        detected_in="community",
        source_known=False,
        test_ref="MATRIX-1",
    )
    services.add_contacts(
        by=city, source=case.person, contacts=[services.ContactInput(EXPOSED_ON, "household", person=f1)]
    )
    case = selectors.case_for(city, case.pk)
    return CasesApiObjects(case=case, cluster=case.cluster)


def statuses(ok: dict[str, int], *, anon: int = 401, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (403: does not trace) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def cases_api_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("cases_api")
            return path.format(case=o.case.pk, cluster=o.cluster.pk)

        return url

    def scoped(status: int) -> dict[str, int]:
        """`status` for Bồ Đề's tracers, 404 for Phúc Xá (traces elsewhere), 403 for the rest."""
        return statuses({**each(TRACING_ELSEWHERE, 404), **each(TRACERS, status)})

    # Lists are not about one object: whoever traces somewhere gets a page (Phúc Xá's is empty).
    listing = statuses(each(TRACERS | TRACING_ELSEWHERE, 200))
    day = EXPOSED_ON.isoformat()
    new_case = {
        "cccd": NEW_CASE_CCCD,
        "confirmed_at": CONFIRMED_AT.isoformat(),
        "detected_in": "community",
        "source_known": True,
        "test_ref": "MATRIX-2",
    }
    new_contact = {"contacts": [{"cccd": NEW_CONTACT_CCCD, "exposed_on": day, "setting": "workplace"}]}

    return {
        "api-v1:cases_case_list": [
            req(w("/api/v1/cases"), listing),
            req(w("/api/v1/cases?ward=00139&from=2021-09-01"), listing),
            # Someone the caller may not trace: the same answer as an unknown CCCD (no existence oracle).
            req(
                w("/api/v1/cases"),
                statuses({**each(TRACING_ELSEWHERE, 422), **each(TRACERS, 201)}),
                method="post",
                json=True,
                data=new_case,
            ),
        ],
        "api-v1:cases_case": [req(w("/api/v1/cases/{case}"), scoped(200))],
        "api-v1:cases_case_outcome": [
            req(
                w("/api/v1/cases/{case}/outcome"),
                scoped(200),
                method="post",
                json=True,
                data={"outcome": "recovered", "at": OUTCOME_AT.isoformat(), "version": 1},
            )
        ],
        "api-v1:cases_case_contacts": [
            req(w("/api/v1/cases/{case}/contacts"), scoped(201), method="post", json=True, data=new_contact)
        ],
        "api-v1:cases_person_status": [
            req(w("/api/v1/people/status"), scoped(200), method="post", json=True, data={"cccd": BO_DE_CCCD})
        ],
        "api-v1:cases_person_contacts": [
            req(
                w("/api/v1/people/contacts"),
                scoped(201),
                method="post",
                json=True,
                data={"cccd": F1_CCCD, **new_contact},
            )
        ],
        "api-v1:cases_cluster_list": [req(w("/api/v1/clusters"), listing)],
        "api-v1:cases_cluster_graph": [req(w("/api/v1/clusters/{cluster}/graph"), scoped(200))],
    }
