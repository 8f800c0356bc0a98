"""Relief writes: donations, distributions, adjustments, low-stock thresholds and transfers (S34, S37).

Every write checks the actor's permission and unit before its transaction (403 without
`relief.manage`, 404 logged outside the unit), runs in one transaction, books its goods through
`ledger` (balance rows locked, never negative) and is audited. Money donations go into the unit's
fund (`money.spend` takes money out of it). Submissions carry an idempotency key:
a retry answers with the first record and books nothing again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext

from phaodai.accounts.roles import Perm
from phaodai.core import audit
from phaodai.core.clock import Clock, now, plausible
from phaodai.core.errors import InvalidInput, NotPermitted, OutOfScope
from phaodai.core.identity import InvalidPhone, normalize_phone
from phaodai.core.jurisdiction import common_path, covers, log_out_of_scope, paths_of, require_within
from phaodai.core.text import nfc
from phaodai.relief import rules
from phaodai.relief.errors import ReliefInvalid, StaleVersion, WrongStep
from phaodai.relief.ledger import book, locked_fund, locked_stocks, move_money, require_held
from phaodai.relief.models import Donation, Item, Movement, Stock, Transfer

PERM: Final = Perm.MANAGE_RELIEF
STOCK_LEVELS: Final = ("city", "district", "ward")
CLOCK_SKEW: Final = timedelta(minutes=10)


# Shared checks ------------------------------------------------------------------------------------


def require_relief(by: Any, unit: Any, object_type: str = "territory.unit", object_id: Any = None) -> None:
    """403 without the permission, 404 (logged) for a unit outside the actor's."""
    require_within(by, PERM, path=unit.path, object_type=object_type, object_id=object_id or unit.code)


def text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    cleaned = nfc(value).strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        raise ReliefInvalid(gettext("Enter text."), field=field)
    if required and not cleaned:
        raise ReliefInvalid(gettext("This field is required."), field=field)
    if len(cleaned) > limit:
        raise ReliefInvalid(
            gettext("At most %(limit)d characters (this has %(n)d).") % {"limit": limit, "n": len(cleaned)},
            field=field,
        )
    if not cleaned.isprintable():
        raise ReliefInvalid(gettext("Remove the control characters from this field."), field=field)
    return cleaned


def quantity_of(value: Any, field: str = "quantity") -> int:
    amount = rules.positive_whole(value)
    if amount is None:
        raise ReliefInvalid(gettext("Enter a whole number greater than zero."), field=field)
    return amount


def item_of(value: Any, field: str = "item") -> Item:
    if isinstance(value, Item):
        return value
    found = Item.objects.filter(code=str(value or "").strip()).first()
    if found is None:
        raise ReliefInvalid(gettext("Choose an item from the list."), field=field)
    return found


def stock_unit(unit: Any, field: str = "unit") -> Any:
    if unit is None or getattr(unit, "level", None) not in STOCK_LEVELS:
        raise ReliefInvalid(gettext("Choose a ward, a district or the city."), field=field)
    return unit


def _moment(value: Any, at: datetime, field: str) -> datetime:
    if value in (None, ""):
        return at
    if not isinstance(value, datetime) or value.tzinfo is None or not plausible(value):
        raise ReliefInvalid(gettext("Give a date and time in Hà Nội time."), field=field)
    if value > at + CLOCK_SKEW:
        raise ReliefInvalid(gettext("This cannot be in the future."), field=field)
    return value


def earlier_by_key(model: type[Model], key: str) -> Any:
    """The row an earlier attempt with this stored key wrote (donations, movements, spending), if any."""
    return model._default_manager.filter(idempotency_key=key).first() if key else None


def stored_key(by: Any, idempotency_key: str, action: str = "") -> str:
    """The stored key: the user's, and for movements the action's too (a distribution's key is not an
    adjustment's)."""
    key = str(idempotency_key or "").strip()
    scope = f"{action}:" if action else ""
    return f"u{by.pk}:{scope}{key}"[:80] if key else ""


# Donations ----------------------------------------------------------------------------------------


def donation_state(donation: Donation) -> dict[str, Any]:
    """What the audit digests (the donor's phone only as part of the digest)."""
    return {
        "unit": donation.unit_path, "kind": donation.kind, "anonymous": donation.anonymous,
        "donor": donation.donor_name, "phone": donation.donor_phone, "amount": donation.amount_vnd,
        "item": donation.item_id, "quantity": donation.quantity, "at": donation.received_at,
    }  # fmt: skip


