"""Reads of lockdowns, scoped to the acting officer; and which areas are locked down at an instant.

Lockdowns are read by those who declare them and those who trace and isolate (the same officers run the
checkpoints' rosters and the testing rounds of a locked-down place), within their units; outside: 404,
logged.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from phaodai.accounts.roles import Perm
from phaodai.cases.models import Lockdown
from phaodai.core.errors import NotPermitted
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, scope_q

READER_PERMS = (Perm.DECLARE_LOCKDOWN, Perm.TRACE, Perm.ORDER_ISOLATION)
LIST_LIMIT = 200


def is_reader(user: Any) -> bool:
    return any(paths_of(user, perm) for perm in READER_PERMS)


def require_reader(user: Any) -> None:
    """403 for roles that neither declare lockdowns nor trace nor isolate."""
    if not is_reader(user):
        raise NotPermitted()


def _reader_q(user: Any) -> Q:
    condition = Q(pk__in=[])
    for perm in READER_PERMS:
        condition |= scope_q(user, "path", perm)
    return condition


def lockdowns_visible_to(user: Any) -> QuerySet[Lockdown]:
    return Lockdown.objects.filter(_reader_q(user)).select_related("area", "cluster")


def lockdowns_listed(user: Any, status: str = "") -> list[Lockdown]:
    """The user's lockdowns, those in force first, latest start first (at most LIST_LIMIT)."""
    rows = lockdowns_visible_to(user).select_related("area__ward")
    if status in Lockdown.Status.values:
        rows = rows.filter(status=status)
    return list(rows.order_by("status", "-starts_at", "-pk")[:LIST_LIMIT])


def lockdown_for(user: Any, pk: int) -> Lockdown:
    found = (
        lockdowns_visible_to(user).select_related("area__ward__parent", "declared_by").filter(pk=pk).first()
    )
    if found is None:
        other = Lockdown.objects.filter(pk=pk).values_list("path", flat=True).first()
        if other is not None:
            log_out_of_scope(user, "cases.lockdown", pk, other)
        raise Http404
    return found


def may_declare(user: Any, path: str | None = None) -> bool:
    """Whether the user declares lockdowns (at `path`, when given)."""
    return covers(user, path, Perm.DECLARE_LOCKDOWN) if path else bool(paths_of(user, Perm.DECLARE_LOCKDOWN))


def in_force_q(at: datetime) -> Q:
    """Lockdowns started by `at` and not lifted by then (a lockdown past its planned end stays in force
    until it is lifted: lifting is a decision)."""
    return Q(starts_at__lte=at) & (Q(ended_at__isnull=True) | Q(ended_at__gt=at))


def in_force(area_ids: Iterable[int], at: datetime) -> set[int]:
    """Which of the areas have a lockdown (of the area, or of a building or lane in it) in force at `at`.

    One query whatever the number of areas; lockdowns are few, so all those in force are read and the
    areas asked about are picked out in Python.
    """
    wanted = set(area_ids)
    if not wanted:
        return set()
    locked = Lockdown.objects.filter(in_force_q(at)).values_list("area_id", flat=True).distinct()
    return wanted.intersection(locked)
