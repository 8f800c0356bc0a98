"""Writes of the community app: campaigns and commitments, party members' households, community COVID
teams with their roster and visits, special housing with its plan and checklist (S35, S36).

Ward work needs Perm.MANAGE_COMMUNITY over the row's ward (403 without it anywhere, 404 logged outside
it). A party member (Perm.VISIT_HOUSEHOLDS, or any official given households) acts only on the
households assigned to them; a team member with a linked login logs visits in the team's area. Every
write runs in one transaction with its audit entry and can be retried: what already exists the same way
is returned with `created` False.
"""

from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.community import checklists, rules
from phaodai.community.models import (
    Assignment,
    Campaign,
    CheckItem,
    Commitment,
    Duty,
    Housing,
    Team,
    TeamMember,
    Visit,
)
from phaodai.core import audit
from phaodai.core.clock import FIRST_YEAR, LAST_YEAR, Clock, local_date, now, plausible
from phaodai.core.errors import Conflict, Duplicate, InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import covers, log_out_of_scope, paths_of, require_within
from phaodai.core.text import nfc, search_key

MANAGE = Perm.MANAGE_COMMUNITY
VISIT = Perm.VISIT_HOUSEHOLDS
NOTE_LIMIT = 500
PLAN_LIMIT = 5000
MAX_RESIDENTS = 100_000


class HousingChanged(Conflict):
    code = "housing_changed"
    message = gettext_lazy("Someone changed this plan first; reload it and try again.")


class KeyReused(Conflict):
    code = "idempotency_key_reused"
    message = gettext_lazy("This request key was already used for another visit; send a new one.")


class AlreadyOnDuty(Conflict):
    code = "already_on_duty"
    message = gettext_lazy("This person is already on duty with another team that day.")


# Cleaning -----------------------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    cleaned = " ".join(nfc(str(value or "")).split())
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    if not cleaned.isprintable():
        raise InvalidInput(_("Remove the control characters from this field."), field=field)
    return cleaned


def _long_text(value: Any, field: str, *, limit: int) -> str:
    cleaned = nfc(str(value or "")).replace("\r\n", "\n").strip()
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    if any(not (ch.isprintable() or ch in "\n\t") for ch in cleaned):
        raise InvalidInput(_("Remove the control characters from this field."), field=field)
    return cleaned


