"""Shift rosters with named staff (S22: "rõ người, rõ việc, tránh chồng chéo" — no one in two places).

A person is a `StaffMember`: a phaodai user, or someone of the police, army, health or youth union
named with their organisation and mobile number (the number tells people apart). Assigning a person
locks their row first, then looks for an overlapping post at any checkpoint: two managers putting the
same person on two checkpoints at once are serialised on that row, and the second is refused with
the first's checkpoint and times. (An exclusion constraint over (staff, tstzrange) would need the
btree_gist extension, which a locked-down production role may not create; the row lock works on both
databases without it.)
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phaodai.accounts import selectors as accounts
from phaodai.accounts.roles import Role
from phaodai.checkpoints import rules
from phaodai.checkpoints.access import require_manager
from phaodai.checkpoints.errors import (
    CheckpointClosed,
    NotEligibleStaff,
    ShiftOutsidePeriod,
    ShiftStarted,
    StaffClash,
)
from phaodai.checkpoints.models import Checkpoint, Shift, ShiftStaff, StaffMember
from phaodai.checkpoints.selectors import CHECKPOINT_TYPE, SHIFT_TYPE, staff_clashes, week_bounds
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible, to_local
from phaodai.core.errors import InvalidInput
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.text import nfc, search_key

MAX_STAFF_PER_SHIFT = 30


@dataclass(frozen=True)
class StaffRef:
    """Who stands a shift: a phaodai user, or a named person with organisation and mobile number."""

    user: Any = None
    full_name: str = ""
    organisation: str = ""
    phone: str = ""


@dataclass
class CopyResult:
    """What copying a week did: shifts and posts made, and each person or shift left out, with why."""

    shifts: int = 0
    posts: int = 0
    skipped: list[str] = field(default_factory=list)


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")


def _times(starts_at: Any, ends_at: Any) -> tuple[datetime, datetime]:
    for moment, name in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if moment is None:
            raise InvalidInput(_("This field is required."), field=name)
        if not isinstance(moment, datetime) or timezone.is_naive(moment) or not plausible(moment):
            raise InvalidInput(_("Give a date and time in Hà Nội time."), field=name)
    if ends_at <= starts_at:
        raise InvalidInput(_("The shift must end after it starts."), field="ends_at")
    if ends_at - starts_at > rules.LONGEST_SHIFT:
        raise InvalidInput(_("A shift lasts at most 24 hours."), field="ends_at")
    return starts_at, ends_at


def _in_operation(checkpoint: Checkpoint, start: datetime, end: datetime) -> None:
    if checkpoint.status == Checkpoint.Status.CLOSED:
        raise CheckpointClosed(field="starts_at")
    until = checkpoint.active_until
    if until is not None and (start < checkpoint.active_from or end > until):
        raise ShiftOutsidePeriod(
            _("%(name)s operates from %(start)s to %(end)s; the shift lies outside that period.")
            % {"name": checkpoint.name, "start": _local(checkpoint.active_from), "end": _local(until)},
            field="starts_at",
        )
    if start < checkpoint.active_from:
        raise ShiftOutsidePeriod(
            _("%(name)s operates from %(start)s; the shift starts before that.")
            % {"name": checkpoint.name, "start": _local(checkpoint.active_from)},
            field="starts_at",
        )


def _user_member(user: Any, checkpoint: Checkpoint, organisation: str) -> StaffMember:
    role_paths = [assignment.unit.path for assignment in accounts.assignments_of(user)]
    district = (
        checkpoint.unit.parent.path if checkpoint.unit.level == "ward" and checkpoint.unit.parent else ""
    )
    if not user.is_active or not rules.may_staff(
        role_paths, [checkpoint.unit_path, checkpoint.other_side_path], district
    ):
        raise NotEligibleStaff(
            _("%(user)s has no role at %(unit)s.")
            % {"user": user.username, "unit": checkpoint.unit.full_name},
            field="users",
        )
    police = Role.CHECKPOINT_OFFICER in user.roles()
    member, _created = StaffMember.objects.get_or_create(
        person_key=f"u{user.pk}",
        defaults={
            "user": user,
            "full_name": nfc(user.get_full_name()) or user.username,
            "organisation": organisation
            or (StaffMember.Organisation.POLICE if police else StaffMember.Organisation.OTHER),
        },
    )
    return member


def _named_member(ref: StaffRef) -> StaffMember:
    name = nfc(ref.full_name or "")
    if not name:
        raise InvalidInput(_("Give the person's full name."), field="full_name")
    if len(name) > 120:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": 120}, field="full_name")
    if ref.organisation not in StaffMember.Organisation.values:
        raise InvalidInput(_("Choose the person's organisation."), field="organisation")
    try:
        phone = normalize_phone(ref.phone)
    except InvalidPhone as error:
        raise InvalidPhone(error.detail, field="phone") from None
    member, created = StaffMember.objects.get_or_create(
        person_key=f"p{phone}", defaults={"full_name": name, "organisation": ref.organisation, "phone": phone}
    )
    if not created and search_key(member.full_name) != search_key(name):
        raise InvalidInput(
            _("This mobile number is already on the rosters as %(name)s; one number is one person.")
            % {"name": member.full_name},
            field="phone",
        )
    return member


def _members(refs: Sequence[StaffRef], checkpoint: Checkpoint) -> list[StaffMember]:
    if not refs:
        raise InvalidInput(_("Name at least one person for the shift."), field="users")
    if len(refs) > MAX_STAFF_PER_SHIFT:
        raise InvalidInput(
            _("A shift has at most %(limit)s people.") % {"limit": MAX_STAFF_PER_SHIFT}, field="users"
        )
    members: dict[int, StaffMember] = {}
    for ref in refs:
        if ref.user is not None:
            member = _user_member(ref.user, checkpoint, ref.organisation)
        else:
            member = _named_member(ref)
        members[member.pk] = member
    return list(members.values())


def _lock(members: Sequence[StaffMember]) -> None:
    # In id order, so two managers locking the same people never wait on each other in a cycle.
    list(StaffMember.objects.select_for_update().filter(pk__in=[m.pk for m in members]).order_by("pk"))


def _clash_error(member: StaffMember, post: ShiftStaff) -> StaffClash:
    other = post.shift.checkpoint
    return StaffClash(
        _("%(name)s is already on shift at %(checkpoint)s from %(start)s to %(end)s.")
        % {
            "name": member.full_name,
            "checkpoint": other.name,
            "start": _local(post.starts_at),
            "end": _local(post.ends_at),
        },
        field="users",
    )


def _post(shift: Shift, members: Sequence[StaffMember]) -> list[ShiftStaff]:
    """Put the (locked) members on the shift; refused whole at the first clash. Already there: kept."""
    present = set(ShiftStaff.objects.filter(shift=shift).values_list("staff_id", flat=True))
    fresh = [m for m in members if m.pk not in present]
    for member in fresh:
        clash = staff_clashes(member, shift.starts_at, shift.ends_at, except_shift=shift)
        if clash is not None:
            raise _clash_error(member, clash)
    return ShiftStaff.objects.bulk_create(
        [ShiftStaff(shift=shift, staff=m, starts_at=shift.starts_at, ends_at=shift.ends_at) for m in fresh]
    )


def add_shift(
    *,
    by: Any,
    checkpoint: Checkpoint,
    starts_at: Any,
    ends_at: Any,
    staff: Sequence[StaffRef],
    clock: Clock = now,
) -> Shift:
    """Put people on a shift at the checkpoint (the same times again add people to that shift).

    Refused whole, naming the other checkpoint and its times, if anyone already has an overlapping shift.
    """
    require_manager(by, checkpoint)
    start, end = _times(starts_at, ends_at)
    _in_operation(checkpoint, start, end)
    with transaction.atomic():
        members = _members(staff, checkpoint)
        _lock(members)
        shift, _created = Shift.objects.get_or_create(
            checkpoint=checkpoint, starts_at=start, ends_at=end, defaults={"unit_path": checkpoint.unit_path}
        )
        posted = _post(shift, members)
        if not _created and not posted:
            return shift  # the same shift and people again (a retry): nothing changed, nothing to record
        audit.record(
            actor=by,
            action="checkpoints.add_shift",
            object_type=SHIFT_TYPE,
            object_id=shift.pk,
            unit_path=checkpoint.unit_path,
            after={
                "starts_at": start.isoformat(),
                "ends_at": end.isoformat(),
                "staff": sorted(p.staff_id for p in posted),
            },
            clock=clock,
        )
    return shift


def add_to_shift(*, by: Any, shift: Shift, staff: Sequence[StaffRef], clock: Clock = now) -> Shift:
    """Add people to an existing shift; refused whole at the first clash."""
    return add_shift(
        by=by,
        checkpoint=shift.checkpoint,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        staff=staff,
        clock=clock,
    )


def remove_shift(*, by: Any, shift: Shift, clock: Clock = now) -> None:
    """Remove a shift that has not started (a started one is the record); removing twice is a no-op."""
    require_manager(by, shift.checkpoint)
    with transaction.atomic():
        current = Shift.objects.select_for_update().filter(pk=shift.pk).first()
        if current is None:
            return
        if current.starts_at <= clock():
            raise ShiftStarted()
        staff = sorted(ShiftStaff.objects.filter(shift=current).values_list("staff_id", flat=True))
        audit.record(
            actor=by,
            action="checkpoints.remove_shift",
            object_type=SHIFT_TYPE,
            object_id=current.pk,
            unit_path=current.unit_path,
            before={
                "starts_at": current.starts_at.isoformat(),
                "ends_at": current.ends_at.isoformat(),
                "staff": staff,
            },
            clock=clock,
        )
        current.delete()


def copy_previous_week(*, by: Any, checkpoint: Checkpoint, monday: date, clock: Clock = now) -> CopyResult:
    """Copy the week before `monday` into its week, 7 days later: shifts that have not started yet, each
    with the people free then. Running it again adds nothing; each person or shift left out is listed."""
    require_manager(by, checkpoint)
    monday = rules.week_start(monday)
    start, end = week_bounds(monday - timedelta(days=7))
    moment = clock()
    result = CopyResult()
    previous = (
        Shift.objects.filter(checkpoint=checkpoint, starts_at__gte=start, starts_at__lt=end)
        .prefetch_related("staff__staff__user")
        .order_by("starts_at", "ends_at")
    )
    with transaction.atomic():
        for old in previous:
            new_start, new_end = old.starts_at + rules.WEEK, old.ends_at + rules.WEEK
            when = _local(new_start)
            if new_start <= moment:
                result.skipped.append(_("%(when)s: already started, not copied.") % {"when": when})
                continue
            try:
                _in_operation(checkpoint, new_start, new_end)
            except (CheckpointClosed, ShiftOutsidePeriod) as refusal:
                result.skipped.append(f"{when}: {refusal.detail}")
                continue
            members = [post.staff for post in old.staff.all()]
            _lock(members)
            shift = Shift.objects.filter(checkpoint=checkpoint, starts_at=new_start, ends_at=new_end).first()
            free: list[StaffMember] = []
            for member in members:
                if shift is not None and ShiftStaff.objects.filter(shift=shift, staff=member).exists():
                    continue
                if member.user is not None and not _still_eligible(member.user, checkpoint):
                    result.skipped.append(
                        _("%(when)s: %(name)s no longer has a role here.")
                        % {"when": when, "name": member.full_name}
                    )
                    continue
                clash = staff_clashes(member, new_start, new_end, except_shift=shift)
                if clash is not None:
                    result.skipped.append(f"{when}: {_clash_error(member, clash).detail}")
                    continue
                free.append(member)
            if not free:
                continue
            if shift is None:
                shift = Shift.objects.create(
                    checkpoint=checkpoint,
                    unit_path=checkpoint.unit_path,
                    starts_at=new_start,
                    ends_at=new_end,
                )
                result.shifts += 1
            ShiftStaff.objects.bulk_create(
                [ShiftStaff(shift=shift, staff=m, starts_at=new_start, ends_at=new_end) for m in free]
            )
            result.posts += len(free)
        audit.record(
            actor=by,
            action="checkpoints.copy_week",
            object_type=CHECKPOINT_TYPE,
            object_id=checkpoint.pk,
            unit_path=checkpoint.unit_path,
            after={"week": monday.isoformat(), "shifts": result.shifts, "posts": result.posts},
            clock=clock,
        )
    return result


def _still_eligible(user: Any, checkpoint: Checkpoint) -> bool:
    try:
        _user_member(user, checkpoint, "")
    except NotEligibleStaff:
        return False
    return True
