"""Tracing pages: a case (person, outcome, contacts) and a person's tracing page (contacts of contacts)."""

# The shared fixtures are imported from test_views_tracing; pytest passes them by name.
# ruff: noqa: F811

from typing import Any

import pytest

from phaodai.cases.models import Case, Exposure, TraceLevel
from phaodai.cases.tests.conftest import SEPT_10_MORNING
from phaodai.cases.tests.isolation_support import order as isolation_order
from phaodai.cases.tests.test_views_tracing import (  # noqa: F401  (fixtures)
    cccd_of,
    ngoc_lam_area,
    outbreak,
    sept_10_afternoon,
    text,
)
from phaodai.people.tests.conftest import cccd_for

pytestmark = pytest.mark.django_db


def rows(*contacts: dict[str, str], total: int = 5) -> dict[str, Any]:
    """The posted "add contacts" form: the given rows, then blank ones up to `total`."""
    data: dict[str, Any] = {"c-TOTAL_FORMS": str(total), "c-INITIAL_FORMS": "0", "area_q": ""}
    for index in range(total):
        row = contacts[index] if index < len(contacts) else {}
        for name in ("cccd", "full_name", "phone", "residence_area", "exposed_on", "setting", "note"):
            data[f"c-{index}-{name}"] = row.get(name, "")
    return data


def levels() -> dict[Any, int]:
    return dict(TraceLevel.objects.values_list("person_id", "level"))


# The case page ----------------------------------------------------------------------------------------


