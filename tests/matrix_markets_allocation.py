"""The markets (allocation) rows of the authorization matrix (filled in with that part's pages and API)."""

from collections.abc import Callable
from typing import Any


def build_markets_allocation(request: Any) -> Any:
    return None


def markets_allocation_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    return {}