def _phone(value: Any, field: str, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if not text and not required:
        return ""
    try:
        return normalize_phone(text)
    except InvalidPhone as error:  # the same reading (and reasons) as every other app's phones
        raise InvalidInput(str(error.detail), field=field) from None


def _day(value: Any, field: str, *, required: bool = True) -> date | None:
    if value in (None, "") and not required:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(_("Give a date."), field=field)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:  # a typing mistake (and weeks around year 1 overflow)
        raise _implausible(field)
    return value


def _implausible(field: str) -> InvalidInput:
    return InvalidInput(
        _("Give a day between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR},
        field=field,
    )


def _manage(by: Any, path: str, object_type: str, object_id: Any) -> None:
    require_within(by, MANAGE, path=path, object_type=object_type, object_id=object_id)


def _household_state(household: Any) -> dict[str, Any]:
    return {"household": household.pk, "area": household.area_id}


# Campaigns and commitments ------------------------------------------------------------------------


CAMPAIGN_TYPE = "community.campaign"
COMMITMENT_TYPE = "community.commitment"


def create_campaign(
    *, by: Any, unit: Any, code: Any, name_vi: Any, name_en: Any, starts_on: Any, clock: Clock = now
) -> tuple[Campaign, bool]:
    """Open a commitment campaign over a unit's households; the same campaign again is returned."""
    if unit is None:
        raise InvalidInput(_("Choose the unit running the campaign."), field="unit")
    _manage(by, unit.path, "territory.unit", unit.code)
    clean_code = str(code or "").strip().lower()
    if not clean_code or len(clean_code) > 32 or not all(ch.isalnum() or ch == "-" for ch in clean_code):
        raise InvalidInput(_("A campaign code has up to 32 letters, digits and dashes."), field="code")
    fields = {
        "name_vi": _text(name_vi, "name_vi", limit=200),
        "name_en": _text(name_en, "name_en", limit=200, required=False),
        "starts_on": _day(starts_on, "starts_on"),
        "unit_id": unit.pk,
        "unit_path": unit.path,
    }
    fields["name_en"] = fields["name_en"] or fields["name_vi"]
    found = Campaign.objects.filter(code=clean_code).first()
    if found is not None:
        if all(getattr(found, name) == value for name, value in fields.items()):
            return found, False
        raise Duplicate(_("Another campaign already has this code."), field="code")
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(code=clean_code, created_by=by, **fields)
            audit.record(
                actor=by,
                action="community.campaign_created",
                object_type=CAMPAIGN_TYPE,
                object_id=campaign.pk,
                unit_path=campaign.unit_path,
                after={"code": campaign.code, "starts_on": str(campaign.starts_on)},
                clock=clock,
            )
    except IntegrityError:
        return create_campaign(
            by=by, unit=unit, code=code, name_vi=name_vi, name_en=name_en, starts_on=starts_on, clock=clock
        )
    return campaign, True


def is_assigned(user: Any, household: Any) -> bool:
    return Assignment.objects.filter(member_id=user.pk, household_id=household.pk).exists()


def _require_household_actor(by: Any, household: Any) -> None:
    """The ward (MANAGE_COMMUNITY over it), or the party member the household is assigned to."""
    if covers(by, household.path, MANAGE):
        return
    if getattr(by, "is_authenticated", False) and covers(by, household.path) and is_assigned(by, household):
        return
    if not paths_of(by, MANAGE) and not paths_of(by, VISIT) and not _is_team_user(by):
        raise NotPermitted()
    log_out_of_scope(by, "territory.household", household.pk, household.path)
    raise OutOfScope()


def sign_commitment(
    *,
    by: Any,
    campaign: Campaign,
    household: Any,
    signer: Any = None,
    signer_name: Any = "",
    signed_on: Any = None,
    clock: Clock = now,
) -> tuple[Commitment, bool]:
    """Record that a household signed; a second signing answers with the first (created False)."""
    _require_household_actor(by, household)
    if not household.path.startswith(campaign.unit_path):
        raise InvalidInput(_("This household is outside the campaign's unit."), field="household")
    existing = Commitment.objects.filter(campaign=campaign, household_id=household.pk).first()
    if existing is not None:
        return existing, False
    today = local_date(clock())
    day = _day(signed_on if signed_on not in (None, "") else today, "signed_on")
    assert day is not None
    if day > today:
        raise InvalidInput(_("The signing date cannot be in the future."), field="signed_on")
    if day < campaign.starts_on:
        raise InvalidInput(_("The signing date is before the campaign started."), field="signed_on")
    if signer is not None:
        if signer.household_id != household.pk:
            raise InvalidInput(_("The person who signed must be a member of this household."), field="signer")
        name = signer.full_name
    else:
        name = _text(signer_name, "signer_name", limit=150)
    try:
        with transaction.atomic():
            row = Commitment.objects.create(
                campaign=campaign,
                household_id=household.pk,
                area_id=household.area_id,
                unit_path=household.path,
                signer=signer,
                signer_name=name,
                signed_on=day,
                recorded_by=by,
                recorded_at=clock(),
            )
            audit.record(
                actor=by,
                action="community.commitment_signed",
                object_type=COMMITMENT_TYPE,
                object_id=row.pk,
                unit_path=row.unit_path,
                after={
                    **_household_state(household),
                    "campaign": campaign.code,
                    "signed_on": str(day),
                    "signer": str(signer.pk) if signer is not None else "",
                },
                clock=clock,
            )
    except IntegrityError:
        # Two officers recording the same household at once: the first one stands.
        return Commitment.objects.get(campaign=campaign, household_id=household.pk), False
    return row, True


# Party members' households ------------------------------------------------------------------------


ASSIGNMENT_TYPE = "community.assignment"


def may_be_assigned(member: Any, path: str) -> bool:
    """Party members (Perm.VISIT_HOUSEHOLDS) and any official whose unit covers the household's ward."""
    return bool(member is not None and getattr(member, "is_active", False) and covers(member, path))


def assign_households(*, by: Any, member: Any, households: list[Any], clock: Clock = now) -> int:
    """Give households to a party member (moving them from another member); the count changed."""
    if not households:
        raise InvalidInput(_("Choose at least one household."), field="households")
    for household in households:
        _manage(by, household.path, "territory.household", household.pk)
    for household in households:
        if not may_be_assigned(member, household.path):
            raise InvalidInput(
                _("This member has no role in the household's ward: give them a role there first."),
                field="member",
            )
    try:
        return _assign(by, member, households, clock)
    except IntegrityError:
        # Another officer gave one of these households to someone at the same moment: their row now
        # exists, so a second pass moves it (the later assignment stands) instead of failing.
        return _assign(by, member, households, clock)


def _assign(by: Any, member: Any, households: list[Any], clock: Clock) -> int:
    changed = 0
    with transaction.atomic():
        current = {
            row.household_id: row
            for row in Assignment.objects.select_for_update().filter(
                household_id__in=[h.pk for h in households]
            )
        }
        for household in households:
            row = current.get(household.pk)
            if row is not None and row.member_id == member.pk:
                continue
            before = {"member": row.member_id} if row is not None else None
            if row is None:
                row = Assignment.objects.create(
                    household_id=household.pk,
                    area_id=household.area_id,
                    unit_path=household.path,
                    member=member,
                    assigned_by=by,
                    assigned_at=clock(),
                )
            else:
                row.member, row.assigned_by, row.assigned_at = member, by, clock()
                row.save(update_fields=["member", "assigned_by", "assigned_at", "updated_at"])
            audit.record(
                actor=by,
                action="community.household_assigned",
                object_type=ASSIGNMENT_TYPE,
                object_id=row.pk,
                unit_path=row.unit_path,
                before=before,
                after={**_household_state(household), "member": member.pk},
                clock=clock,
            )
            changed += 1
    return changed


def unassign_household(*, by: Any, household: Any, clock: Clock = now) -> bool:
    """The ward takes a household back from its party member; False when nobody had it."""
    _manage(by, household.path, "territory.household", household.pk)
    with transaction.atomic():
        row = Assignment.objects.select_for_update().filter(household_id=household.pk).first()
        if row is None:
            return False
        audit.record(
            actor=by,
            action="community.household_unassigned",
            object_type=ASSIGNMENT_TYPE,
            object_id=row.pk,
            unit_path=row.unit_path,
            before={"member": row.member_id},
            clock=clock,
        )
        row.delete()
    return True


# Teams, roster, visits ----------------------------------------------------------------------------


TEAM_TYPE = "community.team"
MEMBER_TYPE = "community.team_member"
DUTY_TYPE = "community.duty"
VISIT_TYPE = "community.visit"


def _is_team_user(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and TeamMember.objects.filter(user_id=user.pk).exists()
    )


def create_team(*, by: Any, area: Any, name: Any = "", clock: Clock = now) -> tuple[Team, bool]:
    """The area's community COVID team (one per area); asking again returns it."""
    if area is None:
        raise InvalidInput(_("Choose the residential area."), field="area")
    _manage(by, area.path, "territory.area", area.pk)
    found = Team.objects.filter(area_id=area.pk).first()
    if found is not None:
        return found, False
    clean = _text(name, "name", limit=150, required=False) or f"Tổ Covid cộng đồng {area.name}"
    try:
        with transaction.atomic():
            team = Team.objects.create(area_id=area.pk, unit_path=area.path, name=clean, created_by=by)
            audit.record(
                actor=by,
                action="community.team_created",
                object_type=TEAM_TYPE,
                object_id=team.pk,
                unit_path=team.unit_path,
                after={"area": area.pk, "name": clean},
                clock=clock,
            )
    except IntegrityError:
        return Team.objects.get(area_id=area.pk), False
    return team, True


def add_team_member(
    *, by: Any, team: Team, full_name: Any, phone: Any, role: Any, user: Any = None, clock: Clock = now
) -> tuple[TeamMember, bool]:
    """A member of the team, known by phone within it; the same member again is returned."""
    _manage(by, team.unit_path, TEAM_TYPE, team.pk)
    if role not in TeamMember.Role.values:
        raise InvalidInput(_("Choose leader, deputy or member."), field="role")
    name = _text(full_name, "full_name", limit=150)
    number = _phone(phone, "phone")
    if user is not None and not covers(user, team.unit_path):
        raise InvalidInput(_("This login has no role in the team's ward."), field="user")
    found = TeamMember.objects.filter(team=team, phone=number).first()
    if found is not None:
        if found.full_name == name and found.role == role and found.user_id == (user.pk if user else None):
            return found, False
        raise Duplicate(_("The team already has a member with this phone."), field="phone")
    if role == TeamMember.Role.LEADER and TeamMember.objects.filter(team=team, role=role).exists():
        raise Duplicate(_("The team already has a leader."), field="role")
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                team=team, full_name=name, phone=number, role=role, user=user, unit_path=team.unit_path
            )
            audit.record(
                actor=by,
                action="community.team_member_added",
                object_type=MEMBER_TYPE,
                object_id=member.pk,
                unit_path=member.unit_path,
                after={"team": team.pk, "role": role, "user": user.pk if user else None},
                clock=clock,
            )
    except IntegrityError:
        raise Duplicate(_("The team already has this member or a leader."), field="role") from None
    return member, True


def put_on_duty(*, by: Any, member: TeamMember, day: Any, clock: Clock = now) -> tuple[Duty, bool]:
    """Put a member on the team's duty for a day; nobody is on two teams' duty the same day."""
    team = member.team
    _manage(by, team.unit_path, TEAM_TYPE, team.pk)
    when = _day(day, "day")
    assert when is not None
    taken = Duty.objects.filter(phone=member.phone, day=when).select_related("team").first()
    if taken is not None:
        if taken.team_id == team.pk:
            return taken, False
        raise AlreadyOnDuty(field="member")
    try:
        with transaction.atomic():
            duty = Duty.objects.create(
                team=team,
                member=member,
                day=when,
                phone=member.phone,
                unit_path=team.unit_path,
                recorded_by=by,
            )
            audit.record(
                actor=by,
                action="community.duty_set",
                object_type=DUTY_TYPE,
                object_id=duty.pk,
                unit_path=duty.unit_path,
                after={"team": team.pk, "member": member.pk, "day": str(when)},
                clock=clock,
            )
    except IntegrityError:
        taken = Duty.objects.filter(phone=member.phone, day=when).first()
        if taken is not None and taken.team_id == team.pk:
            return taken, False
        raise AlreadyOnDuty(field="member") from None
    return duty, True


def remove_duty(*, by: Any, duty: Duty, clock: Clock = now) -> None:
    _manage(by, duty.unit_path, DUTY_TYPE, duty.pk)
    with transaction.atomic():
        audit.record(
            actor=by,
            action="community.duty_removed",
            object_type=DUTY_TYPE,
            object_id=duty.pk,
            unit_path=duty.unit_path,
            before={"member": duty.member_id, "day": str(duty.day)},
            clock=clock,
        )
        duty.delete()


def _visit_actor(by: Any, household: Any, team: Team | None) -> None:
    """The ward, the household's party member, or a team member (linked login) of the area's team."""
    # A linked login acts for the team only while it still holds a role over the team's ward.
    if (
        team is not None
        and covers(by, team.unit_path)
        and TeamMember.objects.filter(team=team, user_id=by.pk).exists()
    ):
        return
    _require_household_actor(by, household)


def log_visit(
    *,
    by: Any,
    household: Any,
    kind: Any,
    note: Any = "",
    visited_at: Any = None,
    team: Team | None = None,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Visit, bool]:
    """Log a visit or reminder; a retry with the same idempotency key answers with the first."""
    if team is not None and team.area_id != household.area_id:
        raise InvalidInput(_("This team works in another residential area."), field="team")
    _visit_actor(by, household, team)
    if idempotency_key:
        found = Visit.objects.filter(by=by, idempotency_key=idempotency_key).first()
        if found is not None:
            return _same_visit(found, household, kind), False
    if kind not in Visit.Kind.values:
        raise InvalidInput(_("Choose what the visit was for."), field="kind")
    moment = visited_at or clock()
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidInput(_("Give the date and time of the visit."), field="visited_at")
    if not plausible(moment):  # before comparing: year 1 in Hà Nội has no UTC equivalent (OverflowError)
        raise _implausible("visited_at")
    if moment > clock():
        raise InvalidInput(_("The visit cannot be in the future."), field="visited_at")
    text = _text(note, "note", limit=NOTE_LIMIT, required=kind == Visit.Kind.OTHER)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household_id=household.pk,
                area_id=household.area_id,
                unit_path=household.path,
                team=team,
                kind=kind,
                note=text,
                visited_at=moment,
                by=by,
                idempotency_key=idempotency_key,
            )
            audit.record(
                actor=by,
                action="community.visit_logged",
                object_type=VISIT_TYPE,
                object_id=visit.pk,
                unit_path=visit.unit_path,
                after={**_household_state(household), "kind": kind, "team": team.pk if team else None},
                clock=clock,
            )
    except IntegrityError:
        found = Visit.objects.get(by=by, idempotency_key=idempotency_key)
        return _same_visit(found, household, kind), False
    return visit, True


