"""The tracing API across ward lines: naming anyone's CCCD (as a case or a contact) tells nothing the
caller may not trace — no level, no "registered in another ward"; a person named by id is found in the
tracing scope (where they live, or where one of their cases was found), not the registry's."""

from datetime import date
from typing import Any

import pytest
import time_machine

from phaodai.cases import services
from phaodai.cases.models import Case, Exposure
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.test_api import NOW, Api, case_body, cccd_of
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.people import services as people_services
from phaodai.people.tests.conftest import cccd_for, make_area
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db

PHUC_XA_CCCD = cccd_for(1975, "F", serial=555001)
NOBODYS_CCCD = cccd_for(1975, "F", serial=555999)


@pytest.fixture(autouse=True)
def _tenth_of_september():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


@pytest.fixture
def phuc_xa_resident(ward_officer_phuc_xa: Any) -> Any:
    """A resident of Phúc Xá (Ba Đình), which no Bồ Đề officer traces."""
    area = make_area("00001", "TDP01", "Tổ dân phố 1")
    return people_services.register_person(
        by=ward_officer_phuc_xa,
        cccd=PHUC_XA_CCCD,
        full_name="Đỗ Thị Bímật",
        birth_date=date(1975, 3, 3),
        sex="F",
        phone=None,
        residence_area=area,
        clock=at(hanoi(2021, 9, 1)),
    )


@pytest.fixture
def phuc_xa_f0(phuc_xa_resident: Any, ward_officer_phuc_xa: Any) -> Any:
    """The same resident, recorded by Phúc Xá as F0 on 10/9."""
    services.record_case(
        by=ward_officer_phuc_xa,
        person=phuc_xa_resident,
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=True,
        test_ref="PX-1",
        clock=at(SEPT_10_MORNING),
    )
    return phuc_xa_resident


def denied(user: Any) -> int:
    return AuditEntry.objects.filter(action="scope.denied", actor_id=user.pk).count()


# A contact's level ----------------------------------------------------------------------------------


def test_a_contact_the_caller_may_not_trace_comes_back_without_a_level(
    api, resident, phuc_xa_f0, health_worker_bo_de
):
    resident(0), resident(1)
    api.login(health_worker_bo_de)
    link = {"exposed_on": "2021-09-09", "setting": "other"}
    sent = {"cccd": cccd_of(0), "contacts": [{"cccd": PHUC_XA_CCCD, **link}, {"cccd": cccd_of(1), **link}]}
    answer = api.post("/people/contacts", sent)
    assert answer.status_code == 201, answer.json()
    contacts = answer.json()["contacts"]
    assert [c["id"] for c in contacts] == [str(phuc_xa_f0.pk), str(resident(1).pk)]
    # Phúc Xá's F0 reads as unknown to Bồ Đề; Bồ Đề's own resident with the level they have
    assert contacts[0]["f_level"] is None
    assert "Bímật" not in answer.content.decode()
    assert Exposure.objects.count() == 2  # the link itself is recorded: Phúc Xá traces through it


def test_a_cases_contacts_the_caller_may_not_trace_come_back_without_a_level(
    api, resident, phuc_xa_f0, health_worker_bo_de
):
    resident(0)
    api.login(health_worker_bo_de)
    case = api.post("/cases", case_body(0)).json()
    contact = {"cccd": PHUC_XA_CCCD, "exposed_on": "2021-09-09", "setting": "market"}
    answer = api.post(f"/cases/{case['id']}/contacts", {"contacts": [contact]})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["contacts"][0]["f_level"] is None
    # Phúc Xá, who traces them, reads the level
    status = Api(api.client).login(Case.objects.get(person=phuc_xa_f0).created_by)
    assert status.post("/people/status", {"cccd": PHUC_XA_CCCD}).json()["f_level"] == "F0"


