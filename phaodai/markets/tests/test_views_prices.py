"""Pages: the public vending report, the ward's handling, a market's day of prices, the board."""

from typing import Any

import pytest

from phaodai.core.clock import now, to_local
from phaodai.markets.models import PriceReport, Shortage, VendingReport
from phaodai.markets.tests.test_prices import history, make_market, today

pytestmark = pytest.mark.django_db


def public_form(**changes: str) -> dict[str, str]:
    return {
        "ward": "00139",
        "kind": "street_vending",
        "place": "Vỉa hè số 20 Ngọc Lâm",
        "seen_at": to_local(now()).strftime("%Y-%m-%dT%H:%M"),
        "description": "",
        "reporter_name": "Anh Minh",
        "reporter_phone": "0987654321",
        "token": "form-1",
        **changes,
    }


@pytest.fixture
def market(unit) -> Any:
    return make_market(unit("00139"), "CHO-00139-01", "Chợ Bồ Đề")


def test_anyone_reports_on_the_public_page_and_a_resubmission_is_not_duplicated(client):
    page = client.get("/markets/report/")
    assert page.status_code == 200 and "Phường Bồ Đề" in page.content.decode()
    sent = client.post("/markets/report/", public_form())
    assert sent.status_code == 200 and "Report received" in sent.content.decode()
    assert client.post("/markets/report/", public_form()).status_code == 200
    report = VendingReport.objects.get()
    assert report.reporter_phone == "0987654321" and report.reported_by is None


def test_a_mistake_keeps_everything_typed(client):
    response = client.post("/markets/report/", public_form(reporter_phone="0912", place=""))
    html = response.content.decode()
    assert response.status_code == 422
    assert "A mobile number has 10 digits" in html and "This field is required." in html
    assert 'value="Anh Minh"' in html and 'value="0912"' in html
    assert not VendingReport.objects.exists()


def test_a_flood_gets_429_and_the_form_keeps_what_was_typed(client, settings):
    settings.PHAODAI_VENDING_REPORTS_PER_HOUR = 1
    assert client.post("/markets/report/", public_form(token="one")).status_code == 200
    refused = client.post("/markets/report/", public_form(token="two", place="Chợ cóc đầu ngõ 5"))
    assert refused.status_code == 429
    assert "Too many submissions" in refused.content.decode()
    assert 'value="Chợ cóc đầu ngõ 5"' in refused.content.decode()
    assert VendingReport.objects.count() == 1


def test_the_ward_lists_and_handles_a_report(client, ward_officer_bo_de):
    client.post("/markets/report/", public_form())
    report = VendingReport.objects.get()
    client.force_login(ward_officer_bo_de)
    listing = client.get("/markets/vending/")
    assert listing.status_code == 200 and "Vỉa hè số 20 Ngọc Lâm" in listing.content.decode()
    detail = client.get(f"/markets/vending/{report.pk}/")
    assert "0987654321" in detail.content.decode()  # the ward may call the resident back
    moved = client.post(f"/markets/vending/{report.pk}/move/", {"status": "handling", "version": "1"})
    assert moved.status_code == 302
    stale = client.post(
        f"/markets/vending/{report.pk}/move/", {"status": "cleared", "version": "1", "note": "x"}
    )
    assert stale.status_code == 409 and "Someone else changed this report" in stale.content.decode()
    no_note = client.post(f"/markets/vending/{report.pk}/move/", {"status": "cleared", "version": "2"})
    assert no_note.status_code == 422
    report.refresh_from_db()
    assert report.status == "handling"


def test_an_officer_records_a_spot(client, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    form = client.get("/markets/vending/new/")
    assert form.status_code == 200 and "Phường Phúc Xá" not in form.content.decode()
    fields = {k: v for k, v in public_form(token="officer-1").items() if not k.startswith("reporter")}
    response = client.post("/markets/vending/new/", fields)
    report = VendingReport.objects.get()
    assert response.status_code == 302 and report.reported_by == ward_officer_bo_de


def test_a_market_day_of_prices_with_an_error_beside_its_good(client, market, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    assert client.get(f"/markets/prices/{market.code}/").status_code == 200
    day = today().isoformat()
    refused = client.post(
        f"/markets/prices/{market.code}/", {"day": day, "price_rice": "18000", "price_pork": "14,5"}
    )
    html = refused.content.decode()
    assert refused.status_code == 422 and "Enter the price as a whole number" in html
    assert 'value="14,5"' in html and 'value="18000"' in html
    assert not PriceReport.objects.exists()
    history(market, ward_officer_bo_de, "pork", {1: 100000, 2: 100000, 3: 100000})
    saved = client.post(
        f"/markets/prices/{market.code}/",
        {"day": day, "price_rice": "18000", "price_pork": "150000"},
        follow=True,
    )
    html = saved.content.decode()
    assert "2 new, 0 corrected, 0 unchanged" in html and "50% above its recent level" in html


def test_a_shortage_is_reported_and_resolved_from_the_pages(client, market, ward_officer_bo_de):
    client.force_login(ward_officer_bo_de)
    response = client.post(f"/markets/prices/{market.code}/shortage/", {"good": "eggs", "note": "Hết trứng"})
    assert response.status_code == 302
    shortage = Shortage.objects.get()
    board = client.get("/markets/prices/")
    assert "Trứng gà" in board.content.decode() and "Chợ Bồ Đề" in board.content.decode()
    assert client.post(f"/markets/shortages/{shortage.pk}/resolve/").status_code == 302
    shortage.refresh_from_db()
    assert shortage.resolved_on == today()


def test_the_city_chooses_a_unit_and_outsiders_get_404(client, market, city_commander, ward_officer_phuc_xa):
    client.force_login(city_commander)
    assert "Choose a ward or a district" in client.get("/markets/prices/").content.decode()
    assert "Chợ Bồ Đề" in client.get("/markets/prices/?unit=004").content.decode()
    client.force_login(ward_officer_phuc_xa)
    assert client.get("/markets/prices/?unit=004").status_code == 404
    assert client.get(f"/markets/prices/{market.code}/").status_code == 404
