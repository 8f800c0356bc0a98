"""Jurisdiction scoping used by every selector.

Administrative units carry a materialised path ("/01/004/00139/"). A user's jurisdiction is the set
of paths of the units their role assignments are bound to; a row is in scope when its path starts
with one of them. Prefix queries work the same on SQLite and PostgreSQL.
"""

import logging
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from phaodai.core import audit
from phaodai.core.errors import NotPermitted, OutOfScope

logger = logging.getLogger("phaodai.security")
M = TypeVar("M", bound=Model)


class Actor(Protocol):
    pk: Any
    username: str
    is_authenticated: bool

    def jurisdiction_paths(self, perm: str | None = None) -> tuple[str, ...]: ...


def paths_of(user: Any, perm: str | None = None) -> tuple[str, ...]:
    """Unit paths the user acts in; with `perm`, only those where a role grants that permission."""
    if not getattr(user, "is_authenticated", False):
        return ()
    return tuple(user.jurisdiction_paths(perm))


def covers(user: Any, path: str, perm: str | None = None) -> bool:
    """Whether `path` lies within the user's jurisdiction (for `perm`, when given)."""
    return any(path.startswith(prefix) for prefix in paths_of(user, perm))


def common_path(paths: Sequence[str]) -> str:
    """The deepest unit path ("/01/004/") that every path lies under ("" for none)."""
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    shared = 0
    while shared < min(len(first), len(last)) and first[shared] == last[shared]:
        shared += 1
    return first[: first.rfind("/", 0, shared + 1) + 1]


def scope_q(user: Any, path_field: str, perm: str | None = None) -> Q:
    """A filter matching rows whose `path_field` lies within the user's jurisdiction."""
    prefixes = paths_of(user, perm)
    if not prefixes:
        return Q(pk__in=[])
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{path_field}__startswith": prefix})
    return condition


def scope(queryset: QuerySet[M], user: Any, path_field: str = "path", perm: str | None = None) -> QuerySet[M]:
    """Only the rows of `queryset` within the user's jurisdiction (for `perm`, when given)."""
    return queryset.filter(scope_q(user, path_field, perm))


def get_in_scope_or_404(
    queryset: QuerySet[M], user: Any, *, path_field: str = "path", perm: str | None = None, **lookup: Any
) -> M:
    """Fetch one object in scope; an object outside it answers 404 and the attempt is logged."""
    # Call it outside transaction.atomic: a transaction rolled back by the 404 takes the record with it.
    try:
        return scope(queryset, user, path_field, perm).get(**lookup)
    except ObjectDoesNotExist:
        outside = queryset.filter(**lookup).values_list("pk", path_field).first()
        if outside is not None:
            log_out_of_scope(user, queryset.model._meta.label_lower, outside[0], outside[1])
        raise Http404 from None


def require_within(user: Any, perm: str, *, path: str, object_type: str, object_id: Any) -> None:
    """403 without `perm` anywhere; 404, with the attempt logged, for an object outside its units.

    Call it before opening the write transaction, so the logged attempt is not rolled back.
    """
    if not paths_of(user, perm):
        raise NotPermitted()
    if not covers(user, path, perm):
        log_out_of_scope(user, object_type, object_id, path)
        raise OutOfScope()


def log_out_of_scope(user: Any, object_type: str, object_id: Any, unit_path: str) -> None:
    """Record an attempt to reach an object outside the actor's jurisdiction (no personal values)."""
    logger.warning(
        "out-of-scope access: user=%s object=%s:%s", getattr(user, "username", "?"), object_type, object_id
    )
    audit.record(
        actor=user, action="scope.denied", object_type=object_type, object_id=object_id, unit_path=unit_path
    )