def _same_visit(found: Visit, household: Any, kind: Any) -> Visit:
    """The visit a retry answers with, only when the retry is the same visit (409 otherwise)."""
    if found.household_id != household.pk or found.kind != kind:
        raise KeyReused()
    return found


# Special housing ----------------------------------------------------------------------------------


HOUSING_TYPE = "community.housing"


def _plan_fields(
    *, plan: Any, responsible_name: Any, responsible_phone: Any, plan_starts_on: Any, plan_ends_on: Any
) -> dict[str, Any]:
    starts = _day(plan_starts_on, "plan_starts_on", required=False)
    ends = _day(plan_ends_on, "plan_ends_on", required=False)
    if not rules.dates_in_order(starts, ends):
        raise InvalidInput(_("The plan must end on or after the day it starts."), field="plan_ends_on")
    return {
        "plan": _long_text(plan, "plan", limit=PLAN_LIMIT),
        "responsible_name": _text(responsible_name, "responsible_name", limit=150, required=False),
        "responsible_phone": _phone(responsible_phone, "responsible_phone", required=False),
        "plan_starts_on": starts,
        "plan_ends_on": ends,
    }


def _residents(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "0").strip()
        parsed = rules.whole_number(text, len(str(MAX_RESIDENTS)))
        number = parsed if parsed is not None else -1
    if number < 0 or number > MAX_RESIDENTS:
        raise InvalidInput(_("Give the number of residents as a whole number."), field="residents")
    return number


