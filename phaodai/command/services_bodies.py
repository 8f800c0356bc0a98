"""Writes about committees, members, duty shifts, hotlines and commendations (S8, S12, S14).

Each write checks MANAGE_COMMAND over the unit first (403 without it anywhere, 404 with the attempt
logged outside the actor's units), then validates, writes and audits in one transaction. Phone
numbers never reach the audit log.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.command import rules
from phaodai.command.models import Commendation, Committee, Document, DutyShift, Hotline, Member
from phaodai.core import audit
from phaodai.core.clock import Clock, local_date, now, plausible, to_local
from phaodai.core.errors import Conflict, Duplicate, InvalidInput
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import require_within
from phaodai.core.locks import key_of, serialise
from phaodai.core.text import nfc, search_key

__all__ = [
    "CommitteeExists",
    "DutyClash",
    "HotlineChanges",
    "HotlineNumberTaken",
    "MemberChanges",
    "add_duty_shift",
    "add_hotline",
    "add_member",
    "body_name",
    "clean_hotline_number",
    "create_committee",
    "delete_hotline",
    "dissolve_committee",
    "edit_hotline",
    "edit_member",
    "record_commendation",
    "remove_member",
    "set_commendation_published",
]

COMMITTEE, MEMBER, SHIFT, HOTLINE, COMMENDATION = (
    "command.committee",
    "command.member",
    "command.dutyshift",
    "command.hotline",
    "command.commendation",
)
LONGEST_SHIFT = timedelta(days=7)
TEXT_MAX = 2000
# What each body is called in its founding decision (S8).
BODY_TITLES = {
    Committee.Kind.STEERING: "Ban Chỉ đạo phòng, chống dịch",
    Committee.Kind.COMMAND_CENTER: "Sở Chỉ huy phòng, chống dịch",
}
_DUTY_LOCK = 0x6475  # "du": serialises shift checks per unit on PostgreSQL


class CommitteeExists(Duplicate):
    code = "committee_exists"
    message = gettext_lazy("This unit already has a standing body of this kind; dissolve it first.")


class DutyClash(Conflict):
    code = "duty_clash"
    message = gettext_lazy("This person is already on another duty shift of the unit at that time.")


class HotlineNumberTaken(Duplicate):
    code = "hotline_number_taken"
    message = gettext_lazy("This unit already lists this number.")


# Shared checks -----------------------------------------------------------------------------------


def _manage(by: Any, path: str, object_type: str, object_id: Any) -> None:
    # Before the write transaction, so a logged out-of-scope attempt is kept.
    require_within(by, Perm.MANAGE_COMMAND, path=path, object_type=object_type, object_id=object_id)


def _text(value: Any, field: str, *, required: bool = True, limit: int = 300) -> str:
    text = nfc(str(value or ""))
    if required and not text:
        raise InvalidInput(_("This field is required."), field=field)
    if len(text) > limit:
        raise InvalidInput(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text


def _past_date(value: date | None, field: str, clock: Clock, *, required: bool = True) -> date | None:
    if value is None:
        if required:
            raise InvalidInput(_("This field is required."), field=field)
        return None
    if not 1900 <= value.year <= 2200:
        raise InvalidInput(_("The date is not plausible."), field=field)
    if value > local_date(clock()):
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    return value


def _mobile(raw: Any, field: str = "phone") -> str:
    """A member's mobile number in its national form, or "" when none is given."""
    if raw is None or not str(raw).strip():
        return ""
    try:
        return normalize_phone(raw)
    except InvalidPhone as error:
        raise InvalidPhone(error.detail, field=field, **error.params) from None


def clean_hotline_number(raw: Any, field: str = "number") -> str:
    """The digits of a hotline or duty-desk number: a landline, mobile, short or 1800/1900 number."""
    number = rules.read_number(str(raw or ""))
    if not number.digits:
        raise InvalidInput(_("The number is missing."), field=field)
    if number.problem == rules.NOT_DIGITS:
        raise InvalidInput(
            _("A phone number has digits only (spaces, dots, dashes and brackets are fine)."), field=field
        )
    if number.problem == rules.BAD_LENGTH and number.digits.startswith(rules.SERVICE_PREFIXES):
        raise InvalidInput(_("A 1800 or 1900 number has 8 or 10 digits."), field=field)
    if number.problem == rules.BAD_LENGTH:
        raise InvalidInput(
            _("A landline number has 11 digits: 0, the area code (24 for Hà Nội) and 8 digits."), field=field
        )
    if number.problem == rules.BAD_PREFIX:
        raise InvalidInput(
            _("A number starts with 0 (or +84), or is a short number starting with 1 (such as 1022)."),
            field=field,
        )
    if number.kind == rules.MOBILE:
        return _mobile(number.digits, field)
    return number.digits


