"""What every demo phase receives: the options, a progress printer and what earlier phases left."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_SEED = 2021
DEFAULT_PERSONS = 20_000
DEFAULT_PASSWORD = "phaodai-demo"  # noqa: S105 — the published demo password, not a secret


@dataclass
class DemoContext:
    """Options of one `phaodai demo` run, its clock and a scratchpad shared between phases."""

    seed: int = DEFAULT_SEED
    persons: int = DEFAULT_PERSONS
    password: str = DEFAULT_PASSWORD
    # District GSO codes to generate areas in; empty means the whole city.
    districts: tuple[str, ...] = ()
    write: Callable[[str], Any] = print
    started: float = field(default_factory=time.monotonic)
    # Phases leave results here for later phases and for the final summary (e.g. "logins").
    results: dict[str, Any] = field(default_factory=dict)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def progress(self, message: str) -> None:
        self.write(f"[{self.elapsed():6.1f}s] {message}")
