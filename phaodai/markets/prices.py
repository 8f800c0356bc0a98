"""Prices and supply of essential goods (S26): daily prices per market, alerts, shortages, the board.

A market keeper or an official (REPORT_PRICES over the market's ward) reports the day's prices of a
market, one row per good; re-submitting the same day corrects it (audited), never duplicates it. A
price more than the configured share above its recent level is flagged; the goods, the bounds and the
alert settings are data (data/goods.json, project-defined values). Shortages: one open per market and
good, until resolved. The board shows a ward or district's day: prices with alerts, open shortages,
and the markets that have not reported.
"""

import json
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now
from phaodai.core.errors import Conflict, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, get_in_scope_or_404, log_out_of_scope, paths_of
from phaodai.core.text import nfc, vnd
from phaodai.markets.models import Market, PriceReport, Shortage
from phaodai.markets.reports import unit_in_reach
from phaodai.markets.selectors import reach_q
from phaodai.territory import selectors as territory

GOODS_FILE: Final = Path(__file__).parent / "data" / "goods.json"
PRICE_PERMS: Final = (Perm.MANAGE_MARKETS, Perm.REPORT_PRICES)
# A day's prices may be corrected for a week; older ones stay as reported.
CORRECTION_DAYS: Final = 7
NOTE_LIMIT: Final = 300
BOARD_MARKET_LIMIT: Final = 500
# "25000", "25.000", "25,000", "25 000", "25.000đ": a whole number with optional thousands separators.
_PRICE_TEXT = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+|\d+")


# The goods and the settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Good:
    code: str
    name_vi: str
    name_en: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.name_vi} ({self.name_en})"


@dataclass(frozen=True)
class AlertSettings:
    share_above_recent: Fraction
    recent_days: int
    min_reports: int


@dataclass(frozen=True)
class Catalogue:
    goods: dict[str, Good]
    alert: AlertSettings
    min_price: int
    max_price: int
    source: str


@cache
def catalogue() -> Catalogue:
    """The essential goods and the alert settings, read once from data/goods.json."""
    data = json.loads(GOODS_FILE.read_text(encoding="utf-8"))
    goods = {
        row["code"]: Good(row["code"], row["name_vi"], row["name_en"], row["unit"]) for row in data["goods"]
    }
    alert = data["alert"]
    return Catalogue(
        goods=goods,
        alert=AlertSettings(
            share_above_recent=Fraction(str(alert["share_above_recent"])),
            recent_days=int(alert["recent_days"]),
            min_reports=int(alert["min_reports"]),
        ),
        min_price=int(data["price_bounds"]["min"]),
        max_price=int(data["price_bounds"]["max"]),
        source=data["source"],
    )


def goods() -> list[Good]:
    return list(catalogue().goods.values())


# Errors -------------------------------------------------------------------------------------------


class PricesInvalid(InvalidInput):
    """Every bad price at once, each beside its good; nothing of the submission is written."""

    code = "invalid_prices"
    message = _("Some prices have mistakes; see the messages beside them.")

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        first_field, first_message = next(iter(self.errors.items()))
        super().__init__(first_message, field=first_field)

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        body["errors"] = [{"field": name, "message": text} for name, text in self.errors.items()]
        return body


class ShortageResolved(Conflict):
    code = "shortage_resolved"
    message = _("This shortage has already been resolved.")


# Pure helpers -------------------------------------------------------------------------------------


