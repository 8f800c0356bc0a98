"""A regime's rules after inheritance, kept in memory: every public lookup under a regime reads the same.

Entries are keyed by the regime's pk, code, parent and `updated_at`, and the whole cache is emptied
whenever a regime, rule or activity is saved or deleted in this process (signals wired in apps.py), so a
test or an edit never reads stale rules; entries also expire after `TTL_SECONDS`, which bounds how long
another process's edit (rules are reference data, changed only with their regime) can go unseen.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.utils.translation import get_language

from phaodai.zoning import selectors as zoning

TTL_SECONDS = 300.0
MAX_ENTRIES = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Rulebook:
    """A regime, its ancestors (root first) and one rule per activity, in catalogue order."""

    regime: Any
    chain: tuple[Any, ...]
    rules: tuple[zoning.RuleView, ...]
    # What is derived from the rules in a language (names, conditions in words), made once per language.
    derived: dict[tuple[str, str], Any] = field(default_factory=dict, compare=False, repr=False)

    def regime_named(self, code: str) -> Any:
        return next((r for r in self.chain if r.code == code), self.regime)

    def in_language(self, name: str, make: Callable[[], T]) -> T:
        """`make()` for the active language, computed once; callers must not change what it returns."""
        key = (name, get_language() or "")
        if key not in self.derived:
            self.derived[key] = make()
        result: T = self.derived[key]
        return result


_cache: dict[tuple[Any, ...], tuple[float, Rulebook]] = {}


def rulebook(regime: Any) -> Rulebook:
    """The regime's effective rules, from memory when nothing changed."""
    key = (regime.pk, regime.code, regime.extends_id, regime.updated_at)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < TTL_SECONDS:
        return hit[1]
    chain = zoning.regime_chain(regime)
    book = Rulebook(regime=regime, chain=tuple(chain), rules=tuple(zoning.effective_rules(regime)))
    if len(_cache) >= MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (now, book)
    return book


def forget(*args: Any, **kwargs: Any) -> None:
    """Empty the cache (a signal receiver: a regime, rule or activity changed)."""
    _cache.clear()
