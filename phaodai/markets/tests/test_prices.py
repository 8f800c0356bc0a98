"""Prices and supply (S26): reporting a day's prices, alerts on jumps, shortages, the board."""

from datetime import date, time, timedelta
from fractions import Fraction
from typing import Any

import pytest

from phaodai.core.clock import local_date, now
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.models import AuditEntry
from phaodai.core.text import search_key
from phaodai.markets import prices
from phaodai.markets.models import Market, PriceReport, Shortage
from phaodai.markets.prices import PricesInvalid, ShortageResolved


def make_market(ward: Any, code: str, name: str, *, status: str = Market.Status.OPEN) -> Market:
    """A market straight in the test database (the registry's services are another part's)."""
    return Market.objects.create(
        unit=ward, unit_path=ward.path, code=code, name=name, name_key=search_key(name), kind="local_market",
        address=f"{name}, {ward.name}", opens_at=time(6), closes_at=time(18), capacity=80, status=status,
    )  # fmt: skip


def today() -> date:
    return local_date(now())


def history(market: Market, by: Any, good: str, prices_by_days_ago: dict[int, int]) -> None:
    for days_ago, price in prices_by_days_ago.items():
        PriceReport.objects.create(
            market=market, unit_path=market.unit_path, day=today() - timedelta(days=days_ago), good=good,
            price=price, reported_by=by,
        )  # fmt: skip


@pytest.fixture
def bo_de_market(unit) -> Market:
    return make_market(unit("00139"), "CHO-00139-01", "Chợ Bồ Đề")


@pytest.fixture
def keeper_bo_de(db) -> Any:
    from conftest import make_persona
    from phaodai.accounts.roles import Role

    return make_persona("market-00139", Role.MARKET_KEEPER, "00139")


# Pure helpers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "price"),
    [("25000", 25000), ("25.000", 25000), ("25,000", 25000), (" 1.250.000đ ", 1250000), (32000, 32000)],
)
def test_prices_are_read_as_whole_dong_with_thousands_separators(typed, price):
    assert prices.parse_price(typed) == price


@pytest.mark.parametrize("typed", ["25.5", "-3000", "abc", "2.50", "", True, 25000.0, None, "25.0000"])
def test_anything_else_is_not_a_price(typed):
    assert prices.parse_price(typed) is None


def test_the_recent_level_is_the_markets_median_else_the_wards_else_none():
    assert prices.recent_level([100, 300, 110], [1, 2, 3], 3) == (110, "market")
    assert prices.recent_level([100], [90, 100, 130, 120], 3) == (110, "ward")
    assert prices.recent_level([100], [100, 120], 3) == (None, "")


def test_a_jump_is_strictly_more_than_the_share_above_the_level():
    share = Fraction("0.2")
    assert not prices.is_jump(120000, 100000, share)
    assert prices.is_jump(120001, 100000, share)
    assert not prices.is_jump(500000, None, share)


def test_the_goods_and_settings_are_project_defined_data():
    catalogue = prices.catalogue()
    assert {"rice", "pork", "eggs", "leafy_veg", "instant_noodles", "fish_sauce"} <= set(catalogue.goods)
    assert catalogue.goods["eggs"].unit == "quả" and catalogue.goods["rice"].name_vi == "Gạo"
    assert catalogue.alert.share_above_recent == Fraction("0.2") and catalogue.alert.recent_days == 7
    assert "project" in catalogue.source.lower()


# Reporting a day ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_keeper_reports_a_day_and_resubmitting_corrects_it_without_duplicates(bo_de_market, keeper_bo_de):
    first = prices.report_prices(
        by=keeper_bo_de, market=bo_de_market, day=today(), prices={"rice": "18.000", "pork": 140000}
    )
    assert sorted(first.created) == ["pork", "rice"]
    again = prices.report_prices(
        by=keeper_bo_de,
        market=bo_de_market,
        day=today(),
        prices={"rice": 18000, "pork": "150000", "eggs": ""},
    )
    assert again.created == [] and again.updated == ["pork"] and again.unchanged == ["rice"]
    stored = dict(PriceReport.objects.filter(market=bo_de_market).values_list("good", "price"))
    assert stored == {"rice": 18000, "pork": 150000}
    actions = list(
        AuditEntry.objects.filter(object_type="markets.pricereport").values_list("action", flat=True)
    )
    assert actions.count("markets.price_reported") == 2 and actions.count("markets.price_corrected") == 1


@pytest.mark.django_db
def test_one_bad_price_names_its_good_and_nothing_is_written(bo_de_market, keeper_bo_de):
    with pytest.raises(PricesInvalid) as refused:
        prices.report_prices(
            by=keeper_bo_de, market=bo_de_market, day=today(),
            prices={"rice": "18000", "pork": "14.5", "eggs": "30", "caviar": "1000", "fish": 0},
        )  # fmt: skip
    assert set(refused.value.errors) == {"prices.pork", "prices.eggs", "prices.caviar", "prices.fish"}
    assert "check the zeros" in refused.value.errors["prices.eggs"]
    assert not PriceReport.objects.exists()


@pytest.mark.django_db
def test_a_day_to_come_an_old_day_or_no_price_at_all_is_refused(bo_de_market, keeper_bo_de):
    for day in (today() + timedelta(days=1), today() - timedelta(days=30)):
        with pytest.raises(PricesInvalid) as refused:
            prices.report_prices(by=keeper_bo_de, market=bo_de_market, day=day, prices={"rice": 18000})
        assert "day" in refused.value.errors
    with pytest.raises(PricesInvalid) as refused:
        prices.report_prices(by=keeper_bo_de, market=bo_de_market, day=today(), prices={"rice": " "})
    assert set(refused.value.errors) == {"prices"}