def _local(moment: datetime) -> str:
    return to_local(moment).strftime("%d/%m/%Y %H:%M")


# Committees --------------------------------------------------------------------------------------


def body_name(kind: str, unit: Any) -> str:
    """The usual name: "Ban Chỉ đạo phòng, chống dịch phường Bồ Đề"."""
    where = unit.full_name[:1].lower() + unit.full_name[1:]
    return f"{BODY_TITLES[Committee.Kind(kind)]} {where}"


def _founding_document(unit: Any, document: Document | None) -> Document | None:
    # The decision is registered by the unit itself or a unit above it.
    if document is not None and not unit.path.startswith(document.unit_path):
        raise InvalidInput(
            _("The founding decision must be registered by this unit or a unit above it."), field="decision"
        )
    return document


def create_committee(
    *,
    by: Any,
    unit: Any,
    kind: str,
    established_on: date | None,
    decision_number: str = "",
    decision_date: date | None = None,
    decision: Document | None = None,
    name: str = "",
    clock: Clock = now,
) -> Committee:
    """Record a unit's steering committee or command center; at most one of each kind stands at a time."""
    _manage(by, unit.path, "territory.unit", unit.code)
    if kind not in Committee.Kind.values:
        raise InvalidInput(_("Choose a steering committee or a command center."), field="kind")
    document = _founding_document(unit, decision)
    number = _text(
        decision_number or (document.number if document else ""), "decision_number", required=False, limit=40
    )
    decided = _past_date(decision_date or (document.issued_on if document else None), "decision_date", clock,
                         required=False)  # fmt: skip
    established = _past_date(established_on, "established_on", clock)
    assert established is not None
    if decided is not None and established < decided:
        raise InvalidInput(
            _("A body cannot be established before the decision that founds it (%(date)s).")
            % {"date": decided.strftime("%d/%m/%Y")},
            field="established_on",
        )
    title = _text(name, "name", required=False) or body_name(kind, unit)
    with transaction.atomic():
        if Committee.objects.filter(unit=unit, kind=kind, dissolved_on__isnull=True).exists():
            raise CommitteeExists(field="kind")
        try:
            with transaction.atomic():
                committee = Committee.objects.create(
                    unit=unit,
                    unit_path=unit.path,
                    kind=kind,
                    name=title,
                    decision_number=number,
                    decision_date=decided,
                    decision=document,
                    established_on=established,
                )
        except IntegrityError:  # a concurrent request recorded it first
            raise CommitteeExists(field="kind") from None
        audit.record(
            actor=by,
            action="command.create_committee",
            object_type=COMMITTEE,
            object_id=committee.pk,
            unit_path=unit.path,
            after={"kind": kind, "established_on": established.isoformat(), "decision": number},
            clock=clock,
        )
    return committee


def dissolve_committee(*, by: Any, committee: Committee, on: date, clock: Clock = now) -> Committee:
    """Record that a body was dissolved, so a new one of its kind may be set up."""
    _manage(by, committee.unit_path, COMMITTEE, committee.pk)
    day = _past_date(on, "dissolved_on", clock)
    assert day is not None
    if day < committee.established_on:
        raise InvalidInput(_("A body cannot be dissolved before it was established."), field="dissolved_on")
    with transaction.atomic():
        updated = Committee.objects.filter(pk=committee.pk, dissolved_on__isnull=True).update(
            dissolved_on=day, updated_at=timezone.now()
        )
        if not updated:
            raise Conflict(_("This body was already dissolved."))
        audit.record(
            actor=by,
            action="command.dissolve_committee",
            object_type=COMMITTEE,
            object_id=committee.pk,
            unit_path=committee.unit_path,
            after={"dissolved_on": day.isoformat()},
            clock=clock,
        )
    committee.refresh_from_db()
    return committee


