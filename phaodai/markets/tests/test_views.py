"""The registry and scheme pages: scoped lists, forms with clear errors, allocation, printing."""

from datetime import time, timedelta

import pytest

from phaodai.core.text import search_key
from phaodai.markets import printing
from phaodai.markets.models import Market, MarketPass, Representative, Scheme
from phaodai.markets.tests.registry_world import build_registry_world
from phaodai.territory.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(city_commander, ward_officer_bo_de):
    return build_registry_world(city=city_commander, ward_officer=ward_officer_bo_de)


@pytest.fixture
def bo_de(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    return client


def phuc_xa_market() -> Market:
    ward = Unit.objects.get(code="00001")
    return Market.objects.create(
        unit=ward, unit_path=ward.path, code="CHO-00001-01", name="Chợ Phúc Xá",
        name_key=search_key("Chợ Phúc Xá"), kind="local_market", address="Phúc Xá, Ba Đình",
        opens_at=time(6), closes_at=time(11), capacity=30,
    )  # fmt: skip


MARKET_FORM = {
    "unit": "00139", "name": "Siêu thị Bồ Đề", "kind": "supermarket", "code": "", "address": "Phố Bồ Đề",
    "area": "", "opens_at": "07:00", "closes_at": "21:00", "capacity": "25",
}  # fmt: skip


def test_the_list_shows_only_markets_within_reach_and_filters(world, bo_de):
    phuc_xa_market()
    page = bo_de.get("/markets/").content.decode()
    assert "Chợ Bồ Đề" in page and "Chợ Phúc Xá" not in page
    rows = bo_de.get("/markets/?status=closed_order", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in rows and "Chợ Bồ Đề" not in rows


def test_a_market_of_another_ward_is_not_found(world, bo_de):
    phuc_xa_market()
    assert bo_de.get("/markets/market/CHO-00001-01/").status_code == 404
    assert bo_de.get("/markets/market/CHO-00139-01/").status_code == 200


def test_registering_a_market_from_the_form(world, bo_de):
    response = bo_de.post("/markets/market/new/", MARKET_FORM)
    assert response.status_code == 302 and response["Location"] == "/markets/market/CHO-00139-02/"
    assert Market.objects.get(code="CHO-00139-02").capacity == 25


def test_a_market_with_zero_capacity_is_shown_back_with_the_reason(world, bo_de):
    response = bo_de.post("/markets/market/new/", {**MARKET_FORM, "capacity": "0"})
    assert response.status_code == 422
    assert "above zero" in response.content.decode()
    assert 'value="Siêu thị Bồ Đề"' in response.content.decode()  # nothing typed is lost
    assert not Market.objects.filter(name="Siêu thị Bồ Đề").exists()


def test_closing_a_market_by_an_order(world, bo_de):
    response = bo_de.post(
        "/markets/market/CHO-00139-01/status/",
        {"status": "closed_order", "status_note": "QĐ 12: có ca F0", "version": "1"},
    )
    assert response.status_code == 302
    assert Market.objects.get(code="CHO-00139-01").status == "closed_order"
    stale = bo_de.post("/markets/market/CHO-00139-01/status/", {"status": "open", "version": "1"})
    assert stale.status_code == 409


def test_the_representatives_page_shows_households_without_one(world, bo_de):
    page = bo_de.get("/markets/representatives/00139-TDP01/").content.decode()
    assert "Số 3 ngõ 12 Bồ Đề" in page and "Phạm Văn Cường" in page
    assert "1 household has no representative" in page
    home, person = world.households[2], world.members[2][1]
    response = bo_de.post(
        "/markets/representatives/00139-TDP01/", {"household": home.pk, "person": str(person.pk)}
    )
    assert response.status_code == 302
    assert Representative.objects.get(household=home).person_id == person.pk
    outsider = world.members[0][0]
    refused = bo_de.post(
        "/markets/representatives/00139-TDP01/", {"household": home.pk, "person": str(outsider.pk)}
    )
    assert refused.status_code == 422
    assert Representative.objects.get(household=home).person_id == person.pk


def test_another_ward_s_area_is_not_found(world, client, ward_officer_phuc_xa):
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/markets/representatives/00139-TDP01/").status_code == 404


def test_creating_a_scheme_from_the_form(world, bo_de):
    day = world.scheme.ends_on + timedelta(days=1)  # the next period: one scheme in force a day
    form = {
        "unit": "00139", "name": "Phiếu đi chợ đợt 2", "starts_on": day.isoformat(),
        "ends_on": day.replace(day=day.day).isoformat(), "pattern": "parity_sunday", "slot_minutes": "60",
        "market_choice": "any_in_ward", "single_use": "on", "tolerance_minutes": "10",
    }  # fmt: skip
    response = bo_de.post("/markets/schemes/new/", form)
    scheme = Scheme.objects.get(name="Phiếu đi chợ đợt 2")
    assert response.status_code == 302 and response["Location"] == f"/markets/schemes/{scheme.pk}/"
    assert scheme.pattern == {"kind": "parity", "extra_weekdays": [6]}
    bad = bo_de.post("/markets/schemes/new/", {**form, "name": "Khác", "slot_minutes": "5"})
    assert bad.status_code == 422 and "slot" in bad.content.decode()
    overlapping = bo_de.post("/markets/schemes/new/", {**form, "name": "Khác"})
    assert overlapping.status_code in (409, 422) and "Phiếu đi chợ đợt 2" in overlapping.content.decode()
    assert Scheme.objects.filter(name="Khác").count() == 0


def test_allocate_then_print_a_sheet_then_open_a_pass_on_a_phone(world, bo_de, client):
    scheme = world.scheme
    assert "Not allocated yet" in bo_de.get(f"/markets/schemes/{scheme.pk}/").content.decode()
    assert bo_de.post(f"/markets/schemes/{scheme.pk}/allocate/").status_code == 302
    page = bo_de.get(f"/markets/schemes/{scheme.pk}/").content.decode()
    assert "Allocation run 1" in page and "Tổ dân phố 1" in page
    assert "1 household left out" in page  # the household without a representative
    sheet = bo_de.post(f"/markets/schemes/{scheme.pk}/areas/00139-TDP01/sheet.pdf")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert sheet["Content-Disposition"].startswith("attachment;")
    passes = MarketPass.objects.filter(scheme=scheme, area=world.area)
    assert passes.exists() and not passes.filter(pass_code="").exists()
    assert sheet.content.count(b"/Subtype /Image") == passes.count()
    listing = bo_de.get(f"/markets/schemes/{scheme.pk}/areas/00139-TDP01/").content.decode()
    one = passes.first()
    assert one is not None
    link = f"/markets/pass/{one.pass_id}/{printing.pass_link_token(one)}/"
    assert link in listing
    client.logout()
    phone = client.get(link)
    assert phone.status_code == 200 and "<svg" in phone.content.decode()
    assert phone["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(f"/markets/pass/{one.pass_id}/{'0' * 32}/").status_code == 404


def test_withdrawing_a_scheme_from_its_page(world, bo_de):
    response = bo_de.post(f"/markets/schemes/{world.scheme.pk}/withdraw/", {"version": "1"})
    assert response.status_code == 302
    assert Scheme.objects.get(pk=world.scheme.pk).status == "withdrawn"
    assert "Run allocation" not in bo_de.get(f"/markets/schemes/{world.scheme.pk}/").content.decode()


def test_pages_need_a_markets_permission(world, client, health_worker_bo_de):
    client.force_login(health_worker_bo_de)
    assert client.get("/markets/").status_code == 403
    assert client.get("/markets/schemes/").status_code == 403
