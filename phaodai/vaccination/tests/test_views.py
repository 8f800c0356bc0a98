"""The vaccination pages: coverage table, a person's doses and the record form, adverse events, due lists."""

from datetime import date

import pytest
import time_machine

from phaodai.vaccination.models import AdverseEvent, Dose
from phaodai.vaccination.tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def an(resident):
    return resident(1, born=date(1950, 1, 1))


def dose_post(**overrides):
    fields = {
        "product": "astrazeneca", "dose_number": "1", "given_on": "01/08/2021", "lot": "AZ-77",
        "site": "Trạm Y tế phường Bồ Đề", "vaccinator": "Lê Thị Hoa",
    }  # fmt: skip
    fields.update(overrides)
    return fields


def test_the_coverage_page_shows_the_district_and_its_wards(client, district_officer_long_bien, an, give):
    give(an, "pfizer", 1, date(2021, 8, 1))
    give(an, "pfizer", 2, date(2021, 8, 22))
    client.force_login(district_officer_long_bien)
    page = client.get("/vaccination/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Long Biên" in html and 'data-code="00139"' in html
    assert 'data-figure="full_dose_65plus_pct"' in html and "100.0 %" in html


def test_the_coverage_of_a_ward_lists_its_areas(client, ward_officer_bo_de, an):
    client.force_login(ward_officer_bo_de)
    page = client.get("/vaccination/?unit=00139&on=14/10/2021")
    assert page.status_code == 200
    assert 'data-code="00139-TDP01"' in page.content.decode()


def test_the_coverage_of_a_unit_elsewhere_is_404(client, ward_officer_bo_de, areas):
    client.force_login(ward_officer_bo_de)
    assert client.get("/vaccination/?unit=00001").status_code == 404


def test_the_coverage_page_refuses_an_implausible_day(client, ward_officer_bo_de, areas):
    client.force_login(ward_officer_bo_de)
    page = client.get("/vaccination/?unit=00139&on=01/01/0001")
    assert page.status_code == 422


def test_the_coverage_page_issues_a_bounded_number_of_queries(
    client, city_commander, an, django_assert_max_num_queries
):
    client.force_login(city_commander)
    with django_assert_max_num_queries(12):
        assert client.get("/vaccination/").status_code == 200


def test_a_dose_is_recorded_from_the_persons_page(client, health_worker_bo_de, an):
    client.force_login(health_worker_bo_de)
    response = client.post(f"/vaccination/people/{an.pk}/", dose_post())
    assert response.status_code == 302
    assert Dose.objects.get(person=an).given_on == date(2021, 8, 1)
    again = client.post(f"/vaccination/people/{an.pk}/", dose_post(), follow=True)
    assert "already recorded; nothing changed" in again.content.decode()
    assert Dose.objects.count() == 1


def test_the_persons_page_title_names_them_and_holds_no_form(client, health_worker_bo_de, an):
    # The home-visit form once sat inside the title block: the tab showed its markup and CSRF token.
    client.force_login(health_worker_bo_de)
    html = client.get(f"/vaccination/people/{an.pk}/").content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "Doses: Nguyễn V. A." in title  # the name as masked on this page
    assert "<form" not in title and "csrfmiddlewaretoken" not in title
    assert html.count('name="csrfmiddlewaretoken"') >= 1


def test_a_refused_dose_shows_why_beside_the_field(client, health_worker_bo_de, an, give):
    give(an, "astrazeneca", 1, date(2021, 8, 1))
    client.force_login(health_worker_bo_de)
    response = client.post(f"/vaccination/people/{an.pk}/", dose_post(dose_number="2", given_on="15/08/2021"))
    assert response.status_code == 422
    assert "not before 29/08/2021" in response.content.decode()
    beyond = client.post(f"/vaccination/people/{an.pk}/", dose_post(dose_number="3", given_on="15/10/2021"))
    assert beyond.status_code == 422 and "beyond it" in beyond.content.decode()
    taken = client.post(f"/vaccination/people/{an.pk}/", dose_post(given_on="02/08/2021"))
    assert taken.status_code == 409 and "already recorded" in taken.content.decode()


def test_the_persons_page_issues_a_bounded_number_of_queries(
    client, health_worker_bo_de, an, give, django_assert_max_num_queries
):
    give(an, "pfizer", 1, date(2021, 8, 1))
    give(an, "pfizer", 2, date(2021, 8, 22))
    client.force_login(health_worker_bo_de)
    with django_assert_max_num_queries(12):
        page = client.get(f"/vaccination/people/{an.pk}/")
    assert page.status_code == 200 and "22/08/2021" in page.content.decode()


def test_a_person_elsewhere_is_404_and_a_role_without_vaccination_403(
    client, ward_officer_phuc_xa, welfare_officer_bo_de, an
):
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/vaccination/people/{an.pk}/").status_code == 404
    client.force_login(welfare_officer_bo_de)
    assert client.get(f"/vaccination/people/{an.pk}/").status_code == 403


def test_finding_a_person_by_cccd_goes_to_their_page(client, health_worker_bo_de, an):
    from phaodai.vaccination.tests.conftest import cccd_for

    client.force_login(health_worker_bo_de)
    response = client.post("/vaccination/people/find/", {"cccd": cccd_for("M", date(1950, 1, 1), 1)})
    assert response.status_code == 302 and response["Location"] == f"/vaccination/people/{an.pk}/"
    missing = client.post("/vaccination/people/find/", {"cccd": "001090999999"})
    assert missing.status_code == 404
    mangled = client.post("/vaccination/people/find/", {"cccd": "1.23E+11"})
    assert mangled.status_code == 422


def test_an_adverse_event_is_reported_once_from_the_dose_page(client, health_worker_bo_de, an, give):
    dose = give(an, "moderna", 1, date(2021, 10, 1))
    client.force_login(health_worker_bo_de)
    form = {
        "severity": "moderate", "onset_at": "2021-10-01T14:00", "outcome": "recovered",
        "description": "Sốt 39 độ", "token": "form-1",
    }  # fmt: skip
    assert client.post(f"/vaccination/doses/{dose.pk}/", form).status_code == 302
    assert client.post(f"/vaccination/doses/{dose.pk}/", form).status_code == 302
    assert AdverseEvent.objects.count() == 1
    early = client.post(
        f"/vaccination/doses/{dose.pk}/", {**form, "token": "form-2", "onset_at": "2021-09-30T14:00"}
    )
    assert early.status_code == 422 and "cannot begin before" in early.content.decode()
    page = client.get(f"/vaccination/doses/{dose.pk}/")
    assert "Sốt 39 độ" in page.content.decode()


def test_the_due_list_shows_who_is_due_and_overdue(client, health_worker_bo_de, resident, give):
    due = resident(1, name="Phạm Văn Đức")
    overdue = resident(2, name="Hoàng Thị Mai", sex="F")
    done = resident(3, name="Đỗ Văn Hùng")
    waiting = resident(4, name="Vũ Thị Lan", sex="F")
    give(due, "astrazeneca", 1, date(2021, 8, 10))  # due from 05/10, overdue after 02/11
    give(overdue, "pfizer", 1, date(2021, 9, 1))  # due 22/09, overdue after 29/09
    give(done, "pfizer", 1, date(2021, 8, 1))
    give(done, "pfizer", 2, date(2021, 8, 22))
    give(waiting, "sinopharm", 1, date(2021, 10, 1))  # due 22/10
    client.force_login(health_worker_bo_de)
    page = client.get("/vaccination/due/?ward=00139&on=15/10/2021")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Phạm Văn Đức" in html and "Hoàng Thị Mai" in html
    assert "Đỗ Văn Hùng" not in html and "Vũ Thị Lan" not in html
    assert html.index("Hoàng Thị Mai") < html.index("Phạm Văn Đức")  # earliest due first
    assert 'data-status="overdue"' in html


def test_the_due_list_of_a_ward_elsewhere_is_404(client, health_worker_bo_de, areas):
    client.force_login(health_worker_bo_de)
    assert client.get("/vaccination/due/?ward=00001").status_code == 404


def test_the_vaccines_page_lists_the_schedules(client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    html = client.get("/vaccination/vaccines/").content.decode()
    assert "Abdala" in html and "Component II (rAd5)" in html