# Members -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberChanges:
    """A member's fields as a form or API body gives them (all of them: edits replace)."""

    full_name: str
    title: str
    position: str
    phone: str = ""
    user: Any = None
    order: int | None = None


def _member_fields(committee: Committee, changes: MemberChanges) -> dict[str, Any]:
    if changes.position not in Member.Position.values or not rules.position_allowed(
        committee.kind, changes.position
    ):
        allowed = ", ".join(str(Member.Position(p).label) for p in sorted(rules.POSITIONS_OF[committee.kind]))
        raise InvalidInput(
            _("This position does not exist in a %(kind)s; choose one of: %(allowed)s.")
            % {"kind": Committee.Kind(committee.kind).label, "allowed": allowed},
            field="position",
        )
    if changes.order is not None and not 0 <= changes.order <= 10000:
        raise InvalidInput(_("The order is a number from 0 to 10000."), field="order")
    return {
        "full_name": _text(changes.full_name, "full_name", limit=120),
        "title": _text(changes.title, "title", limit=200),
        "position": changes.position,
        "phone": _mobile(changes.phone),
        "user": changes.user,
    }


def _audited_member(member: Member) -> dict[str, Any]:
    return {"position": member.position, "has_phone": bool(member.phone), "user": member.user_id}


def add_member(*, by: Any, committee: Committee, changes: MemberChanges, clock: Clock = now) -> Member:
    """Seat someone on a body; a second head or chief is recorded (the completeness check warns)."""
    _manage(by, committee.unit_path, COMMITTEE, committee.pk)
    fields = _member_fields(committee, changes)
    with transaction.atomic():
        order = changes.order
        if order is None:
            order = (committee.members.count() + 1) * 10
        member = Member.objects.create(committee=committee, order=order, **fields)
        audit.record(
            actor=by,
            action="command.add_member",
            object_type=MEMBER,
            object_id=member.pk,
            unit_path=committee.unit_path,
            after=_audited_member(member),
            clock=clock,
        )
    return member


def edit_member(*, by: Any, member: Member, changes: MemberChanges, clock: Clock = now) -> Member:
    committee = member.committee
    _manage(by, committee.unit_path, MEMBER, member.pk)
    fields = _member_fields(committee, changes)
    if changes.order is not None:
        fields["order"] = changes.order
    with transaction.atomic():
        before = _audited_member(member)
        for name, value in fields.items():
            setattr(member, name, value)
        member.save()
        audit.record(
            actor=by,
            action="command.edit_member",
            object_type=MEMBER,
            object_id=member.pk,
            unit_path=committee.unit_path,
            before=before,
            after=_audited_member(member),
            clock=clock,
        )
    return member


def remove_member(*, by: Any, member: Member, clock: Clock = now) -> Member:
    """Take someone off a body (kept, inactive: past duty shifts still name them); again is a no-op."""
    _manage(by, member.committee.unit_path, MEMBER, member.pk)
    with transaction.atomic():
        if Member.objects.filter(pk=member.pk, active=True).update(active=False, updated_at=timezone.now()):
            audit.record(
                actor=by,
                action="command.remove_member",
                object_type=MEMBER,
                object_id=member.pk,
                unit_path=member.committee.unit_path,
                clock=clock,
            )
    member.refresh_from_db()
    return member


# Duty --------------------------------------------------------------------------------------------


