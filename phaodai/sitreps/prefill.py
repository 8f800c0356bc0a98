"""Values the system already knows, offered to a reporter before they fill the form.

Apps that know a figure (cases, diagnostics, vaccination…) register a provider for the field codes
they can fill. A provider answers for many units at once over the period a slot covers:
`provider(units, start, end) -> {unit_id: {field_code: value}}`. The reporter may correct any value;
the submission keeps what was prefilled, so the difference stays visible.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

Provider = Callable[[Sequence[Any], datetime, datetime], dict[int, dict[str, Any]]]
_PROVIDERS: dict[str, tuple[tuple[str, ...], Provider]] = {}


def register_provider(name: str, fields: Sequence[str], provider: Provider) -> None:
    """Register (or replace) the provider `name` for the given field codes."""
    _PROVIDERS[name] = (tuple(fields), provider)


def has_providers() -> bool:
    return bool(_PROVIDERS)


def unregister_provider(name: str) -> None:
    _PROVIDERS.pop(name, None)


def known_values(
    units: Sequence[Any], start: datetime, end: datetime, fields: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """What the registered providers know for `units` over [start, end), limited to `fields`."""
    wanted = set(fields)
    found: dict[int, dict[str, Any]] = {unit.pk: {} for unit in units}
    for provided, provider in _PROVIDERS.values():
        if not wanted.intersection(provided):
            continue
        for unit_id, values in provider(units, start, end).items():
            if unit_id in found:
                found[unit_id].update({code: value for code, value in values.items() if code in wanted})
    return found
