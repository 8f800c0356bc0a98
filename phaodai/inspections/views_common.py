"""What the inspection pages share: who reads them, and the team picked in a form."""

from typing import Any

from django.utils.translation import gettext as _

from phaodai.accounts.selectors import has_perm
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.inspections import selectors
from phaodai.inspections.models import InspectionTeam


def require_reader(user: Any) -> None:
    """Inspectors and those who set up teams read these pages; any other role is refused (403)."""
    if not any(has_perm(user, perm) for perm in selectors.READER_PERMS):
        raise NotPermitted()


def team_choices(teams: list[InspectionTeam]) -> list[tuple[str, str]]:
    return [(str(team.pk), f"{team.name} — {team.decision_number}") for team in teams]


def chosen(teams: list[InspectionTeam], value: str, default: InspectionTeam | None = None) -> InspectionTeam:
    """The team picked in a form (its choices were these teams); none picked: `default`, or the only one."""
    if value:
        return next(team for team in teams if str(team.pk) == value)
    if default is not None:
        return default
    if len(teams) == 1:
        return teams[0]
    raise InvalidInput(_("Choose the team."), field="team")
