"""The markets (gate) rows of the authorization matrix (filled in with the pages and API of that part)."""

from collections.abc import Callable
from typing import Any


def build_markets_gate(request: Any) -> Any:
    return None


def markets_gate_matrix(req: Callable[..., Any]) -> dict[str, list[Any]]:
    return {}
