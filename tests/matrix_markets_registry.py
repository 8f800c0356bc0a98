"""The markets (registry) rows of the authorization matrix (filled in with the pages and API of that part)."""

from collections.abc import Callable
from typing import Any


def build_markets_registry(request: Any) -> Any:
    return None


def markets_registry_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    return {}
