"""Writes of the markets registry: markets and their status, household representatives, schemes.

Every write needs Perm.MANAGE_MARKETS over the ward (403 without it, 404 logged outside it), runs in
one transaction with its audit entry, and can be retried: creating what already exists the same way
returns it (`created` False), a state change is compare-and-set on the row's version.
"""

import re
import uuid
from datetime import date, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now
from phaodai.core.errors import Conflict, Duplicate, InvalidInput
from phaodai.core.jurisdiction import require_within
from phaodai.core.text import nfc, search_key
from phaodai.markets import rules
from phaodai.markets.errors import SchemeLocked
from phaodai.markets.models import Market, MarketPass, Representative, Scheme
from phaodai.passes import services as passes
from phaodai.passes.payload import PassType
from phaodai.people import selectors as people

MARKET_TYPE = "markets.market"
SCHEME_TYPE = "markets.scheme"
REPRESENTATIVE_TYPE = "markets.representative"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,15}$")
MAX_CAPACITY = 100_000
MAX_TOLERANCE = 120
NOTE_LIMIT = 300


class MarketChanged(Conflict):
    code = "market_changed"
    message = gettext_lazy("Someone changed this market first; reload it and try again.")


class SchemeChanged(Conflict):
    code = "scheme_changed"
    message = gettext_lazy("Someone changed this scheme first; reload it and try again.")


class SchemePrinted(Conflict):
    code = "scheme_printed"
    message = gettext_lazy(
        "Passes of this scheme are already printed: its days and hours can no longer change."
    )


# Cleaning ------------------------------------------------------------------------------------------


