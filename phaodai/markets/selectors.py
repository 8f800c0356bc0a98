"""Reads of markets, schemes and passes, always scoped to the acting user.

Readers of a market: whoever manages markets, checks a gate or reports prices within its ward (a
ward, its district, the city). Outside: 404, and the attempt is logged. Lists are bounded.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.core.jurisdiction import get_in_scope_or_404, log_out_of_scope, paths_of, scope_q
from phaodai.markets.models import Market, MarketPass, Scheme

READER_PERMS = (Perm.MANAGE_MARKETS, Perm.CHECK_MARKET_GATE, Perm.REPORT_PRICES)


def reach_q(user: Any, field: str = "unit_path", perms: tuple[str, ...] = READER_PERMS) -> Q:
    """Rows whose `field` lies within the user's units for any of `perms`."""
    condition = Q(pk__in=[])
    for perm in perms:
        condition |= scope_q(user, field, perm)
    return condition


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def is_manager(user: Any) -> bool:
    return bool(paths_of(user, Perm.MANAGE_MARKETS))


def markets_visible_to(user: Any) -> QuerySet[Market]:
    return Market.objects.filter(reach_q(user)).select_related("unit", "area")


def market_for(user: Any, code: str, perm: str | None = None) -> Market:
    """One market by code in the user's reach (for `perm`, when given); 404 and logged outside it."""
    return market_in_reach(user, code, (perm,) if perm else READER_PERMS)


def market_in_reach(user: Any, code: str, perms: tuple[str, ...]) -> Market:
    """One market by code within the user's units for any of `perms`; 404, the attempt logged, outside."""
    found = (
        Market.objects.select_related("unit", "area").filter(reach_q(user, perms=perms), code=code).first()
    )
    if found is None:
        outside = Market.objects.filter(code=code).values_list("pk", "unit_path").first()
        if outside is not None:
            log_out_of_scope(user, "markets.market", outside[0], outside[1])
        raise Http404
    return found


def market_by_code(code: str) -> Market | None:
    """For the public gate bundle and the device's sync, where the code itself is public."""
    return Market.objects.filter(code=code).select_related("unit").first()


def schemes_visible_to(user: Any) -> QuerySet[Scheme]:
    return Scheme.objects.filter(reach_q(user, perms=(Perm.MANAGE_MARKETS,))).select_related("unit")


def scheme_for(user: Any, pk: int, perm: str = Perm.MANAGE_MARKETS) -> Scheme:
    return get_in_scope_or_404(
        Scheme.objects.select_related("unit"), user, path_field="unit_path", perm=perm, pk=pk
    )


def passes_of_scheme(scheme: Scheme) -> QuerySet[MarketPass]:
    return MarketPass.objects.filter(scheme=scheme).select_related("market", "household", "area")