def parse_price(raw: Any) -> int | None:
    """A price in whole đồng, or None when the text is not one (a decimal, a sign, letters)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower().removesuffix("đ").removesuffix("₫").removesuffix("vnd").strip()
    if not _PRICE_TEXT.fullmatch(text):
        return None
    return int(re.sub(r"[.,\s]", "", text))


def price_problem(raw: Any) -> tuple[int | None, str]:
    """(price, "") or (None, the message to show beside the good)."""
    bounds = catalogue()
    price = parse_price(raw)
    if price is None:
        return None, gettext("Enter the price as a whole number of đồng, e.g. 25000.")
    if price < bounds.min_price or price > bounds.max_price:
        return None, gettext("A price must be from %(low)s to %(high)s đồng; check the zeros.") % {
            "low": vnd(bounds.min_price),
            "high": vnd(bounds.max_price),
        }
    return price, ""


def recent_level(
    market_prices: list[int], ward_prices: list[int], min_reports: int
) -> tuple[int | None, str]:
    """The recent level (median) and its basis: the market's own reports, else the ward's, else none."""
    if len(market_prices) >= min_reports:
        return round(statistics.median(market_prices)), "market"
    if len(ward_prices) >= min_reports:
        return round(statistics.median(ward_prices)), "ward"
    return None, ""


def is_jump(price: int, level: int | None, share: Fraction) -> bool:
    """Whether a price is more than `share` above its level (exact: no float rounding at the edge)."""
    return level is not None and level > 0 and Fraction(price) > level * (1 + share)


# Reading and assessing prices ---------------------------------------------------------------------


@dataclass(frozen=True)
class PriceCell:
    market: Market
    good: Good
    price: int
    level: int | None
    basis: str  # "market", "ward" or "" (too few reports to say)
    alert: bool

    @property
    def jump_percent(self) -> int | None:
        if self.level is None:
            return None
        return round((self.price - self.level) * 100 / self.level)


def _history(markets: Iterable[Market], day: date) -> tuple[dict[Any, list[int]], dict[Any, list[int]]]:
    """Prices of the recent window before `day`: per (market, good) and per (ward path, good)."""
    days = catalogue().alert.recent_days
    paths = {market.unit_path for market in markets}
    by_market: dict[Any, list[int]] = defaultdict(list)
    by_ward: dict[Any, list[int]] = defaultdict(list)
    if not paths:
        return by_market, by_ward
    rows = PriceReport.objects.filter(
        unit_path__in=paths, day__gte=day - timedelta(days=days), day__lt=day
    ).values_list("market_id", "unit_path", "good", "price")
    for market_id, path, good, price in rows:
        by_market[(market_id, good)].append(price)
        by_ward[(path, good)].append(price)
    return by_market, by_ward


def assess(reports: list[PriceReport], markets: Iterable[Market], day: date) -> list[PriceCell]:
    """Each report of `day` with its recent level and whether it is an alert."""
    settings = catalogue()
    by_market, by_ward = _history(markets, day)
    cells = []
    for row in reports:
        good = settings.goods.get(row.good)
        if good is None:  # a good since removed from the list
            continue
        level, basis = recent_level(
            by_market[(row.market_id, row.good)],
            by_ward[(row.unit_path, row.good)],
            settings.alert.min_reports,
        )
        alert = is_jump(row.price, level, settings.alert.share_above_recent)
        cells.append(PriceCell(row.market, good, row.price, level, basis, alert))
    return cells


# Writes -------------------------------------------------------------------------------------------


def require_reporter(by: Any, market: Market) -> None:
    """REPORT_PRICES over the market's ward: 403 without it anywhere, 404 (logged) outside."""
    if not paths_of(by, Perm.REPORT_PRICES):
        raise NotPermitted()
    if not covers(by, market.unit_path, Perm.REPORT_PRICES):
        log_out_of_scope(by, "markets.market", market.pk, market.unit_path)
        raise OutOfScope()


def _clean_prices(prices: Any, day: Any, at_day: date) -> dict[str, int]:
    errors: dict[str, str] = {}
    if not isinstance(day, date):
        errors["day"] = gettext("Choose the day of these prices.")
    elif day > at_day:
        errors["day"] = gettext("Prices cannot be reported for a day still to come.")
    elif day < at_day - timedelta(days=CORRECTION_DAYS):
        errors["day"] = gettext("Prices can be reported or corrected for the last %(n)d days only.") % {
            "n": CORRECTION_DAYS
        }
    cleaned: dict[str, int] = {}
    if not isinstance(prices, Mapping):
        prices = {}
    known = catalogue().goods
    for code, raw in prices.items():
        if code not in known:
            errors[f"prices.{str(code)[:20]}"] = gettext(
                "%(code)s is not on the list of essential goods."
            ) % {"code": str(code)[:20]}
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue  # not sold today, or not known: left out
        price, problem = price_problem(raw)
        if problem:
            errors[f"prices.{code}"] = problem
        elif price is not None:
            cleaned[code] = price
    if not cleaned and not any(name.startswith("prices.") for name in errors):
        errors["prices"] = gettext("Enter the price of at least one good.")
    if errors:
        raise PricesInvalid(errors)
    return cleaned


