"""The markets (prices) rows of the authorization matrix (filled in with the pages and API of that part)."""

from collections.abc import Callable
from typing import Any


def build_markets_prices(request: Any) -> Any:
    return None


def markets_prices_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    return {}
