"""The demo's phases, run in order, each in its own transaction and each safe to run again.

The epidemic arrives as further phases appended here (zoning: the directives and Long Biên's
classification of September 2021; cases and tests in later issues).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from phaodai.demo.context import DemoContext
from phaodai.demo.logins import ensure_logins
from phaodai.demo.scenarios import seed_zoning
from phaodai.demo.seeding import seed_areas, seed_people


@dataclass(frozen=True)
class Phase:
    """A named step that adds what is missing and returns a one-line summary."""

    name: str
    run: Callable[[DemoContext], str]


PHASES: tuple[Phase, ...] = (
    Phase("areas", seed_areas),
    Phase("people", seed_people),
    Phase("logins", ensure_logins),
    Phase("zoning", seed_zoning),
)


def run_phases(ctx: DemoContext, phases: Sequence[Phase] = PHASES) -> None:
    """Run each phase atomically, so an interrupted run leaves whole phases behind and resumes cleanly."""
    for phase in phases:
        ctx.progress(f"{phase.name}: …")
        with transaction.atomic():
            summary = phase.run(ctx)
        ctx.progress(f"{phase.name}: {summary}")