@dataclass
class PriceOutcome:
    """What a submission did: new prices, corrected prices, prices already as given; and the alerts."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cells: list[PriceCell] = field(default_factory=list)

    @property
    def alerts(self) -> list[PriceCell]:
        return [cell for cell in self.cells if cell.alert]


def _price_state(row: PriceReport) -> dict[str, Any]:
    return {"market": row.market_id, "day": row.day, "good": row.good, "price": row.price}


def _write_one(by: Any, market: Market, day: date, code: str, price: int, clock: Clock) -> str:
    """Create or correct one price (in the caller's transaction); which of the three it was."""
    row = PriceReport.objects.select_for_update().filter(market=market, day=day, good=code).first()
    if row is None:
        try:
            with transaction.atomic():
                row = PriceReport.objects.create(
                    market=market, unit_path=market.unit_path, day=day, good=code, price=price, reported_by=by
                )
        except IntegrityError:
            # Another keeper's submission of the same day won the insert: correct it instead.
            row = PriceReport.objects.select_for_update().get(market=market, day=day, good=code)
        else:
            audit.record(
                actor=by, action="markets.price_reported", object_type="markets.pricereport",
                object_id=row.pk, unit_path=row.unit_path, after=_price_state(row), clock=clock,
            )  # fmt: skip
            return "created"
    if row.price == price:
        return "unchanged"
    before = _price_state(row)
    row.price, row.reported_by = price, by
    row.save(update_fields=["price", "reported_by", "updated_at"])
    audit.record(
        actor=by, action="markets.price_corrected", object_type="markets.pricereport", object_id=row.pk,
        unit_path=row.unit_path, before=before, after=_price_state(row), clock=clock,
    )  # fmt: skip
    return "updated"


def report_prices(*, by: Any, market: Market, day: Any, prices: Any, clock: Clock = now) -> PriceOutcome:
    """Record a market's prices of a day (`prices`: good code -> đồng); all of them or none.

    Re-submitting the same day corrects the prices that differ and leaves the others; the answer
    carries each price's recent level and the alerts.
    """
    require_reporter(by, market)
    cleaned = _clean_prices(prices, day, local_date(clock()))
    outcome = PriceOutcome()
    with transaction.atomic():
        for code, price in cleaned.items():
            getattr(outcome, _write_one(by, market, day, code, price, clock)).append(code)
    rows = list(PriceReport.objects.filter(market=market, day=day, good__in=cleaned).select_related("market"))
    outcome.cells = assess(sorted(rows, key=lambda row: list(cleaned).index(row.good)), [market], day)
    return outcome


def _good(code: Any) -> str:
    if not isinstance(code, str) or code not in catalogue().goods:
        raise InvalidInput(gettext("Choose a good from the list of essential goods."), field="good")
    return code


def report_shortage(
    *, by: Any, market: Market, good: Any, note: Any = "", clock: Clock = now
) -> tuple[Shortage, bool]:
    """Report a good short at a market; (the open report, False) when one is already open."""
    require_reporter(by, market)
    code = _good(good)
    text = nfc(note) if isinstance(note, str) else ""
    if len(text) > NOTE_LIMIT or not text.isprintable():
        raise InvalidInput(
            gettext("At most %(limit)d characters, no control characters.") % {"limit": NOTE_LIMIT},
            field="note",
        )
    found = Shortage.objects.filter(market=market, good=code, resolved_on__isnull=True).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            shortage = Shortage.objects.create(
                market=market, unit_path=market.unit_path, good=code, note=text,
                reported_on=local_date(clock()), reported_by=by,
            )  # fmt: skip
            audit.record(
                actor=by, action="markets.shortage_reported", object_type="markets.shortage",
                object_id=shortage.pk, unit_path=shortage.unit_path,
                after={"market": market.pk, "good": code, "note": text}, clock=clock,
            )  # fmt: skip
    except IntegrityError:
        # Two reports of the same shortage at once: the one that got in is the open one.
        found = Shortage.objects.filter(market=market, good=code, resolved_on__isnull=True).first()
        if found is None:
            raise
        return found, False
    return shortage, True


def resolve_shortage(*, by: Any, shortage: Shortage, clock: Clock = now) -> Shortage:
    """Mark a shortage resolved, once: a second resolution (or the loser of a race) gets 409."""
    require_reporter(by, shortage.market)
    today = local_date(clock())
    with transaction.atomic():
        changed = Shortage.objects.filter(pk=shortage.pk, resolved_on__isnull=True).update(
            resolved_on=today, updated_at=clock()
        )
        if not changed:
            raise ShortageResolved()
        audit.record(
            actor=by, action="markets.shortage_resolved", object_type="markets.shortage",
            object_id=shortage.pk, unit_path=shortage.unit_path,
            before={"resolved_on": None}, after={"resolved_on": today}, clock=clock,
        )  # fmt: skip
    shortage.refresh_from_db()
    return shortage


# Reads --------------------------------------------------------------------------------------------


def is_price_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in PRICE_PERMS)


