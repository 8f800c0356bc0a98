"""Pages of home visits, mobile teams and sites."""

from datetime import date, time

import pytest
import time_machine

from phaodai.core.clock import hanoi
from phaodai.vaccination import home, sites
from phaodai.vaccination.models import Booking, HomeVisit, MobileTeam
from phaodai.vaccination.tests.conftest import CLOCK, NOW, cccd_for
from phaodai.vaccination.tests.test_sites import site_fields

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def site(unit, ward_officer_bo_de):
    return sites.register_site(by=ward_officer_bo_de, unit=unit("00139"), clock=CLOCK, **site_fields())


def test_a_home_visit_is_requested_from_the_persons_page_and_scheduled(
    client, ward_officer_bo_de, resident, unit
):
    an = resident(1, disability_immobile=True)
    client.force_login(ward_officer_bo_de)
    assert (
        client.post(f"/vaccination/people/{an.pk}/home-visit/", {"reason": "", "note": ""}).status_code == 302
    )
    visit = HomeVisit.objects.get(person=an)
    team = home.register_team(by=ward_officer_bo_de, unit=unit("00139"), name="Tổ 1", daily_capacity=2)
    page = client.get("/vaccination/home-visits/?ward=00139")
    assert page.status_code == 200 and f'data-visit="{visit.pk}"' in page.content.decode()
    form = {"team": str(team.pk), "visit_on": "2021-10-16", "version": "1"}
    assert client.post(f"/vaccination/home-visits/{visit.pk}/schedule/", form).status_code == 302
    stale = client.post(f"/vaccination/home-visits/{visit.pk}/schedule/", form)
    assert stale.status_code == 409 and "changed this home visit meanwhile" in stale.content.decode()


def test_a_team_is_registered_from_its_page(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = client.post(
        "/vaccination/teams/", {"unit": "00139", "name": "Tổ lưu động 2", "daily_capacity": "8"}
    )
    assert response.status_code == 302 and MobileTeam.objects.get().daily_capacity == 8
    bad = client.post(
        "/vaccination/teams/", {"unit": "00139", "name": "Tổ lưu động 3", "daily_capacity": "0"}
    )
    assert bad.status_code == 422


def test_a_site_is_registered_and_shows_its_incident_plan(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    fields = {**site_fields(), "unit": "00139", "opens_at": "07:00", "closes_at": "17:00"}
    response = client.post("/vaccination/sites/", fields)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert (
        "Bệnh viện Đa khoa Đức Giang" in page.content.decode()
        and 'id="incident-plan"' in page.content.decode()
    )


def test_an_hour_is_booked_and_checked_in_from_the_site_page(
    client, health_worker_bo_de, resident, site, django_assert_max_num_queries
):
    resident(1, born=date(1950, 1, 1))
    client.force_login(health_worker_bo_de)
    form = {"cccd": cccd_for("M", date(1950, 1, 1), 1), "starts_at": "2021-10-16T08:00"}
    assert client.post(f"/vaccination/sites/{site.pk}/book/", form).status_code == 302
    full = client.post(
        f"/vaccination/sites/{site.pk}/book/", {**form, "cccd": cccd_for("M", date(1985, 3, 2), 2)}
    )
    assert full.status_code == 422  # nobody with that CCCD
    resident(2)
    full = client.post(
        f"/vaccination/sites/{site.pk}/book/", {**form, "cccd": cccd_for("M", date(1985, 3, 2), 2)}
    )
    assert full.status_code == 409 and "fully booked" in full.content.decode()
    with django_assert_max_num_queries(14):
        page = client.get(f"/vaccination/sites/{site.pk}/?day=16/10/2021")
    assert 'data-hour="08:00"' in page.content.decode()
    booking = Booking.objects.get()
    assert client.post(f"/vaccination/bookings/{booking.pk}/check-in/").status_code == 302
    assert Booking.objects.get().status == "booked"  # a day early: refused, the message says why
    with time_machine.travel(hanoi(2021, 10, 16, 7, 55), tick=False):
        assert client.post(f"/vaccination/bookings/{booking.pk}/check-in/").status_code == 302
    assert Booking.objects.get().status == "checked_in"


def test_a_priority_group_is_invited_from_the_site_page(client, ward_officer_bo_de, resident, site):
    resident(1, born=date(1940, 1, 1))
    client.force_login(ward_officer_bo_de)
    response = client.post(
        f"/vaccination/sites/{site.pk}/invite/", {"group": "elderly_65", "day": "2021-10-16", "limit": "10"}
    )
    assert response.status_code == 302 and Booking.objects.filter(status="invited").count() == 1


def test_a_site_and_its_time_are_not_unlocked_elsewhere(client, ward_officer_phuc_xa, site):
    client.force_login(ward_officer_phuc_xa)
    assert client.get(f"/vaccination/sites/{site.pk}/").status_code == 404
    assert time(7) == site.opens_at


def test_a_city_site_shows_a_ward_only_its_own_residents_bookings(
    client, city_commander, ward_officer_bo_de, resident, unit
):
    city_site = sites.register_site(
        by=city_commander, unit=unit("01"), clock=CLOCK, **site_fields(name="Cung Thể thao Quần Ngựa")
    )
    at_eight = hanoi(2021, 10, 16, 8, 0)
    ours = resident(1, name="Nguyễn Văn Bồ")
    theirs = resident(2, area="phuc_xa", name="Trần Thị Phúc")
    sites.book_hour(by=city_commander, site=city_site, person=ours, starts_at=at_eight, clock=CLOCK)
    sites.book_hour(
        by=city_commander, site=city_site, person=theirs, starts_at=hanoi(2021, 10, 16, 9, 0), clock=CLOCK
    )
    client.force_login(ward_officer_bo_de)
    page = client.get(f"/vaccination/sites/{city_site.pk}/?day=16/10/2021")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nguyễn Văn Bồ" in body and "Trần Thị Phúc" not in body
    assert body.count("1 / 1") == 2  # both hours still read as booked
