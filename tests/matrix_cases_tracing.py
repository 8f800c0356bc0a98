"""The tracing pages' rows of the authorization matrix: home, new case, a case with its outcome and
contacts, a person's tracing page, clusters and a cluster's chain (with its graph data).

Objects (built lazily by `build_cases_tracing`), all in Bồ Đề: a case confirmed 10/9/2021 (its person
is an F0 of unknown source) with one contact (an F1), and the cluster they form. The world's own Bồ Đề
person (no case yet) is the one recorded as a new case, or added as a contact, by the POST rows.
Tracers are the officers with `cases.trace` (city, Long Biên, Bồ Đề's ward officer and health worker,
Phúc Xá's ward officer); Phúc Xá's officer traces elsewhere, so gets 404 for Bồ Đề's case, person and
cluster, and a refusal beside the field (422) when recording a Bồ Đề resident's case without saying
it was found in Phúc Xá. Roles without a tracing capability get 403; anonymous pages redirect.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.matrix_personas import ANON, PERSONAS

COVERING = {"city_commander", "district_officer_long_bien", "ward_officer_bo_de", "health_worker_bo_de"}
OUTSIDE = {"ward_officer_phuc_xa"}  # traces, but not in Bồ Đề
TRACERS = COVERING | OUTSIDE
WORLD_PERSON_CCCD = "001085012345"  # the matrix world's Bồ Đề person
CONFIRMED_AT = datetime(2021, 9, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def statuses(ok: dict[str, int], *, anon: int = 302, other: int = 403) -> dict[str, int]:
    """The status named for each persona in `ok`; `other` (no tracing capability) for the rest."""
    return {ANON: anon, **{persona: ok.get(persona, other) for persona in PERSONAS}}


def each(personas: set[str], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


def scoped(status: int) -> dict[str, int]:
    """`status` for the officers covering Bồ Đề, 404 for Phúc Xá's, 403 for the rest."""
    return statuses({**each(OUTSIDE, 404), **each(COVERING, status)})


@dataclass
class CasesTracingObjects:
    case: Any
    contact: Any  # the case's F1
    cluster: Any


def build_cases_tracing(request: Any) -> CasesTracingObjects:
    from phaodai.cases import services
    from phaodai.people import services as people

    world = request.getfixturevalue("world")
    city = request.getfixturevalue("city_commander")

    def resident(cccd: str, name: str) -> Any:
        return people.register_person(
            by=city, cccd=cccd, full_name=name, birth_date=date(1980, 5, 1), sex="M", phone=None,
            residence_area=world.bo_de_area,
        )  # fmt: skip

    sick = resident("001080000101", "Phạm Văn Hùng")
    contact = resident("001080000102", "Đặng Văn Long")
    case, _created = services.record_case(
        by=city, person=sick, confirmed_at=CONFIRMED_AT, detected_in="community", source_known=False,
        test_ref="LB-0910-0001", clock=lambda: CONFIRMED_AT + timedelta(hours=1),
    )  # fmt: skip
    services.add_contacts(  # on the day (derived as of then: today the case is long past the horizon)
        by=city,
        source=sick,
        contacts=[services.ContactInput(exposed_on=date(2021, 9, 9), setting="household", person=contact)],
        clock=lambda: CONFIRMED_AT + timedelta(hours=2),
    )
    case.refresh_from_db()
    return CasesTracingObjects(case=case, contact=contact, cluster=case.cluster)


def new_case_form() -> dict[str, Any]:
    return {
        "cccd": WORLD_PERSON_CCCD, "confirmed_at": "10/09/2021 08:00", "test_ref": "LB-0910-0002",
        "manual_reason": "", "detected_in": "community", "detected_unit": "", "source_known": "known",
        "source_note": "", "severity": "mild", "care": "home", "token": "matrix-token-0001",
    }  # fmt: skip


def contact_rows(exposed_on: str) -> dict[str, Any]:
    """One row naming the world's person by CCCD (the form's other rows left empty)."""
    rows: dict[str, Any] = {"c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0", "area_q": ""}
    for index in range(2):
        for name in ("cccd", "full_name", "phone", "residence_area", "exposed_on", "setting", "note"):
            rows[f"c-{index}-{name}"] = ""
    rows.update({"c-0-cccd": WORLD_PERSON_CCCD, "c-0-exposed_on": exposed_on, "c-0-setting": "neighbour"})
    return rows


def cases_tracing_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    """The rows; `req` is the matrix's Req class, paths may be callables of the world."""

    def w(path: str) -> Callable[[Any], str]:
        def url(world: Any) -> str:
            o = world.lazy("cases_tracing")
            return path.format(case=o.case.pk, contact=o.contact.pk, cluster=o.cluster.pk)

        return url

    tracers = statuses(each(TRACERS, 200))
    return {
        "cases:home": [
            req("/cases/", tracers),
            req("/cases/?day=10/09/2021&ward=00139", tracers),
        ],
        "cases:case_new": [
            req("/cases/new/", tracers),
            # Phúc Xá's officer must say the case was found in Phúc Xá: refused beside the field.
            req(
                "/cases/new/",
                statuses({**each(COVERING, 302), **each(OUTSIDE, 422)}),
                method="post",
                data=new_case_form(),
            ),
        ],
        "cases:case_detail": [req(w("/cases/{case}/"), scoped(200))],
        "cases:case_outcome": [
            req(
                w("/cases/{case}/outcome/"),
                scoped(302),
                method="post",
                data={"outcome": "recovered", "at": "24/09/2021 08:00", "version": 1},
            )
        ],
        "cases:case_contacts": [
            req(w("/cases/{case}/contacts/"), scoped(302), method="post", data=contact_rows("09/09/2021"))
        ],
        "cases:person": [req(w("/cases/persons/{contact}/"), scoped(200))],
        "cases:person_contacts": [
            req(
                w("/cases/persons/{contact}/contacts/"),
                scoped(302),
                method="post",
                data=contact_rows("10/09/2021"),
            )
        ],
        "cases:clusters": [
            req("/cases/clusters/", tracers),
            req("/cases/clusters/?status=closed", tracers),
        ],
        "cases:cluster": [req(w("/cases/clusters/{cluster}/"), scoped(200))],
        "cases:cluster_graph": [req(w("/cases/clusters/{cluster}/graph.json"), scoped(200))],
    }