def price_market_for(user: Any, code: str) -> Market:
    """A market whose prices the user reports: 403 without REPORT_PRICES, 404 (logged) outside."""
    if not paths_of(user, Perm.REPORT_PRICES):
        raise NotPermitted()
    queryset = Market.objects.select_related("unit", "area")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=Perm.REPORT_PRICES, code=code)


def shortage_for(user: Any, pk: int) -> Shortage:
    if not paths_of(user, Perm.REPORT_PRICES):
        raise NotPermitted()
    queryset = Shortage.objects.select_related("market", "market__unit")
    return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=Perm.REPORT_PRICES, pk=pk)


def markets_for_prices(user: Any) -> QuerySet[Market]:
    """The markets whose prices the user may report."""
    return Market.objects.filter(reach_q(user, perms=(Perm.REPORT_PRICES,))).select_related("unit")


def board_unit(user: Any, unit_code: str = "") -> Any:
    """The board's ward or district: the one asked for (in reach), else the user's own if it is one."""
    if not is_price_reader(user):
        raise NotPermitted()
    if unit_code:
        return unit_in_reach(user, unit_code, PRICE_PERMS)
    paths = [path for perm in PRICE_PERMS for path in paths_of(user, perm)]
    unit = territory.widest_unit(paths)
    if unit is None or unit.level not in ("ward", "district"):
        raise InvalidInput(gettext("Choose a ward or a district."), field="unit")
    return unit


@dataclass
class Board:
    unit: Any
    day: date
    goods: list[Good]
    markets: list[Market]
    cells: dict[tuple[int, str], PriceCell]
    shortages: list[Shortage]
    missing: list[Market]

    @property
    def alerts(self) -> list[PriceCell]:
        return [cell for cell in self.cells.values() if cell.alert]

    @property
    def table(self) -> list[tuple[Market, list[PriceCell | None]]]:
        """One row per market, one cell per good (None: not reported)."""
        return [(m, [self.cells.get((m.pk, good.code)) for good in self.goods]) for m in self.markets]

    @property
    def shortage_rows(self) -> list[tuple[Shortage, str]]:
        return [(row, good_label(row.good)) for row in self.shortages]


def board(user: Any, *, unit_code: str = "", day: date | None = None, clock: Clock = now) -> Board:
    """A ward's or district's day: prices with alerts, open shortages, open markets not yet reported."""
    unit = board_unit(user, unit_code)
    on = day or local_date(clock())
    markets = list(
        Market.objects.filter(unit_path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit_path", "code")[:BOARD_MARKET_LIMIT]
    )
    reports = list(
        PriceReport.objects.filter(
            unit_path__startswith=unit.path, day=on, market__in=markets
        ).select_related("market")
    )
    cells = {(cell.market.pk, cell.good.code): cell for cell in assess(reports, markets, on)}
    reported = {row.market_id for row in reports}
    shortages = list(
        Shortage.objects.filter(unit_path__startswith=unit.path, resolved_on__isnull=True)
        .select_related("market")
        .order_by("reported_on", "pk")
    )
    missing = [m for m in markets if m.pk not in reported and m.status == Market.Status.OPEN]
    return Board(unit, on, goods(), markets, cells, shortages, missing)


def good_label(code: str) -> str:
    good = catalogue().goods.get(code)
    return good.label if good is not None else code