def test_a_contact_living_elsewhere_whose_case_was_found_here_keeps_its_level(
    api, resident, phuc_xa_f0, ward_officer_phuc_xa, health_worker_bo_de, ward_officer_bo_de
):
    # Another Phúc Xá resident, found positive in Bồ Đề: Bồ Đề traces them
    area = phuc_xa_f0.residence_area
    found_here = people_services.register_person(
        by=ward_officer_phuc_xa, cccd=cccd_for(1976, "M", serial=555002), full_name="Đỗ Văn Thấy",
        birth_date=date(1976, 4, 4), sex="M", phone=None, residence_area=area, clock=at(hanoi(2021, 9, 1)),
    )  # fmt: skip
    api.login(ward_officer_bo_de)
    recorded = api.post(
        "/cases",
        case_body(0, cccd=cccd_for(1976, "M", serial=555002), detected_unit="00139", test_ref="BD-9"),
    )
    assert recorded.status_code == 201, recorded.json()
    resident(0)
    link = {"exposed_on": "2021-09-09", "setting": "other"}
    answer = api.login(health_worker_bo_de).post(
        "/people/contacts",
        {"cccd": cccd_of(0), "contacts": [{"cccd": cccd_for(1976, "M", serial=555002), **link}]},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["contacts"] == [{"id": str(found_here.pk), "f_level": "F0"}]


# A person named by id -------------------------------------------------------------------------------


def test_a_person_by_id_is_found_in_the_tracing_scope_not_the_registrys(
    api, resident, phuc_xa_f0, ward_officer_bo_de, ward_officer_ngoc_lam
):
    # A Phúc Xá resident found positive in Bồ Đề: Bồ Đề traces them, though its registry does not hold them
    api.login(ward_officer_bo_de)
    person = people_services.register_person(
        by=Case.objects.get(person=phuc_xa_f0).created_by, cccd=cccd_for(1976, "M", serial=555002),
        full_name="Đỗ Văn Thấy", birth_date=date(1976, 4, 4), sex="M", phone=None,
        residence_area=phuc_xa_f0.residence_area, clock=at(hanoi(2021, 9, 1)),
    )  # fmt: skip
    assert api.get(f"/people/{person.pk}").status_code == 404  # the registry: not Bồ Đề's
    recorded = api.post(
        "/cases",
        case_body(0, cccd=cccd_for(1976, "M", serial=555002), detected_unit="00139", test_ref="BD-9"),
    )
    assert recorded.status_code == 201, recorded.json()
    resident(0)
    contacts = {"person": str(person.pk), "contacts": [{"cccd": cccd_of(0), "exposed_on": "2021-09-09",
                                                         "setting": "workplace"}]}  # fmt: skip
    answer = api.post("/people/contacts", contacts)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["contacts"][0]["f_level"] == "F1"
    # an officer who traces neither where they live nor where the case was found: 404, logged
    before = denied(ward_officer_ngoc_lam)
    outside = api.login(ward_officer_ngoc_lam).post("/people/contacts", contacts)
    unknown = api.post("/people/contacts", {**contacts, "person": "8f0e4c1e-4ae0-4c9c-9a57-8a9d2f0c1b2a"})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert denied(ward_officer_ngoc_lam) == before + 1


# Recording a case: no existence oracle --------------------------------------------------------------


def test_a_cccd_registered_in_another_ward_answers_as_one_nobody_holds(
    api, phuc_xa_resident, ward_officer_bo_de
):
    api.login(ward_officer_bo_de)
    nobody = api.post("/cases", case_body(0, cccd=NOBODYS_CCCD))
    elsewhere = api.post("/cases", case_body(0, cccd=PHUC_XA_CCCD))
    assert nobody.status_code == elsewhere.status_code == 422
    assert elsewhere.json() == nobody.json()
    assert elsewhere.json()["code"] == "person_not_registered"
    assert "detected_unit" in elsewhere.json()["message"]
    assert denied(ward_officer_bo_de) == 1  # the one registered elsewhere is logged
    # a ward outside the caller's units as detected_unit: the same 404 whoever holds the CCCD
    far = [
        api.post("/cases", case_body(0, cccd=cccd, detected_unit="00001"))
        for cccd in (NOBODYS_CCCD, PHUC_XA_CCCD)
    ]
    assert [a.status_code for a in far] == [404, 404]
    assert far[0].json() == far[1].json()
    assert Case.objects.count() == 0
    # found in Bồ Đề: recorded there
    found_here = api.post("/cases", case_body(0, cccd=PHUC_XA_CCCD, detected_unit="00139"))
    assert found_here.status_code == 201, found_here.json()


def test_someone_traced_here_but_living_elsewhere_is_asked_where_the_case_was_found(
    api, phuc_xa_f0, ward_officer_bo_de, ward_officer_phuc_xa
):
    # Bồ Đề found Phúc Xá's resident positive once (now recovered): Bồ Đề may trace them
    first = Case.objects.get(person=phuc_xa_f0)
    bo_de = Unit.objects.get(code="00139")
    Case.objects.filter(pk=first.pk).update(
        detected_unit=bo_de, detected_path=bo_de.path, outcome="recovered"
    )
    api.login(ward_officer_bo_de)
    answer = api.post(
        "/cases", case_body(0, cccd=PHUC_XA_CCCD, confirmed_at="2021-09-10T10:00", test_ref="BD-10")
    )
    assert answer.status_code == 422, answer.json()
    assert (answer.json()["code"], answer.json()["field"]) == ("detected_unit_required", "detected_unit")


# A case found here of someone living elsewhere ------------------------------------------------------


def test_a_refused_case_found_here_answers_the_same_whoever_holds_the_cccd(
    client: Any,
    phuc_xa_resident: Any,
    ward_officer_bo_de: Any,
) -> None:
    # Found in our ward (detected_unit) but confirmed in the future: refused for its facts, before the
    # CCCD is looked up, so the answer is the same for a CCCD nobody holds and one held elsewhere.
    with time_machine.travel(NOW, tick=False):
        api = Api(client).login(ward_officer_bo_de)
        future = {"detected_unit": "00139", "confirmed_at": "2021-09-20T09:00"}
        nobody = api.post("/cases", case_body(0, cccd=NOBODYS_CCCD, **future))
        elsewhere = api.post("/cases", case_body(0, cccd=PHUC_XA_CCCD, **future))
    assert (nobody.status_code, nobody.json()) == (elsewhere.status_code, elsewhere.json())
    assert (nobody.status_code, nobody.json()["field"]) == (422, "confirmed_at")


def test_a_case_found_here_of_someone_already_a_case_elsewhere_says_so_and_nothing_more(
    client: Any,
    phuc_xa_f0: Any,
    ward_officer_bo_de: Any,
) -> None:
    with time_machine.travel(NOW, tick=False):
        api = Api(client).login(ward_officer_bo_de)
        body = case_body(0, cccd=PHUC_XA_CCCD, detected_unit="00139", confirmed_at="2021-09-09T09:00")
        answer = api.post("/cases", body)
    assert answer.status_code == 409
    assert "existing_case" not in answer.json()
    assert (
        answer.json()["message"]
        == "This person already has a case; the ward where they live can tell you more."
    )
    assert Case.objects.count() == 1


def test_a_case_confirmed_before_its_tracing_exposure_is_not_traced_from_that_source(
    resident: Any, health_worker_bo_de: Any
) -> None:
    # P met an F0 on 10/9 but had tested positive on 8/9 already (entered late, on 11/9): P cannot have
    # caught it from that F0, so the case records no source (nor the F0's cluster through it).
    f0, p = resident(0), resident(1)
    by = health_worker_bo_de
    services.record_case(by=by, person=f0, confirmed_at=SEPT_10_MORNING, detected_in="community",
                         source_known=False, test_ref="T-0", clock=at(SEPT_10_MORNING))  # fmt: skip
    met = services.ContactInput(exposed_on=date(2021, 9, 10), setting="household", person=p)
    services.add_contacts(by=by, source=f0, contacts=[met], clock=at(hanoi(2021, 9, 10, 11)))
    services.record_case(by=by, person=p, confirmed_at=hanoi(2021, 9, 8, 9), detected_in="community",
                         source_known=False, test_ref="T-1", clock=at(hanoi(2021, 9, 11, 9)))  # fmt: skip
    late = Case.objects.get(person=p)
    assert (late.traced_from_id, late.window_start) == (None, date(2021, 9, 6))