def record_donation(
    *,
    by: Any,
    unit: Any,
    kind: str,
    amount_vnd: Any = None,
    item: Any = None,
    quantity: Any = None,
    donor_name: Any = "",
    donor_phone: Any = "",
    anonymous: bool = False,
    received_at: Any = None,
    note: Any = "",
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Donation, bool]:
    """Book a donation of money (whole đồng) or goods (into the unit's stock); a retry books once.

    A zero or negative amount or quantity is refused; a named donor needs a name (a phone is optional).
    """
    unit = stock_unit(unit)
    require_relief(by, unit)
    key = stored_key(by, idempotency_key)
    earlier = earlier_by_key(Donation, key)
    if earlier is not None:
        return earlier, False
    at = clock()
    if kind not in Donation.Kind.values:
        raise ReliefInvalid(gettext("Choose money or goods."), field="kind")
    name = "" if anonymous else text(donor_name, "donor_name", 200, required=True)
    phone = ""
    if not anonymous and isinstance(donor_phone, str) and donor_phone.strip():
        try:
            phone = normalize_phone(donor_phone)
        except InvalidPhone as error:
            raise ReliefInvalid(str(error.detail), field="donor_phone") from None
    amount = stuff = count = None
    if kind == Donation.Kind.MONEY:
        amount = rules.positive_whole(amount_vnd, rules.MAX_VND)
        if amount is None:
            raise ReliefInvalid(gettext("Enter an amount in đồng greater than zero."), field="amount_vnd")
    else:
        stuff = item_of(item)
        count = quantity_of(quantity)
    donation = Donation(
        unit=unit, unit_path=unit.path, kind=kind, anonymous=bool(anonymous), donor_name=name,
        donor_phone=phone, amount_vnd=amount, item=stuff, quantity=count,
        received_at=_moment(received_at, at, "received_at"), note=text(note, "note", 500),
        recorded_by=by, idempotency_key=key,
    )  # fmt: skip
    try:
        with transaction.atomic():
            donation.save(force_insert=True)
            if stuff is not None and count is not None:
                stock = locked_stocks([(unit, stuff)])[(unit.pk, stuff.pk)]
                book(stock, kind=Movement.Kind.DONATION_IN, quantity=count, by=by, at=at, donation=donation)
            elif amount is not None:
                move_money(locked_fund(unit), amount, at)  # the money goes into the unit's fund
            audit.record(
                actor=by, action="relief.donation_recorded", object_type="relief.donation",
                object_id=donation.pk, unit_path=unit.path, after=donation_state(donation), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        earlier = earlier_by_key(Donation, key)
        if earlier is None:
            raise
        return earlier, False
    return donation, True


# Distributions, adjustments, thresholds -----------------------------------------------------------


def distribute(
    *, by: Any, unit: Any, item: Any, quantity: Any, reason: Any = "", idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Movement, bool]:  # fmt: skip
    """Goods handed out from the unit's stock; more than held is refused with what is held.

    A retry with the same idempotency key answers with the first movement and books nothing."""
    unit = stock_unit(unit)
    require_relief(by, unit)
    key = stored_key(by, idempotency_key, "distribute")
    earlier = earlier_by_key(Movement, key)
    if earlier is not None:
        return earlier, False
    stuff, count = item_of(item), quantity_of(quantity)
    why = text(reason, "reason", 500, required=True)
    return _book_once(by, unit, stuff, Movement.Kind.DISTRIBUTION_OUT, -count, why, key, "relief.distributed",
                      clock)  # fmt: skip


def adjust(
    *,
    by: Any,
    unit: Any,
    item: Any,
    quantity: Any,
    reason: Any,
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Movement, bool]:
    """A correction after a count (spoilt, miscounted), signed, with its reason; never below zero.

    A retry with the same idempotency key answers with the first movement and books nothing."""
    unit = stock_unit(unit)
    require_relief(by, unit)
    key = stored_key(by, idempotency_key, "adjust")
    earlier = earlier_by_key(Movement, key)
    if earlier is not None:
        return earlier, False
    stuff = item_of(item)
    delta = rules.signed_whole(quantity)
    if delta is None:
        raise ReliefInvalid(
            gettext("Enter a whole number other than zero (negative to take out)."), field="quantity"
        )
    why = text(reason, "reason", 500, required=True)
    return _book_once(by, unit, stuff, Movement.Kind.ADJUSTMENT, delta, why, key, "relief.adjusted", clock)


def _book_once(
    by: Any, unit: Any, stuff: Item, kind: str, delta: int, why: str, key: str, action: str, clock: Clock
) -> tuple[Movement, bool]:
    """Book one movement keyed by `key`: a concurrent retry waits on the balance row's lock, then finds
    the first one (the unique key backs it: the loser's insert is rolled back and it answers the same)."""
    at = clock()
    try:
        with transaction.atomic():
            stock = locked_stocks([(unit, stuff)])[(unit.pk, stuff.pk)]
            earlier = earlier_by_key(Movement, key)
            if earlier is not None:
                return earlier, False
            movement = book(stock, kind=kind, quantity=delta, by=by, at=at, reason=why, idempotency_key=key)
            _audit_movement(by, movement, action, clock)
    except IntegrityError:
        earlier = earlier_by_key(Movement, key)
        if earlier is None:
            raise
        return earlier, False
    return movement, True


def _audit_movement(by: Any, movement: Movement, action: str, clock: Clock) -> None:
    audit.record(
        actor=by, action=action, object_type="relief.movement", object_id=movement.pk,
        unit_path=movement.unit_path,
        after={"item": movement.item_id, "quantity": movement.quantity, "reason": movement.reason},
        clock=clock,
    )  # fmt: skip


def set_threshold(*, by: Any, unit: Any, item: Any, threshold: Any, clock: Clock = now) -> Stock:
    """The low-stock alert level of one unit and item (0 turns the alert off)."""
    unit = stock_unit(unit)
    require_relief(by, unit)
    stuff = item_of(item)
    level = 0 if threshold in (0, "0") else rules.positive_whole(threshold)
    if level is None:
        raise ReliefInvalid(gettext("Enter a whole number, 0 for no alert."), field="threshold")
    with transaction.atomic():
        stock = locked_stocks([(unit, stuff)])[(unit.pk, stuff.pk)]
        if stock.low_threshold == level:
            return stock  # nothing changes: nothing to record
        before = {"threshold": stock.low_threshold}
        stock.low_threshold = level
        stock.save(update_fields=["low_threshold", "updated_at"])
        audit.record(
            actor=by, action="relief.threshold_set", object_type="relief.stock", object_id=stock.pk,
            unit_path=unit.path, before=before, after={"threshold": level}, clock=clock,
        )  # fmt: skip
    return stock


# Transfers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A transfer step: the status it leads to, who may take it (the path the actor must cover)."""

    to: str
    action: str


STEPS: Final[dict[str, Step]] = {
    "approve": Step(Transfer.Status.APPROVED, "relief.transfer_approved"),
    "reject": Step(Transfer.Status.REJECTED, "relief.transfer_rejected"),
    "cancel": Step(Transfer.Status.CANCELLED, "relief.transfer_cancelled"),
    "dispatch": Step(Transfer.Status.DISPATCHED, "relief.transfer_dispatched"),
    "receive": Step(Transfer.Status.RECEIVED, "relief.transfer_received"),
}


def transfer_state(transfer: Transfer) -> dict[str, Any]:
    return {
        "from": transfer.from_path, "to": transfer.to_path, "item": transfer.item_id,
        "quantity": transfer.quantity, "status": transfer.status, "proposer": transfer.proposer,
    }  # fmt: skip


def propose_transfer(
    *,
    by: Any,
    from_unit: Any,
    to_unit: Any,
    item: Any,
    quantity: Any,
    proposer: str,
    reason: Any = "",
    idempotency_key: str = "",
    clock: Clock = now,
) -> tuple[Transfer, bool]:
    """A transfer between two wards, proposed by the district or the Fatherland Front (recorded as
    `proposer`) through an officer acting over both wards; a retry with the same key proposes once."""
    for unit, field in ((from_unit, "from_unit"), (to_unit, "to_unit")):
        if unit is None or unit.level != "ward":
            raise ReliefInvalid(gettext("Choose a ward."), field=field)
    if from_unit.pk == to_unit.pk:
        raise ReliefInvalid(gettext("Choose two different wards."), field="to_unit")
    over = common_path([from_unit.path, to_unit.path])
    if not paths_of(by, PERM):
        raise NotPermitted()
    for unit in (from_unit, to_unit):
        if not covers(by, unit.path, PERM):
            log_out_of_scope(by, "territory.unit", unit.code, unit.path)
            raise OutOfScope()
    if not covers(by, over, PERM):
        raise NotPermitted(gettext("A transfer between wards is proposed by the district (or the city)."))
    key = stored_key(by, idempotency_key)
    earlier = earlier_by_key(Transfer, key)
    if earlier is not None:
        return earlier, False
    if proposer not in Transfer.Proposer.values:
        raise ReliefInvalid(gettext("Say who proposes the transfer."), field="proposer")
    stuff, count = item_of(item), quantity_of(quantity)
    require_held(from_unit, stuff, count)
    at = clock()
    transfer = Transfer(
        from_unit=from_unit, from_path=from_unit.path, to_unit=to_unit, to_path=to_unit.path,
        over_path=over, item=stuff, quantity=count, reason=text(reason, "reason", 500),
        proposer=proposer, proposed_by=by, proposed_at=at, idempotency_key=key,
    )  # fmt: skip
    try:
        with transaction.atomic():
            transfer.save(force_insert=True)
            audit.record(
                actor=by, action="relief.transfer_proposed", object_type="relief.transfer",
                object_id=transfer.pk, unit_path=over, after=transfer_state(transfer), clock=clock,
            )  # fmt: skip
    except IntegrityError:
        earlier = earlier_by_key(Transfer, key)
        if earlier is None:
            raise
        return earlier, False
    return transfer, True


def _step_path(transfer: Transfer, step: str) -> str:
    """Approve, reject: over both wards (the district); dispatch, cancel: the sender; receive: receiver."""
    if step in ("approve", "reject"):
        return transfer.over_path
    if step == "receive":
        return transfer.to_path
    if step == "cancel":
        return transfer.over_path if transfer.status == Transfer.Status.PROPOSED else transfer.from_path
    return transfer.from_path


def move_transfer(
    *, by: Any, transfer: Transfer, step: str, version: Any = None, note: Any = "", clock: Clock = now
) -> Transfer:
    """Take one step; of two officers at once, one wins and the other gets 409.

    Dispatch takes the goods out of the sender (refused when it holds less); receive books them in.
    """
    if step not in STEPS:
        raise ReliefInvalid(gettext("Choose a step."), field="step")
    if not paths_of(by, PERM):
        raise NotPermitted()
    seen = str(transfer.from_path), str(transfer.to_path)
    if not any(covers(by, path, PERM) for path in seen):
        log_out_of_scope(by, "relief.transfer", transfer.pk, transfer.over_path)
        raise OutOfScope()
    if not covers(by, _step_path(transfer, step), PERM):
        raise NotPermitted(gettext("Your unit does not take this step of the transfer."))
    expected = None if version in (None, "") else rules.version_number(version)
    if version not in (None, "") and expected is None:
        raise ReliefInvalid(gettext("Reload the page and try again."), field="version")
    remark = text(note, "note", 500)
    target = STEPS[step]
    at = clock()
    with transaction.atomic():
        current = Transfer.objects.select_for_update().select_related("item").get(pk=transfer.pk)
        if expected is not None and expected != current.version:
            raise StaleVersion(field="version")
        if not rules.can_move(rules.TRANSFER_NEXT, current.status, target.to):
            raise WrongStep(
                gettext("This transfer is %(status)s: it cannot be done now.")
                % {"status": current.get_status_display()},
                field="step",
            )
        before = transfer_state(current)
        if step == "dispatch":
            stock = locked_stocks([(current.from_unit, current.item)])[
                (current.from_unit_id, current.item_id)
            ]
            book(stock, kind=Movement.Kind.TRANSFER_OUT, quantity=-current.quantity, by=by, at=at,
                 transfer=current)  # fmt: skip
            current.dispatched_at = at
        elif step == "receive":
            stock = locked_stocks([(current.to_unit, current.item)])[(current.to_unit_id, current.item_id)]
            book(stock, kind=Movement.Kind.TRANSFER_IN, quantity=current.quantity, by=by, at=at,
                 transfer=current)  # fmt: skip
            current.received_at = at
        elif step in ("approve", "reject"):
            if step == "approve":
                require_held(current.from_unit, current.item, current.quantity)
            current.decided_by, current.decided_at = by, at
        current.status = target.to
        current.version += 1
        if remark:
            current.note = remark
        current.save()
        audit.record(
            actor=by, action=target.action, object_type="relief.transfer", object_id=current.pk,
            unit_path=current.over_path, before=before, after=transfer_state(current), clock=clock,
        )  # fmt: skip
    return current


def require_unit(value: Any, field: str = "unit") -> Any:
    if value is None:
        raise InvalidInput(gettext("Choose a ward, a district or the city."), field=field)
    return value