def _text(value: Any, field: str, *, limit: int, required: bool = True) -> str:
    cleaned = " ".join(nfc(str(value or "")).split())
    if required and not cleaned:
        raise InvalidInput(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(_("At most %(limit)s characters.") % {"limit": limit}, field=field)
    if not cleaned.isprintable():
        raise InvalidInput(_("Remove the control characters from this field."), field=field)
    return cleaned


def _capacity(value: Any) -> int:
    """How many may be inside at once: a whole number above zero (a market of zero capacity is bad input)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value or "").strip()
        number = int(text) if text.isdigit() else -1
    if number <= 0:
        raise InvalidInput(
            _("Give how many people may be inside at once: a whole number above zero."), field="capacity"
        )
    if number > MAX_CAPACITY:
        raise InvalidInput(_("At most %(limit)s people.") % {"limit": MAX_CAPACITY}, field="capacity")
    return number


def _hours(opens_at: Any, closes_at: Any) -> tuple[time, time]:
    for value, field in ((opens_at, "opens_at"), (closes_at, "closes_at")):
        if not isinstance(value, time):
            raise InvalidInput(_("Give a time of day as HH:MM."), field=field)
    if closes_at <= opens_at:
        raise InvalidInput(_("The market must close after it opens, on the same day."), field="closes_at")
    return opens_at.replace(tzinfo=None), closes_at.replace(tzinfo=None)


def _area_of(ward: Any, area: Any) -> Any:
    if area is not None and area.ward_id != ward.pk:
        raise InvalidInput(_("This residential area is not in the market's ward."), field="area")
    return area


def _require_ward(by: Any, ward: Any) -> None:
    if ward is None or getattr(ward, "level", "") != "ward":
        raise InvalidInput(_("Choose the ward of the market."), field="unit")
    require_within(by, Perm.MANAGE_MARKETS, path=ward.path, object_type="territory.unit", object_id=ward.code)


def _require_manager(by: Any, obj: Any, object_type: str) -> None:
    require_within(by, Perm.MANAGE_MARKETS, path=obj.unit_path, object_type=object_type, object_id=obj.pk)


# Markets -------------------------------------------------------------------------------------------


def market_state(market: Market) -> dict[str, Any]:
    return {
        "code": market.code,
        "name": market.name,
        "kind": market.kind,
        "area": market.area_id,
        "address": market.address,
        "hours": [market.opens_at.strftime("%H:%M"), market.closes_at.strftime("%H:%M")],
        "capacity": market.capacity,
        "status": market.status,
        "unit": market.unit_path,
    }


def _market_fields(
    *, ward: Any, name: Any, kind: Any, address: Any, opens_at: Any, closes_at: Any, capacity: Any, area: Any
) -> dict[str, Any]:
    if kind not in Market.Kind.values:
        raise InvalidInput(_("Choose the kind of market."), field="kind")
    clean_name = _text(name, "name", limit=150)
    opens, closes = _hours(opens_at, closes_at)
    return {
        "name": clean_name,
        "name_key": search_key(clean_name),
        "kind": kind,
        "address": _text(address, "address", limit=255),
        "opens_at": opens,
        "closes_at": closes,
        "capacity": _capacity(capacity),
        "area": _area_of(ward, area),
    }


def _clean_code(code: Any) -> str:
    text = str(code or "").strip().upper()
    if text and not CODE_PATTERN.match(text):
        raise InvalidInput(
            _("A market code has 3 to 16 capital letters, digits and dashes, e.g. CHO-00139-01."),
            field="code",
        )
    return text


def _next_code(ward: Any) -> str:
    """CHO-<ward code>-<nn>: one more than the highest number the ward's markets carry."""
    prefix = f"CHO-{ward.code}-"
    taken = Market.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _same_market(ward: Any, fields: dict[str, Any], code: str) -> Market | None:
    """A retry: the ward's market of that name, if everything else matches; another market → Duplicate."""
    found = Market.objects.filter(unit=ward, name_key=fields["name_key"]).first()
    if found is None:
        if code and Market.objects.filter(code=code).exists():
            raise Duplicate(_("Another market already has this code."), field="code")
        return None
    same = all(getattr(found, name) == value for name, value in fields.items()) and code in ("", found.code)
    if not same:
        raise Duplicate(_("The ward already has a market of this name."), field="name")
    return found


def create_market(
    *,
    by: Any,
    unit: Any,
    name: Any,
    kind: Any,
    address: Any,
    opens_at: Any,
    closes_at: Any,
    capacity: Any,
    area: Any = None,
    code: Any = "",
    clock: Clock = now,
) -> tuple[Market, bool]:
    """Register a market of a ward; (market, False) when this same market was already registered."""
    _require_ward(by, unit)
    fields = _market_fields(
        ward=unit, name=name, kind=kind, address=address, opens_at=opens_at, closes_at=closes_at,
        capacity=capacity, area=area,
    )  # fmt: skip
    given = _clean_code(code)
    found = _same_market(unit, fields, given)
    if found is not None:
        return found, False
    for _attempt in range(3):  # two officers numbering at once: the unique code picks, the other renumbers
        try:
            with transaction.atomic():
                market = Market.objects.create(
                    unit=unit, unit_path=unit.path, code=given or _next_code(unit), **fields
                )
                audit.record(
                    actor=by, action="markets.market_created", object_type=MARKET_TYPE, object_id=market.pk,
                    unit_path=market.unit_path, after=market_state(market), clock=clock,
                )  # fmt: skip
            return market, True
        except IntegrityError:
            found = _same_market(unit, fields, given)
            if found is not None:
                return found, False
            if given:
                raise Duplicate(_("Another market already has this code."), field="code") from None
    raise MarketChanged()


def _compare_and_set(obj: Any, version: Any, changes: dict[str, Any], error: type[Conflict], at: Any) -> Any:
    """Change the row only if it is still at the version the user saw; the loser gets `error` (409)."""
    model = type(obj)
    if version is not None and str(version) != str(obj.version):
        raise error(field="version")
    updated = model.objects.filter(pk=obj.pk, version=obj.version).update(
        **changes, version=F("version") + 1, updated_at=at
    )
    if not updated:
        raise error(field="version")
    return model.objects.select_related("unit").get(pk=obj.pk)


def edit_market(
    *,
    by: Any,
    market: Market,
    version: Any,
    name: Any,
    kind: Any,
    address: Any,
    opens_at: Any,
    closes_at: Any,
    capacity: Any,
    area: Any = None,
    clock: Clock = now,
) -> Market:
    """Change a market's facts (not its code or ward); compare-and-set on `version`."""
    _require_manager(by, market, MARKET_TYPE)
    fields = _market_fields(
        ward=market.unit, name=name, kind=kind, address=address, opens_at=opens_at, closes_at=closes_at,
        capacity=capacity, area=area,
    )  # fmt: skip
    clash = Market.objects.filter(unit_id=market.unit_id, name_key=fields["name_key"]).exclude(pk=market.pk)
    if clash.exists():
        raise Duplicate(_("The ward already has a market of this name."), field="name")
    before = market_state(market)
    try:
        with transaction.atomic():
            changed = _compare_and_set(market, version, fields, MarketChanged, clock())
            audit.record(
                actor=by, action="markets.market_edited", object_type=MARKET_TYPE, object_id=market.pk,
                unit_path=market.unit_path, before=before, after=market_state(changed), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        raise Duplicate(_("The ward already has a market of this name."), field="name") from None
    return changed


def set_market_status(
    *, by: Any, market: Market, status: Any, note: Any = "", version: Any = None, clock: Clock = now
) -> Market:
    """Open a market, or close it by the regime in force or by an order (with a note saying which)."""
    _require_manager(by, market, MARKET_TYPE)
    if status not in Market.Status.values:
        raise InvalidInput(_("Choose the market's status."), field="status")
    note_text = _text(note, "status_note", limit=NOTE_LIMIT, required=status == Market.Status.CLOSED_BY_ORDER)
    if market.status == status and market.status_note == note_text:
        return market  # a retry of the same change
    before = market_state(market)
    with transaction.atomic():
        changed = _compare_and_set(
            market, version, {"status": status, "status_note": note_text}, MarketChanged, clock()
        )
        audit.record(
            actor=by, action="markets.market_status", object_type=MARKET_TYPE, object_id=market.pk,
            unit_path=market.unit_path, before=before, after=market_state(changed), clock=clock,
        )  # fmt: skip
    return changed


# Representatives -----------------------------------------------------------------------------------


def designate_representative(
    *, by: Any, household: Any, person_id: Any, clock: Clock = now
) -> tuple[Representative, bool]:
    """Name the one person of a household who goes to market; (row, False) when nothing changed.

    The person must live in that household (read through the people registry, within the user's
    reach). Changing the representative is audited with the previous one's id.
    """
    require_within(
        by,
        Perm.MANAGE_MARKETS,
        path=household.path,
        object_type="territory.household",
        object_id=household.pk,
    )
    member = _uuid_or_none(person_id)
    members = people.persons_visible_to(by).filter(household_id=household.pk)
    person = members.filter(pk=member).first() if member is not None else None
    if person is None:
        raise InvalidInput(_("Choose a member of this household."), field="person")
    with transaction.atomic():
        current = Representative.objects.select_for_update().filter(household_id=household.pk).first()
        if current is not None and current.person_id == person.pk:
            return current, False
        before = {"person": str(current.person_id)} if current is not None else None
        if current is None:
            try:
                with transaction.atomic():
                    current = Representative.objects.create(
                        household_id=household.pk, person=person, unit_path=household.path, designated_by=by
                    )
            except IntegrityError:  # designated at the same moment by someone else: theirs stands
                raise Conflict() from None
        else:
            current.person = person
            current.designated_by = by
            current.save(update_fields=["person", "designated_by", "updated_at"])
        audit.record(
            actor=by, action="markets.representative_designated", object_type=REPRESENTATIVE_TYPE,
            object_id=current.pk, unit_path=household.path, before=before,
            after={"household": household.pk, "person": str(person.pk)}, clock=clock,
        )  # fmt: skip
    return current, True


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# Schemes -------------------------------------------------------------------------------------------


def scheme_state(scheme: Scheme) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "period": [scheme.starts_on, scheme.ends_on],
        "pattern": scheme.pattern,
        "slot_minutes": scheme.slot_minutes,
        "market_choice": scheme.market_choice,
        "single_use": scheme.single_use,
        "tolerance_minutes": scheme.tolerance_minutes,
        "status": scheme.status,
        "unit": scheme.unit_path,
    }


def _scheme_fields(
    *,
    name: Any,
    starts_on: Any,
    ends_on: Any,
    pattern: Any,
    slot_minutes: Any,
    market_choice: Any,
    single_use: Any,
    tolerance_minutes: Any,
) -> dict[str, Any]:
    for value, field in ((starts_on, "starts_on"), (ends_on, "ends_on")):
        if not isinstance(value, date):
            raise InvalidInput(_("Give a date as dd/mm/yyyy."), field=field)
    for value, field in ((slot_minutes, "slot_minutes"), (tolerance_minutes, "tolerance_minutes")):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(_("Give a whole number of minutes."), field=field)
    if not 0 <= tolerance_minutes <= MAX_TOLERANCE:
        raise InvalidInput(
            _("The tolerance at the gate is 0 to %(limit)s minutes.") % {"limit": MAX_TOLERANCE},
            field="tolerance_minutes",
        )
    try:
        rules.make_scheme(
            starts_on=starts_on, ends_on=ends_on, pattern=pattern, slot_minutes=slot_minutes,
            market_choice=str(market_choice),
        )  # fmt: skip
    except rules.SchemeError as error:
        raise InvalidInput(
            _("This scheme cannot be used: %(reason)s.") % {"reason": error.reason}, field=error.field
        ) from None
    return {
        "name": _text(name, "name", limit=150),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "pattern": dict(pattern),
        "slot_minutes": slot_minutes,
        "market_choice": market_choice,
        "single_use": bool(single_use),
        "tolerance_minutes": tolerance_minutes,
    }


class SchemesOverlap(Conflict):
    code = "schemes_overlap"
    message = gettext_lazy("The ward already has a scheme for some of these days.")


def _refuse_overlap(unit: Any, fields: dict[str, Any], other_than: int | None = None) -> None:
    """One scheme in force per ward and day: two would each fill every market-hour to capacity."""
    overlapping = Scheme.objects.filter(
        unit=unit, starts_on__lte=fields["ends_on"], ends_on__gte=fields["starts_on"]
    ).exclude(status=Scheme.Status.WITHDRAWN)
    if other_than is not None:
        overlapping = overlapping.exclude(pk=other_than)
    clash = overlapping.exclude(name=fields["name"], starts_on=fields["starts_on"]).first()
    if clash is not None:
        raise SchemesOverlap(
            _("“%(name)s” already covers %(start)s–%(end)s in this ward: withdraw it or choose other dates.")
            % {
                "name": clash.name,
                "start": clash.starts_on.strftime("%d/%m/%Y"),
                "end": clash.ends_on.strftime("%d/%m/%Y"),
            },
            field="starts_on",
        )


def create_scheme(
    *,
    by: Any,
    unit: Any,
    name: Any,
    starts_on: Any,
    ends_on: Any,
    pattern: Any,
    slot_minutes: Any = 60,
    market_choice: Any = Scheme.MarketChoice.NEAREST,
    single_use: Any = True,
    tolerance_minutes: Any = 15,
    clock: Clock = now,
) -> tuple[Scheme, bool]:
    """A ward's scheme for a period, as a draft; (scheme, False) when this same one exists already."""
    _require_ward(by, unit)
    fields = _scheme_fields(
        name=name, starts_on=starts_on, ends_on=ends_on, pattern=pattern, slot_minutes=slot_minutes,
        market_choice=market_choice, single_use=single_use, tolerance_minutes=tolerance_minutes,
    )  # fmt: skip
    try:
        with transaction.atomic():
            _refuse_overlap(unit, fields)
            scheme = Scheme.objects.create(unit=unit, unit_path=unit.path, created_by=by, **fields)
            audit.record(
                actor=by, action="markets.scheme_created", object_type=SCHEME_TYPE, object_id=scheme.pk,
                unit_path=unit.path, after=scheme_state(scheme), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        found = Scheme.objects.filter(unit=unit, name=fields["name"], starts_on=fields["starts_on"]).first()
        if found is None:
            raise
        if any(getattr(found, key) != value for key, value in fields.items()):
            raise Duplicate(
                _("The ward already has a scheme of this name starting that day."), field="name"
            ) from None
        return found, False
    return scheme, True


def edit_scheme(*, by: Any, scheme: Scheme, version: Any, clock: Clock = now, **values: Any) -> Scheme:
    """Change a scheme not withdrawn and with nothing printed yet (printed passes fix its days and hours)."""
    _require_manager(by, scheme, SCHEME_TYPE)
    if scheme.status == Scheme.Status.WITHDRAWN:
        raise SchemeLocked()
    fields = _scheme_fields(**values)
    before = scheme_state(scheme)
    try:
        with transaction.atomic():
            locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
            if MarketPass.objects.filter(scheme=scheme, printed_at__isnull=False).exists():
                raise SchemePrinted()
            _refuse_overlap(locked.unit, fields, other_than=scheme.pk)
            # The passes of an earlier allocation follow the old days and hours: allocate again.
            MarketPass.objects.filter(scheme=scheme).delete()
            fields = {**fields, "status": Scheme.Status.DRAFT}
            changed = _compare_and_set(scheme, version, fields, SchemeChanged, clock())
            audit.record(
                actor=by, action="markets.scheme_edited", object_type=SCHEME_TYPE, object_id=scheme.pk,
                unit_path=scheme.unit_path, before=before, after=scheme_state(changed), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        raise Duplicate(
            _("The ward already has a scheme of this name starting that day."), field="name"
        ) from None
    return changed


def withdraw_scheme(*, by: Any, scheme: Scheme, version: Any = None, clock: Clock = now) -> Scheme:
    """Withdraw a scheme: its passes are revoked (the gate refuses them); a second withdrawal is a no-op."""
    _require_manager(by, scheme, SCHEME_TYPE)
    if scheme.status == Scheme.Status.WITHDRAWN:
        return scheme
    at = clock()
    before = scheme_state(scheme)
    with transaction.atomic():
        changed = _compare_and_set(scheme, version, {"status": Scheme.Status.WITHDRAWN}, SchemeChanged, at)
        standing = MarketPass.objects.filter(scheme=scheme, revoked_at__isnull=True)
        # Printed passes are out there as signed codes: offline gates learn them from the bundle's list.
        printed = list(standing.filter(printed_at__isnull=False).values_list("pass_id", "slot_end"))
        grace = timedelta(minutes=scheme.tolerance_minutes)  # a code is accepted until slot end + this
        revoked = standing.update(revoked_at=at)
        passes.revoke_passes(
            by=by,
            passes=[(pass_id, PassType.MARKET, end + grace) for pass_id, end in printed],
            clock=clock,
        )
        audit.record(
            actor=by, action="markets.scheme_withdrawn", object_type=SCHEME_TYPE, object_id=scheme.pk,
            unit_path=scheme.unit_path, before=before, after={**scheme_state(changed), "revoked": revoked},
            clock=clock,
        )  # fmt: skip
    return changed