@pytest.mark.django_db
def test_only_price_reporters_of_the_ward_report(unit, bo_de_market, keeper_bo_de, health_worker_bo_de):
    from conftest import make_persona
    from phaodai.accounts.roles import Role

    other_keeper = make_persona("market-00001", Role.MARKET_KEEPER, "00001")
    with pytest.raises(OutOfScope):
        prices.report_prices(by=other_keeper, market=bo_de_market, day=today(), prices={"rice": 18000})
    with pytest.raises(NotPermitted):
        prices.report_prices(by=health_worker_bo_de, market=bo_de_market, day=today(), prices={"rice": 18000})
    assert not PriceReport.objects.exists()


# Alerts -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_price_more_than_20_percent_above_the_markets_recent_level_is_flagged(bo_de_market, keeper_bo_de):
    history(bo_de_market, keeper_bo_de, "pork", {1: 100000, 2: 98000, 3: 102000, 9: 50000})
    outcome = prices.report_prices(
        by=keeper_bo_de, market=bo_de_market, day=today(), prices={"pork": 125000, "rice": 18000}
    )
    (alert,) = outcome.alerts
    assert alert.good.code == "pork" and alert.level == 100000 and alert.basis == "market"
    assert alert.jump_percent == 25
    rice = next(cell for cell in outcome.cells if cell.good.code == "rice")
    assert rice.level is None and not rice.alert  # no history: no level, no alert


@pytest.mark.django_db
def test_exactly_the_share_above_is_not_an_alert(bo_de_market, keeper_bo_de):
    history(bo_de_market, keeper_bo_de, "pork", {1: 100000, 2: 100000, 3: 100000})
    outcome = prices.report_prices(by=keeper_bo_de, market=bo_de_market, day=today(), prices={"pork": 120000})
    assert outcome.alerts == []


@pytest.mark.django_db
def test_a_market_with_too_few_reports_is_compared_with_its_ward(unit, bo_de_market, keeper_bo_de):
    neighbour = make_market(unit("00139"), "CHO-00139-02", "Chợ Ngọc Thụy")
    history(neighbour, keeper_bo_de, "eggs", {1: 3000, 2: 3000, 3: 3200})
    history(bo_de_market, keeper_bo_de, "eggs", {1: 3100})
    outcome = prices.report_prices(by=keeper_bo_de, market=bo_de_market, day=today(), prices={"eggs": 4500})
    (alert,) = outcome.alerts
    assert alert.basis == "ward" and alert.level == 3050


# Shortages ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_open_shortage_per_market_and_good_until_resolved(bo_de_market, keeper_bo_de):
    shortage, created = prices.report_shortage(
        by=keeper_bo_de, market=bo_de_market, good="eggs", note="Hết từ 9h"
    )
    same, created_again = prices.report_shortage(by=keeper_bo_de, market=bo_de_market, good="eggs")
    assert created and not created_again and same.pk == shortage.pk
    resolved = prices.resolve_shortage(by=keeper_bo_de, shortage=shortage)
    assert resolved.resolved_on == today()
    with pytest.raises(ShortageResolved):
        prices.resolve_shortage(by=keeper_bo_de, shortage=shortage)
    _reopened, created_after = prices.report_shortage(by=keeper_bo_de, market=bo_de_market, good="eggs")
    assert created_after and Shortage.objects.count() == 2


@pytest.mark.django_db
def test_a_shortage_of_an_unknown_good_is_refused(bo_de_market, keeper_bo_de):
    with pytest.raises(InvalidInput) as refused:
        prices.report_shortage(by=keeper_bo_de, market=bo_de_market, good="caviar")
    assert refused.value.field == "good"


# The board ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_district_board_shows_prices_alerts_shortages_and_markets_not_reported(
    unit, bo_de_market, keeper_bo_de, district_officer_long_bien, city_commander
):
    ngoc_lam = make_market(unit("00133"), "CHO-00133-01", "Chợ Ngọc Lâm")
    closed = make_market(unit("00139"), "CHO-00139-03", "Chợ tạm đóng", status=Market.Status.CLOSED_BY_ORDER)
    make_market(unit("00001"), "CHO-00001-01", "Chợ Phúc Xá")  # another district: not on Long Biên's board
    history(bo_de_market, keeper_bo_de, "pork", {1: 100000, 2: 100000, 3: 100000})
    prices.report_prices(
        by=keeper_bo_de, market=bo_de_market, day=today(), prices={"pork": 130000, "rice": 18000}
    )
    prices.report_shortage(by=keeper_bo_de, market=bo_de_market, good="eggs")

    board = prices.board(district_officer_long_bien)
    assert board.unit.code == "004" and board.day == today()
    assert {m.code for m in board.markets} == {bo_de_market.code, ngoc_lam.code, closed.code}
    assert [cell.good.code for cell in board.alerts] == ["pork"]
    assert [row.good for row in board.shortages] == ["eggs"]
    assert board.missing == [ngoc_lam]  # the closed market is not expected to report
    _market, cells = next(row for row in board.table if row[0] == bo_de_market)
    assert [cell.price for cell in cells if cell] == [18000, 130000]  # in the order of the goods list
    with pytest.raises(InvalidInput):
        prices.board(city_commander)  # the city chooses a ward or district
    assert prices.board(city_commander, unit_code="00139").unit.code == "00139"


@pytest.mark.django_db
def test_the_board_of_a_unit_outside_is_404_and_other_roles_are_403(
    keeper_bo_de, ward_officer_phuc_xa, health_worker_bo_de
):
    assert prices.board(keeper_bo_de).unit.code == "00139"
    with pytest.raises(OutOfScope):
        prices.board(ward_officer_phuc_xa, unit_code="00139")
    with pytest.raises(NotPermitted):
        prices.board(health_worker_bo_de)
