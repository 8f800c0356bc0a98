"""Reads about users and what they may do."""

from typing import Any

from phaodai.accounts.models import User
from phaodai.accounts.roles import PERMISSIONS
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, paths_of


def has_perm(user: Any, perm: str, *, within: str | None = None) -> bool:
    """Whether a role of the user grants `perm` (at the unit path `within`, when given)."""
    if within is None:
        return bool(paths_of(user, perm))
    return covers(user, within, perm)


def require_perm(user: Any, perm: str, *, within: str | None = None) -> None:
    """Raise NotPermitted unless a role of the user grants `perm` (at `within`)."""
    if not has_perm(user, perm, within=within):
        raise NotPermitted()


def perms_of(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset().union(*(PERMISSIONS[a.role] for a in user.assignment_list))


def user_by_username(username: str) -> User | None:
    if "\x00" in username:  # PostgreSQL cannot even compare a NUL; no user has one
        return None
    return User.objects.filter(username=username, is_active=True).first()


def assignments_of(user: Any) -> list[Any]:
    """The active role assignments of a signed-in user (none for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.assignment_list)


def officials_of(unit: Any, perm: str | None = None) -> list[User]:
    """Active users with a role bound to exactly `unit` (granting `perm`, when given)."""
    roles = [role for role, granted in PERMISSIONS.items() if perm is None or perm in granted]
    bound = User.objects.filter(
        is_active=True,
        role_assignments__unit=unit,
        role_assignments__active=True,
        role_assignments__role__in=roles,
    )
    return list(bound.distinct().order_by("username"))
