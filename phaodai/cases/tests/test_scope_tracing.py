"""Tracing across ward lines without leaking: who a CCCD belongs to, a contact's level and the links to
tracing pages are shown only to officers who may trace that person (cases.selectors.may_trace); for
anyone else the answer is the one for a CCCD nobody holds."""

# The shared fixtures are imported from test_views_tracing; pytest passes them by name.
# ruff: noqa: F811

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from phaodai.cases import services
from phaodai.cases.models import Case, TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING, at
from phaodai.cases.tests.test_views_tracing import (  # noqa: F401  (fixtures)
    case_form,
    cccd_of,
    ngoc_lam_area,
    outbreak,
    sept_10_afternoon,
    text,
)
from phaodai.cases.tests.test_views_tracing_contacts import rows
from phaodai.core.clock import hanoi
from phaodai.core.models import AuditEntry
from phaodai.people import services as people_services
from phaodai.people.tests.conftest import cccd_for, make_area

pytestmark = pytest.mark.django_db

SECRET_NAME = "Đỗ Thị Bímật"
PHUC_XA_CCCD = cccd_for(1975, "F", serial=555001)


@pytest.fixture
def phuc_xa_resident(ward_officer_phuc_xa: Any) -> Any:
    """A resident of Phúc Xá (Ba Đình), far from Bồ Đề's officers."""
    area = make_area("00001", "TDP01", "Tổ dân phố 1")
    return people_services.register_person(
        by=ward_officer_phuc_xa,
        cccd=PHUC_XA_CCCD,
        full_name=SECRET_NAME,
        birth_date=date(1975, 3, 3),
        sex="F",
        phone=None,
        residence_area=area,
        clock=at(hanoi(2021, 9, 1)),
    )


def find(client: Any, cccd: str) -> Any:
    return client.post("/cases/new/", {**case_form(cccd), "find": "1"})


def denied(user: Any) -> int:
    return AuditEntry.objects.filter(action="scope.denied", actor_id=user.pk).count()


# "Find the person" on the new case page ------------------------------------------------------------


def test_find_answers_for_a_resident_elsewhere_exactly_as_for_a_cccd_nobody_holds(
    client: Any, phuc_xa_resident: Any, health_worker_bo_de: Any
) -> None:
    client.force_login(health_worker_bo_de)
    nobody = find(client, cccd_for(1975, "F", serial=555999))
    elsewhere = find(client, PHUC_XA_CCCD)
    assert nobody.status_code == elsewhere.status_code == 200
    assert elsewhere.context["found"] == nobody.context["found"] == {"missing": True}
    body = text(elsewhere)
    assert SECRET_NAME not in body and "Bímật" not in body
    assert "Phúc Xá" not in body
    assert 'id="not-registered"' in body and 'id="found-person"' not in body
    assert denied(health_worker_bo_de) == 1  # the look-up of someone elsewhere is logged


def test_find_shows_a_resident_elsewhere_once_a_case_of_theirs_was_found_here(
    client: Any, phuc_xa_resident: Any, ward_officer_bo_de: Any, unit: Any
) -> None:
    services.record_case(
        by=ward_officer_bo_de,
        person=phuc_xa_resident,
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=True,
        detected_unit=unit("00139"),
        test_ref="BD-1",
        clock=at(SEPT_10_MORNING),
    )
    client.force_login(ward_officer_bo_de)
    found = find(client, PHUC_XA_CCCD)
    assert SECRET_NAME in text(found)
    assert 'id="found-person"' in text(found)


# Recording a case ------------------------------------------------------------------------------------


def test_recording_someone_registered_elsewhere_answers_as_not_registered(
    client: Any, phuc_xa_resident: Any, health_worker_bo_de: Any
) -> None:
    client.force_login(health_worker_bo_de)
    nobody = client.post("/cases/new/", case_form(cccd_for(1975, "F", serial=555999)))
    elsewhere = client.post("/cases/new/", case_form(PHUC_XA_CCCD, token="another-token-0002"))
    assert nobody.status_code == elsewhere.status_code == 422
    assert elsewhere.context["form"].errors == nobody.context["form"].errors
    assert set(elsewhere.context["form"].errors) == {"cccd"}
    assert "choose that ward below" in elsewhere.context["form"].errors["cccd"][0]
    assert elsewhere.context["not_registered"] and nobody.context["not_registered"]
    assert SECRET_NAME not in text(elsewhere)
    assert Case.objects.count() == 0
    # found in Bồ Đề: recorded there, whoever the person is
    found_here = client.post(
        "/cases/new/", case_form(PHUC_XA_CCCD, detected_unit="00139", token="another-token-0003")
    )
    assert found_here.status_code == 302
    case = Case.objects.get(person_id=phuc_xa_resident.pk)
    assert (case.detected_unit.code, case.residence_unit.code) == ("00139", "00001")