def _shift_times(starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    for moment, field in ((starts_at, "starts_at"), (ends_at, "ends_at")):
        if moment is None:
            raise InvalidInput(_("This field is required."), field=field)
        if timezone.is_naive(moment) or not plausible(moment):
            raise InvalidInput(_("Give a date and time in Hà Nội time."), field=field)
    assert starts_at is not None and ends_at is not None
    if ends_at <= starts_at:
        raise InvalidInput(_("The shift must end after it starts."), field="ends_at")
    if ends_at - starts_at > LONGEST_SHIFT:
        raise InvalidInput(_("A duty shift lasts at most 7 days."), field="ends_at")
    return starts_at, ends_at


def _lock_roster(unit: Any) -> None:
    # Two shifts of one person added at once must not both pass the overlap check.
    serialise(_DUTY_LOCK, key_of(unit.pk))


def add_duty_shift(
    *,
    by: Any,
    unit: Any,
    starts_at: datetime | None,
    ends_at: datetime | None,
    full_name: str = "",
    phone: str = "",
    member: Member | None = None,
    clock: Clock = now,
) -> DutyShift:
    """Put someone on duty for the unit; refused, naming the clashing shift, if they are already on duty."""
    _manage(by, unit.path, "territory.unit", unit.code)
    if member is not None and (member.committee.unit_id != unit.pk or not member.active):
        raise InvalidInput(_("Choose an active member of this unit's bodies."), field="member")
    name = _text(full_name or (member.full_name if member else ""), "full_name", limit=120)
    given = phone or (member.phone if member else "")
    number = clean_hotline_number(given, "phone") if given else ""
    start, end = _shift_times(starts_at, ends_at)
    # A chosen member is one person whatever the name typed; a typed name is matched unaccented.
    key = f"m{member.pk}" if member is not None else search_key(name)[:130]
    with transaction.atomic():
        _lock_roster(unit)
        nearby = DutyShift.objects.filter(
            unit=unit, person_key=key, starts_at__lt=end, ends_at__gt=start
        ).values_list("pk", "starts_at", "ends_at")
        found = rules.clash(
            rules.Shift(0, key, start, end), [rules.Shift(pk, key, s, e) for pk, s, e in nearby]
        )
        if found is not None:
            raise DutyClash(
                _("%(name)s is already on duty from %(start)s to %(end)s (shift no. %(ref)s).")
                % {
                    "name": name,
                    "start": _local(found.starts_at),
                    "end": _local(found.ends_at),
                    "ref": found.ref,
                },
                field="starts_at",
            )
        shift = DutyShift.objects.create(
            unit=unit,
            unit_path=unit.path,
            member=member,
            full_name=name,
            person_key=key,
            phone=number,
            starts_at=start,
            ends_at=end,
        )
        audit.record(
            actor=by,
            action="command.add_duty_shift",
            object_type=SHIFT,
            object_id=shift.pk,
            unit_path=unit.path,
            after={"starts_at": start.isoformat(), "ends_at": end.isoformat(), "member": shift.member_id},
            clock=clock,
        )
    return shift


# Hotlines ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotlineChanges:
    label: str
    number: str
    label_en: str = ""
    always_open: bool = True
    hours: str = ""
    published: bool = True
    order: int | None = None


def _hotline_fields(changes: HotlineChanges) -> dict[str, Any]:
    hours = _text(changes.hours, "hours", required=False, limit=100)
    if not changes.always_open and not hours:
        raise InvalidInput(_("Say when the line is staffed, or mark it 24/7."), field="hours")
    if changes.order is not None and not 0 <= changes.order <= 10000:
        raise InvalidInput(_("The order is a number from 0 to 10000."), field="order")
    return {
        "label": _text(changes.label, "label", limit=150),
        "label_en": _text(changes.label_en, "label_en", required=False, limit=150),
        "number": clean_hotline_number(changes.number),
        "always_open": changes.always_open,
        "hours": "" if changes.always_open else hours,
        "published": changes.published,
    }


def _save_hotline(hotline: Hotline) -> None:
    taken = Hotline.objects.filter(unit_id=hotline.unit_id, number=hotline.number).exclude(pk=hotline.pk)
    if taken.exists():
        raise HotlineNumberTaken(field="number")
    try:
        with transaction.atomic():
            hotline.save()
    except IntegrityError:
        raise HotlineNumberTaken(field="number") from None


def _audited_hotline(hotline: Hotline) -> dict[str, Any]:
    # The number is an office line, but it stays out of the log like every phone number.
    return {"published": hotline.published, "always_open": hotline.always_open, "order": hotline.order}


def add_hotline(*, by: Any, unit: Any, changes: HotlineChanges, clock: Clock = now) -> Hotline:
    _manage(by, unit.path, "territory.unit", unit.code)
    fields = _hotline_fields(changes)
    with transaction.atomic():
        order = changes.order
        if order is None:
            order = (Hotline.objects.filter(unit=unit).count() + 1) * 10
        hotline = Hotline(unit=unit, unit_path=unit.path, order=order, **fields)
        _save_hotline(hotline)
        audit.record(
            actor=by,
            action="command.add_hotline",
            object_type=HOTLINE,
            object_id=hotline.pk,
            unit_path=unit.path,
            after=_audited_hotline(hotline),
            clock=clock,
        )
    return hotline


def edit_hotline(*, by: Any, hotline: Hotline, changes: HotlineChanges, clock: Clock = now) -> Hotline:
    _manage(by, hotline.unit_path, HOTLINE, hotline.pk)
    fields = _hotline_fields(changes)
    if changes.order is not None:
        fields["order"] = changes.order
    with transaction.atomic():
        before = _audited_hotline(hotline)
        for name, value in fields.items():
            setattr(hotline, name, value)
        _save_hotline(hotline)
        audit.record(
            actor=by,
            action="command.edit_hotline",
            object_type=HOTLINE,
            object_id=hotline.pk,
            unit_path=hotline.unit_path,
            before=before,
            after=_audited_hotline(hotline),
            clock=clock,
        )
    return hotline


def delete_hotline(*, by: Any, hotline: Hotline, clock: Clock = now) -> None:
    _manage(by, hotline.unit_path, HOTLINE, hotline.pk)
    with transaction.atomic():
        audit.record(
            actor=by,
            action="command.delete_hotline",
            object_type=HOTLINE,
            object_id=hotline.pk,
            unit_path=hotline.unit_path,
            before=_audited_hotline(hotline),
            clock=clock,
        )
        Hotline.objects.filter(pk=hotline.pk).delete()


# Commendations -----------------------------------------------------------------------------------


def record_commendation(
    *,
    by: Any,
    unit: Any,
    recipient_kind: str,
    recipient: str,
    reason: str,
    decision_number: str,
    decision_date: date | None,
    award: str = "",
    published: bool = False,
    clock: Clock = now,
) -> Commendation:
    """Register a commended collective, individual or model (S14); unpublished unless asked."""
    _manage(by, unit.path, "territory.unit", unit.code)
    if recipient_kind not in Commendation.RecipientKind.values:
        raise InvalidInput(_("Choose a collective, an individual or a model."), field="recipient_kind")
    decided = _past_date(decision_date, "decision_date", clock)
    assert decided is not None
    fields = {
        "recipient": _text(recipient, "recipient"),
        "reason": _text(reason, "reason", limit=TEXT_MAX),
        "decision_number": _text(decision_number, "decision_number", limit=40),
        "award": _text(award, "award", required=False, limit=200),
    }
    with transaction.atomic():
        duplicate = Commendation.objects.filter(
            unit=unit,
            decision_number=fields["decision_number"],
            decision_date=decided,
            recipient=fields["recipient"],
        )
        if duplicate.exists():
            raise Duplicate(_("This commendation is already registered."), field="recipient")
        try:
            with transaction.atomic():
                commendation = Commendation.objects.create(
                    unit=unit,
                    unit_path=unit.path,
                    recipient_kind=recipient_kind,
                    decision_date=decided,
                    published=published,
                    recorded_by=by,
                    **fields,
                )
        except IntegrityError:
            raise Duplicate(_("This commendation is already registered."), field="recipient") from None
        audit.record(
            actor=by,
            action="command.record_commendation",
            object_type=COMMENDATION,
            object_id=commendation.pk,
            unit_path=unit.path,
            after={"kind": recipient_kind, "decision": commendation.decision_number, "published": published},
            clock=clock,
        )
    return commendation


def set_commendation_published(
    *, by: Any, commendation: Commendation, published: bool, clock: Clock = now
) -> Commendation:
    """Show a commendation on the public pages, or take it off; setting the same state again is a no-op."""
    _manage(by, commendation.unit_path, COMMENDATION, commendation.pk)
    with transaction.atomic():
        changed = (
            Commendation.objects.filter(pk=commendation.pk)
            .exclude(published=published)
            .update(published=published, updated_at=timezone.now())
        )
        if changed:
            audit.record(
                actor=by,
                action="command.publish_commendation" if published else "command.unpublish_commendation",
                object_type=COMMENDATION,
                object_id=commendation.pk,
                unit_path=commendation.unit_path,
                after={"published": published},
                clock=clock,
            )
    commendation.refresh_from_db()
    return commendation