def _housing_state(row: Housing) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "name": row.name,
        "area": row.area_id,
        "residents": row.residents,
        "responsible": bool(row.responsible_name),
        "plan_starts_on": str(row.plan_starts_on or ""),
        "plan_ends_on": str(row.plan_ends_on or ""),
        "plan_chars": len(row.plan),
    }


def register_housing(
    *,
    by: Any,
    area: Any,
    kind: Any,
    name: Any,
    address: Any,
    residents: Any = 0,
    plan: Any = "",
    responsible_name: Any = "",
    responsible_phone: Any = "",
    plan_starts_on: Any = None,
    plan_ends_on: Any = None,
    clock: Clock = now,
) -> tuple[Housing, bool]:
    """Flag a special housing on an area; the same name in the area again is returned unchanged."""
    if area is None:
        raise InvalidInput(_("Choose the residential area."), field="area")
    _manage(by, area.path, "territory.area", area.pk)
    if kind not in Housing.Kind.values:
        raise InvalidInput(_("Choose the kind of housing."), field="kind")
    clean = _text(name, "name", limit=150)
    key = search_key(clean)
    found = Housing.objects.filter(area_id=area.pk, name_key=key).first()
    if found is not None:
        return found, False
    fields = {
        "kind": kind,
        "name": clean,
        "name_key": key,
        "address": _text(address, "address", limit=255),
        "residents": _residents(residents),
        **_plan_fields(
            plan=plan,
            responsible_name=responsible_name,
            responsible_phone=responsible_phone,
            plan_starts_on=plan_starts_on,
            plan_ends_on=plan_ends_on,
        ),
    }
    try:
        with transaction.atomic():
            row = Housing.objects.create(area_id=area.pk, unit_path=area.path, created_by=by, **fields)
            audit.record(
                actor=by,
                action="community.housing_registered",
                object_type=HOUSING_TYPE,
                object_id=row.pk,
                unit_path=row.unit_path,
                after=_housing_state(row),
                clock=clock,
            )
    except IntegrityError:
        return Housing.objects.get(area_id=area.pk, name_key=key), False
    return row, True


