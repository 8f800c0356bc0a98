"""Reads of markets, schemes and passes, always scoped to the acting user.

Readers of a market: whoever manages markets, checks a gate or reports prices within its ward (a
ward, its district, the city). Outside: 404, and the attempt is logged. Lists are bounded.
"""

from typing import Any

from django.db.models import Q, QuerySet

from phaodai.accounts.roles import Perm
from phaodai.core.jurisdiction import get_in_scope_or_404, paths_of, scope_q
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
    perms = (perm,) if perm else READER_PERMS
    queryset = Market.objects.select_related("unit", "area")
    if len(perms) == 1:
        return get_in_scope_or_404(queryset, user, path_field="unit_path", perm=perms[0], code=code)
    return get_in_scope_or_404(queryset.filter(reach_q(user)), user, path_field="unit_path", code=code)


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
