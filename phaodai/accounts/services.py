"""Writes about users, role assignments and API tokens."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from phaodai.accounts.models import ApiToken, RoleAssignment, User
from phaodai.accounts.roles import ALLOWED_LEVELS, Role
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import InvalidInput

TOKEN_PREFIX = "pd_"  # noqa: S105 - a public marker that tells tokens apart, not a secret


class RoleNotAllowedAtLevel(InvalidInput):
    code = "role_not_allowed_at_level"
    message = _("This role cannot be bound to a unit of that level.")


@transaction.atomic
def create_user(
    *, username: str, password: str | None, role: str, unit: Any, by: Any = None, **fields: Any
) -> User:
    """A user with one role assignment; more can be added with `assign_role`."""
    user = User.objects.create_user(username=username, password=password, **fields)
    assign_role(user=user, role=role, unit=unit, by=by)
    return user


@transaction.atomic
def assign_role(*, user: User, role: str, unit: Any, by: Any = None) -> RoleAssignment:
    if unit.level not in ALLOWED_LEVELS[Role(role)]:
        raise RoleNotAllowedAtLevel(field="unit")
    assignment, _created = RoleAssignment.objects.update_or_create(
        user=user, role=role, unit=unit, defaults={"active": True}
    )
    user.__dict__.pop("assignment_list", None)
    audit.record(
        actor=by,
        action="accounts.assign_role",
        object_type="accounts.user",
        object_id=user.pk,
        unit_path=unit.path,
        after={"role": role, "unit": unit.code},
    )
    return assignment


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(*, user: User, clock: Clock = now) -> str:
    """A new bearer token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        digest=_digest(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 5],
        expires_at=clock() + timedelta(days=settings.PHAODAI_API_TOKEN_DAYS),
    )
    audit.record(actor=user, action="accounts.issue_token", object_type="accounts.user", object_id=user.pk)
    return raw


def user_for_token(raw: str, *, clock: Clock = now) -> User | None:
    """The active user a live token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    moment = clock()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, expires_at__gt=moment, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: a busy integration should not write on every call.
    if token.last_used_at is None or moment - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user


@transaction.atomic
def revoke_token(*, raw: str, clock: Clock = now) -> bool:
    live = ApiToken.objects.filter(digest=_digest(raw), revoked_at__isnull=True)
    return bool(live.update(revoked_at=clock()))