def update_plan(
    *,
    by: Any,
    housing: Housing,
    version: Any,
    plan: Any,
    responsible_name: Any,
    responsible_phone: Any,
    plan_starts_on: Any,
    plan_ends_on: Any,
    clock: Clock = now,
) -> Housing:
    """Change the plan, compare-and-set on the version the officer saw (409 for the loser)."""
    _manage(by, housing.unit_path, HOUSING_TYPE, housing.pk)
    fields = _plan_fields(
        plan=plan,
        responsible_name=responsible_name,
        responsible_phone=responsible_phone,
        plan_starts_on=plan_starts_on,
        plan_ends_on=plan_ends_on,
    )
    with transaction.atomic():
        row = Housing.objects.select_for_update().get(pk=housing.pk)
        if version is not None and str(version) != str(row.version):
            raise HousingChanged()
        before = _housing_state(row)
        for name, value in fields.items():
            setattr(row, name, value)
        row.version += 1
        row.save()
        audit.record(
            actor=by,
            action="community.housing_plan_changed",
            object_type=HOUSING_TYPE,
            object_id=row.pk,
            unit_path=row.unit_path,
            before=before,
            after=_housing_state(row),
            clock=clock,
        )
    return row


def tick(*, by: Any, housing: Housing, key: Any, done: bool = True, clock: Clock = now) -> bool:
    """Tick (or untick) a checklist item; True when something changed (ticking twice changes nothing)."""
    _manage(by, housing.unit_path, HOUSING_TYPE, housing.pk)
    if key not in checklists.keys_of(housing.kind):
        raise InvalidInput(_("This item is not on the housing's checklist."), field="key")
    with transaction.atomic():
        Housing.objects.select_for_update().filter(pk=housing.pk).first()
        row = CheckItem.objects.filter(housing=housing, key=key).first()
        if done == (row is not None):
            return False
        if done:
            row = CheckItem.objects.create(housing=housing, key=key, ticked_by=by, ticked_at=clock())
        else:
            assert row is not None
            row.delete()
        audit.record(
            actor=by,
            action="community.housing_ticked" if done else "community.housing_unticked",
            object_type=HOUSING_TYPE,
            object_id=housing.pk,
            unit_path=housing.unit_path,
            after={"key": key, "done": done},
            clock=clock,
        )
    return True
