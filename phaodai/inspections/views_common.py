"""What the inspection pages share: who reads them, the teams a user acts for, one-time form tokens."""

import secrets
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.accounts.selectors import has_perm
from phaodai.core.clock import now
from phaodai.core.errors import InvalidInput, NotPermitted
from phaodai.core.jurisdiction import paths_of
from phaodai.inspections import selectors
from phaodai.inspections.models import InspectionTeam, TeamMember


def require_reader(user: Any) -> None:
    """Inspectors and those who set up teams read these pages; any other role is refused (403)."""
    if not any(has_perm(user, perm) for perm in selectors.READER_PERMS):
        raise NotPermitted()


def acting_teams(user: Any, at: datetime | None = None) -> list[InspectionTeam]:
    """The teams the user may act for (selectors.may_act_for, for all teams at once), not yet ended."""
    moment = at or now()
    inspect_paths = paths_of(user, Perm.INSPECT)
    member_of = set(TeamMember.objects.filter(user=user.pk).values_list("team_id", flat=True))
    return [
        team
        for team in selectors.teams_visible_to(user)
        if (team.pk in member_of or any(team.path.startswith(p) for p in inspect_paths))
        and (team.active_until is None or team.active_until > moment)
    ]


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


# A double click, or a page sent again, plans one inspection: each form carries a random token and
# the session remembers what the token created. The planning services take no idempotency key.
TOKENS = "inspections.form_tokens"
TOKENS_KEPT = 30


def new_token() -> str:
    return secrets.token_urlsafe(16)


def created_by_token(request: HttpRequest, token: str) -> int | None:
    done: dict[str, int] = request.session.get(TOKENS, {})
    return done.get(token)


def remember_token(request: HttpRequest, token: str, pk: int) -> None:
    done: dict[str, int] = dict(request.session.get(TOKENS, {}))
    done[token] = pk
    request.session[TOKENS] = dict(list(done.items())[-TOKENS_KEPT:])
