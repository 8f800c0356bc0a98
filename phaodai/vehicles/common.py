"""What the vehicle registrations share: who may register, cleaning input, state changes, audit, signing."""

from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, plausible
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of
from phaodai.core.text import nfc
from phaodai.vehicles import rules
from phaodai.vehicles.errors import (
    AlreadyEnded,
    BadPeriod,
    InvalidPlate,
    NotAwaitingDecision,
    RegistrationChanged,
)
from phaodai.vehicles.models import Status

R = TypeVar("R", bound=Any)
MAX_VALIDITY = timedelta(days=90)  # a signed pass lives at most 90 days (passes.selectors)
NOTE_LIMIT = 300


def object_type(registration: Any) -> str:
    return registration._meta.label_lower


def require_registrar(by: Any, unit: Any) -> None:
    """403 without MANAGE_CHECKPOINTS; 404 (logged) for a unit outside the user's units."""
    if not paths_of(by, Perm.MANAGE_CHECKPOINTS):
        raise NotPermitted()
    if unit is None or not covers(by, unit.path, Perm.MANAGE_CHECKPOINTS):
        if unit is not None:
            log_out_of_scope(by, "territory.unit", unit.code, unit.path)
        raise OutOfScope()


def require_manager_of(by: Any, registration: Any) -> None:
    """Approve, reject and revoke: MANAGE_CHECKPOINTS over the issuing unit; else 403 or 404 (logged)."""
    if not paths_of(by, Perm.MANAGE_CHECKPOINTS):
        raise NotPermitted()
    if not covers(by, registration.unit_path, Perm.MANAGE_CHECKPOINTS):
        log_out_of_scope(by, object_type(registration), registration.pk, registration.unit_path)
        raise OutOfScope()


def text(value: Any, field: str, *, required: bool = True, limit: int = 120) -> str:
    cleaned = " ".join(nfc(str(value or "")).split())
    problem = rules.text_problem(cleaned, required=required, limit=limit)
    if problem == "required":
        raise InvalidInput(_("This field is required."), field=field)
    if problem == "too_long":
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    if not cleaned.isprintable():
        raise InvalidInput(_("Remove the control characters from this field."), field=field)
    return cleaned


def plate(value: Any, field: str = "plate") -> str:
    key = rules.normal_plate(str(value or "")) if isinstance(value, str) else ""
    if not key:
        raise InvalidPlate(field=field)
    return key


def period(valid_from: Any, valid_to: Any, at: datetime, *, longest: timedelta = MAX_VALIDITY) -> None:
    for value, field in ((valid_from, "valid_from"), (valid_to, "valid_to")):
        if not isinstance(value, datetime) or timezone.is_naive(value) or not plausible(value):
            raise InvalidInput(_("Give a date and time in Hà Nội time."), field=field)
    if valid_to <= valid_from:
        raise BadPeriod(_("The validity must end after it starts."), field="valid_to")
    if valid_to <= at:
        raise BadPeriod(_("The validity must end in the future."), field="valid_to")
    if valid_to - valid_from > longest:
        raise BadPeriod(
            _("The validity lasts at most %(days)s days.") % {"days": longest.days}, field="valid_to"
        )


def note(value: Any) -> str:
    return text(value, "note", required=False, limit=NOTE_LIMIT)


def transition(
    *,
    by: Any,
    registration: R,
    version: Any,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    state: Any,
    changes: dict[str, Any] | None = None,
    clock: Clock,
    note_text: str = "",
) -> R:
    """Compare-and-set: the change happens once, from `allowed_from` at `version`; the rest get 409."""
    model = type(registration)
    at = clock()
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=registration.pk)
        if current.status not in allowed_from:
            raise NotAwaitingDecision() if tuple(allowed_from) == (Status.SUBMITTED,) else AlreadyEnded()
        if version is not None and str(version) != str(current.version):
            raise RegistrationChanged(field="version")
        before = state(current)
        fields = {
            "status": to,
            "version": current.version + 1,
            "decided_at": at,
            "decided_by": by,
            "decision_note": note_text,
            **(changes or {}),
        }
        updated = model.objects.filter(pk=current.pk, version=current.version, status=current.status).update(
            **fields, updated_at=at
        )
        if not updated:
            raise RegistrationChanged(field="version")
        current.refresh_from_db()
        audit.record(
            actor=by,
            action=action,
            object_type=object_type(current),
            object_id=current.pk,
            unit_path=current.unit_path,
            before=before,
            after=state(current),
            clock=clock,
        )
    return current