def test_the_case_page_shows_the_person_masked_their_level_and_contacts(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    response = client.get(f"/cases/{outbreak['case'].pk}/")
    assert response.status_code == 200
    body = text(response)
    assert outbreak["f0"].full_name in body
    assert cccd_of(0) not in body
    assert "*********" + cccd_of(0)[-3:] in body
    assert "F0 (a case)" in body
    assert body.count('<span class="level level-1">F1</span>') == 3
    for f1 in outbreak["f1s"]:
        assert f'href="/cases/persons/{f1.pk}/"' in body
    assert "source unknown" in body
    assert 'action="/cases/{}/outcome/"'.format(outbreak["case"].pk) in body


def test_the_case_page_is_scoped(
    client: Any, outbreak: dict[str, Any], ward_officer_phuc_xa: Any, welfare_officer_bo_de: Any
) -> None:
    url = f"/cases/{outbreak['case'].pk}/"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(url).status_code == 404
    assert client.get("/cases/999999/").status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get(url).status_code == 403


def test_the_outcome_is_recorded_once_against_the_version_seen(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, health_worker_bo_de: Any
) -> None:
    case = outbreak["case"]
    url = f"/cases/{case.pk}/outcome/"
    client.force_login(ward_officer_bo_de)
    done = client.post(url, {"outcome": "recovered", "at": "10/09/2021 14:00", "version": case.version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.outcome, case.outcome_at.strftime("%d/%m %H:%M")) == ("recovered", "10/09 07:00")  # UTC
    # a second officer on the page they loaded before: the case changed meanwhile
    client.force_login(health_worker_bo_de)
    late = client.post(url, {"outcome": "died", "at": "10/09/2021 14:30", "version": case.version - 1})
    assert late.status_code == 409
    assert "changed meanwhile" in text(late)
    assert Case.objects.get(pk=case.pk).outcome == "recovered"


def test_a_bad_outcome_is_refused_beside_its_field(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    case = outbreak["case"]
    client.force_login(ward_officer_bo_de)
    url = f"/cases/{case.pk}/outcome/"
    before = client.post(url, {"outcome": "recovered", "at": "01/09/2021 08:00", "version": case.version})
    assert before.status_code == 422
    assert before.context["outcome_form"].errors["at"] == [
        "The outcome date must be between the confirmation and now."
    ]
    unknown = client.post(url, {"outcome": "cured", "at": "nonsense", "version": "x"})
    assert unknown.status_code == 422
    assert set(unknown.context["outcome_form"].errors) == {"outcome", "at", "version"}
    assert Case.objects.get(pk=case.pk).outcome == "active"


def test_several_contacts_are_added_at_once_and_registered_on_the_way(
    client: Any, outbreak: dict[str, Any], resident: Any, ward_officer_bo_de: Any, ngoc_lam_area: Any
) -> None:
    registered = resident(30)
    client.force_login(ward_officer_bo_de)
    posted = rows(
        {"cccd": cccd_of(30), "exposed_on": "09/09/2021", "setting": "market"},
        {"full_name": "Lê Thị Tư", "phone": "0912000111", "residence_area": ngoc_lam_area.code,
         "exposed_on": "2021-09-10", "setting": "neighbour"},
        {"cccd": cccd_for(1990, "F", 777), "full_name": "Phạm Thị Năm", "residence_area": ngoc_lam_area.code,
         "exposed_on": "10/09/2021", "setting": "vehicle", "note": "Xe buýt 34"},
    )  # fmt: skip
    response = client.post(f"/cases/{outbreak['case'].pk}/contacts/", posted, follow=True)
    assert response.redirect_chain[-1] == (f"/cases/{outbreak['case'].pk}/", 302)
    assert "3 new, 0 already known, 2 newly registered" in text(response)
    found = levels()
    assert found[registered.pk] == 1
    newcomers = TraceLevel.objects.filter(path=ngoc_lam_area.path)
    assert sorted(newcomers.values_list("level", flat=True)) == [1, 1]
    # the contacts living in Ngọc Lâm were named by Bồ Đề, which sees their names
    assert "Lê Thị Tư" in text(response)


def test_a_double_submit_of_contacts_adds_each_link_once(
    client: Any, outbreak: dict[str, Any], resident: Any, ward_officer_bo_de: Any
) -> None:
    resident(30)
    client.force_login(ward_officer_bo_de)
    posted = rows({"cccd": cccd_of(30), "exposed_on": "09/09/2021", "setting": "market"})
    url = f"/cases/{outbreak['case'].pk}/contacts/"
    client.post(url, posted)
    before = Exposure.objects.count()
    again = client.post(url, posted, follow=True)
    assert Exposure.objects.count() == before
    assert "0 new, 1 already known" in text(again)


def test_each_problem_shows_beside_its_row_and_nothing_is_written(
    client: Any, outbreak: dict[str, Any], resident: Any, ward_officer_bo_de: Any
) -> None:
    resident(30)
    client.force_login(ward_officer_bo_de)
    before = (Exposure.objects.count(), levels())
    posted = rows(
        {"cccd": cccd_of(30), "exposed_on": "09/09/2021", "setting": "market"},  # fine on its own
        {"cccd": cccd_of(0), "exposed_on": "09/09/2021", "setting": "household"},  # the case themself
        {"cccd": cccd_of(31), "full_name": "Ngô Văn Sáu", "exposed_on": "11/09/2021", "setting": "market"},
        {},  # a blank row between is ignored
        {"full_name": "Đỗ Thị Bảy", "exposed_on": "01/09/2021", "setting": "school", "phone": "0912000222"},
        total=6,
    )
    response = client.post(f"/cases/{outbreak['case'].pk}/contacts/", posted)
    assert response.status_code == 422
    forms = response.context["contacts_form"].rows.forms
    assert forms[0].errors == {}
    assert forms[1].errors == {"cccd": ["A person cannot be their own contact."]}
    assert forms[2].errors["exposed_on"] == ["The exposure date is after the report date."]
    assert forms[2].errors["residence_area"] == ["Say where the contact lives."]
    assert forms[4].errors["exposed_on"][0].startswith("The exposure date is before")
    assert (Exposure.objects.count(), levels()) == before
    body = text(response)
    assert 'value="Ngô Văn Sáu"' in body  # what was typed stays on the page


def test_rows_are_checked_before_the_service(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    posted = rows(
        {"cccd": "0010", "exposed_on": "09/09/2021", "setting": "market"},
        {"full_name": "Lê Văn Tám"},
        {"phone": "0912000333", "exposed_on": "31/02/2021", "setting": "spaceship"},
    )
    response = client.post(f"/cases/{outbreak['case'].pk}/contacts/", posted)
    assert response.status_code == 422
    forms = response.context["contacts_form"].rows.forms
    assert set(forms[0].errors) == {"cccd"}
    assert set(forms[1].errors) == {"exposed_on", "setting", "phone"}
    assert set(forms[2].errors) == {"exposed_on", "setting", "full_name"}
    empty = client.post(f"/cases/{outbreak['case'].pk}/contacts/", rows())
    assert empty.status_code == 422
    assert "Add at least one contact." in text(empty)


def test_find_areas_and_more_rows_redraw_the_form_without_saving(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any, ngoc_lam_area: Any
) -> None:
    client.force_login(ward_officer_bo_de)
    url = f"/cases/{outbreak['case'].pk}/contacts/"
    typed = rows({"full_name": "Lê Thị Tư", "phone": "0912000111", "exposed_on": "10/09/2021"})
    before = Exposure.objects.count()
    found = client.post(url, {**typed, "area_q": "ngoc lam", "find_areas": "1"})
    assert found.status_code == 200
    body = text(found)
    assert f'value="{ngoc_lam_area.code}"' in body
    assert "Phường Ngọc Lâm" in body
    assert 'value="Lê Thị Tư"' in body
    assert "This field is required" not in body
    more = client.post(url, {**typed, "more_rows": "1"})
    assert len(more.context["contacts_form"].rows.forms) == 10
    assert Exposure.objects.count() == before


def test_adding_contacts_is_scoped(
    client: Any, outbreak: dict[str, Any], ward_officer_phuc_xa: Any, welfare_officer_bo_de: Any
) -> None:
    posted = rows({"cccd": cccd_of(1), "exposed_on": "09/09/2021", "setting": "market"})
    url = f"/cases/{outbreak['case'].pk}/contacts/"
    client.force_login(ward_officer_phuc_xa)
    assert client.post(url, posted).status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.post(url, posted).status_code == 403


# A person's tracing page ------------------------------------------------------------------------------


def test_a_contacts_page_says_their_level_via_whom_and_root_case(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    f1 = outbreak["f1s"][0]
    client.force_login(ward_officer_bo_de)
    response = client.get(f"/cases/persons/{f1.pk}/")
    assert response.status_code == 200
    body = text(response)
    assert "F1, exposed on 09/09/2021" in body
    assert f'<a href="/cases/persons/{outbreak["f0"].pk}/">{outbreak["f0"].full_name}</a>' in body
    assert f'href="/cases/{outbreak["case"].pk}/"' in body
    assert body.count('<span class="level level-2">F2</span>') == 2  # their own contacts
    assert cccd_of(1) not in body


def test_contacts_of_a_contact_are_added_on_their_page(
    client: Any, outbreak: dict[str, Any], resident: Any, health_worker_bo_de: Any
) -> None:
    f1, newcomer = outbreak["f1s"][1], resident(40)
    client.force_login(health_worker_bo_de)
    posted = rows({"cccd": cccd_of(40), "exposed_on": "10/09/2021", "setting": "gathering"})
    response = client.post(f"/cases/persons/{f1.pk}/contacts/", posted)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/persons/{f1.pk}/"
    assert levels()[newcomer.pk] == 2


def test_a_persons_tracing_page_is_scoped(
    client: Any,
    outbreak: dict[str, Any],
    ward_officer_phuc_xa: Any,
    welfare_officer_bo_de: Any,
    ward_officer_bo_de: Any,
) -> None:
    url = f"/cases/persons/{outbreak['f1s'][0].pk}/"
    client.force_login(ward_officer_phuc_xa)
    assert client.get(url).status_code == 404
    assert client.post(url + "contacts/", rows()).status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get(url).status_code == 403
    client.force_login(ward_officer_bo_de)
    assert client.get("/cases/persons/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/cases/persons/not-a-uuid/").status_code == 404


def test_a_contact_living_elsewhere_is_shown_without_name_to_others(
    client: Any,
    outbreak: dict[str, Any],
    ward_officer_bo_de: Any,
    ward_officer_ngoc_lam: Any,
    ngoc_lam_area: Any,
) -> None:
    # Bồ Đề names a contact who lives in Ngọc Lâm: Ngọc Lâm traces them, and sees the F0 only as a link
    client.force_login(ward_officer_bo_de)
    posted = rows(
        {"full_name": "Lê Thị Tư", "phone": "0912000111", "residence_area": ngoc_lam_area.code,
         "exposed_on": "10/09/2021", "setting": "neighbour"},
    )  # fmt: skip
    assert client.post(f"/cases/{outbreak['case'].pk}/contacts/", posted).status_code == 302
    contact = TraceLevel.objects.get(path=ngoc_lam_area.path)
    client.force_login(ward_officer_ngoc_lam)
    response = client.get(f"/cases/persons/{contact.person_id}/")
    assert response.status_code == 200
    body = text(response)
    assert "Lê Thị Tư" in body
    assert outbreak["f0"].full_name not in body
    assert "a person outside your area" in body
    assert f'href="/cases/{outbreak["case"].pk}/"' not in body  # the root case is Bồ Đề's


# From tracing to isolation ----------------------------------------------------------------------------


def test_a_case_and_a_traced_contact_link_to_ordering_their_isolation_until_it_is_ordered(
    client: Any, outbreak: dict[str, Any], ward_officer_bo_de: Any
) -> None:
    case, f1 = outbreak["case"], outbreak["f1s"][0]
    client.force_login(ward_officer_bo_de)
    # the case's page orders the F0's own isolation; a contact's page, the contact's (by id, never CCCD)
    assert f'href="/cases/isolation/new/?case={case.pk}" id="order-isolation"' in text(
        client.get(f"/cases/{case.pk}/")
    )
    contact_page = text(client.get(f"/cases/persons/{f1.pk}/"))
    assert f'href="/cases/isolation/new/?person={f1.pk}" id="order-isolation"' in contact_page
    assert cccd_of(1) not in contact_page
    # the link leads to the order form for that person, suggested as an F1
    form = client.get(f"/cases/isolation/new/?person={f1.pk}")
    assert form.status_code == 200
    assert form.context["person"] == f1
    assert form.context["form"].initial["subject"] == "F1"
    # once an order is open, the card shows it instead of the link
    isolation_order(ward_officer_bo_de, f1, starts=SEPT_10_MORNING)
    ordered = text(client.get(f"/cases/persons/{f1.pk}/"))
    assert 'id="order-isolation"' not in ordered
    assert "until 24/09/2021" in ordered


def test_the_ward_where_a_contact_lives_is_the_one_offered_to_order_their_isolation(
    client: Any,
    outbreak: dict[str, Any],
    ward_officer_bo_de: Any,
    ward_officer_ngoc_lam: Any,
    ngoc_lam_area: Any,
) -> None:
    # Bồ Đề names a contact living in Ngọc Lâm: Ngọc Lâm traces them and orders their isolation
    client.force_login(ward_officer_bo_de)
    posted = rows(
        {"full_name": "Lê Thị Tư", "phone": "0912000111", "residence_area": ngoc_lam_area.code,
         "exposed_on": "10/09/2021", "setting": "neighbour"},
    )  # fmt: skip
    assert client.post(f"/cases/{outbreak['case'].pk}/contacts/", posted).status_code == 302
    contact = TraceLevel.objects.get(path=ngoc_lam_area.path)
    order_url = f"/cases/isolation/new/?person={contact.person_id}"
    assert client.get(order_url).status_code == 404
    client.force_login(ward_officer_ngoc_lam)
    tracing_page = text(client.get(f"/cases/persons/{contact.person_id}/"))
    assert f'href="{order_url}" id="order-isolation"' in tracing_page
    assert client.get(order_url).status_code == 200
