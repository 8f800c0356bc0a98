"""Shared pieces of the welfare pages: who may read, the user's wards, service errors on a page."""

from typing import Any

from phaodai.accounts.roles import Perm
from phaodai.core.errors import DomainError, NotPermitted
from phaodai.core.jurisdiction import covers, paths_of
from phaodai.territory import selectors as territory
from phaodai.welfare import selectors

WARD_LIMIT = 200


def require_reader(user: Any) -> None:
    """403 for a role that neither files, appraises nor pays support anywhere."""
    if not selectors.is_reader(user):
        raise NotPermitted()


def require_perm(user: Any, perm: str) -> None:
    if not paths_of(user, perm):
        raise NotPermitted()


def wards_of(user: Any, perm: str = Perm.FILE_SUPPORT) -> list[Any]:
    """The wards where the user acts with `perm`, in path order (a district's or the city's wards)."""
    wards: list[Any] = []
    for path in paths_of(user, perm):
        unit = territory.unit_by_path(path)
        if unit is None:
            continue
        if unit.level == "ward":
            wards.append(unit)
        else:
            wards.extend(territory.within(unit).filter(level="ward").order_by("path")[:WARD_LIMIT])
    return wards[:WARD_LIMIT]


def ward_choices(user: Any) -> list[tuple[str, str]]:
    return [(ward.code, ward.full_name) for ward in wards_of(user)]


def may(user: Any, path: str, perm: str) -> bool:
    return covers(user, path, perm)


def reraise_scope(error: DomainError) -> None:
    """403 and 404 are answered by the middleware's error page, never shown inside a form."""
    if error.status in (403, 404):
        raise error