# Contacts on a case's page --------------------------------------------------------------------------


def contact_cells(body: str) -> list[str]:
    """The "Contact" cells of the contacts table, in order."""
    return re.findall(r'<td data-label="Contact">(.*?)</td>', body, re.S)


def test_a_contact_living_elsewhere_is_named_but_not_linked_and_their_level_not_shown(
    client: Any,
    outbreak: dict[str, Any],
    phuc_xa_resident: Any,
    ward_officer_bo_de: Any,
    ward_officer_phuc_xa: Any,
) -> None:
    # Phúc Xá's resident is already an F0 of Phúc Xá's
    services.record_case(
        by=ward_officer_phuc_xa,
        person=phuc_xa_resident,
        confirmed_at=SEPT_10_MORNING,
        detected_in="community",
        source_known=True,
        test_ref="PX-1",
        clock=at(SEPT_10_MORNING),
    )
    client.force_login(ward_officer_bo_de)
    posted = rows({"cccd": PHUC_XA_CCCD, "exposed_on": "09/09/2021", "setting": "market"})
    case = outbreak["case"]
    assert client.post(f"/cases/{case.pk}/contacts/", posted).status_code == 302
    body = text(client.get(f"/cases/{case.pk}/"))
    # named by Bồ Đề, so named; but their tracing page is Phúc Xá's: no link that would 404
    assert SECRET_NAME in body
    assert f'href="/cases/persons/{phuc_xa_resident.pk}/"' not in body
    assert client.get(f"/cases/persons/{phuc_xa_resident.pk}/").status_code == 404
    # naming a CCCD does not tell that its holder is a case elsewhere
    [cell] = [c for c in contact_cells(body) if SECRET_NAME in c]
    row = body[body.index(cell) :].split("</tr>")[0]
    assert "level-0" not in row and "F0" not in row
    # Bồ Đề's own contacts stay linked, with their level
    assert body.count('<span class="level level-1">F1</span>') == 3
    for f1 in outbreak["f1s"]:
        assert f'href="/cases/persons/{f1.pk}/"' in body
    # Phúc Xá sees its resident's page, with the Bồ Đề case linked to them as an anonymous F0
    client.force_login(ward_officer_phuc_xa)
    theirs = text(client.get(f"/cases/persons/{phuc_xa_resident.pk}/"))
    assert "a person outside your area" in theirs
    assert outbreak["f0"].full_name not in theirs
    assert f'href="/cases/persons/{outbreak["f0"].pk}/"' not in theirs
    assert '<span class="level level-0">F0</span>' in theirs


def test_a_contact_living_elsewhere_whose_case_was_found_here_is_linked(
    client: Any, outbreak: dict[str, Any], phuc_xa_resident: Any, ward_officer_bo_de: Any, unit: Any
) -> None:
    services.add_contacts(
        by=ward_officer_bo_de,
        source=outbreak["f0"],
        contacts=[
            services.ContactInput(exposed_on=date(2021, 9, 9), setting="market", person=phuc_xa_resident)
        ],
        clock=at(SEPT_10_MORNING),
    )
    services.record_case(
        by=ward_officer_bo_de,
        person=phuc_xa_resident,
        confirmed_at=hanoi(2021, 9, 10, 12),
        detected_in="quarantine",
        source_known=True,
        detected_unit=unit("00139"),
        test_ref="BD-2",
        clock=at(hanoi(2021, 9, 10, 12)),
    )
    client.force_login(ward_officer_bo_de)
    body = text(client.get(f"/cases/{outbreak['case'].pk}/"))
    assert f'href="/cases/persons/{phuc_xa_resident.pk}/"' in body
    assert client.get(f"/cases/persons/{phuc_xa_resident.pk}/").status_code == 200


def test_the_contacts_table_checks_who_may_be_opened_in_a_bounded_number_of_queries(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, ngoc_lam_area: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    url = f"/cases/{outbreak['case'].pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    elsewhere = [
        {"full_name": f"Người Ngoài {chr(65 + n)}", "phone": f"091200011{n}",
         "residence_area": ngoc_lam_area.code, "exposed_on": "10/09/2021", "setting": "neighbour"}
        for n in range(5)
    ]  # fmt: skip
    assert client.post(url + "contacts/", rows(*elsewhere)).status_code == 302
    assert TraceLevel.objects.filter(path=ngoc_lam_area.path).count() == 5
    assert queries() <= before + 1  # one query for "found here?" whatever the number of contacts
