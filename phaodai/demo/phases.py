"""The demo's phases, run in order, each in its own transaction and each safe to run again.

The epidemic arrives as further phases appended here (zoning: the directives and Long Biên's
classification of September 2021; cases and tests in later issues).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction

from phaodai.accounts.roles import Role
from phaodai.core.clock import hanoi
from phaodai.demo.bodies_seed import seed_committees_and_hotlines
from phaodai.demo.business_seed import seed_businesses
from phaodai.demo.cases_seed import seed_cases
from phaodai.demo.checkpoints_seed import seed_checkpoints
from phaodai.demo.command_seed import seed_directives_and_tasks
from phaodai.demo.community_seed import seed_community
from phaodai.demo.context import DemoContext
from phaodai.demo.diagnostics_seed import seed_diagnostics
from phaodai.demo.inspections_seed import seed_inspections
from phaodai.demo.logins import ensure_logins
from phaodai.demo.markets_seed import seed_markets
from phaodai.demo.passes_seed import seed_checkpoint_rules, seed_live_keys, seed_passes
from phaodai.demo.quarantine_seed import seed_quarantine
from phaodai.demo.relief_seed import seed_relief
from phaodai.demo.reports_seed import seed_reports
from phaodai.demo.scenarios import CITY, LONG_BIEN, at, official, seed_zoning
from phaodai.demo.seeding import seed_areas, seed_people
from phaodai.demo.vaccination_seed import seed_vaccination
from phaodai.demo.vehicles_seed import seed_vehicles
from phaodai.demo.welfare_seed import seed_welfare


@dataclass(frozen=True)
class Phase:
    """A named step that adds what is missing and returns a one-line summary."""

    name: str
    run: Callable[[DemoContext], str]


# The command phase replays its documents at their own dates and rolls recurring tasks as of this moment.
COMMAND_AS_OF = hanoi(2021, 9, 22, 8, 0)


def seed_command(ctx: DemoContext) -> str:
    """Committees, duty, hotlines and commendations; directives and tasks (788-CV/BCSD, Long Biên's plan)."""
    city_commander = official(Role.CITY_COMMANDER, CITY)
    district_officer = official(Role.DISTRICT_OFFICER, LONG_BIEN)
    clock = at(COMMAND_AS_OF)
    for line in seed_committees_and_hotlines(
        by_city=city_commander, by_district=district_officer, clock=clock
    ):
        ctx.progress(f"command: {line}")
    return seed_directives_and_tasks(by_city=city_commander, by_district=district_officer, clock=clock)


PHASES: tuple[Phase, ...] = (
    Phase("areas", seed_areas),
    Phase("people", seed_people),
    Phase("logins", ensure_logins),
    Phase("zoning", seed_zoning),
    Phase("reports", seed_reports),
    Phase("command", seed_command),
    Phase("businesses", seed_businesses),
    Phase("inspections", seed_inspections),
    Phase("quarantine", seed_quarantine),
    Phase("cases", seed_cases),
    Phase("diagnostics", seed_diagnostics),
    Phase("vaccination", seed_vaccination),
    Phase("checkpoints", seed_checkpoints),
    Phase("passes", seed_passes),
    Phase("vehicles", seed_vehicles),
    Phase("markets", seed_markets),
    Phase("community", seed_community),
    Phase("relief", seed_relief),
    Phase("welfare", seed_welfare),
    # Last: keys valid today (the demo's own are dated 2021), so the running demo can issue passes.
    Phase("signing keys", seed_live_keys),
    Phase("checkpoint rules", seed_checkpoint_rules),
)


def run_phases(ctx: DemoContext, phases: Sequence[Phase] = PHASES) -> None:
    """Run each phase atomically, so an interrupted run leaves whole phases behind and resumes cleanly."""
    for phase in phases:
        ctx.progress(f"{phase.name}: …")
        with transaction.atomic():
            summary = phase.run(ctx)
        ctx.progress(f"{phase.name}: {summary}")
